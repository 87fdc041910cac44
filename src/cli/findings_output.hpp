// Finding reports for `vigil scan`: a severity-grouped table for people and Inspector-shaped
// JSON for machines.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.hpp"
#include "model/inventory.hpp"

namespace vigil::cli {

// Writes findings grouped by severity (Critical first) with package, installed and fixed
// versions, scores and a summary line. ANSI colour when `colour`.
void write_findings_table(std::ostream& out, const model::Inventory& inventory,
                          const std::vector<model::Finding>& findings, bool colour);

// Writes {"target", "os", "findings": [...]} with findings shaped like Inspector2's Finding.
void write_findings_json(std::ostream& out, const model::Inventory& inventory,
                         const std::vector<model::Finding>& findings);

std::string to_lower_copy(std::string_view text);

// Splits "a,b, c" into trimmed non-empty parts.
std::vector<std::string> split_list(std::string_view text);

}  // namespace vigil::cli
