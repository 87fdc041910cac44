// CVSS v2.0 (FIRST "A Complete Guide to the Common Vulnerability Scoring System Version 2.0",
// §3.2). The guide's equations use only +, -, x and min on decimal constants, so they are
// evaluated exactly in decimal fixed point and rounded half up to one decimal as the guide says;
// binary floating point would misround values such as x.x5.
#include <algorithm>
#include <array>
#include <cstdint>

#include "scoring/internal/vector_parser.hpp"

namespace vigil::scoring::internal {
namespace {

// A 128-bit decimal: value = units / 10^scale. The deepest product in the guide (the base
// equation with the adjusted impact) has 21 decimals and stays below 10^23, far inside 2^127.
__extension__ using Int128 = __int128;

struct Decimal {
  Int128 units = 0;
  int scale = 0;
};

constexpr Int128 pow10(int exponent) {
  Int128 result = 1;
  for (int step = 0; step < exponent; ++step) {
    result *= 10;
  }
  return result;
}

constexpr Decimal dec(int64_t units, int scale) { return {units, scale}; }

Decimal rescaled(Decimal value, int scale) {
  return {value.units * pow10(scale - value.scale), scale};
}

Decimal operator*(Decimal lhs, Decimal rhs) {
  return {lhs.units * rhs.units, lhs.scale + rhs.scale};
}

Decimal operator+(Decimal lhs, Decimal rhs) {
  const int scale = std::max(lhs.scale, rhs.scale);
  return {rescaled(lhs, scale).units + rescaled(rhs, scale).units, scale};
}

Decimal operator-(Decimal lhs, Decimal rhs) {
  const int scale = std::max(lhs.scale, rhs.scale);
  return {rescaled(lhs, scale).units - rescaled(rhs, scale).units, scale};
}

bool operator<(Decimal lhs, Decimal rhs) {
  const int scale = std::max(lhs.scale, rhs.scale);
  return rescaled(lhs, scale).units < rescaled(rhs, scale).units;
}

bool is_zero(Decimal value) { return value.units == 0; }

// round_to_1_decimal of the guide: to one decimal, halves away from zero.
Decimal round_to_tenths(Decimal value) {
  if (value.scale <= 1) {
    return rescaled(value, 1);
  }
  const Int128 divisor = pow10(value.scale - 1);
  Int128 quotient = value.units / divisor;
  const Int128 remainder = value.units % divisor;
  if (remainder * 2 >= divisor) {
    ++quotient;
  } else if (remainder * 2 <= -divisor) {
    --quotient;
  }
  return {quotient, 1};
}

int64_t tenths_of(Decimal rounded) { return static_cast<int64_t>(rescaled(rounded, 1).units); }

// Indexes into kSpecs (a plain enum because every value is an array index).
enum Metric : size_t { kAV, kAC, kAu, kC, kI, kA, kE, kRL, kRC, kCDP, kTD, kCR, kIR, kAR, kCount };

// Guide §2.4 Table 13 (base), §3.2 (temporal, environmental); values listed in the guide's order.
constexpr std::array<MetricSpec, kCount> kSpecs = {{
    {"AV", {"L", "A", "N"}, true},
    {"AC", {"H", "M", "L"}, true},
    {"Au", {"M", "S", "N"}, true},
    {"C", {"N", "P", "C"}, true},
    {"I", {"N", "P", "C"}, true},
    {"A", {"N", "P", "C"}, true},
    {"E", {"U", "POC", "F", "H", "ND"}, false},
    {"RL", {"OF", "TF", "W", "U", "ND"}, false},
    {"RC", {"UC", "UR", "C", "ND"}, false},
    {"CDP", {"N", "L", "LM", "MH", "H", "ND"}, false},
    {"TD", {"N", "L", "M", "H", "ND"}, false},
    {"CR", {"L", "M", "H", "ND"}, false},
    {"IR", {"L", "M", "H", "ND"}, false},
    {"AR", {"L", "M", "H", "ND"}, false},
}};

// Weights per value index, same order as kSpecs (guide §3.2.1-§3.2.3).
constexpr std::array<Decimal, 3> kAccessVector = {dec(395, 3), dec(646, 3), dec(1000, 3)};
constexpr std::array<Decimal, 3> kAccessComplexity = {dec(35, 2), dec(61, 2), dec(71, 2)};
constexpr std::array<Decimal, 3> kAuthentication = {dec(450, 3), dec(560, 3), dec(704, 3)};
constexpr std::array<Decimal, 3> kImpact = {dec(0, 3), dec(275, 3), dec(660, 3)};
constexpr std::array<Decimal, 5> kExploitability = {dec(85, 2), dec(90, 2), dec(95, 2), dec(100, 2),
                                                    dec(100, 2)};
constexpr std::array<Decimal, 5> kRemediationLevel = {dec(87, 2), dec(90, 2), dec(95, 2),
                                                      dec(100, 2), dec(100, 2)};
constexpr std::array<Decimal, 4> kReportConfidence = {dec(90, 2), dec(95, 2), dec(100, 2),
                                                      dec(100, 2)};
constexpr std::array<Decimal, 6> kCollateralDamage = {dec(0, 1), dec(1, 1), dec(3, 1),
                                                      dec(4, 1), dec(5, 1), dec(0, 1)};
constexpr std::array<Decimal, 5> kTargetDistribution = {dec(0, 2), dec(25, 2), dec(75, 2),
                                                        dec(100, 2), dec(100, 2)};
constexpr std::array<Decimal, 4> kRequirement = {dec(50, 2), dec(100, 2), dec(151, 2), dec(100, 2)};

// "ND" is the last value of every optional metric; an omitted metric means the same.
bool is_defined(const std::array<int8_t, kCount>& values, Metric metric) {
  const int8_t index = values[metric];
  return index != kAbsent && kSpecs[metric].values[static_cast<size_t>(index)] != "ND";
}

template <size_t N>
Decimal weight(const std::array<Decimal, N>& table, const std::array<int8_t, kCount>& values,
               Metric metric) {
  const int8_t index = values[metric];
  return index == kAbsent ? table[N - 1] : table[static_cast<size_t>(index)];
}

// BaseScore = round_to_1_decimal(((0.6*Impact)+(0.4*Exploitability)-1.5)*f(Impact)).
Decimal base_equation(Decimal impact, Decimal exploitability) {
  const Decimal f_impact = is_zero(impact) ? dec(0, 0) : dec(1176, 3);
  return round_to_tenths((dec(6, 1) * impact + dec(4, 1) * exploitability - dec(15, 1)) * f_impact);
}

}  // namespace

Result<CvssScore> score_v2(std::string_view body) {
  std::array<int8_t, kCount> values{};
  VIGIL_TRY(parse_metrics(body, kSpecs, Ordering::kSpecOrder, "CVSS v2", values));

  const Decimal one = dec(1, 0);
  const Decimal conf = weight(kImpact, values, kC);
  const Decimal integ = weight(kImpact, values, kI);
  const Decimal avail = weight(kImpact, values, kA);
  const Decimal impact = dec(1041, 2) * (one - (one - conf) * (one - integ) * (one - avail));
  const Decimal exploitability = dec(20, 0) * weight(kAccessVector, values, kAV) *
                                 weight(kAccessComplexity, values, kAC) *
                                 weight(kAuthentication, values, kAu);
  const Decimal zero = dec(0, 1);
  const Decimal base = std::max(zero, base_equation(impact, exploitability));
  const Decimal temporal_factor = weight(kExploitability, values, kE) *
                                  weight(kRemediationLevel, values, kRL) *
                                  weight(kReportConfidence, values, kRC);

  CvssScore score;
  score.version = CvssVersion::kV2;
  score.base_score = from_tenths(tenths_of(base));
  if (is_defined(values, kE) || is_defined(values, kRL) || is_defined(values, kRC)) {
    const Decimal temporal = std::max(zero, round_to_tenths(base * temporal_factor));
    score.temporal_score = from_tenths(tenths_of(temporal));
  }
  if (is_defined(values, kCDP) || is_defined(values, kTD) || is_defined(values, kCR) ||
      is_defined(values, kIR) || is_defined(values, kAR)) {
    // AdjustedImpact = min(10, 10.41*(1-(1-C*CR)*(1-I*IR)*(1-A*AR))); AdjustedTemporal is the
    // temporal equation over the base equation recomputed with AdjustedImpact.
    const Decimal adjusted_impact = std::min(
        dec(10, 0), dec(1041, 2) * (one - (one - conf * weight(kRequirement, values, kCR)) *
                                              (one - integ * weight(kRequirement, values, kIR)) *
                                              (one - avail * weight(kRequirement, values, kAR))));
    const Decimal adjusted_temporal =
        round_to_tenths(base_equation(adjusted_impact, exploitability) * temporal_factor);
    const Decimal collateral = weight(kCollateralDamage, values, kCDP);
    const Decimal environmental = std::max(
        zero, round_to_tenths((adjusted_temporal + (dec(10, 0) - adjusted_temporal) * collateral) *
                              weight(kTargetDistribution, values, kTD)));
    score.environmental_score = from_tenths(tenths_of(environmental));
  }
  score.overall_score =
      score.environmental_score.value_or(score.temporal_score.value_or(score.base_score));
  score.severity = severity_of(CvssVersion::kV2, score.overall_score);
  return score;
}

}  // namespace vigil::scoring::internal
