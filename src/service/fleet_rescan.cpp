// Continuous re-scanning: the vulnerability database's change feed drives re-matching of stored
// inventories (never re-collected), and the periodic sweep keeps coverage current (stale
// agents, expired images).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "matcher/matcher.hpp"
#include "service/fleet_service.hpp"
#include "service/internal/fleet_coverage.hpp"
#include "service/internal/rematch_scope.hpp"
#include "service/pipeline.hpp"
#include "vulndb/fetcher.hpp"
#include "vulndb/update.hpp"

namespace vigil::service {
namespace {

std::int64_t parse_version(const std::optional<std::string>& text) {
  std::int64_t value = 0;
  if (text) {
    std::from_chars(text->data(), text->data() + text->size(), value);
  }
  return value;
}

// Previous PACKAGE reasons whose end means the resource should be matched again right away.
bool resumes_scanning(const std::string& reason) {
  static const std::set<std::string> kReasons{
      "STALE_INVENTORY",          "EXCLUDED_BY_TAG",       "EC2_INSTANCE_STOPPED",
      "PENDING_DISABLE",          "SCAN_ELIGIBILITY_EXPIRED", "SCAN_FREQUENCY_MANUAL"};
  return kReasons.contains(reason);
}

// Reasons under which a resource keeps no open findings.
bool closes_findings(const std::string& reason) {
  return reason == "SCAN_ELIGIBILITY_EXPIRED" || reason == "EXCLUDED_BY_TAG" ||
         reason == "RESOURCE_TERMINATED";
}

// Beyond this many keys rebuilt since the last full load, the next update reloads the index.
constexpr std::size_t kMaxUpdatedKeys = 50000;

// The ids whose findings a change can rewrite: every changed advisory's id and its aliases (as
// the database now records them; a finding matched through an alias the update removed still
// names the advisory id itself). nullopt when too many changed to carry them.
Result<std::optional<std::set<std::string>>> changed_vulnerabilities(
    vulndb::Database& db, const vulndb::ChangeSet& changes) {
  if (changes.advisories.size() > internal::kMaxChangedIds) {
    return std::optional<std::set<std::string>>();
  }
  std::set<std::string> ids;
  for (const auto& changed : changes.advisories) {
    ids.insert(changed.id);
    VIGIL_ASSIGN_OR_RETURN(const auto advisory, db.advisory(changed.source, changed.id));
    if (advisory) {
      ids.insert(advisory->aliases.begin(), advisory->aliases.end());
    }
  }
  return std::optional<std::set<std::string>>(std::move(ids));
}

}  // namespace

Result<void> FleetService::reload_pipeline() {
  VIGIL_ASSIGN_OR_RETURN(auto pipeline, Pipeline::open(config_.vulndb_dir));
  std::lock_guard lock(pipeline_mutex_);
  pipeline_ = std::move(pipeline);
  return {};
}

Result<std::vector<store::CoverageRecord>> FleetService::refresh_coverage(
    const std::string& resource_id) {
  std::lock_guard lock(resource_lock(resource_id));
  VIGIL_ASSIGN_OR_RETURN(const auto resource, store_->resource(resource_id));
  if (!resource) {
    return fail(Error::not_found("resource {} is not known", resource_id));
  }
  return refresh_coverage_locked(*resource, nullptr);
}

Result<std::vector<store::CoverageRecord>> FleetService::refresh_coverage_locked(
    const store::ResourceRecord& resource, SweepSummary* summary) {
  internal::CoverageInputs inputs;
  inputs.resource = resource;
  VIGIL_ASSIGN_OR_RETURN(inputs.account, store_->account(resource.account_id));
  if (resource.type == kEcrImage) {
    if (const auto slash = resource.id.rfind("/sha256:"); slash != std::string::npos) {
      VIGIL_ASSIGN_OR_RETURN(inputs.repository, store_->resource(resource.id.substr(0, slash)));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const auto outcome, store_->meta("scan.outcome." + resource.id));
  inputs.scan_outcome = outcome.value_or("");
  if (resource.type == kEc2Instance) {
    VIGIL_ASSIGN_OR_RETURN(const auto analyzed, store_->meta("network.analyzed." + resource.account_id));
    inputs.network_analyzed = analyzed.has_value() && !analyzed->empty();
  }
  VIGIL_ASSIGN_OR_RETURN(const auto org, store_->organization());
  inputs.ecr_rescan_duration = org.ecr_rescan_duration;
  inputs.stale_after_ms = config_.stale_after_hours * 3600 * 1000;
  inputs.now = now();
  auto rows = internal::decide_coverage(inputs);

  store::Criteria criteria;
  criteria.strings["resourceId"].push_back({store::StringOp::kEquals, resource.id});
  VIGIL_ASSIGN_OR_RETURN(const auto stored, store_->list_coverage(criteria, {}, 10, ""));
  for (auto& row : rows) {
    const store::CoverageRecord* previous = nullptr;
    for (const auto& candidate : stored.items) {
      if (candidate.scan_type == row.scan_type) {
        previous = &candidate;
      }
    }
    const bool changed = previous == nullptr || previous->status_code != row.status_code ||
                         previous->reason != row.reason;
    if (!changed && previous->last_scanned_at == row.last_scanned_at) {
      row.updated_at = previous->updated_at;
      continue;
    }
    VIGIL_TRY(store_->put_coverage(row));
    if (!changed) {
      continue;
    }
    if (summary != nullptr) {
      ++summary->coverage_changed;
    }
    FleetEvent event;
    event.kind = FleetEventKind::kCoverageChanged;
    event.account_id = resource.account_id;
    event.region = resource.region;
    event.resource_id = resource.id;
    event.resource_type = resource.type;
    event.time = inputs.now;
    event.coverage = row;
    publish(std::move(event));
    if (row.scan_type != "PACKAGE") {
      continue;
    }
    const std::string before = previous != nullptr ? previous->reason : "";
    if (row.reason == "STALE_INVENTORY") {
      VIGIL_TRY(store_->set_stale(resource.id, true));
      if (summary != nullptr) {
        ++summary->marked_stale;
      }
    } else if (before == "STALE_INVENTORY") {
      VIGIL_TRY(store_->set_stale(resource.id, false));
      if (summary != nullptr) {
        ++summary->unmarked_stale;
      }
    }
    if (closes_findings(row.reason)) {
      VIGIL_ASSIGN_OR_RETURN(const auto closed, store_->close_findings(resource.id, inputs.now));
      publish_finding_changes(resource.id, closed.changed_ids, inputs.now);
      if (summary != nullptr && row.reason == "SCAN_ELIGIBILITY_EXPIRED") {
        ++summary->expired;
      }
    }
    if (row.status_code == "ACTIVE" && resumes_scanning(before) && !resource.inventory_hash.empty()) {
      VIGIL_TRY(enqueue("rematch", resource.id, R"({"trigger":"coverage"})"));
    }
  }
  return rows;
}

Result<SweepSummary> FleetService::sweep() {
  SweepSummary summary;
  VIGIL_ASSIGN_OR_RETURN(const auto resources, store_->resources({}));
  for (const auto& listed : resources) {
    std::lock_guard lock(resource_lock(listed.id));
    // Re-read under the lock: a report may have arrived since the listing.
    VIGIL_ASSIGN_OR_RETURN(const auto resource, store_->resource(listed.id));
    if (!resource) {
      continue;
    }
    VIGIL_TRY(refresh_coverage_locked(*resource, &summary));
    ++summary.resources;
  }
  return summary;
}

Result<RematchSummary> FleetService::queue_rematch(std::vector<std::string> partial,
                                                   std::vector<std::string> full,
                                                   const internal::RematchScope* scope,
                                                   RematchSummary summary) {
  const auto unique = [](std::vector<std::string>& ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  };
  unique(full);
  unique(partial);
  // A resource due for a full re-match needs no partial one too.
  std::vector<std::string> resource_ids;
  std::set_difference(partial.begin(), partial.end(), full.begin(), full.end(),
                      std::back_inserter(resource_ids));
  const std::size_t partial_count = resource_ids.size();
  resource_ids.insert(resource_ids.end(), full.begin(), full.end());
  summary.resources_affected = resource_ids.size();
  const std::string partial_payload = internal::rematch_payload(summary.to_version, scope);
  const std::string full_payload = internal::rematch_payload(summary.to_version, nullptr);

  // Eligibility from what the store already records (one read of resources and coverage, not a
  // coverage refresh per resource): the worker refreshes coverage again before it matches.
  std::map<std::string, store::ResourceRecord> resources;
  {
    VIGIL_ASSIGN_OR_RETURN(auto listed, store_->resources({}));
    for (auto& resource : listed) {
      std::string id = resource.id;
      resources.emplace(std::move(id), std::move(resource));
    }
  }
  std::map<std::string, store::CoverageRecord> coverage;
  for (std::string cursor;;) {
    VIGIL_ASSIGN_OR_RETURN(auto page, store_->list_coverage({}, {}, 1000, cursor));
    for (auto& row : page.items) {
      if (row.scan_type == "PACKAGE") {
        std::string id = row.resource_id;
        coverage.emplace(std::move(id), std::move(row));
      }
    }
    if (page.next_cursor.empty()) {
      break;
    }
    cursor = page.next_cursor;
  }

  std::vector<store::Job> jobs;
  for (std::size_t position = 0; position < resource_ids.size(); ++position) {
    const std::string& id = resource_ids[position];
    const auto resource = resources.find(id);
    if (resource == resources.end() || resource->second.inventory_hash.empty()) {
      continue;
    }
    std::vector<store::CoverageRecord> rows;
    if (const auto row = coverage.find(id); row != coverage.end()) {
      rows.push_back(row->second);
    } else {
      std::lock_guard lock(resource_lock(id));
      VIGIL_ASSIGN_OR_RETURN(rows, refresh_coverage_locked(resource->second, nullptr));
    }
    bool eligible = internal::scan_allowed(rows);
    // Scan-on-push images are scanned once, not re-scanned for new vulnerabilities.
    if (eligible && resource->second.type == kEcrImage) {
      const auto repository = resources.find(id.substr(0, id.rfind("/sha256:")));
      eligible = repository == resources.end() ||
                 internal::repository_scan_frequency(repository->second) != "SCAN_ON_PUSH";
    }
    if (eligible) {
      store::Job job;
      job.kind = "rematch";
      job.resource_id = id;
      job.payload = position < partial_count ? partial_payload : full_payload;
      job.enqueued_at = now();
      jobs.push_back(std::move(job));
    }
  }
  // One transaction for the whole round: workers start on a complete queue.
  VIGIL_TRY(store_->enqueue_all(jobs));
  summary.jobs_enqueued = jobs.size();
  signal_queue();
  return summary;
}

Result<RematchSummary> FleetService::on_vulndb_updated() {
  std::lock_guard lock(rematch_mutex_);
  VIGIL_ASSIGN_OR_RETURN(const auto applied, store_->meta("vulndb.version"));
  RematchSummary summary;
  summary.from_version = parse_version(applied);
  VIGIL_ASSIGN_OR_RETURN(auto db, vulndb::Database::open(config_.vulndb_dir, false));
  VIGIL_ASSIGN_OR_RETURN(const auto changes, db->changes_since(summary.from_version));
  summary.to_version = std::max(changes.to_version, summary.from_version);
  if (changes.to_version <= summary.from_version) {
    return summary;
  }
  // A few changed advisories update the match index in place of reloading all of it; a long
  // chain of updates, or a large change, reloads it whole.
  std::shared_ptr<Pipeline> current;
  {
    std::lock_guard pipeline_lock(pipeline_mutex_);
    current = pipeline_;
  }
  if (current && changes.advisories.size() <= internal::kMaxChangedIds &&
      current->index().updated_key_count() <= kMaxUpdatedKeys) {
    VIGIL_ASSIGN_OR_RETURN(auto next, current->updated(config_.vulndb_dir, changes));
    std::lock_guard pipeline_lock(pipeline_mutex_);
    pipeline_ = std::move(next);
  } else {
    VIGIL_TRY(reload_pipeline());
  }
  summary.changed_advisories = changes.advisories.size();
  summary.changed_keys = changes.keys.size();
  summary.kev_added = changes.kev_added.size();
  summary.kev_removed = changes.kev_removed.size();

  internal::RematchScope scope;
  for (const auto& key : changes.keys) {
    const auto ecosystem = model::parse_ecosystem(key.ecosystem);
    if (!ecosystem) {
      continue;  // an ecosystem Vigil cannot match never touched an inventory
    }
    scope.keys.emplace(std::string(model::ecosystem_name(ecosystem->ecosystem)),
                       matcher::normalize_name(ecosystem->ecosystem, key.name));
  }
  // Resources holding a changed key re-match only those packages, and rewrite only the findings
  // that name a changed advisory (by id or alias); score-only changes (KEV, EPSS) re-match whole
  // resources.
  std::vector<std::string> partial;
  if (!scope.keys.empty()) {
    VIGIL_ASSIGN_OR_RETURN(partial, store_->resources_with_packages(
                                        std::vector<std::pair<std::string, std::string>>(
                                            scope.keys.begin(), scope.keys.end())));
  }
  VIGIL_ASSIGN_OR_RETURN(auto changed, changed_vulnerabilities(*db, changes));
  // NVD records carry no package keys: a changed CVE record (its CVSS, description) re-matches
  // the packages of the open findings that name it.
  store::FindingQuery nvd_query;
  for (const auto& advisory : changes.advisories) {
    if (advisory.source == "nvd") {
      nvd_query.criteria.strings["vulnerabilityId"].push_back(
          {store::StringOp::kEquals, advisory.id});
    }
  }
  if (!nvd_query.criteria.strings.empty()) {
    nvd_query.criteria.strings["findingStatus"].push_back({store::StringOp::kNotEquals, "CLOSED"});
    nvd_query.limit = 1000;
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const auto page, store_->list_findings(nvd_query));
      for (const auto& finding : page.items) {
        partial.push_back(finding.finding.resource_id);
        scope.names.insert(finding.finding.package.name);
      }
      if (page.next_cursor.empty()) {
        break;
      }
      nvd_query.cursor = page.next_cursor;
    }
  }
  scope.vulnerabilities = std::move(changed);
  std::vector<std::string> affected;
  if (changes.epss_changed) {
    // New EPSS scores move every scored finding: re-score every scanned resource.
    VIGIL_ASSIGN_OR_RETURN(const auto resources, store_->resources({}));
    for (const auto& resource : resources) {
      if (resource.last_scanned_at != 0) {
        affected.push_back(resource.id);
      }
    }
  } else if (!changes.kev_added.empty() || !changes.kev_removed.empty()) {
    // KEV additions and removals change the score of the findings of those CVEs only.
    store::FindingQuery query;
    for (const auto* list : {&changes.kev_added, &changes.kev_removed}) {
      for (const auto& cve : *list) {
        query.criteria.strings["vulnerabilityId"].push_back({store::StringOp::kEquals, cve});
      }
    }
    query.limit = 1000;
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const auto page, store_->list_findings(query));
      for (const auto& finding : page.items) {
        if (finding.finding.status != model::FindingStatus::kClosed) {
          affected.push_back(finding.finding.resource_id);
        }
      }
      if (page.next_cursor.empty()) {
        break;
      }
      query.cursor = page.next_cursor;
    }
  }
  VIGIL_ASSIGN_OR_RETURN(summary,
                         queue_rematch(std::move(partial), std::move(affected), &scope, summary));
  VIGIL_TRY(store_->put_meta("vulndb.version", std::to_string(summary.to_version)));
  return summary;
}

