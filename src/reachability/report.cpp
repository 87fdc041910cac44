// JSON and table rendering of reachability analyses.
#include "reachability/report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace vigil::reachability {
namespace {

using nlohmann::json;

constexpr const char* kRemediation =
    "You can restrict access to your instance by modifying the Security Groups or ACLs in the "
    "network path.";

std::string range_text(const PortRange& range) {
  return range.begin == range.end ? fmt::format("{}", range.begin)
                                  : fmt::format("{}-{}", range.begin, range.end);
}

const PathStep* step_of(const NetworkFinding& finding, ComponentType type) {
  for (const auto& step : finding.port.path) {
    if (step.component_type == type) {
      return &step;
    }
  }
  return nullptr;
}

json path_json(const std::vector<PathStep>& path) {
  json steps = json::array();
  for (const auto& step : path) {
    json item{{"componentId", step.component_id},
              {"componentType", component_type_name(step.component_type)}};
    if (!step.component_arn.empty()) {
      item["componentArn"] = step.component_arn;
    }
    steps.push_back(std::move(item));
  }
  return json{{"steps", std::move(steps)}};
}

json range_json(const PortRange& range) { return {{"begin", range.begin}, {"end", range.end}}; }

}  // namespace

std::string finding_title(const NetworkFinding& finding) {
  const auto& range = finding.port.port_range;
  const std::string what = range.begin == range.end
                               ? fmt::format("Port {}", range.begin)
                               : fmt::format("Port range {}", range_text(range));
  const auto* lb = step_of(finding, ComponentType::kLoadBalancer);
  return fmt::format("{} is reachable from an Internet Gateway{} - {}", what,
                     lb == nullptr ? std::string() : " through load balancer " + lb->component_id,
                     protocol_name(finding.port.protocol));
}

std::string finding_description(const NetworkFinding& finding) {
  const auto* gateway = step_of(finding, ComponentType::kInternetGateway);
  const auto* lb = step_of(finding, ComponentType::kLoadBalancer);
  const auto* eni = step_of(finding, ComponentType::kNetworkInterface);
  std::string text = fmt::format("On the instance {}, the port range {}-{} is reachable from the "
                                 "InternetGateway {}",
                                 finding.instance_id, finding.port.port_range.begin,
                                 finding.port.port_range.end,
                                 gateway == nullptr ? std::string("?") : gateway->component_id);
  if (lb != nullptr) {
    text += fmt::format(" through the load balancer {}", lb->component_id);
  }
  if (eni != nullptr) {
    text += fmt::format(" from an attached ENI {}", eni->component_id);
  }
  return text + ".";
}

std::string render_json(const Analysis& analysis) {
  json instances = json::array();
  json findings = json::array();
  size_t counts[4] = {0, 0, 0, 0};
  for (const auto& instance : analysis.instances) {
    ++counts[static_cast<size_t>(instance.reachability)];
    json ports = json::array();
    for (const auto& port : instance.ports) {
      ports.push_back({{"protocol", protocol_name(port.protocol)},
                       {"openPortRange", range_json(port.port_range)},
                       {"reachability", reachability_class_name(port.reachability)},
                       {"source", port.source},
                       {"securityGroups", port.security_groups},
                       {"networkPath", path_json(port.path)},
                       {"reason", port.reason}});
    }
    instances.push_back({{"instanceId", instance.instance_id},
                         {"accountId", instance.account_id},
                         {"vpcId", instance.vpc_id},
                         {"state", instance.state},
                         {"reachability", reachability_class_name(instance.reachability)},
                         {"complete", instance.complete},
                         {"ports", std::move(ports)}});
  }
  for (const auto& finding : internet_findings(analysis)) {
    findings.push_back(
        {{"type", "NETWORK_REACHABILITY"},
         {"awsAccountId", finding.account_id},
         {"title", finding_title(finding)},
         {"description", finding_description(finding)},
         {"remediation", {{"recommendation", {{"text", kRemediation}}}}},
         {"resources",
          json::array({{{"type", "AWS_EC2_INSTANCE"},
                        {"id", finding.instance_id},
                        {"details", {{"awsEc2Instance", {{"vpcId", finding.vpc_id}}}}}}})},
         {"networkReachabilityDetails",
          {{"openPortRange", range_json(finding.port.port_range)},
           {"protocol", protocol_name(finding.port.protocol)},
           {"networkPath", path_json(finding.port.path)}}}});
  }
  json diagnostics = json::array();
  for (const auto& diagnostic : analysis.diagnostics) {
    diagnostics.push_back({{"level", model::diagnostic_level_name(diagnostic.level)},
                           {"where", diagnostic.where},
                           {"message", diagnostic.message}});
  }
  const json document{
      {"summary",
       {{"instances", analysis.instances.size()},
        {"internet", counts[static_cast<size_t>(ReachabilityClass::kInternet)]},
        {"vpc", counts[static_cast<size_t>(ReachabilityClass::kVpc)]},
        {"none", counts[static_cast<size_t>(ReachabilityClass::kNone)]},
        {"unknown", counts[static_cast<size_t>(ReachabilityClass::kUnknown)]},
        {"findings", findings.size()}}},
      {"instances", std::move(instances)},
      {"findings", std::move(findings)},
      {"diagnostics", std::move(diagnostics)}};
  return document.dump(2) + "\n";
}

std::string render_table(const Analysis& analysis) {
  std::string out;
  for (const auto& instance : analysis.instances) {
    out += fmt::format("{}  account {}  {}  {}{}\n", instance.instance_id, instance.account_id,
                       instance.vpc_id, reachability_class_name(instance.reachability),
                       instance.complete ? "" : " (incomplete)");
    if (instance.ports.empty()) {
      out += "  no inbound security group rule opens a TCP or UDP port\n";
    }
    for (const auto& port : instance.ports) {
      std::string detail;
      if (!port.path.empty()) {
        for (const auto& step : port.path) {
          detail += detail.empty() ? step.component_id : " > " + step.component_id;
        }
        detail = fmt::format("from {}: {}", port.source, detail);
      }
      if (!port.reason.empty()) {
        detail += detail.empty() ? port.reason : " (" + port.reason + ")";
      }
      out += fmt::format("  {:<3} {:<11} {:<8}  {}\n", protocol_name(port.protocol),
                         range_text(port.port_range), reachability_class_name(port.reachability),
                         detail);
    }
  }
  return out;
}

}  // namespace vigil::reachability
