// Criteria -> parameterised SQL. Values are always bound, never spliced into the text. The
// findings compiler reads the `findings` table under alias `f`; the coverage compiler reads
// `coverage` as `c` LEFT JOINed with `resources` as `r`. Internal to the store module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/internal/db.hpp"
#include "store/store.hpp"

namespace vigil::store::internal {

// A boolean SQL expression with its parameters in order of appearance.
struct SqlCondition {
  std::string sql = "1";
  std::vector<Value> values;

  // AND-s `other` into this condition.
  void and_with(std::string_view clause, std::vector<Value> clause_values = {});
};

// Compiles finding criteria (Inspector FilterCriteria semantics). Returns kInvalidArgument
// naming the field for an unknown field, a field used with the wrong filter type, or an
// invalid bound (NaN, port outside 0-65535, empty tag key).
[[nodiscard]] Result<SqlCondition> compile_finding_criteria(const Criteria& criteria);

// Compiles coverage criteria (CoverageFilterCriteria field names).
[[nodiscard]] Result<SqlCondition> compile_coverage_criteria(const Criteria& criteria);

// AND-s "`column` IN (scope...)" when `scope` is not empty.
void restrict_to_accounts(SqlCondition& condition, std::string_view column,
                          const std::vector<std::string>& scope);

}  // namespace vigil::store::internal
