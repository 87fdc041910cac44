// Finding reports for `vigil scan`: a severity-grouped table for people and Inspector-shaped
// JSON for machines.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/matcher.hpp"
#include "model/finding.hpp"
#include "model/inventory.hpp"

namespace vigil::cli {

// Writes findings grouped by severity (Critical first) with package, installed and fixed
// versions, scores and a summary line. ANSI colour when `colour`.
// The summary line also counts kernel packages not matched (matcher::kernel_skips) and, when
// given, the vulnerabilities the distro states do not affect installed packages.
void write_findings_table(std::ostream& out, const model::Inventory& inventory,
                          const std::vector<model::Finding>& findings, bool colour,
                          const std::vector<matcher::NonFinding>* not_affected = nullptr);

// Writes {"target", "os", "findings": [...]} with findings shaped like Inspector2's Finding.
// Next to "findings": "kernelPackagesNotMatched" [{name, version, reason}] and, when given,
// "notAffected" [{vulnerabilityId, packageName, packageVersion, sourceAdvisory, source, reason}].
void write_findings_json(std::ostream& out, const model::Inventory& inventory,
                         const std::vector<model::Finding>& findings,
                         const std::vector<matcher::NonFinding>* not_affected = nullptr);

std::string to_lower_copy(std::string_view text);

// Splits "a,b, c" into trimmed non-empty parts.
std::vector<std::string> split_list(std::string_view text);

}  // namespace vigil::cli
