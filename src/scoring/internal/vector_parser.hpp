// Internal to scoring: the table-driven "NAME:VALUE/NAME:VALUE" parser shared by every CVSS
// version, and the per-version scorers that cvss.cpp dispatches to.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "scoring/cvss.hpp"

namespace vigil::scoring::internal {

inline constexpr size_t kMaxMetricValues = 6;

// One metric of a version's vector grammar: its abbreviation, its allowed values (unused slots
// are empty) and whether the vector must contain it.
struct MetricSpec {
  std::string_view name;
  std::array<std::string_view, kMaxMetricValues> values;
  bool mandatory = false;
};

// Whether a version's metrics must follow its specification's table order.
enum class Ordering { kAny, kSpecOrder };

// Marks a metric the vector does not mention in the output of parse_metrics.
inline constexpr int8_t kAbsent = -1;

// Parses `body` (the vector without its "CVSS:x.y/" prefix) against `specs`. On success
// `value_index[m]` holds the index into `specs[m].values` of metric m's value, or kAbsent.
// `value_index` must have specs.size() elements. `label` ("CVSS v3.1") starts error messages.
// Returns kParse for an empty component, a component that is not NAME:VALUE, an unknown metric, an
// invalid value, a duplicate, a metric out of order (Ordering::kSpecOrder) or a missing mandatory
// metric.
[[nodiscard]] Result<void> parse_metrics(std::string_view body, std::span<const MetricSpec> specs,
                                         Ordering ordering, std::string_view label,
                                         std::span<int8_t> value_index);

// Returns `text` quoted for an error message: at most 40 characters, non-printable bytes as '?'.
std::string quoted(std::string_view text);

// Per-version scorers; `body` excludes the "CVSS:x.y/" prefix (and v2's parentheses).
[[nodiscard]] Result<CvssScore> score_v2(std::string_view body);
[[nodiscard]] Result<CvssScore> score_v3(std::string_view body, CvssVersion version);
[[nodiscard]] Result<CvssScore> score_v4(std::string_view body);

// Converts a score held as an integer number of tenths into the double nearest to it.
inline double from_tenths(int64_t tenths) { return static_cast<double>(tenths) / 10.0; }

}  // namespace vigil::scoring::internal
