// The protocol core, independent of the HTTP library: routes a request, authenticates it with
// SigV4, authorises it, parses and validates its input, runs the operation and renders the
// reply or error exactly as Inspector2 does.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "api/metrics.hpp"
#include "api/operations.hpp"
#include "api/protocol.hpp"
#include "api/sigv4.hpp"

namespace vigil::api {

struct DispatcherOptions {
  std::chrono::seconds max_skew{300};
  // Current time in epoch seconds (SigV4 clock-skew check); null = the system clock.
  std::function<std::int64_t()> clock_seconds;
  // Where authentication failures and internal errors are logged; null = stderr.
  std::function<void(std::string_view)> log;
};

class Dispatcher {
 public:
  // `context` must outlive the dispatcher; its store and keys must be set.
  Dispatcher(ApiContext context, Registry registry, DispatcherOptions options = {});

  // Handles one request end to end. Never throws; every failure is an error response.
  // Thread-safe (handlers and the store are).
  HttpResponse handle(const RequestParts& request);

  const Registry& registry() const { return registry_; }
  ApiContext& context() { return context_; }

 private:
  ApiResult<Caller> authenticate(const RequestParts& request, std::string_view operation);
  ApiResult<Reply> run(const RouteMatch& match, const RequestParts& request, std::string_view path,
                       std::string_view query);
  void log(std::string_view line) const;

  ApiContext context_;
  Registry registry_;
  DispatcherOptions options_;
};

}  // namespace vigil::api
