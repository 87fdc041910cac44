// The scan queue: worker threads claim jobs from the store, collect inventories of images and
// functions, match stored inventories and reconcile the findings.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>
#include <set>
#include <thread>

#include "inventory/cataloger.hpp"
#include "service/fleet_service.hpp"
#include "service/internal/finding_criteria.hpp"
#include "service/internal/fleet_coverage.hpp"
#include "service/internal/rematch_scope.hpp"
#include "service/inventory_cache.hpp"
#include "service/pipeline.hpp"
#include "service/surface_scan.hpp"
#include "sources/digest.hpp"
#include "sources/function_bundle.hpp"

namespace vigil::service {
namespace {

using nlohmann::json;

constexpr auto kIdlePoll = std::chrono::milliseconds(200);

// Re-match jobs a worker claims and writes together: one store transaction for the batch
// instead of several per resource (a database update re-matches hundreds of resources at once).
constexpr std::size_t kRematchBatch = 32;

// Registry and file problems that mean "not allowed" rather than "broken".
std::string collect_failure_reason(const Error& error) {
  const auto& message = error.message;
  for (const char* marker : {"401", "403", "denied", "unauthorized", "Unauthorized", "forbidden"}) {
    if (message.find(marker) != std::string::npos) {
      return "ACCESS_DENIED";
    }
  }
  if (error.code == ErrorCode::kUnsupported) {
    return "UNSUPPORTED_OS";
  }
  return "INTERNAL_ERROR";
}

}  // namespace

void FleetService::signal_queue() {
  {
    std::lock_guard lock(queue_mutex_);
    ++queue_signal_;
  }
  queue_cv_.notify_all();
}

void FleetService::worker_loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::uint64_t seen = 0;
    {
      std::lock_guard lock(queue_mutex_);
      ++busy_workers_;
      seen = queue_signal_;
    }
    auto claimed = store_->claim_next();
    if (!claimed || !claimed->has_value()) {
      // Sleep until jobs are enqueued after the claim found none (the poll catches jobs another
      // process queued, and a restart's requeue).
      std::unique_lock lock(queue_mutex_);
      --busy_workers_;
      queue_cv_.notify_all();
      queue_cv_.wait_for(lock, stop, kIdlePoll, [&] { return queue_signal_ != seen; });
      continue;
    }
    store::Job job = std::move(**claimed);
    if (job.kind == "rematch") {
      std::vector<store::Job> batch{std::move(job)};
      if (auto more = store_->claim_jobs("rematch", kRematchBatch - 1); more) {
        std::move(more->begin(), more->end(), std::back_inserter(batch));
      }
      run_rematch_batch(std::move(batch));
    } else {
      const auto outcome = run_job(job);
      // A failed completion leaves the job claimed; the next start requeues it.
      (void)store_->complete(job.id, outcome.has_value(), outcome ? "" : outcome.error().message);
    }
    std::lock_guard lock(queue_mutex_);
    --busy_workers_;
    queue_cv_.notify_all();
  }
}

Result<std::size_t> FleetService::run_pending(std::size_t max_jobs) {
  std::size_t ran = 0;
  while (ran < max_jobs) {
    VIGIL_ASSIGN_OR_RETURN(auto job, store_->claim_next());
    if (!job) {
      break;
    }
    if (job->kind == "rematch") {
      std::vector<store::Job> batch{std::move(*job)};
      VIGIL_ASSIGN_OR_RETURN(auto more, store_->claim_jobs("rematch", kRematchBatch - 1));
      std::move(more.begin(), more.end(), std::back_inserter(batch));
      ran += batch.size();
      run_rematch_batch(std::move(batch));
      continue;
    }
    const auto outcome = run_job(*job);
    VIGIL_TRY(store_->complete(job->id, outcome.has_value(), outcome ? "" : outcome.error().message));
    ++ran;
  }
  return ran;
}