Result<RematchSummary> FleetService::rematch_all() {
  std::lock_guard lock(rematch_mutex_);
  RematchSummary summary;
  summary.full = true;
  VIGIL_ASSIGN_OR_RETURN(const auto applied, store_->meta("vulndb.version"));
  summary.from_version = parse_version(applied);
  {
    VIGIL_ASSIGN_OR_RETURN(auto db, vulndb::Database::open(config_.vulndb_dir, false));
    VIGIL_ASSIGN_OR_RETURN(const auto status, db->status());
    summary.to_version = status.db_version;
  }
  VIGIL_TRY(reload_pipeline());
  VIGIL_ASSIGN_OR_RETURN(const auto resources, store_->resources({}));
  std::vector<std::string> ids;
  for (const auto& resource : resources) {
    ids.push_back(resource.id);
  }
  VIGIL_ASSIGN_OR_RETURN(summary, queue_rematch({}, std::move(ids), nullptr, summary));
  VIGIL_TRY(store_->put_meta("vulndb.version", std::to_string(summary.to_version)));
  return summary;
}

void FleetService::scheduler_loop(std::stop_token stop) {
  auto next_poll = std::chrono::steady_clock::now();
  auto next_update = next_poll;
  while (!stop.stop_requested()) {
    const auto clock = std::chrono::steady_clock::now();
    if (!config_.update_sources.empty() && clock >= next_update) {
      next_update = clock + std::chrono::hours(config_.update_interval_hours);
      auto updated = [&]() -> Result<void> {
        VIGIL_ASSIGN_OR_RETURN(const auto sources, vulndb::load_feed_sources(config_.update_sources));
        VIGIL_ASSIGN_OR_RETURN(auto db, vulndb::Database::open(config_.vulndb_dir, true));
        auto fetcher = vulndb::make_fetcher();
        VIGIL_TRY(vulndb::update_feeds(*db, config_.vulndb_dir, sources, *fetcher));
        return {};
      }();
      (void)store_->put_meta("scheduler.update_error", updated ? "" : updated.error().message);
    }
    if (clock >= next_poll) {
      next_poll = clock + std::chrono::seconds(config_.vulndb_poll_seconds);
      // Errors are kept where an operator can read them; the next round retries.
      const auto rematch = on_vulndb_updated();
      (void)store_->put_meta("scheduler.rematch_error", rematch ? "" : rematch.error().message);
      const auto swept = sweep();
      (void)store_->put_meta("scheduler.sweep_error", swept ? "" : swept.error().message);
    }
    std::unique_lock lock(queue_mutex_);
    queue_cv_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
  }
}

}  // namespace vigil::service
