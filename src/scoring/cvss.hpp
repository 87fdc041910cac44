// CVSS scoring: parses FIRST CVSS v2.0, v3.0, v3.1 and v4.0 vector strings and computes their
// scores with each specification's exact formulas and rounding, plus the qualitative severity.
// Pure functions: no I/O, no global state.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.hpp"

namespace vigil::scoring {

// The CVSS specification a vector follows, taken from its prefix ("CVSS:3.1/...").
enum class CvssVersion {
  kV2,   // bare "AV:N/AC:L/Au:N/...", "(AV:...)" or "CVSS:2.0/AV:..."
  kV30,  // "CVSS:3.0/..."
  kV31,  // "CVSS:3.1/..."
  kV40,  // "CVSS:4.0/..."
};

// Qualitative severity. v3.x and v4.0 use FIRST's scale (None 0.0, Low 0.1-3.9, Medium 4.0-6.9,
// High 7.0-8.9, Critical 9.0-10.0); v2 has no official scale, so NVD's is used (Low 0.0-3.9,
// Medium 4.0-6.9, High 7.0-10.0) and kNone/kCritical never occur for v2.
enum class Severity {
  kNone,
  kLow,
  kMedium,
  kHigh,
  kCritical,
};

// The scores of one vector. Every score lies in [0.0, 10.0] and is a multiple of 0.1 (the double
// nearest to it, so printing with one decimal is exact).
struct CvssScore {
  CvssVersion version = CvssVersion::kV31;
  // v2/v3: the Base score. v4.0: the CVSS-B score (threat and environmental metrics ignored).
  double base_score = 0.0;
  // Set only when the vector defines a temporal (v4.0: threat) metric, i.e. one not X/ND.
  // v2/v3: the Temporal score. v4.0: the CVSS-BT score (environmental metrics ignored).
  std::optional<double> temporal_score;
  // Set only when the vector defines an environmental metric, i.e. one not X/ND.
  // v2/v3: the Environmental score. v4.0: the CVSS-BE or CVSS-BTE score of the whole vector.
  std::optional<double> environmental_score;
  // The score to act on: environmental if set, else temporal if set, else base. For v4.0 this is
  // the score of the whole vector (CVSS-B, -BT, -BE or -BTE); supplemental metrics never change it.
  double overall_score = 0.0;
  // The severity of `overall_score` under `version`'s scale.
  Severity severity = Severity::kNone;

  friend bool operator==(const CvssScore&, const CvssScore&) = default;
};

// Parses `vector` and scores it. Accepts exactly the syntax of the matching specification:
// metric names and values are case-sensitive, every base metric is mandatory, no metric may
// repeat, no white space or empty component is allowed. v2 and v4.0 metrics must appear in the
// order their specification lists them (v2 guide §2.4, v4.0 spec §7 Table 23); v3.x metrics may
// appear in any order (v3.x spec §6). v2 vectors may be bare, in parentheses or behind a
// "CVSS:2.0/" prefix. Returns kParse with a message naming the offending component for a wrong
// prefix, an unknown metric, an invalid value, a duplicate, a misordered or a missing mandatory
// metric. Thread-safe; does not allocate on success.
[[nodiscard]] Result<CvssScore> score_vector(std::string_view vector);

// Returns the severity of `score` under `version`'s scale (see Severity). `score` is rounded to
// one decimal first; values outside [0, 10] are clamped.
[[nodiscard]] Severity severity_of(CvssVersion version, double score);

// Returns "None", "Low", "Medium", "High" or "Critical".
[[nodiscard]] std::string_view severity_name(Severity severity);

// Returns "2.0", "3.0", "3.1" or "4.0".
[[nodiscard]] std::string_view version_name(CvssVersion version);

}  // namespace vigil::scoring
