#include "service/pipeline.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "inventory/cataloger.hpp"
#include "scoring/cvss.hpp"
#include "service/package_reachability.hpp"

namespace vigil::service {
namespace {

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(length) * 2, '0');
  for (unsigned int idx = 0; idx < length; ++idx) {
    out[2 * idx] = kHex[digest[idx] >> 4];
    out[2 * idx + 1] = kHex[digest[idx] & 0x0f];
  }
  return out;
}

std::optional<model::CvssRecord> cvss_record(const model::SeverityVector& severity,
                                             std::string source) {
  if (severity.type.rfind("CVSS", 0) != 0 || severity.vector.empty()) {
    return std::nullopt;
  }
  const auto scored = scoring::score_vector(severity.vector);
  if (!scored) {
    return std::nullopt;  // a malformed vendor vector is not evidence
  }
  return model::CvssRecord{std::string(scoring::version_name(scored->version)), severity.vector,
                           severity.base_score.value_or(scored->base_score), std::move(source)};
}

// Inspector uses the vendor's CVSS v3.1 base: NVD's primary assessment first, then any v3.1,
// then v3.0.
const model::CvssRecord* pick_v3(const std::vector<model::CvssRecord>& records) {
  const model::CvssRecord* best = nullptr;
  int best_rank = 0;
  for (const auto& record : records) {
    int rank = 0;
    if (record.version == "3.1") {
      rank = record.source.find("Primary") != std::string::npos ? 4 : 3;
    } else if (record.version == "3.0") {
      rank = record.source.find("Primary") != std::string::npos ? 2 : 1;
    }
    if (rank > best_rank) {
      best = &record;
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace

std::string finding_arn(const ResourceContext& context, const std::string& resource_id,
                        const model::Package& package, const std::string& vulnerability_id) {
  const std::string identity = fmt::format(
      "{}\n{}\n{}\n{}\n{}\n{}\n{}", context.account_id, resource_id,
      model::ecosystem_name(package.ecosystem), package.name, package.version,
      package.locations.empty() ? std::string() : package.locations.front(), vulnerability_id);
  return fmt::format("arn:vigil:inspector2:{}:{}:finding/{}", context.region, context.account_id,
                     sha256_hex(identity).substr(0, 32));
}

Result<std::unique_ptr<Pipeline>> Pipeline::open(const std::filesystem::path& db_dir) {
  VIGIL_ASSIGN_OR_RETURN(auto db, vulndb::Database::open(db_dir, false));
  VIGIL_ASSIGN_OR_RETURN(auto index, matcher::MatchIndex::load(*db));
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(db), std::move(index)));
}

Result<std::unique_ptr<Pipeline>> Pipeline::updated(const std::filesystem::path& db_dir,
                                                    const vulndb::ChangeSet& changes) const {
  VIGIL_ASSIGN_OR_RETURN(auto db, vulndb::Database::open(db_dir, false));
  VIGIL_ASSIGN_OR_RETURN(auto index, index_.updated(*db, changes));
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(db), std::move(index)));
}

Result<ScanResult> Pipeline::scan_tree(const sources::FileTree& tree, std::string target,
                                       const ResourceContext& context) {
  static const auto catalogers = inventory::default_catalogers();
  model::Inventory inventory = inventory::catalog(tree, catalogers);
  inventory.target = std::move(target);
  return scan_inventory(std::move(inventory), context);
}

