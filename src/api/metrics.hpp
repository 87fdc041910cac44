// Request counters and latencies of the API server, rendered in the Prometheus text format
// for GET /metrics.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace vigil::api {

class Metrics {
 public:
  // Records one request of `operation` answered with `status` after `elapsed`. Thread-safe.
  void record(const std::string& operation, int status, std::chrono::nanoseconds elapsed);
  // Counts an authentication failure of `kind` (MissingAuthenticationToken, InvalidSignature,
  // UnrecognizedClient). Thread-safe.
  void record_auth_failure(const std::string& kind);
  // Renders every counter, plus `extra` gauges (name -> value) supplied by the caller, as
  // Prometheus text exposition format 0.0.4. Thread-safe.
  std::string render(const std::map<std::string, double>& extra) const;

 private:
  static constexpr std::array<double, 10> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,  0.1,    0.25,  1.0,  5.0};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0.0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, std::uint64_t> auth_failures_;
};

}  // namespace vigil::api
