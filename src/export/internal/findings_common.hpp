// Helpers shared by the findings writers (Inspector JSON, SARIF, VEX).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "export/findings.hpp"
#include "model/finding.hpp"

namespace vigil::exporter::internal {

// The CVSS record Inspector scores from: NVD's primary v3.1, any v3.1, primary v3.0, any v3.0,
// then the first record of any version. nullptr when there is none.
const model::CvssRecord* primary_cvss(const std::vector<model::CvssRecord>& records);

// The advisory source Inspector would name ("NVD", "AMAZON_CVE", "GITHUB", "OSV", ...).
std::string inspector_source(const model::Finding& finding);

// A page about `vulnerability_id`: NVD for CVEs, GitHub for GHSAs, else OSV.dev.
std::string vulnerability_url(std::string_view vulnerability_id);

// "Upgrade openssl to 3.0.11-1~deb12u2" or "No fix is known for openssl".
std::string fix_sentence(const model::Finding& finding);

// Highest CVSS-derived score of `finding` (inspector_score, else the highest base score);
// nullopt when it has no CVSS at all.
std::optional<double> best_score(const model::Finding& finding);

// "2023-10-10" -> "2023-10-10T00:00:00Z"; other text unchanged.
std::string iso_timestamp(std::string_view text);

// `context.timestamp`, or the current UTC time when it is empty.
std::string export_time(const FindingsContext& context);

}  // namespace vigil::exporter::internal
