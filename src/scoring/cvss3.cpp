// CVSS v3.0 and v3.1 (FIRST specification documents, §7 "CVSS v3.x Equations" and §8.1 / Appendix
// A "Floating Point Rounding"). Both versions share the metrics and weights; they differ in the
// Round up function and in the Modified Impact equation when the modified scope is Changed.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "scoring/internal/vector_parser.hpp"

namespace vigil::scoring::internal {
namespace {

// Indexes into kSpecs (a plain enum because every value is an array index).
// clang-format off
enum Metric : size_t {
  kAV, kAC, kPR, kUI, kS, kC, kI, kA,             // base
  kE, kRL, kRC,                                   // temporal
  kCR, kIR, kAR, kMAV, kMAC, kMPR, kMUI, kMS,     // environmental
  kMC, kMI, kMA,
  kCount,
};
// clang-format on

// Spec §6 Table 15. Optional metrics list "X" (Not Defined) first; a modified metric's value
// index minus one is the index of the same value in its base metric.
constexpr std::array<MetricSpec, kCount> kSpecs = {{
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "R"}, true},
    {"S", {"U", "C"}, true},
    {"C", {"H", "L", "N"}, true},
    {"I", {"H", "L", "N"}, true},
    {"A", {"H", "L", "N"}, true},
    {"E", {"X", "H", "F", "P", "U"}, false},
    {"RL", {"X", "U", "W", "T", "O"}, false},
    {"RC", {"X", "C", "R", "U"}, false},
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "R"}, false},
    {"MS", {"X", "U", "C"}, false},
    {"MC", {"X", "H", "L", "N"}, false},
    {"MI", {"X", "H", "L", "N"}, false},
    {"MA", {"X", "H", "L", "N"}, false},
}};

// Spec §7.4 weights, by value index.
constexpr std::array<double, 4> kAttackVector = {0.85, 0.62, 0.55, 0.2};
constexpr std::array<double, 2> kAttackComplexity = {0.77, 0.44};
constexpr std::array<double, 3> kPrivilegesUnchanged = {0.85, 0.62, 0.27};
constexpr std::array<double, 3> kPrivilegesChanged = {0.85, 0.68, 0.5};
constexpr std::array<double, 2> kUserInteraction = {0.85, 0.62};
constexpr std::array<double, 3> kImpact = {0.56, 0.22, 0.0};
constexpr std::array<double, 5> kExploitMaturity = {1.0, 1.0, 0.97, 0.94, 0.91};
constexpr std::array<double, 5> kRemediationLevel = {1.0, 1.0, 0.97, 0.96, 0.95};
constexpr std::array<double, 4> kReportConfidence = {1.0, 1.0, 0.96, 0.92};
constexpr std::array<double, 4> kRequirement = {1.0, 1.5, 1.0, 0.5};

using Values = std::array<int8_t, kCount>;

size_t index_of(const Values& values, Metric metric) {
  const int8_t index = values[metric];
  return index == kAbsent ? 0 : static_cast<size_t>(index);  // omitted optional metric = X
}

// The base metric's value index, or the modified metric's when that is defined (not X).
size_t effective(const Values& values, Metric base, Metric modified) {
  const size_t modified_index = index_of(values, modified);
  return modified_index == 0 ? index_of(values, base) : modified_index - 1;
}

bool any_defined(const Values& values, Metric first, Metric last) {
  for (size_t metric = first; metric <= last; ++metric) {
    if (values[metric] != kAbsent && values[metric] != 0) {
      return true;
    }
  }
  return false;
}

// v3.1 Appendix A Roundup: rounds the input to 5 decimals first so binary floating-point error in
// the equations (e.g. 4.000000000000001) does not push a score up by 0.1.
int64_t roundup_v31(double input) {
  const int64_t int_input = std::llround(input * 100000.0);
  if (int_input % 10000 == 0) {
    return int_input / 10000;
  }
  return int_input / 10000 + 1;
}

// v3.0 §8.1 Round up: the smallest one-decimal number >= the exact value of the equation. The
// exact value of every v3.0 equation is either a multiple of 0.1 or at least 1e-11 away from one
// (the Scope Unchanged equations have at most 11 decimals; the Scope Changed ones were compared
// with exact decimal arithmetic for every combination of environmental metrics), while double
// error stays below 1e-13, so inputs within 1e-12 of a multiple of 0.1 are that multiple.
int64_t roundup_v30(double input) {
  const double scaled = input * 10.0;
  const double nearest = std::round(scaled);
  if (std::fabs(scaled - nearest) < 1e-11) {
    return static_cast<int64_t>(nearest);
  }
  return static_cast<int64_t>(std::ceil(scaled));
}

struct Equations {
  CvssVersion version;