Result<ScanResult> Pipeline::scan_inventory(model::Inventory inventory,
                                            const ResourceContext& context,
                                            const BuildFilter& build) {
  ScanResult result;
  auto matched = matcher::match(inventory, index_);
  result.diagnostics = inventory.diagnostics;
  result.diagnostics.insert(result.diagnostics.end(), matched.diagnostics.begin(),
                            matched.diagnostics.end());
  const std::string& resource_id = context.resource_id.empty() ? inventory.target : context.resource_id;
  for (const auto& match : matched.matches) {
    std::string id = finding_arn(context, resource_id, inventory.packages.at(match.package_index),
                                 match.vulnerability_id);
    if (build && !build(id, match)) {
      result.unbuilt_ids.push_back(std::move(id));
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(auto finding, build_finding(inventory, match, context, std::move(id)));
    result.findings.push_back(std::move(finding));
  }
  std::stable_sort(result.findings.begin(), result.findings.end(),
                   [](const model::Finding& lhs, const model::Finding& rhs) {
                     if (lhs.vigil_risk != rhs.vigil_risk) {
                       return lhs.vigil_risk > rhs.vigil_risk;
                     }
                     return lhs.vulnerability_id < rhs.vulnerability_id;
                   });
  result.inventory = std::move(inventory);
  return result;
}

Result<const Pipeline::Intel*> Pipeline::intel_for(const std::string& vulnerability_id) {
  std::lock_guard lock(intel_mutex_);
  if (const auto it = intel_cache_.find(vulnerability_id); it != intel_cache_.end()) {
    return &it->second;
  }
  Intel intel;
  // Only NVD's own record of this id is needed (matched advisories carry the rest).
  VIGIL_ASSIGN_OR_RETURN(const auto nvd, db_->advisory("nvd", vulnerability_id));
  if (nvd) {
    const model::Advisory& record = *nvd;
    intel.nvd_description = record.details.empty() ? record.summary : record.details;
    for (const auto& reference : record.references) {
      intel.nvd_references.push_back(reference.url);
    }
    for (const auto& severity : record.severities) {
      if (auto cvss = cvss_record(severity, severity.source.empty() ? "nvd" : severity.source)) {
        intel.nvd_cvss.push_back(std::move(*cvss));
      }
    }
  }
  VIGIL_ASSIGN_OR_RETURN(intel.kev, db_->kev(vulnerability_id));
  VIGIL_ASSIGN_OR_RETURN(intel.epss, db_->epss(vulnerability_id));
  return &intel_cache_.emplace(vulnerability_id, std::move(intel)).first->second;
}

Result<model::Finding> Pipeline::build_finding(const model::Inventory& inventory,
                                               const matcher::Match& match,
                                               const ResourceContext& context, std::string id) {
  const model::Package& package = inventory.packages.at(match.package_index);
  VIGIL_ASSIGN_OR_RETURN(const Intel* intel, intel_for(match.vulnerability_id));
  model::Finding finding;
  finding.resource_id = context.resource_id.empty() ? inventory.target : context.resource_id;
  finding.account_id = context.account_id;
  finding.package = package;
  finding.vulnerability_id = match.vulnerability_id;
  finding.aliases = match.aliases;
  finding.id = std::move(id);
  finding.title = fmt::format("{} - {}", match.vulnerability_id, package.name);
  std::set<std::string> sources;
  for (const auto& advisory : match.advisories) {
    sources.insert(advisory->source);
    if (finding.description.empty() && !advisory->summary.empty()) {
      finding.description = advisory->summary;
    }
    for (const auto& severity : advisory->severities) {
      if (auto cvss = cvss_record(severity, fmt::format("{}:{}", advisory->source, advisory->id))) {
        finding.cvss.push_back(std::move(*cvss));
      }
    }
  }
  finding.sources.assign(sources.begin(), sources.end());
  if (!intel->nvd_description.empty()) {
    finding.description = intel->nvd_description;
  }
  finding.references = intel->nvd_references;
  finding.cvss.insert(finding.cvss.end(), intel->nvd_cvss.begin(), intel->nvd_cvss.end());
  finding.vendor_severity = match.severity;
  if (!match.fixed_in.empty()) {
    finding.fixed_in = match.fixed_in.front();
    finding.fix_available = model::FixAvailable::kYes;
    finding.remediation = fmt::format("Upgrade {} to {}", package.name, finding.fixed_in);
  } else {
    finding.fix_available = model::FixAvailable::kNo;
    finding.remediation =
        fmt::format("No fixed version of {} is known yet; mitigate or accept the risk", package.name);
  }
  if (intel->kev) {
    finding.exploit_available = true;
    finding.exploit_last_seen = intel->kev->date_added;
    finding.ransomware = intel->kev->known_ransomware_use;
  }
  if (intel->epss) {
    finding.epss = intel->epss->epss;
    finding.epss_percentile = intel->epss->percentile;
  }

  const auto [reach, reach_rule] = package_reachability(context, package);
  std::optional<double> base;
  if (const auto* v3 = pick_v3(finding.cvss)) {
    auto inspector = scoring::inspector_score(v3->vector, reach);
    if (inspector) {
      base = v3->base_score;
      finding.inspector_score = inspector->score;
      finding.inspector_adjustments = std::move(inspector->adjustments);
    }
  }
  if (!base && !finding.cvss.empty()) {
    base = finding.cvss.front().base_score;  // v4 or v2 only
    finding.inspector_score = *base;
  }
  if (base) {
    finding.severity = scoring::severity_for_score(finding.inspector_score);
  } else {
    finding.severity = scoring::severity_from_label(finding.vendor_severity);
  }
  scoring::RiskInputs inputs;
  inputs.cvss_base = base;
  inputs.severity = finding.severity;
  inputs.in_kev = finding.exploit_available;
  inputs.ransomware = finding.ransomware;
  inputs.epss = finding.epss;
  inputs.reachability = reach;
  inputs.criticality = context.criticality;
  auto risk = scoring::vigil_risk(inputs);
  finding.vigil_risk = risk.score;
  finding.risk_explanation = std::move(risk.explanation);
  explain_reachability(finding, reach, reach_rule);
  return finding;
}

}  // namespace vigil::service
