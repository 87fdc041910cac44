#include "cli/findings_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "matcher/matcher.hpp"

namespace vigil::cli {
namespace {

constexpr std::string_view kReset = "\033[0m";

std::string_view colour_of(model::Severity severity) {
  switch (severity) {
    case model::Severity::kCritical:
      return "\033[1;31m";
    case model::Severity::kHigh:
      return "\033[31m";
    case model::Severity::kMedium:
      return "\033[33m";
    case model::Severity::kLow:
      return "\033[36m";
    default:
      return "\033[37m";
  }
}

std::string clip(std::string_view text, size_t width) {
  if (text.size() <= width) {
    return std::string(text);
  }
  return std::string(text.substr(0, width - 1)) + "~";
}

}  // namespace

std::string to_lower_copy(std::string_view text) { return to_lower(text); }

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  for (auto part : split(text, ',')) {
    part = trim(part);
    if (!part.empty()) {
      out.emplace_back(part);
    }
  }
  return out;
}

namespace {

// Language packages an OS package installed, which the matcher leaves to its distro data.
size_t deferred_count(const model::Inventory& inventory) {
  return static_cast<size_t>(std::count_if(inventory.packages.begin(), inventory.packages.end(),
                                           matcher::deferred_to_os_package));
}

// "; 2 kernel packages not matched (1 not the running kernel, 1 not a kernel image)", or "".
std::string kernel_note(const std::vector<matcher::SkippedPackage>& skipped) {
  if (skipped.empty()) {
    return {};
  }
  std::map<matcher::KernelSkip, size_t> by_reason;
  for (const auto& skip : skipped) {
    ++by_reason[skip.reason];
  }
  std::vector<std::string> parts;
  for (const auto& [reason, count] : by_reason) {
    parts.push_back(fmt::format("{} {}", count, matcher::kernel_skip_name(reason)));
  }
  return fmt::format("; {} kernel package{} not matched ({})", skipped.size(),
                     skipped.size() == 1 ? "" : "s", fmt::join(parts, ", "));
}

}  // namespace

void write_findings_table(std::ostream& out, const model::Inventory& inventory,
                          const std::vector<model::Finding>& findings, bool colour,
                          const std::vector<matcher::NonFinding>* not_affected) {
  const size_t deferred = deferred_count(inventory);
  const size_t not_affected_count = not_affected == nullptr ? 0 : not_affected->size();
  out << fmt::format("{} ({}{}) — {} packages{}, {} findings{}{}\n", inventory.target,
                     inventory.os.pretty_name.empty() ? "unknown OS" : inventory.os.pretty_name,
                     inventory.os.end_of_life ? ", END OF LIFE" : "", inventory.packages.size(),
                     deferred == 0 ? std::string()
                                   : fmt::format(" ({} language package{} deferred to their OS "
                                                 "package)",
                                                 deferred, deferred == 1 ? "" : "s"),
                     findings.size(), kernel_note(matcher::kernel_skips(inventory)),
                     not_affected_count == 0
                         ? std::string()
                         : fmt::format("; {} not affected per distro", not_affected_count));
  std::map<model::Severity, std::vector<const model::Finding*>, std::greater<>> groups;
  for (const auto& finding : findings) {
    groups[finding.severity].push_back(&finding);
  }
  for (const auto& [severity, group] : groups) {
    const std::string title = fmt::format("\n{} ({})\n", model::severity_name(severity), group.size());
    out << (colour ? std::string(colour_of(severity)) + title + std::string(kReset) : title);
    out << fmt::format("  {:<18} {:<28} {:<24} {:<24} {:>5} {:>5} {}\n", "VULNERABILITY", "PACKAGE",
                       "INSTALLED", "FIXED IN", "SCORE", "RISK", "EXPLOIT");
    for (const auto* finding : group) {
      out << fmt::format("  {:<18} {:<28} {:<24} {:<24} {:>5.1f} {:>5.1f} {}\n",
                         clip(finding->vulnerability_id, 18), clip(finding->package.name, 28),
                         clip(finding->package.version, 24),
                         clip(finding->fixed_in.empty() ? "(no fix)" : finding->fixed_in, 24),
                         finding->inspector_score, finding->vigil_risk,
                         finding->exploit_available
                             ? (finding->ransomware ? "KEV+ransomware" : "KEV")
                             : (finding->epss ? fmt::format("epss {:.3f}", *finding->epss) : ""));
    }
  }
  std::map<model::Severity, size_t> counts;
  size_t fixable = 0;
  for (const auto& finding : findings) {
    ++counts[finding.severity];
    fixable += finding.fix_available == model::FixAvailable::kYes ? 1 : 0;
  }
  out << fmt::format(
      "\nTotal: {} (CRITICAL {}, HIGH {}, MEDIUM {}, LOW {}, UNTRIAGED {}); {} fixable\n",
      findings.size(), counts[model::Severity::kCritical], counts[model::Severity::kHigh],
      counts[model::Severity::kMedium], counts[model::Severity::kLow],
      counts[model::Severity::kUntriaged], fixable);
}

