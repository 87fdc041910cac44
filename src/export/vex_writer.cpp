// Findings as CycloneDX 1.6 `vulnerabilities` (https://cyclonedx.org/capabilities/vex/) on top
// of the SBOM of the scanned target.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/strings.hpp"
#include "export/findings.hpp"
#include "export/internal/common.hpp"
#include "export/internal/findings_common.hpp"

namespace vigil::exporter {
namespace {

using internal::OrderedJson;

std::string package_key(const model::Package& package) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", internal::ecosystem_string(package),
                     package.name, package.version, package.arch, package.purl,
                     fmt::join(package.locations, "\t"), package.layer_digest);
}

std::string_view method_of(std::string_view version) {
  if (version == "2.0") {
    return "CVSSv2";
  }
  if (version == "3.0") {
    return "CVSSv3";
  }
  if (version == "3.1") {
    return "CVSSv31";
  }
  if (version == "4.0") {
    return "CVSSv4";
  }
  return "other";
}

// Qualitative ratings: CVSS v2 has no None/Critical bands; v3.x and v4.0 share theirs.
std::string_view severity_of(const model::CvssRecord& record) {
  const double score = record.base_score;
  if (record.version == "2.0") {
    return score >= 7.0 ? "high" : score >= 4.0 ? "medium" : "low";
  }
  if (score >= 9.0) {
    return "critical";
  }
  if (score >= 7.0) {
    return "high";
  }
  if (score >= 4.0) {
    return "medium";
  }
  return score > 0.0 ? "low" : "none";
}

std::string_view cyclonedx_severity(model::Severity severity) {
  switch (severity) {
    case model::Severity::kCritical:
      return "critical";
    case model::Severity::kHigh:
      return "high";
    case model::Severity::kMedium:
      return "medium";
    case model::Severity::kLow:
      return "low";
    case model::Severity::kInformational:
      return "info";
    case model::Severity::kUntriaged:
      return "unknown";
  }
  return "unknown";
}

struct Group {
  std::string id;
  model::FindingStatus status = model::FindingStatus::kActive;
  std::string reason;
  std::vector<const model::Finding*> findings;
  std::vector<std::string> refs;
};

OrderedJson ratings_json(const Group& group) {
  OrderedJson ratings = OrderedJson::array();
  std::set<std::tuple<std::string, std::string, double>> seen;
  double risk = 0.0;
  model::Severity severity = model::Severity::kUntriaged;
  for (const auto* finding : group.findings) {
    risk = std::max(risk, finding->vigil_risk);
    severity = std::max(severity, finding->severity);
    for (const auto& record : finding->cvss) {
      if (!seen.emplace(record.source, record.vector, record.base_score).second) {
        continue;
      }
      OrderedJson rating;
      if (!record.source.empty()) {
        rating["source"] = {{"name", record.source}};
      }
      rating["score"] = record.base_score;
      rating["severity"] = severity_of(record);
      rating["method"] = method_of(record.version);
      if (!record.vector.empty()) {
        rating["vector"] = record.vector;
      }
      ratings.push_back(std::move(rating));
    }
  }
  ratings.push_back({{"source", {{"name", "vigil"}}},
                     {"score", risk},
                     {"severity", cyclonedx_severity(severity)},
                     {"method", "other"},
                     {"justification", "Vigil risk: the attacker's-view priority (0-10)"}});
  return ratings;
}