  [[nodiscard]] int64_t roundup(double input) const {
    return version == CvssVersion::kV31 ? roundup_v31(input) : roundup_v30(input);
  }

  // Base (scope_changed = S:C) or Environmental (MS) sub-score before the temporal factor.
  // `impact` is the Impact or Modified Impact sub-score; returns tenths.
  [[nodiscard]] int64_t combined(double impact, double exploitability, bool scope_changed) const {
    if (impact <= 0.0) {
      return 0;
    }
    const double sum = scope_changed ? 1.08 * (impact + exploitability) : impact + exploitability;
    return roundup(std::min(sum, 10.0));
  }
};

}  // namespace

Result<CvssScore> score_v3(std::string_view body, CvssVersion version) {
  const std::string_view label = version == CvssVersion::kV31 ? "CVSS v3.1" : "CVSS v3.0";
  Values values{};
  VIGIL_TRY(parse_metrics(body, kSpecs, Ordering::kAny, label, values));
  const Equations equations{version};

  const bool scope_changed = index_of(values, kS) == 1;
  const double conf = kImpact[index_of(values, kC)];
  const double integ = kImpact[index_of(values, kI)];
  const double avail = kImpact[index_of(values, kA)];
  // ISS = 1 - [(1 - C) x (1 - I) x (1 - A)]
  const double iss = 1.0 - ((1.0 - conf) * (1.0 - integ) * (1.0 - avail));
  const double impact =
      scope_changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const auto& privileges = scope_changed ? kPrivilegesChanged : kPrivilegesUnchanged;
  const double exploitability =
      8.22 * kAttackVector[index_of(values, kAV)] * kAttackComplexity[index_of(values, kAC)] *
      privileges[index_of(values, kPR)] * kUserInteraction[index_of(values, kUI)];
  const int64_t base = equations.combined(impact, exploitability, scope_changed);
  const double temporal_factor = kExploitMaturity[index_of(values, kE)] *
                                 kRemediationLevel[index_of(values, kRL)] *
                                 kReportConfidence[index_of(values, kRC)];

  CvssScore score;
  score.version = version;
  score.base_score = from_tenths(base);
  if (any_defined(values, kE, kRC)) {
    // Temporal = Roundup(BaseScore x E x RL x RC)
    score.temporal_score = from_tenths(equations.roundup(from_tenths(base) * temporal_factor));
  }
  if (any_defined(values, kCR, kMA)) {
    const size_t modified_scope = index_of(values, kMS);
    const bool modified_changed = modified_scope == 0 ? scope_changed : modified_scope == 2;
    const double mconf = kImpact[effective(values, kC, kMC)];
    const double minteg = kImpact[effective(values, kI, kMI)];
    const double mavail = kImpact[effective(values, kA, kMA)];
    // MISS = Minimum(1 - [(1 - CR x MC) x (1 - IR x MI) x (1 - AR x MA)], 0.915)
    const double miss = std::min(1.0 - ((1.0 - kRequirement[index_of(values, kCR)] * mconf) *
                                        (1.0 - kRequirement[index_of(values, kIR)] * minteg) *
                                        (1.0 - kRequirement[index_of(values, kAR)] * mavail)),
                                 0.915);
    double modified_impact = 6.42 * miss;
    if (modified_changed) {
      // v3.1 changed the exponent term of this equation (spec §7.3) from v3.0's [MISS-0.02]^15.
      modified_impact = version == CvssVersion::kV31
                            ? 7.52 * (miss - 0.029) - 3.25 * std::pow(miss * 0.9731 - 0.02, 13)
                            : 7.52 * (miss - 0.029) - 3.25 * std::pow(miss - 0.02, 15);
    }
    const auto& mprivileges = modified_changed ? kPrivilegesChanged : kPrivilegesUnchanged;
    const double modified_exploitability = 8.22 * kAttackVector[effective(values, kAV, kMAV)] *
                                           kAttackComplexity[effective(values, kAC, kMAC)] *
                                           mprivileges[effective(values, kPR, kMPR)] *
                                           kUserInteraction[effective(values, kUI, kMUI)];
    const int64_t modified =
        equations.combined(modified_impact, modified_exploitability, modified_changed);
    // Environmental = Roundup(Roundup[Minimum(...)] x E x RL x RC); combined() is 0 when the
    // Modified Impact is not positive, which keeps the whole score 0.
    score.environmental_score =
        from_tenths(equations.roundup(from_tenths(modified) * temporal_factor));
  }
  score.overall_score =
      score.environmental_score.value_or(score.temporal_score.value_or(score.base_score));
  score.severity = severity_of(version, score.overall_score);
  return score;
}

}  // namespace vigil::scoring::internal
