// Findings as a SARIF 2.1.0 log (OASIS SARIF v2.1.0; GitHub code scanning reads
// rule.properties["security-severity"] as the CVSS-like score that ranks alerts).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/strings.hpp"
#include "export/findings.hpp"
#include "export/internal/common.hpp"
#include "export/internal/findings_common.hpp"

namespace vigil::exporter {
namespace {

using internal::OrderedJson;

std::string_view level_of(model::Severity severity) {
  switch (severity) {
    case model::Severity::kCritical:
    case model::Severity::kHigh:
      return "error";
    case model::Severity::kMedium:
    case model::Severity::kUntriaged:  // unknown severity is not assumed to be low
      return "warning";
    case model::Severity::kLow:
    case model::Severity::kInformational:
      return "note";
  }
  return "warning";
}

// SARIF §3.10: artifact URIs are RFC 3986 references. Paths are written relative to the scanned
// target's root, every byte outside the unreserved set and '/' percent-encoded.
std::string relative_uri(std::string_view path) {
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  std::string out;
  for (const char c : path) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string package_label(const model::Package& package) {
  return package.purl.empty() ? fmt::format("{}@{}", package.name, package.version) : package.purl;
}

struct RuleGroup {
  std::vector<const model::Finding*> findings;
  model::Severity severity = model::Severity::kUntriaged;
  std::optional<double> score;
};

OrderedJson rule_json(const std::string& id, const RuleGroup& group) {
  const model::Finding& first = *group.findings.front();
  const std::string description = first.description.empty() ? first.title : first.description;
  std::string text = fmt::format("{} ({})\n\n{}\n\nAffected packages:\n", id,
                                 model::severity_name(group.severity), description);
  std::string markdown = fmt::format(
      "**{}** ({})\n\n{}\n\n| Package | Installed | Fixed in | Location |\n"
      "| --- | --- | --- | --- |\n",
      id, model::severity_name(group.severity), markdown_cell(description));
  for (const auto* finding : group.findings) {
    const auto& package = finding->package;
    const std::string fixed = finding->fixed_in.empty() ? "no fix" : finding->fixed_in;
    const std::string location = package.locations.empty() ? "" : package.locations.front();
    text +=
        fmt::format("- {} {} (fixed in: {}) {}\n", package.name, package.version, fixed, location);
    markdown +=
        fmt::format("| {} | {} | {} | {} |\n", markdown_cell(package.name),
                    markdown_cell(package.version), markdown_cell(fixed), markdown_cell(location));
  }
  const std::string url = internal::vulnerability_url(id);
  text += fmt::format("\nMore: {}\n", url);
  markdown += fmt::format("\n[{}]({})\n", id, url);

  OrderedJson rule;
  rule["id"] = id;
  rule["shortDescription"] = {{"text", first.title.empty() ? id : first.title}};
  rule["fullDescription"] = {{"text", description.empty() ? id : description}};
  rule["helpUri"] = url;
  rule["help"] = {{"text", text}, {"markdown", markdown}};
  rule["defaultConfiguration"] = {{"level", level_of(group.severity)}};
  OrderedJson properties;
  if (group.score) {
    properties["security-severity"] = fmt::format("{:.1f}", *group.score);
  }
  OrderedJson tags = OrderedJson::array({"security", "vulnerability"});
  tags.push_back(to_lower(model::severity_name(group.severity)));
  tags.push_back(std::string(model::ecosystem_name(first.package.ecosystem)));
  properties["tags"] = std::move(tags);
  rule["properties"] = std::move(properties);
  return rule;
}

OrderedJson result_json(const model::Finding& finding, size_t rule_index) {
  const auto& package = finding.package;
  OrderedJson result;
  result["ruleId"] = finding.vulnerability_id;
  result["ruleIndex"] = rule_index;
  if (finding.status == model::FindingStatus::kClosed) {
    // A closed finding was fixed: the rule was evaluated and passed.
    result["kind"] = "pass";
    result["level"] = "none";
  } else {
    result["level"] = level_of(finding.severity);
  }
  std::string message =
      fmt::format("{} {} is affected by {} ({}", package.name, package.version,
                  finding.vulnerability_id, model::severity_name(finding.severity));
  if (const auto score = internal::best_score(finding)) {
    message += fmt::format(", score {:.1f}", *score);
  }
  message += fmt::format("). {}", internal::fix_sentence(finding));
  if (finding.exploit_available) {
    message += " Known to be exploited (CISA KEV).";
  }
  result["message"] = {{"text", message}};

  OrderedJson location;
  if (!package.locations.empty() && !relative_uri(package.locations.front()).empty()) {
    location["physicalLocation"] = {
        {"artifactLocation", {{"uri", relative_uri(package.locations.front())}}}};
  }
  location["logicalLocations"] =
      OrderedJson::array({{{"name", package.name},
                           {"fullyQualifiedName", package_label(package)},
                           {"kind", "package"}}});
  result["locations"] = OrderedJson::array({std::move(location)});

  const std::string identity =
      finding.id.empty() ? fmt::format("{}\n{}\n{}\n{}", finding.resource_id,
                                       finding.vulnerability_id, package_label(package),
                                       package.locations.empty() ? "" : package.locations.front())
                         : finding.id;
  result["partialFingerprints"] = {{"vigilFinding/v1", internal::hash_hex(identity)}};
  if (finding.status == model::FindingStatus::kSuppressed) {
    OrderedJson suppression{{"kind", "external"}, {"status", "accepted"}};
    if (!finding.suppression_reason.empty()) {
      suppression["justification"] = finding.suppression_reason;
    }
    result["suppressions"] = OrderedJson::array({std::move(suppression)});
  }

  OrderedJson properties;
  properties["severity"] = model::severity_name(finding.severity);
  properties["vigilRisk"] = finding.vigil_risk;
  if (!finding.cvss.empty()) {
    properties["inspectorScore"] = finding.inspector_score;
  }
  properties["installedVersion"] = package.version;
  properties["fixedInVersion"] = finding.fixed_in;
  properties["fixAvailable"] = model::fix_available_name(finding.fix_available);
  properties["exploitAvailable"] = finding.exploit_available;
  if (finding.epss) {
    properties["epss"] = *finding.epss;
  }
  result["properties"] = std::move(properties);
  return result;
}

}  // namespace

std::string write_sarif(const std::vector<model::Finding>& findings,
                        const FindingsContext& context) {
  std::vector<std::string> rule_order;
  std::map<std::string, RuleGroup> groups;
  for (const auto& finding : findings) {
    auto [it, inserted] = groups.try_emplace(finding.vulnerability_id);
    if (inserted) {
      rule_order.push_back(finding.vulnerability_id);
    }
    RuleGroup& group = it->second;
    group.findings.push_back(&finding);
    group.severity = std::max(group.severity, finding.severity);
    if (const auto score = internal::best_score(finding)) {
      group.score = std::max(group.score.value_or(0.0), *score);
    }
  }
  std::map<std::string, size_t> rule_index;
  OrderedJson rules = OrderedJson::array();
  for (const auto& id : rule_order) {
    rule_index.emplace(id, rules.size());
    rules.push_back(rule_json(id, groups.at(id)));
  }
  OrderedJson results = OrderedJson::array();
  for (const auto& finding : findings) {
    results.push_back(result_json(finding, rule_index.at(finding.vulnerability_id)));
  }

  OrderedJson driver{{"name", "vigil"}};
  if (!context.tool_version.empty()) {
    driver["version"] = context.tool_version;
  }
  driver["rules"] = std::move(rules);
  OrderedJson run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["invocations"] = OrderedJson::array(
      {{{"executionSuccessful", true}, {"endTimeUtc", internal::export_time(context)}}});
  const std::string target =
      context.resource.name.empty() ? context.resource.id : context.resource.name;
  if (!target.empty()) {
    run["properties"] = {{"target", target},
                         {"resourceType", model::resource_type_name(context.resource.type)}};
  }
  run["results"] = std::move(results);

  OrderedJson log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = OrderedJson::array({std::move(run)});
  return internal::dump(log);
}

}  // namespace vigil::exporter
