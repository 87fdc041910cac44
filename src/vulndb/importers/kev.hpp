// CISA Known Exploited Vulnerabilities importer: the catalogue as JSON
// (`{title, catalogVersion, dateReleased, count, vulnerabilities[]}`) or as CSV (header
// `cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,
// dueDate,knownRansomwareCampaignUse,notes,cwes`, RFC 4180 quoting; columns found by name).
//
// Field mapping (KEV entry / CSV column -> model::KevEntry), into ImportBatch::kev:
//   cveID                       -> cve_id
//   vendorProject               -> vendor_project
//   product                     -> product
//   vulnerabilityName           -> name
//   dateAdded                   -> date_added (YYYY-MM-DD, as written)
//   dueDate                     -> due_date
//   knownRansomwareCampaignUse  -> known_ransomware_use ("Known" -> true, anything else false)
//   requiredAction              -> required_action
//   notes                       -> notes
// Ignored: shortDescription, cwes, and the catalogue header fields.
// An entry without a cveID that looks like "CVE-YYYY-NNNN" or without dateAdded, or a CSV row
// whose field count differs from the header's, is skipped with a diagnostic naming the file and
// the CVE id or line. Broken JSON, broken CSV quoting or a missing cveID/dateAdded column is a
// file-level kParse error.
#pragma once

#include <memory>

#include "vulndb/importer.hpp"

namespace vigil::vulndb {

// Returns the KEV importer (name "kev"). Stateless; safe to use from several threads.
std::unique_ptr<Importer> make_kev_importer();

}  // namespace vigil::vulndb