void write_findings_json(std::ostream& out, const model::Inventory& inventory,
                         const std::vector<model::Finding>& findings,
                         const std::vector<matcher::NonFinding>* not_affected) {
  using nlohmann::json;
  json kernel_skipped = json::array();
  for (const auto& skip : matcher::kernel_skips(inventory)) {
    const model::Package& package = inventory.packages.at(skip.package_index);
    kernel_skipped.push_back({{"name", package.name},
                              {"version", package.version},
                              {"reason", matcher::kernel_skip_name(skip.reason)}});
  }
  json non_findings = json::array();
  if (not_affected != nullptr) {
    for (const auto& item : *not_affected) {
      const model::Package& package = inventory.packages.at(item.package_index);
      non_findings.push_back({{"vulnerabilityId", item.vulnerability_id},
                              {"packageName", package.name},
                              {"packageVersion", package.version},
                              {"sourceAdvisory", item.advisory_id},
                              {"source", item.source},
                              {"reason", item.reason}});
    }
  }
  json list = json::array();
  for (const auto& finding : findings) {
    json cvss = json::array();
    for (const auto& record : finding.cvss) {
      cvss.push_back({{"version", record.version},
                      {"scoringVector", record.vector},
                      {"baseScore", record.base_score},
                      {"source", record.source}});
    }
    const auto explain = [](const std::vector<model::ScoreAdjustment>& steps) {
      json out_steps = json::array();
      for (const auto& step : steps) {
        out_steps.push_back(
            {{"factor", step.factor}, {"from", step.from}, {"to", step.to}, {"reason", step.reason}});
      }
      return out_steps;
    };
    json item{
        {"findingArn", finding.id},
        {"awsAccountId", finding.account_id},
        {"type", "PACKAGE_VULNERABILITY"},
        {"title", finding.title},
        {"description", finding.description},
        {"severity", model::severity_name(finding.severity)},
        {"status", model::finding_status_name(finding.status)},
        {"fixAvailable", model::fix_available_name(finding.fix_available)},
        {"exploitAvailable", finding.exploit_available ? "YES" : "NO"},
        {"inspectorScore", finding.inspector_score},
        {"remediation", {{"recommendation", {{"text", finding.remediation}}}}},
        {"resources", json::array({{{"id", finding.resource_id}}})},
        {"packageVulnerabilityDetails",
         {{"vulnerabilityId", finding.vulnerability_id},
          {"source", fmt::format("{}", fmt::join(finding.sources, ","))},
          {"vendorSeverity", finding.vendor_severity},
          {"cvss", cvss},
          {"referenceUrls", finding.references},
          {"relatedVulnerabilities", finding.aliases},
          {"vulnerablePackages",
           json::array({{{"name", finding.package.name},
                         {"version", finding.package.version},
                         {"arch", finding.package.arch},
                         {"packageManager", model::ecosystem_name(finding.package.ecosystem)},
                         {"filePath", finding.package.locations.empty()
                                          ? std::string()
                                          : finding.package.locations.front()},
                         {"fixedInVersion", finding.fixed_in.empty() ? "NotAvailable"
                                                                     : finding.fixed_in},
                         {"remediation", finding.remediation},
                         {"sourceLayerHash", finding.package.layer_digest},
                         {"purl", finding.package.purl}}})}}},
        {"inspectorScoreDetails", {{"adjustments", explain(finding.inspector_adjustments)}}},
        {"vigil", {{"vigilRisk", finding.vigil_risk}, {"explanation", explain(finding.risk_explanation)}}},
    };
    if (finding.exploit_available) {
      item["exploitabilityDetails"] = {{"lastKnownExploitAt", finding.exploit_last_seen},
                                       {"knownRansomwareCampaignUse", finding.ransomware}};
    }
    if (finding.epss) {
      item["epss"] = {{"score", *finding.epss}};
    }
    if (!finding.suppression_reason.empty()) {
      item["vigil"]["suppression"] = finding.suppression_reason;
    }
    list.push_back(std::move(item));
  }
  out << json{{"target", inventory.target},
              {"os", {{"id", inventory.os.id}, {"versionId", inventory.os.version_id},
                      {"endOfLife", inventory.os.end_of_life}}},
              {"packages", inventory.packages.size()},
              {"deferredToOsPackage", deferred_count(inventory)},
              {"complete", inventory.complete},
              {"kernelPackagesNotMatched", kernel_skipped},
              {"findings", list},
              {"notAffected", non_findings}}
             .dump(2)
      << '\n';
}

}  // namespace vigil::cli
