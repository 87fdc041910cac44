// `vigil agent run`: collect on an interval, spool every document, push the spool oldest first,
// and back off (exponentially, with jitter) while the service is unreachable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "agent/collect.hpp"
#include "agent/push.hpp"
#include "agent/spool.hpp"
#include "core/result.hpp"

namespace vigil::agent {

struct RunOptions {
  CollectOptions collect;
  PushConfig push;
  std::filesystem::path spool_dir;
  size_t max_spool = 100;
  std::chrono::milliseconds interval = std::chrono::minutes(30);
  std::chrono::milliseconds initial_backoff = std::chrono::seconds(1);
  bool once = false;  // one collection and one push pass, then return
};

struct RunReport {
  size_t collected = 0;
  size_t pushed = 0;
  size_t rejected = 0;  // refused for good by the service, moved to SPOOL/rejected/
  size_t dropped = 0;   // deleted unsent because the spool was full
  size_t left = 0;      // still spooled when run() returned
};

// Seams for tests; empty members use the real collector and stderr.
struct RunHooks {
  std::function<Result<inventory::AgentDocument>()> collect;
  std::function<void(std::string_view)> log;
};

// Parses an interval such as "30m", "90s", "1h30m", "2d" (units s, m, h, d; at least 1 s, at
// most 365 d). kInvalidArgument quoting `text` otherwise.
[[nodiscard]] Result<std::chrono::seconds> parse_interval(std::string_view text);

// The next wait while the server is down: `backoff`/2 plus a uniform random part of up to
// `backoff`/2 ("equal jitter"), so agents that lost the server together do not return together.
std::chrono::milliseconds jittered(std::chrono::milliseconds backoff);

// Runs the agent loop until `stop` becomes true (checked at least every 100 ms and between
// documents; a push in progress is abandoned and its document stays spooled). Each collection
// is written to the spool before any push, and a document leaves the spool only once the
// service accepted it (2xx) or refused it for good (other 4xx: moved to rejected/), so a
// collection is never lost to an outage; only a full spool drops its oldest entries, with a
// warning. Returns the counts. Errors: kIo when the spool cannot be used; kInvalidArgument for
// a configuration the service can never accept (no credentials, bad URL); with `once`,
// kUnavailable when documents are left in the spool because the service was unreachable, and
// the collector's error when the collection failed. Not thread-safe; one run per spool.
[[nodiscard]] Result<RunReport> run_agent(const RunOptions& options, const std::atomic<bool>& stop,
                                          const RunHooks& hooks = {});

}  // namespace vigil::agent
