// NVD importer (CVE API 2.0 JSON): paged API responses and the 2.0 yearly/modified feed files
// (`{"resultsPerPage":..,"format":"NVD_CVE","vulnerabilities":[{"cve":{...}}]}`, the same shape),
// and a bare `cve` object (one record per file, as in fkie-cad/nvd-json-data-feeds).
//
// Field mapping (NVD `cve` object -> model::Advisory):
//   id                               -> id
//   descriptions[lang=en].value      -> details; its first sentence (<= 200 bytes) -> summary
//   published, lastModified          -> published, modified (RFC 3339; NVD writes UTC without a
//                                       zone, so "Z" is added)
//   vulnStatus                       -> status ("Rejected" records are kept, not withdrawn)
//   weaknesses[].description[].value -> cwes (only "CWE-n"; NVD-CWE-Other/noinfo dropped,
//                                       duplicates removed)
//   references[].url, .tags          -> Reference{type, url}; type from the tags: Patch -> FIX,
//                                       Vendor/Third Party Advisory -> ADVISORY, Exploit ->
//                                       EVIDENCE, Issue Tracking -> REPORT, else WEB
//   metrics.cvssMetricV40[]          -> SeverityVector{"CVSS_V4", vectorString, ...}
//   metrics.cvssMetricV31[], V30[]   -> SeverityVector{"CVSS_V3", vectorString, ...}
//   metrics.cvssMetricV2[]           -> SeverityVector{"CVSS_V2", vectorString, ...}
//     each: source = "<metric source> (<type>)", e.g. "nvd@nist.gov (Primary)";
//           base_score = cvssData.baseScore
//     A V40 metric without vectorString gets its base vector (plus E when defined) rebuilt from
//     the named fields; both NVD spellings are read (vulnerableSystemConfidentiality... as in
//     2024, vulnConfidentialityImpact... as in 2025).
//   configurations                   -> cpe_configurations (minified JSON text, verbatim)
//   the whole `cve` object, minified -> raw
//   source                           =  "nvd"
// Ignored: sourceIdentifier, cveTags, cisaExploit*, vendorComments, evaluator*.
// A record without id or lastModified, or a vulnerabilities[] item without a `cve` object, is
// skipped with a diagnostic. Per record the work is one DOM walk plus two minify calls.
#pragma once

#include <memory>

#include "vulndb/importer.hpp"

namespace vigil::vulndb {

// Returns the NVD importer (name "nvd"). Stateless; safe to use from several threads.
std::unique_ptr<Importer> make_nvd_importer();

}  // namespace vigil::vulndb
