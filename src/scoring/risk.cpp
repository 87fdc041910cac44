#include "scoring/risk.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <string>

#include "core/strings.hpp"
#include "scoring/cvss.hpp"

namespace vigil::scoring {
namespace {

double round1(double value) { return std::round(value * 10.0) / 10.0; }

double severity_midpoint(model::Severity severity) {
  switch (severity) {
    case model::Severity::kCritical:
      return 9.5;
    case model::Severity::kHigh:
      return 8.0;
    case model::Severity::kMedium:
      return 5.5;
    case model::Severity::kLow:
      return 2.5;
    default:
      return 5.0;
  }
}

double reach_multiplier(Reachability reachability) {
  switch (reachability) {
    case Reachability::kInternet:
      return 1.0;
    case Reachability::kUnknown:
      return 0.9;
    case Reachability::kVpc:
      return 0.8;
    case Reachability::kNone:
      return 0.6;
  }
  return 0.9;
}

double criticality_term(Criticality criticality) {
  switch (criticality) {
    case Criticality::kLow:
      return -0.5;
    case Criticality::kNormal:
      return 0.0;
    case Criticality::kHigh:
      return 0.5;
    case Criticality::kCritical:
      return 1.0;
  }
  return 0.0;
}

std::string fmt1(double value) { return fmt::format("{:.1f}", value); }

}  // namespace

std::string_view reachability_name(Reachability reachability) {
  switch (reachability) {
    case Reachability::kUnknown:
      return "UNKNOWN";
    case Reachability::kNone:
      return "NONE";
    case Reachability::kVpc:
      return "VPC";
    case Reachability::kInternet:
      return "INTERNET";
  }
  return "UNKNOWN";
}

Result<InspectorScore> inspector_score(std::string_view vector, Reachability reachability) {
  VIGIL_ASSIGN_OR_RETURN(const CvssScore base, score_vector(vector));
  if (base.version != CvssVersion::kV30 && base.version != CvssVersion::kV31) {
    return fail(Error::invalid_argument("inspector score needs a CVSS v3.x vector, got '{}'", vector));
  }
  InspectorScore out;
  out.score = base.base_score;
  out.vector = std::string(vector);
  const bool network = vector.find("/AV:N") != std::string_view::npos;
  if (!network || (reachability != Reachability::kNone && reachability != Reachability::kVpc)) {
    return out;
  }
  // Lower the attack vector for hosts the internet cannot reach; never raise it.
  const std::string mav = reachability == Reachability::kVpc ? "A" : "L";
  std::string adjusted(vector);
  if (const size_t pos = adjusted.find("/MAV:"); pos != std::string::npos) {
    adjusted.replace(pos + 5, 1, mav);
  } else {
    adjusted += "/MAV:" + mav;
  }
  VIGIL_ASSIGN_OR_RETURN(const CvssScore lowered, score_vector(adjusted));
  const double new_score =
      std::min(base.base_score, lowered.environmental_score.value_or(lowered.overall_score));
  out.adjustments.push_back({"MAV", "N", mav,
                             reachability == Reachability::kVpc
                                 ? "reachable only from inside the VPC"
                                 : "no network path from the internet or the VPC"});
  out.score = new_score;
  out.vector = adjusted;
  return out;
}

Risk vigil_risk(const RiskInputs& inputs) {
  Risk risk;
  const double base = inputs.cvss_base.value_or(severity_midpoint(inputs.severity));
  risk.explanation.push_back({"base", "", fmt1(base),
                              inputs.cvss_base ? "CVSS base score"
                                               : "no CVSS: midpoint of the vendor severity"});
  const double reach = reach_multiplier(inputs.reachability);
  double score = base * reach;
  if (reach != 1.0) {
    risk.explanation.push_back({"reachability", fmt1(base), fmt1(score),
                                fmt::format("{} reachability ×{:.1f}",
                                            reachability_name(inputs.reachability), reach)});
  }
  double exploit = -0.5;
  std::string exploit_reason = "no known exploitation";
  if (inputs.in_kev && inputs.ransomware) {
    exploit = 2.0;
    exploit_reason = "in CISA KEV, used in ransomware campaigns";
  } else if (inputs.in_kev) {
    exploit = 1.5;
    exploit_reason = "in CISA KEV (exploited in the wild)";
  }
  risk.explanation.push_back({"exploit", fmt1(score), fmt1(score + exploit), exploit_reason});
  score += exploit;
  if (inputs.epss) {
    const double epss = std::clamp(*inputs.epss, 0.0, 1.0) * 1.5;
    risk.explanation.push_back({"epss", fmt1(score), fmt1(score + epss),
                                fmt::format("EPSS probability {:.5f}", *inputs.epss)});
    score += epss;
  }
  if (const double crit = criticality_term(inputs.criticality); crit != 0.0) {
    risk.explanation.push_back(
        {"criticality", fmt1(score), fmt1(score + crit), "resource business criticality tag"});
    score += crit;
  }
  risk.score = round1(std::clamp(score, 0.0, 10.0));
  return risk;
}

model::Severity severity_for_score(double score) {
  if (score >= 9.0) {
    return model::Severity::kCritical;
  }
  if (score >= 7.0) {
    return model::Severity::kHigh;
  }
  if (score >= 4.0) {
    return model::Severity::kMedium;
  }
  if (score > 0.0) {
    return model::Severity::kLow;
  }
  return model::Severity::kInformational;
}

model::Severity severity_from_label(std::string_view label) {
  const std::string lowered = to_lower(trim(label));
  if (lowered == "critical") {
    return model::Severity::kCritical;
  }
  if (lowered == "high" || lowered == "important") {
    return model::Severity::kHigh;
  }
  if (lowered == "medium" || lowered == "moderate") {
    return model::Severity::kMedium;
  }
  if (lowered == "low" || lowered == "negligible" || lowered == "unimportant") {
    return model::Severity::kLow;
  }
  if (lowered == "informational" || lowered == "none") {
    return model::Severity::kInformational;
  }
  return model::Severity::kUntriaged;
}

}  // namespace vigil::scoring
