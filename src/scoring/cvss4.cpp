// CVSS v4.0 (FIRST specification document §8 "CVSS v4.0 Scoring"). The score of a vector is the
// score of its MacroVector minus the mean, over the equivalence sets, of its proportional severity
// distance from the MacroVector's highest-severity vector. The arithmetic below follows FIRST's
// reference calculator (cvss_score.js) operation for operation in binary64, with its tie-safe
// final rounding, so scores match it exactly.
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <optional>

#include "scoring/internal/cvss4_tables.hpp"
#include "scoring/internal/vector_parser.hpp"

namespace vigil::scoring::internal {
namespace {

// Indexes into kSpecs (a plain enum because every value is an array index).
// clang-format off
enum Metric : size_t {
  kAV, kAC, kAT, kPR, kUI, kVC, kVI, kVA, kSC, kSI, kSA,  // base
  kE,                                                     // threat
  kCR, kIR, kAR, kMAV, kMAC, kMAT, kMPR, kMUI,            // environmental
  kMVC, kMVI, kMVA, kMSC, kMSI, kMSA,
  kS, kAU, kR, kV, kRE, kU,                               // supplemental
  kCount,
};
// clang-format on

// Spec §7 Table 23: the only valid metric order. Optional metrics list "X" (Not Defined) first.
constexpr std::array<MetricSpec, kCount> kSpecs = {{
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"AT", {"N", "P"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "P", "A"}, true},
    {"VC", {"H", "L", "N"}, true},
    {"VI", {"H", "L", "N"}, true},
    {"VA", {"H", "L", "N"}, true},
    {"SC", {"H", "L", "N"}, true},
    {"SI", {"H", "L", "N"}, true},
    {"SA", {"H", "L", "N"}, true},
    {"E", {"X", "A", "P", "U"}, false},
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MAT", {"X", "N", "P"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "P", "A"}, false},
    {"MVC", {"X", "H", "L", "N"}, false},
    {"MVI", {"X", "H", "L", "N"}, false},
    {"MVA", {"X", "H", "L", "N"}, false},
    {"MSC", {"X", "H", "L", "N"}, false},
    {"MSI", {"X", "S", "H", "L", "N"}, false},
    {"MSA", {"X", "S", "H", "L", "N"}, false},
    {"S", {"X", "N", "P"}, false},
    {"AU", {"X", "N", "Y"}, false},
    {"R", {"X", "A", "U", "I"}, false},
    {"V", {"X", "D", "C"}, false},
    {"RE", {"X", "L", "M", "H"}, false},
    {"U", {"X", "Clear", "Green", "Amber", "Red"}, false},
}};

// The value of every metric as its first letter ('X' when omitted); the only multi-letter values
// are U's, which never enter the score.
using Selected = std::array<char, kCount>;

// Effective values (spec §8.1 footnote and the calculator's m()): a defined modified metric
// replaces its base metric; E=X counts as E=A and CR/IR/AR=X as H, their worst cases.
struct Effective {
  char av, ac, at, pr, ui, vc, vi, va, sc, si, sa, e, cr, ir, ar;
  bool msi_safety, msa_safety;
};

char pick(const Selected& selected, Metric base, Metric modified) {
  return selected[modified] != 'X' ? selected[modified] : selected[base];
}

char or_default(char value, char worst_case) { return value == 'X' ? worst_case : value; }

Effective effective_values(const Selected& sel) {
  return {pick(sel, kAV, kMAV),      pick(sel, kAC, kMAC),      pick(sel, kAT, kMAT),
          pick(sel, kPR, kMPR),      pick(sel, kUI, kMUI),      pick(sel, kVC, kMVC),
          pick(sel, kVI, kMVI),      pick(sel, kVA, kMVA),      pick(sel, kSC, kMSC),
          pick(sel, kSI, kMSI),      pick(sel, kSA, kMSA),      or_default(sel[kE], 'A'),
          or_default(sel[kCR], 'H'), or_default(sel[kIR], 'H'), or_default(sel[kAR], 'H'),
          sel[kMSI] == 'S',          sel[kMSA] == 'S'};
}

// Spec §8.2 Table 24: the equivalence sets.
MacroVector macro_vector_of(const Effective& v) {
  MacroVector macro{};
  if (v.av == 'N' && v.pr == 'N' && v.ui == 'N') {
    macro[0] = 0;
  } else if ((v.av == 'N' || v.pr == 'N' || v.ui == 'N') && v.av != 'P') {
    macro[0] = 1;
  } else {
    macro[0] = 2;
  }
  macro[1] = (v.ac == 'L' && v.at == 'N') ? 0 : 1;
  if (v.vc == 'H' && v.vi == 'H') {
    macro[2] = 0;
  } else if (v.vc == 'H' || v.vi == 'H' || v.va == 'H') {
    macro[2] = 1;
  } else {
    macro[2] = 2;
  }
  if (v.msi_safety || v.msa_safety) {
    macro[3] = 0;
  } else if (v.sc == 'H' || v.si == 'H' || v.sa == 'H') {
    macro[3] = 1;
  } else {
    macro[3] = 2;
  }
  macro[4] = v.e == 'A' ? 0 : (v.e == 'P' ? 1 : 2);
  const bool requirement_high =
      (v.cr == 'H' && v.vc == 'H') || (v.ir == 'H' && v.vi == 'H') || (v.ar == 'H' && v.va == 'H');
  macro[5] = requirement_high ? 0 : 1;
  return macro;
}

// Severity levels of metric values (the calculator's *_levels), in steps of 0.1.
double level_av(char value) {
  return value == 'N' ? 0.0 : value == 'A' ? 0.1 : value == 'L' ? 0.2 : 0.3;
}
double level_pr(char value) { return value == 'N' ? 0.0 : value == 'L' ? 0.1 : 0.2; }
double level_ui(char value) { return value == 'N' ? 0.0 : value == 'P' ? 0.1 : 0.2; }
double level_ac(char value) { return value == 'L' ? 0.0 : 0.1; }
double level_at(char value) { return value == 'N' ? 0.0 : 0.1; }
double level_vuln(char value) { return value == 'H' ? 0.0 : value == 'L' ? 0.1 : 0.2; }
double level_sub(char value) {
  return value == 'S' ? 0.0 : value == 'H' ? 0.1 : value == 'L' ? 0.2 : 0.3;
}
double level_req(char value) { return value == 'H' ? 0.0 : value == 'M' ? 0.1 : 0.2; }

struct Distances {
  double av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar;