bool FleetService::wait_idle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto pending = store_->pending_jobs();
    {
      std::lock_guard lock(queue_mutex_);
      if (pending && *pending == 0 && busy_workers_ == 0) {
        return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<void> FleetService::run_job(const store::Job& job) {
  if (job.kind == "rematch") {
    const auto scope = internal::rematch_scope(job.payload);
    return match_resource(job.resource_id, scope ? &*scope : nullptr);
  }
  if (job.kind == "scan_inventory") {
    return match_resource(job.resource_id);
  }
  VIGIL_ASSIGN_OR_RETURN(const auto resource, store_->resource(job.resource_id));
  if (!resource) {
    return {};  // removed since it was queued
  }
  if (job.kind == "scan_image") {
    VIGIL_TRY(collect_image(job, *resource));
  } else if (job.kind == "scan_function") {
    VIGIL_TRY(collect_function(job, *resource));
  } else {
    return fail(Error::invalid_argument("job {}: unknown kind '{}'", job.id, job.kind));
  }
  return match_resource(job.resource_id);
}

void FleetService::run_rematch_batch(std::vector<store::Job> jobs) {
  // One job per resource in the batch; a resource queued twice runs its later jobs alone after.
  std::stable_sort(jobs.begin(), jobs.end(), [](const store::Job& lhs, const store::Job& rhs) {
    return lhs.resource_id < rhs.resource_id;
  });
  std::vector<store::Job> later;
  for (std::size_t index = 1; index < jobs.size();) {
    if (jobs[index].resource_id == jobs[index - 1].resource_id) {
      later.push_back(std::move(jobs[index]));
      jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(index));
    } else {
      ++index;
    }
  }
  const auto complete = [&](const store::Job& job, const Result<void>& outcome) {
    // A failed completion leaves the job claimed; the next start requeues it.
    (void)store_->complete(job.id, outcome.has_value(), outcome ? "" : outcome.error().message);
  };
  {
    // The batch's resource locks, each taken once and in address order (another worker's batch
    // takes its own in the same order, so two batches never wait on each other in a cycle).
    std::vector<std::mutex*> mutexes;
    for (const auto& job : jobs) {
      mutexes.push_back(&resource_lock(job.resource_id));
    }
    std::sort(mutexes.begin(), mutexes.end());
    mutexes.erase(std::unique(mutexes.begin(), mutexes.end()), mutexes.end());
    std::vector<std::unique_lock<std::mutex>> locks;
    for (auto* mutex : mutexes) {
      locks.emplace_back(*mutex);
    }
    std::vector<std::pair<const store::Job*, Result<std::optional<PreparedMatch>>>> prepared;
    // A round's jobs share one payload: parse it once.
    const std::string* parsed_payload = nullptr;
    std::optional<internal::RematchScope> scope;
    for (const auto& job : jobs) {
      if (parsed_payload == nullptr || *parsed_payload != job.payload) {
        scope = internal::rematch_scope(job.payload);
        parsed_payload = &job.payload;
      }
      prepared.emplace_back(&job, prepare_match(job.resource_id, scope ? &*scope : nullptr));
    }
    const auto written = store_->write_batch([&]() -> Result<void> {
      for (auto& [job, match] : prepared) {
        Result<void> outcome;
        if (!match) {
          outcome = fail(match.error());
        } else if (match->has_value()) {
          outcome = write_match(**match);
          if (!outcome) {
            return outcome;  // the whole batch rolls back and runs again job by job
          }
        }
        VIGIL_TRY(store_->complete(job->id, outcome.has_value(),
                                   outcome ? "" : outcome.error().message));
      }
      return {};
    });
    if (written) {
      locks.clear();
      for (const auto& [job, match] : prepared) {
        if (match && match->has_value()) {
          publish_match(**match);
        }
      }
    } else {
      locks.clear();
      for (const auto& job : jobs) {
        later.push_back(job);
      }
    }
  }
  for (const auto& job : later) {
    complete(job, run_job(job));
  }
}

void FleetService::record_scan_error(const std::string& resource_id, const std::string& reason) {
  (void)store_->put_meta("scan.outcome." + resource_id, reason);
  std::lock_guard lock(resource_lock(resource_id));
  if (const auto resource = store_->resource(resource_id); resource && resource->has_value()) {
    (void)refresh_coverage_locked(**resource, nullptr);
  }
}

Result<void> FleetService::collect_image(const store::Job& job,
                                         const store::ResourceRecord& resource) {
  const auto payload = json::parse(job.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains("source") || !payload["source"].is_string()) {
    return fail(Error::invalid_argument("job {}: payload has no image source", job.id));
  }
  {
    // Collect only what the coverage allows (a MANUAL repository, an expired image, ...).
    std::lock_guard lock(resource_lock(resource.id));
    VIGIL_ASSIGN_OR_RETURN(const auto rows, refresh_coverage_locked(resource, nullptr));
    if (!internal::scan_allowed(rows)) {
      return {};
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const auto target,
                         sources::parse_image_target(payload["source"].get<std::string>()));
  const auto catalogers = inventory::default_catalogers();
  auto scanned = scan_image(target, image_options_, catalogers);
  if (!scanned) {
    record_scan_error(resource.id, collect_failure_reason(scanned.error()));
    return fail(scanned.error().with_context(resource.id));
  }
  const auto hash = sources::sha256_digest(encode_inventory(scanned->inventory));
  std::lock_guard lock(resource_lock(resource.id));
  VIGIL_ASSIGN_OR_RETURN(auto current, store_->resource(resource.id));
  if (!current) {
    return {};
  }
  VIGIL_TRY(store_->put_inventory(resource.id, hash, scanned->inventory));
  auto details = json::parse(current->details_json, nullptr, false);
  if (!details.is_object()) {
    details = json::object();
  }
  details["architecture"] = scanned->image.platform.architecture;
  current->details_json = details.dump();
  current->inventory_hash = hash;
  current->inventory_reported_at = now();
  current->updated_at = current->inventory_reported_at;
  return store_->put_resource(*current);
}

Result<void> FleetService::collect_function(const store::Job& job,
                                            const store::ResourceRecord& resource) {
  const auto payload = json::parse(job.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains("config") || !payload["config"].is_string() ||
      !payload.contains("code") || !payload["code"].is_string()) {
    return fail(Error::invalid_argument("job {}: payload has no function bundle", job.id));
  }
  {
    std::lock_guard lock(resource_lock(resource.id));
    VIGIL_ASSIGN_OR_RETURN(const auto rows, refresh_coverage_locked(resource, nullptr));
    if (!internal::scan_allowed(rows)) {
      return {};
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const auto config,
                         sources::parse_function_config(payload["config"].get<std::string>()));
  std::vector<std::filesystem::path> layers;
  if (payload.contains("layers") && payload["layers"].is_array()) {
    for (const auto& layer : payload["layers"]) {
      if (layer.is_string()) {
        layers.emplace_back(layer.get<std::string>());
      }
    }
  }
  Result<model::Inventory> scanned = fail(Error::internal("not scanned"));
  {
    std::lock_guard lock(collect_mutex_);
    static const auto catalogers = inventory::default_catalogers();
    if (!function_scanner_) {
      sources::BundleOpener::Options options;
      if (!config_.data_dir.empty()) {
        options.cache_dir = config_.data_dir / "function-layers";
      }
      VIGIL_ASSIGN_OR_RETURN(function_scanner_, FunctionScanner::create(options, catalogers));
    }
    scanned = function_scanner_->scan(config, payload["code"].get<std::string>(), layers);
  }
  if (!scanned) {
    record_scan_error(resource.id, collect_failure_reason(scanned.error()));
    return fail(scanned.error().with_context(resource.id));
  }
  const auto hash = sources::sha256_digest(encode_inventory(*scanned));
  std::lock_guard lock(resource_lock(resource.id));
  VIGIL_ASSIGN_OR_RETURN(auto current, store_->resource(resource.id));
  if (!current) {
    return {};
  }
  VIGIL_TRY(store_->put_inventory(resource.id, hash, *scanned));
  current->inventory_hash = hash;
  current->inventory_reported_at = now();
  current->updated_at = current->inventory_reported_at;
  return store_->put_resource(*current);
}

}  // namespace vigil::service
