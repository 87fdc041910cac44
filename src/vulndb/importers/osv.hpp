// OSV importer (osv-schema 1.x JSON): one record per file, or a JSON array of records.
//
// Field mapping (OSV -> model::Advisory):
//   id, aliases, related, upstream, summary, details, published, modified, withdrawn -> same name
//   affected[].package.{ecosystem,name,purl} -> AffectedPackage.{ecosystem,name,purl}
//   affected[].ranges[].{type,repo,events}   -> AffectedRange (ECOSYSTEM, SEMVER, GIT kept)
//   affected[].versions                       -> AffectedPackage.versions
//   affected[].{ecosystem,database}_specific.severity -> AffectedPackage.severity
//   severity[].{type,score}                   -> SeverityVector.{type,vector}
//   database_specific.severity                -> Advisory.severity_label
//   database_specific.cwe_ids                 -> Advisory.cwes
//   references[].{type,url}                   -> Reference
// Affected entries in ecosystems Vigil does not know are dropped with an info diagnostic.
#pragma once

#include <memory>

#include "vulndb/importer.hpp"

namespace vigil::vulndb {

std::unique_ptr<Importer> make_osv_importer();

}  // namespace vigil::vulndb
