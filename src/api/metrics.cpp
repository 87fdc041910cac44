#include "api/metrics.hpp"

#include <fmt/format.h>

namespace vigil::api {

void Metrics::record(const std::string& operation, int status, std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::lock_guard lock(mutex_);
  ++requests_[{operation, status}];
  Histogram& histogram = latency_[operation];
  ++histogram.count;
  histogram.sum += seconds;
  for (std::size_t index = 0; index < kBuckets.size(); ++index) {
    if (seconds <= kBuckets[index]) {
      ++histogram.buckets[index];
    }
  }
}

void Metrics::record_auth_failure(const std::string& kind) {
  std::lock_guard lock(mutex_);
  ++auth_failures_[kind];
}

std::string Metrics::render(const std::map<std::string, double>& extra) const {
  std::string out;
  std::lock_guard lock(mutex_);
  out += "# HELP vigil_api_requests_total API requests by operation and HTTP status.\n";
  out += "# TYPE vigil_api_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out += fmt::format("vigil_api_requests_total{{operation=\"{}\",status=\"{}\"}} {}\n", key.first,
                       key.second, count);
  }
  out += "# HELP vigil_api_request_duration_seconds API request latency by operation.\n";
  out += "# TYPE vigil_api_request_duration_seconds histogram\n";
  for (const auto& [operation, histogram] : latency_) {
    for (std::size_t index = 0; index < kBuckets.size(); ++index) {
      out += fmt::format(
          "vigil_api_request_duration_seconds_bucket{{operation=\"{}\",le=\"{}\"}} {}\n", operation,
          kBuckets[index], histogram.buckets[index]);
    }
    out += fmt::format("vigil_api_request_duration_seconds_bucket{{operation=\"{}\",le=\"+Inf\"}} {}\n",
                       operation, histogram.count);
    out += fmt::format("vigil_api_request_duration_seconds_sum{{operation=\"{}\"}} {}\n", operation,
                       histogram.sum);
    out += fmt::format("vigil_api_request_duration_seconds_count{{operation=\"{}\"}} {}\n", operation,
                       histogram.count);
  }
  out += "# HELP vigil_api_auth_failures_total Rejected authentications by kind.\n";
  out += "# TYPE vigil_api_auth_failures_total counter\n";
  for (const auto& [kind, count] : auth_failures_) {
    out += fmt::format("vigil_api_auth_failures_total{{kind=\"{}\"}} {}\n", kind, count);
  }
  for (const auto& [name, value] : extra) {
    out += fmt::format("# TYPE {} gauge\n{} {}\n", name, name, value);
  }
  return out;
}

}  // namespace vigil::api
