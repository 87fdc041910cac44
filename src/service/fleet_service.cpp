// FleetService construction, shutdown and the event helpers.
#include "service/fleet_service.hpp"

#include <functional>

#include "service/pipeline.hpp"
#include "service/surface_scan.hpp"

namespace vigil::service {

FleetService::FleetService(FleetConfig config, FleetOptions options)
    : config_(std::move(config)),
      store_(std::move(options.store)),
      clock_(options.clock ? std::move(options.clock) : std::function<store::Timestamp()>(store::now_ms)),
      events_(std::move(options.events)),
      image_options_(std::move(options.image_options)),
      run_scheduler_(options.scheduler) {}

Result<std::unique_ptr<FleetService>> FleetService::open(FleetConfig config, FleetOptions options) {
  VIGIL_TRY(validate_fleet_config(config));
  if (config.vulndb_dir.empty()) {
    config.vulndb_dir = config.data_dir / "vulndb";
  }
  if (!options.store) {
    if (config.data_dir.empty()) {
      return fail(Error::invalid_argument("data_dir: required"));
    }
    VIGIL_ASSIGN_OR_RETURN(options.store, store::open_sqlite_store(config.data_dir.string()));
  }
  if (!options.events && !config.events_file.empty()) {
    VIGIL_ASSIGN_OR_RETURN(auto sink, JsonLinesEventSink::open(config.events_file));
    options.events = std::move(sink);
  }
  if (!options.image_options.cache_dir && !config.data_dir.empty()) {
    options.image_options.cache_dir = config.data_dir / "layers";
  }
  std::unique_ptr<FleetService> service(new FleetService(std::move(config), std::move(options)));
  VIGIL_TRY(service->seed_organization());
  VIGIL_TRY(service->store_->requeue_running());
  VIGIL_TRY(service->reload_pipeline());
  // A fresh store starts at the database's current version: inventories ingested from now on
  // are matched against it, so only later changes need re-matching.
  VIGIL_ASSIGN_OR_RETURN(const auto applied, service->store_->meta("vulndb.version"));
  if (!applied) {
    auto db = vulndb::Database::open(service->config_.vulndb_dir, false);
    if (!db) {
      return fail(db.error());
    }
    VIGIL_ASSIGN_OR_RETURN(const auto status, (*db)->status());
    VIGIL_TRY(service->store_->put_meta("vulndb.version", std::to_string(status.db_version)));
  }
  for (int worker = 0; worker < service->config_.workers; ++worker) {
    service->workers_.emplace_back(
        [raw = service.get()](std::stop_token stop) { raw->worker_loop(std::move(stop)); });
  }
  if (service->run_scheduler_) {
    service->scheduler_ = std::jthread(
        [raw = service.get()](std::stop_token stop) { raw->scheduler_loop(std::move(stop)); });
  }
  return service;
}

FleetService::~FleetService() { stop(); }

void FleetService::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
  }
  if (scheduler_.joinable()) {
    scheduler_.request_stop();
  }
  for (auto& worker : workers_) {
    worker.request_stop();
  }
  queue_cv_.notify_all();
  if (scheduler_.joinable()) {
    scheduler_.join();
  }
  for (auto& worker : workers_) {
    if (worker.joinable()) {
      worker.join();
    }
  }
  workers_.clear();
}

std::mutex& FleetService::resource_lock(const std::string& resource_id) {
  std::lock_guard lock(resource_locks_mutex_);
  auto& slot = resource_locks_[resource_id];
  if (!slot) {
    slot = std::make_unique<std::mutex>();
  }
  return *slot;
}

void FleetService::publish(FleetEvent event) {
  if (events_) {
    if (event.region.empty()) {
      event.region = config_.region;
    }
    events_->publish(event);
  }
}

void FleetService::publish_finding_changes(const std::string& resource_id,
                                           const std::vector<std::string>& ids,
                                           store::Timestamp now) {
  if (!events_) {
    return;
  }
  for (const auto& id : ids) {
    const auto stored = store_->finding(id);
    if (!stored || !stored->has_value()) {
      continue;
    }
    FleetEvent event;
    const auto& finding = **stored;
    if (finding.finding.status == model::FindingStatus::kClosed) {
      event.kind = FleetEventKind::kFindingClosed;
    } else if (finding.first_observed_at == now) {
      event.kind = FleetEventKind::kFindingCreated;
    } else {
      event.kind = FleetEventKind::kFindingUpdated;
    }
    event.account_id = finding.finding.account_id;
    event.region = finding.region;
    event.resource_id = resource_id;
    event.resource_type = finding.resource_type;
    event.time = now;
    event.finding = finding;
    publish(std::move(event));
  }
}

}  // namespace vigil::service