  [[nodiscard]] bool all_non_negative() const {
    return av >= 0 && pr >= 0 && ui >= 0 && ac >= 0 && at >= 0 && vc >= 0 && vi >= 0 && va >= 0 &&
           sc >= 0 && si >= 0 && sa >= 0 && cr >= 0 && ir >= 0 && ar >= 0;
  }
};

Distances distances_from(const Effective& v, const Eq1Max& m1, const Eq2Max& m2,
                         const Eq3Eq6Max& m3, const Eq4Max& m4) {
  return {level_av(v.av) - level_av(m1.av),     level_pr(v.pr) - level_pr(m1.pr),
          level_ui(v.ui) - level_ui(m1.ui),     level_ac(v.ac) - level_ac(m2.ac),
          level_at(v.at) - level_at(m2.at),     level_vuln(v.vc) - level_vuln(m3.vc),
          level_vuln(v.vi) - level_vuln(m3.vi), level_vuln(v.va) - level_vuln(m3.va),
          level_sub(v.sc) - level_sub(m4.sc),   level_sub(v.si) - level_sub(m4.si),
          level_sub(v.sa) - level_sub(m4.sa),   level_req(v.cr) - level_req(m3.cr),
          level_req(v.ir) - level_req(m3.ir),   level_req(v.ar) - level_req(m3.ar)};
}

// The severity distances from the first highest-severity vector of the MacroVector that is at
// least as severe as `v` in every metric (the calculator keeps the last one tried if none is).
Distances distances_to_max(const Effective& v, const MacroVector& macro) {
  Distances distances{};
  for (const Eq1Max& m1 : eq1_maxes(macro[0])) {
    for (const Eq2Max& m2 : eq2_maxes(macro[1])) {
      for (const Eq3Eq6Max& m3 : eq3_eq6_maxes(macro[2], macro[5])) {
        for (const Eq4Max& m4 : eq4_maxes(macro[3])) {
          distances = distances_from(v, m1, m2, m3, m4);
          if (distances.all_non_negative()) {
            return distances;
          }
        }
      }
    }
  }
  return distances;
}

MacroVector shifted(MacroVector macro, size_t eq, int by = 1) {
  macro[eq] += by;
  return macro;
}

// The score of the next lower MacroVector for EQ3 and EQ6 together (they are scored jointly).
std::optional<double> eq3_eq6_lower_score(const MacroVector& macro) {
  const int eq3 = macro[2];
  const int eq6 = macro[5];
  if (eq3 == 0 && eq6 == 0) {
    // Two lower neighbours (01 and 10): take the higher score.
    const auto left = macro_vector_score(shifted(macro, 5));
    const auto right = macro_vector_score(shifted(macro, 2));
    if (left && right && *left > *right) {
      return left;
    }
    return right;
  }
  if (eq3 == 1 && eq6 == 0) {
    return macro_vector_score(shifted(macro, 5));  // 10 -> 11
  }
  if (eq3 == 2) {
    return std::nullopt;  // 21 is the lowest
  }
  return macro_vector_score(shifted(macro, 2));  // 01 -> 11, 11 -> 21
}

// JavaScript's Math.round for the non-negative values it is applied to here: halves round up.
int64_t js_round(double value) {
  const double floor = std::floor(value);
  return static_cast<int64_t>(value - floor >= 0.5 ? floor + 1.0 : floor);
}

// Returns the score of `sel` in tenths.
int64_t score_tenths(const Selected& sel) {
  const Effective v = effective_values(sel);
  if (v.vc == 'N' && v.vi == 'N' && v.va == 'N' && v.sc == 'N' && v.si == 'N' && v.sa == 'N') {
    return 0;  // no impact on any system
  }
  const MacroVector macro = macro_vector_of(v);
  const std::optional<double> macro_score = macro_vector_score(macro);
  assert(macro_score && "every reachable MacroVector has a score");
  const double value = macro_score.value_or(0.0);

  const Distances d = distances_to_max(v, macro);
  const double current_eq1 = d.av + d.pr + d.ui;
  const double current_eq2 = d.ac + d.at;
  const double current_eq3eq6 = d.vc + d.vi + d.va + d.cr + d.ir + d.ar;
  const double current_eq4 = d.sc + d.si + d.sa;
  constexpr double kStep = 0.1;

  // For each EQ with a lower MacroVector: (score - lower score) x distance / depth. EQ5's
  // proportion is always 0 but its MacroVector still counts towards the mean.
  const std::optional<double> lower[5] = {
      macro_vector_score(shifted(macro, 0)), macro_vector_score(shifted(macro, 1)),
      eq3_eq6_lower_score(macro), macro_vector_score(shifted(macro, 3)),
      macro_vector_score(shifted(macro, 4))};
  const double current[5] = {current_eq1, current_eq2, current_eq3eq6, current_eq4, 0.0};
  const double depth[5] = {eq1_depth(macro[0]) * kStep, eq2_depth(macro[1]) * kStep,
                           eq3_eq6_depth(macro[2], macro[5]) * kStep, eq4_depth(macro[3]) * kStep,
                           1.0};
  double normalized_sum = 0.0;
  int existing_lower = 0;
  for (size_t eq = 0; eq < 5; ++eq) {
    if (lower[eq]) {
      ++existing_lower;
      const double available = value - *lower[eq];
      const double percent = eq == 4 ? 0.0 : current[eq] / depth[eq];
      normalized_sum += available * percent;
    }
  }
  const double mean_distance = existing_lower == 0 ? 0.0 : normalized_sum / existing_lower;
  double result = value - mean_distance;
  if (result < 0.0) {
    result = 0.0;
  }
  if (result > 10.0) {
    result = 10.0;
  }
  // Round half up after lifting the value by 1e-6: the binary64 interpolation lands one ULP
  // below an exact x.x5 tie for some vectors (5.6499999999999995 for 5.65). With the lift the
  // result is the exact value rounded half up, as in the calculators' late-2024 rounding fixes
  // (RedHatProductSecurity/cvss-v4-calculator#67, RedHatProductSecurity/cvss#65) and the
  // reference vectors; without it 6 of the 1,058 reference base vectors score 0.1 low.
  constexpr double kTieEpsilon = 1e-6;
  return js_round((result + kTieEpsilon) * 10.0);
}

Selected without(Selected sel, Metric first, Metric last) {
  for (size_t metric = first; metric <= last; ++metric) {
    sel[metric] = 'X';
  }
  return sel;
}

bool any_defined(const Selected& sel, Metric first, Metric last) {
  for (size_t metric = first; metric <= last; ++metric) {
    if (sel[metric] != 'X') {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<CvssScore> score_v4(std::string_view body) {
  std::array<int8_t, kCount> values{};
  VIGIL_TRY(parse_metrics(body, kSpecs, Ordering::kSpecOrder, "CVSS v4.0", values));
  Selected sel{};
  for (size_t metric = 0; metric < kCount; ++metric) {
    sel[metric] = values[metric] == kAbsent
                      ? 'X'
                      : kSpecs[metric].values[static_cast<size_t>(values[metric])][0];
  }

  CvssScore score;
  score.version = CvssVersion::kV40;
  score.base_score = from_tenths(score_tenths(without(sel, kE, kMSA)));
  const bool has_threat = sel[kE] != 'X';
  if (has_threat) {
    score.temporal_score = from_tenths(score_tenths(without(sel, kCR, kMSA)));
  }
  if (any_defined(sel, kCR, kMSA)) {
    score.environmental_score = from_tenths(score_tenths(sel));
  }
  score.overall_score =
      score.environmental_score.value_or(score.temporal_score.value_or(score.base_score));
  score.severity = severity_of(CvssVersion::kV40, score.overall_score);
  return score;
}

}  // namespace vigil::scoring::internal
