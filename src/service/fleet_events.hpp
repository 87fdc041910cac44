// Events the fleet service emits as findings, scans and coverage change, and a sink writing them
// as Amazon EventBridge events (one JSON object per line) in Inspector2's shapes: detail-type
// "Inspector2 Finding", "Inspector2 Scan" and "Inspector2 Coverage".
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "store/store.hpp"

namespace vigil::service {

enum class FleetEventKind {
  kFindingCreated,
  kFindingUpdated,  // score, status (suppressed/reopened) or data changed
  kFindingClosed,
  kScanCompleted,    // a scan of one resource finished
  kCoverageChanged,  // a coverage row's status or reason changed
};

struct FleetEvent {
  FleetEventKind kind = FleetEventKind::kScanCompleted;
  std::string account_id;
  std::string region;
  std::string resource_id;
  std::string resource_type;
  store::Timestamp time = 0;
  std::optional<store::StoredFinding> finding;   // finding events
  std::map<std::string, std::int64_t> severity_counts;  // scans: CRITICAL, HIGH, MEDIUM, TOTAL
  bool initial_scan = false;                             // scans: the resource's first one
  std::optional<store::CoverageRecord> coverage;         // coverage events
};

// Receives events. publish() is called from worker threads, concurrently; implementations must
// be thread-safe and must not call back into the service.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void publish(const FleetEvent& event) = 0;
};

// The EventBridge envelope of `event` as one line of JSON (no newline): version "0", a UUID-shaped
// id derived from the content, detail-type, source "aws.inspector2", account, time (RFC 3339),
// region, resources and the Inspector detail (finding timestamps in Java Date form, coverage
// `statusCodeValue`, scan `finding-severity-counts`), as documented in reference §11.
std::string eventbridge_json(const FleetEvent& event);

// Appends eventbridge_json lines to a file, flushing after each. Thread-safe.
class JsonLinesEventSink : public EventSink {
 public:
  // Opens `path` for appending (creating it). kIo when it cannot.
  [[nodiscard]] static Result<std::unique_ptr<JsonLinesEventSink>> open(
      const std::filesystem::path& path);
  void publish(const FleetEvent& event) override;

 private:
  explicit JsonLinesEventSink(std::ofstream out) : out_(std::move(out)) {}
  std::mutex mutex_;
  std::ofstream out_;
};

}  // namespace vigil::service
