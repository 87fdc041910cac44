// How a package is scored under a ResourceContext, and how the rule is stated in its
// explanations.
#include "service/package_reachability.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::service {

std::pair<scoring::Reachability, std::string_view> package_reachability(
    const ResourceContext& context, const model::Package& package) {
  const auto found = context.package_reachability.find({package.ecosystem, package.name});
  if (found != context.package_reachability.end()) {
    return {found->second.reachability, found->second.rule};
  }
  return {context.reachability, context.reachability_rule};
}

void explain_reachability(model::Finding& finding, scoring::Reachability reach,
                          std::string_view rule) {
  if (rule.empty()) {
    return;
  }
  auto& steps = finding.risk_explanation;
  const auto existing = std::find_if(
      steps.begin(), steps.end(), [](const auto& step) { return step.factor == "reachability"; });
  if (existing != steps.end()) {
    existing->reason += fmt::format("; {}", rule);
  } else {
    const auto base = std::find_if(steps.begin(), steps.end(),
                                   [](const auto& step) { return step.factor == "base"; });
    const std::string value = base == steps.end() ? "" : base->to;
    const auto at = base == steps.end() ? steps.begin() : base + 1;
    steps.insert(
        at, {"reachability", value, value,
             fmt::format("{} reachability ×1.0; {}", scoring::reachability_name(reach), rule)});
  }
  for (auto& adjustment : finding.inspector_adjustments) {
    if (adjustment.factor == "MAV") {
      adjustment.reason += fmt::format(" ({})", rule);
    }
  }
}

}  // namespace vigil::service
