// Matching a resource's stored inventory into findings: the whole inventory after a scan or a
// full re-match, or only the packages a vulnerability-database change touched (the incremental
// re-match of continuous scanning).
#include <algorithm>
#include <map>
#include <set>

#include "matcher/matcher.hpp"
#include "service/fleet_service.hpp"
#include "service/internal/finding_criteria.hpp"
#include "service/internal/fleet_coverage.hpp"
#include "service/internal/rematch_scope.hpp"
#include "service/pipeline.hpp"

namespace vigil::service {

Result<void> FleetService::match_resource(const std::string& resource_id,
                                          const internal::RematchScope* rematch) {
  std::lock_guard lock(resource_lock(resource_id));
  VIGIL_ASSIGN_OR_RETURN(auto prepared, prepare_match(resource_id, rematch));
  if (!prepared) {
    return {};
  }
  VIGIL_TRY(write_match(*prepared));
  publish_match(*prepared);
  return {};
}

Result<std::optional<FleetService::PreparedMatch>> FleetService::prepare_match(
    const std::string& resource_id, const internal::RematchScope* rematch) {
  VIGIL_ASSIGN_OR_RETURN(auto resource, store_->resource(resource_id));
  if (!resource) {
    return std::optional<PreparedMatch>();
  }
  VIGIL_ASSIGN_OR_RETURN(const auto rows, refresh_coverage_locked(*resource, nullptr));
  if (!internal::scan_allowed(rows)) {
    return std::optional<PreparedMatch>();  // coverage records why it is not scanned
  }
  // A re-match for changed advisories decodes and re-evaluates only the packages they touch.
  std::optional<std::set<std::string>> selected;
  std::size_t package_count = 0;
  const store::PackageSelector select = [&](const std::vector<store::PackageHead>& heads) {
    package_count = heads.size();
    selected = internal::select_rematch_names(heads, rematch->keys, rematch->names);
    return selected;
  };
  VIGIL_ASSIGN_OR_RETURN(auto inventory, rematch != nullptr
                                             ? store_->inventory(resource_id, select)
                                             : store_->inventory(resource_id));
  if (!inventory) {
    return std::optional<PreparedMatch>();  // collection pending
  }
  if (rematch == nullptr) {
    package_count = inventory->packages.size();
  }
  const auto time = now();
  const std::string outcome_key = "scan.outcome." + resource_id;
  if (!internal::supported_os(inventory->os.id) ||
      (inventory->os.id.empty() && package_count == 0 && resource->type == kEc2Instance)) {
    VIGIL_TRY(store_->put_meta(outcome_key, "UNSUPPORTED_OS"));
    VIGIL_ASSIGN_OR_RETURN(const auto closed, store_->close_findings(resource_id, time));
    publish_finding_changes(resource_id, closed.changed_ids, time);
    VIGIL_TRY(refresh_coverage_locked(*resource, nullptr));
    return std::optional<PreparedMatch>();
  }

  ResourceContext context;
  context.account_id = resource->account_id;
  context.region = resource->region.empty() ? config_.region : resource->region;
  context.resource_id = resource_id;
  context.resource_type = resource->type;
  if (resource->type == kEc2Instance) {
    VIGIL_TRY(resolve_reachability(resource->account_id, resource_id, *inventory, context));
  }
  Result<ScanResult> scanned = fail(Error::internal("not scanned"));
  std::shared_ptr<Pipeline> pipeline;
  {
    std::lock_guard pipeline_lock(pipeline_mutex_);
    pipeline = pipeline_;
  }
  std::optional<store::PackageScope> scope;
  if (selected) {
    if (selected->empty()) {
      return std::optional<PreparedMatch>();  // none of this resource's packages changed
    }
    scope = store::PackageScope{std::move(*selected), rematch->vulnerabilities, {}};
  }
  // With the changed advisory ids known, a match none of them touches whose finding is open
  // already is not rebuilt: only its id travels, to keep the finding from closing.
  Pipeline::BuildFilter build;
  std::set<std::string> open_ids;
  if (scope && scope->changed_vulnerabilities) {
    VIGIL_ASSIGN_OR_RETURN(open_ids, store_->open_finding_ids(resource_id,
                                                              std::string(kPackageFinding),
                                                              scope->package_names));
    scope->open_ids = open_ids;  // read under this resource's lock: the write need not again
    const auto& changed = *scope->changed_vulnerabilities;
    build = [&](const std::string& id, const matcher::Match& match) {
      if (!open_ids.contains(id) || changed.contains(match.vulnerability_id)) {
        return true;
      }
      return std::any_of(match.aliases.begin(), match.aliases.end(),
                         [&](const std::string& alias) { return changed.contains(alias); });
    };
  }
  scanned = pipeline->scan_inventory(std::move(*inventory), context, build);
  if (!scanned) {
    VIGIL_TRY(store_->put_meta(outcome_key, "INTERNAL_ERROR"));
    VIGIL_TRY(refresh_coverage_locked(*resource, nullptr));
    return fail(scanned.error().with_context(resource_id));
  }
  if (scope) {
    scope->unchanged = std::move(scanned->unbuilt_ids);
  }

  VIGIL_ASSIGN_OR_RETURN(const auto rules, suppression_rules());
  std::vector<store::StoredFinding> observed;
  observed.reserve(scanned->findings.size());
  std::map<std::string, std::int64_t> counts{{"CRITICAL", 0}, {"HIGH", 0}, {"MEDIUM", 0}, {"TOTAL", 0}};
  std::set<std::string> seen;
  for (auto& finding : scanned->findings) {
    // An inventory listing one package instance twice yields one finding id twice; the first
    // (highest risk, the pipeline sorts) stands for both.
    if (!seen.insert(finding.id).second) {
      continue;
    }
    store::StoredFinding stored;
    stored.type = std::string(kPackageFinding);
    stored.resource_type = resource->type;
    stored.region = context.region;
    stored.resource_tags = resource->tags;
    stored.resource_details_json = resource->details_json;
    stored.first_observed_at = time;
    stored.last_observed_at = time;
    stored.updated_at = time;
    finding.status = model::FindingStatus::kActive;
    stored.finding = std::move(finding);
    for (const auto& rule : rules) {
      if (internal::matches_criteria(stored, rule.criteria)) {
        stored.finding.status = model::FindingStatus::kSuppressed;
        stored.finding.suppression_reason = rule.reason.empty() ? rule.name : rule.reason;
        break;
      }
    }
    const auto severity = std::string(model::severity_name(stored.finding.severity));
    if (counts.contains(severity)) {
      ++counts[severity];
    }
    ++counts["TOTAL"];
    observed.push_back(std::move(stored));
  }
  PreparedMatch prepared;
  prepared.partial = scope.has_value();
  VIGIL_ASSIGN_OR_RETURN(prepared.findings,
                         store_->prepare_reconcile(resource_id, std::string(kPackageFinding),
                                                   std::move(observed), std::move(scope)));
  prepared.resource = std::move(*resource);
  prepared.region = context.region;
  prepared.time = time;
  prepared.counts = std::move(counts);
  return std::optional<PreparedMatch>(std::move(prepared));
}

Result<void> FleetService::write_match(PreparedMatch& prepared) {
  const std::string& resource_id = prepared.resource.id;
  VIGIL_ASSIGN_OR_RETURN(prepared.summary,
                         store_->reconcile(std::move(prepared.findings), prepared.time));
  const std::string outcome_key = "scan.outcome." + resource_id;
  VIGIL_ASSIGN_OR_RETURN(const auto previous_outcome, store_->meta(outcome_key));
  if (previous_outcome && !previous_outcome->empty()) {
    VIGIL_TRY(store_->put_meta(outcome_key, ""));
  }
  store::ResourceRecord& resource = prepared.resource;
  prepared.initial = resource.last_scanned_at == 0;
  resource.last_scanned_at = prepared.time;
  resource.updated_at = prepared.time;
  VIGIL_TRY(store_->put_resource(resource));
  VIGIL_TRY(refresh_coverage_locked(resource, nullptr));
  return {};
}

void FleetService::publish_match(const PreparedMatch& prepared) {
  const store::ResourceRecord& resource = prepared.resource;
  publish_finding_changes(resource.id, prepared.summary.changed_ids, prepared.time);
  if (prepared.partial) {
    return;  // a partial re-match is not a scan of the whole resource: no scan event
  }
  FleetEvent event;
  event.kind = FleetEventKind::kScanCompleted;
  event.account_id = resource.account_id;
  event.region = prepared.region;
  event.resource_id = resource.id;
  event.resource_type = resource.type;
  event.time = prepared.time;
  event.severity_counts = prepared.counts;
  event.initial_scan = prepared.initial;
  publish(std::move(event));
}

}  // namespace vigil::service
