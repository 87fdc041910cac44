#include "scoring/cvss.hpp"

#include <cmath>
#include <cstdint>

#include "scoring/internal/vector_parser.hpp"

namespace vigil::scoring {

Result<CvssScore> score_vector(std::string_view vector) {
  if (vector.empty()) {
    return fail(Error::parse("empty CVSS vector"));
  }
  constexpr std::string_view kPrefix = "CVSS:";
  if (vector.starts_with(kPrefix)) {
    const size_t slash = vector.find('/');
    const std::string_view token = vector.substr(0, slash);
    const std::string_view body =
        slash == std::string_view::npos ? std::string_view{} : vector.substr(slash + 1);
    if (token == "CVSS:3.1") {
      return internal::score_v3(body, CvssVersion::kV31);
    }
    if (token == "CVSS:4.0") {
      return internal::score_v4(body);
    }
    if (token == "CVSS:3.0") {
      return internal::score_v3(body, CvssVersion::kV30);
    }
    if (token == "CVSS:2.0") {
      return internal::score_v2(body);
    }
    return fail(Error::parse(
        "unsupported CVSS vector prefix {} (expected CVSS:2.0, CVSS:3.0, CVSS:3.1 or CVSS:4.0)",
        internal::quoted(token)));
  }
  // Some v2 feeds (older NVD XML, vendor advisories) wrap the bare v2 vector in parentheses.
  if (vector.front() == '(') {
    if (vector.size() < 2 || vector.back() != ')') {
      return fail(
          Error::parse("CVSS v2 vector: unbalanced parenthesis in {}", internal::quoted(vector)));
    }
    return internal::score_v2(vector.substr(1, vector.size() - 2));
  }
  return internal::score_v2(vector);
}

Severity severity_of(CvssVersion version, double score) {
  int64_t tenths = 0;
  if (score >= 10.0) {
    tenths = 100;
  } else if (score > 0.0) {  // false for NaN too
    tenths = std::llround(score * 10.0);
  }
  if (version == CvssVersion::kV2) {
    // NVD's v2 bands: Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0.
    if (tenths < 40) {
      return Severity::kLow;
    }
    return tenths < 70 ? Severity::kMedium : Severity::kHigh;
  }
  // CVSS v3.1 spec §5 / v4.0 spec §6 qualitative severity rating scale.
  if (tenths == 0) {
    return Severity::kNone;
  }
  if (tenths < 40) {
    return Severity::kLow;
  }
  if (tenths < 70) {
    return Severity::kMedium;
  }
  return tenths < 90 ? Severity::kHigh : Severity::kCritical;
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kNone:
      return "None";
    case Severity::kLow:
      return "Low";
    case Severity::kMedium:
      return "Medium";
    case Severity::kHigh:
      return "High";
    case Severity::kCritical:
      return "Critical";
  }
  return "None";
}

std::string_view version_name(CvssVersion version) {
  switch (version) {
    case CvssVersion::kV2:
      return "2.0";
    case CvssVersion::kV30:
      return "3.0";
    case CvssVersion::kV31:
      return "3.1";
    case CvssVersion::kV40:
      return "4.0";
  }
  return "3.1";
}

}  // namespace vigil::scoring