OrderedJson vulnerability_json(const Group& group, const std::string& bom_ref) {
  const model::Finding& first = *group.findings.front();
  OrderedJson out;
  out["bom-ref"] = bom_ref;
  out["id"] = group.id;
  out["source"] = {{"name", internal::inspector_source(first)},
                   {"url", internal::vulnerability_url(group.id)}};
  OrderedJson references = OrderedJson::array();
  for (const auto& alias : first.aliases) {
    if (alias != group.id) {
      references.push_back(
          {{"id", alias}, {"source", {{"url", internal::vulnerability_url(alias)}}}});
    }
  }
  if (!references.empty()) {
    out["references"] = std::move(references);
  }
  out["ratings"] = ratings_json(group);
  if (!first.description.empty()) {
    out["description"] = first.description;
  }
  out["recommendation"] = group.findings.size() == 1 && !first.remediation.empty()
                              ? first.remediation
                              : internal::fix_sentence(first);
  OrderedJson advisories = OrderedJson::array();
  for (const auto& url : first.references) {
    if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
      advisories.push_back({{"url", url}});
    }
  }
  if (!advisories.empty()) {
    out["advisories"] = std::move(advisories);
  }
  if (group.status == model::FindingStatus::kSuppressed) {
    out["analysis"] = {{"state", "not_affected"}};
    if (!group.reason.empty()) {
      out["analysis"]["detail"] = group.reason;
    }
  } else if (group.status == model::FindingStatus::kClosed) {
    out["analysis"] = {{"state", "resolved"}};
  }
  OrderedJson affects = OrderedJson::array();
  std::set<std::string> seen;
  for (size_t idx = 0; idx < group.findings.size(); ++idx) {
    if (!seen.insert(group.refs[idx]).second) {
      continue;
    }
    OrderedJson affected{{"ref", group.refs[idx]}};
    if (group.status == model::FindingStatus::kActive) {
      affected["versions"] = OrderedJson::array(
          {{{"version", group.findings[idx]->package.version}, {"status", "affected"}}});
    }
    affects.push_back(std::move(affected));
  }
  out["affects"] = std::move(affects);

  OrderedJson properties = OrderedJson::array();
  if (first.epss) {
    properties.push_back({{"name", "vigil:epss"}, {"value", fmt::format("{}", *first.epss)}});
  }
  if (first.exploit_available) {
    properties.push_back({{"name", "vigil:kev"}, {"value", "true"}});
  }
  if (first.ransomware) {
    properties.push_back({{"name", "vigil:kev-ransomware"}, {"value", "true"}});
  }
  if (!properties.empty()) {
    out["properties"] = std::move(properties);
  }
  return out;
}

}  // namespace

Result<std::string> write_cyclonedx_vex(const SbomDocument& document,
                                        const std::vector<model::Finding>& findings) {
  VIGIL_ASSIGN_OR_RETURN(const auto prepared, internal::prepare(document));
  OrderedJson bom = internal::cyclonedx_bom(document, prepared);

  std::map<std::string, std::string> ref_of;
  std::set<std::string> used_refs(prepared.package_refs.begin(), prepared.package_refs.end());
  for (size_t idx = 0; idx < document.inventory.packages.size(); ++idx) {
    ref_of.emplace(package_key(document.inventory.packages[idx]), prepared.package_refs[idx]);
  }

  std::vector<Group> groups;
  std::map<std::tuple<std::string, model::FindingStatus, std::string>, size_t> group_index;
  for (const auto& finding : findings) {
    // A finding's package that the document does not list is added, so `affects` never
    // points at nothing.
    const std::string key = package_key(finding.package);
    auto ref = ref_of.find(key);
    if (ref == ref_of.end()) {
      std::string new_ref = finding.package.purl;
      int occurrence = 0;
      while (new_ref.empty() || used_refs.count(new_ref) != 0) {
        new_ref = internal::package_ref(finding.package, occurrence++);
      }
      used_refs.insert(new_ref);
      bom["components"].push_back(internal::cyclonedx_package(finding.package, new_ref));
      // Under its layer when the BOM has that layer, else directly under the subject.
      auto* parent = &bom["dependencies"][0];
      for (auto& dependency : bom["dependencies"]) {
        if (!finding.package.layer_digest.empty() &&
            dependency["ref"] == "vigil:layer:" + finding.package.layer_digest) {
          parent = &dependency;
        }
      }
      (*parent)["dependsOn"].push_back(new_ref);
      ref = ref_of.emplace(key, new_ref).first;
    }
    const auto group_key =
        std::make_tuple(finding.vulnerability_id, finding.status, finding.suppression_reason);
    auto [it, inserted] = group_index.try_emplace(group_key, groups.size());
    if (inserted) {
      groups.push_back(
          {finding.vulnerability_id, finding.status, finding.suppression_reason, {}, {}});
    }
    groups[it->second].findings.push_back(&finding);
    groups[it->second].refs.push_back(ref->second);
  }

  OrderedJson vulnerabilities = OrderedJson::array();
  std::map<std::string, int> id_count;
  for (const auto& group : groups) {
    const int count = id_count[group.id]++;
    const std::string bom_ref = count == 0
                                    ? fmt::format("vigil:vulnerability:{}", group.id)
                                    : fmt::format("vigil:vulnerability:{}:{}", group.id, count);
    vulnerabilities.push_back(vulnerability_json(group, bom_ref));
  }
  bom["vulnerabilities"] = std::move(vulnerabilities);
  return internal::dump(bom);
}

}  // namespace vigil::exporter
