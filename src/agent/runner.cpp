#include "agent/runner.hpp"

#include <algorithm>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "inventory/agent_document.hpp"

namespace vigil::agent {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStopPoll = std::chrono::milliseconds(100);
constexpr int64_t kMaxIntervalSeconds = int64_t{365} * 24 * 3600;

// Sleeps until `deadline` or until `stop` is set, whichever comes first.
void sleep_until(Clock::time_point deadline, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const auto now = Clock::now();
    if (now >= deadline) {
      return;
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(deadline - now, kStopPoll));
  }
}

struct DrainOutcome {
  bool server_down = false;
  std::string last_error;
};

class Runner {
 public:
  Runner(const RunOptions& options, const std::atomic<bool>& stop, const RunHooks& hooks,
         Spool spool)
      : options_(options), stop_(stop), hooks_(hooks), spool_(std::move(spool)) {
    options_.push.cancel = &stop_;
  }

  Result<RunReport> run() {
    auto next_collect = Clock::now();
    auto backoff = options_.initial_backoff;
    while (!stop_.load()) {
      std::optional<Error> collect_error;
      if (Clock::now() >= next_collect) {
        if (auto collected = collect_and_spool(); !collected) {
          log(fmt::format("collection failed: {}", collected.error().message));
          collect_error = collected.error();
        }
        next_collect = Clock::now() + options_.interval;
      }
      VIGIL_ASSIGN_OR_RETURN(const DrainOutcome outcome, drain());
      if (options_.once) {
        VIGIL_ASSIGN_OR_RETURN(const auto names, spool_.list());
        report_.left = names.size();
        if (collect_error) {
          return fail(*collect_error);
        }
        if (report_.left > 0 && !stop_.load()) {
          return fail(Error::unavailable("{} document(s) left in the spool {}: {}", report_.left,
                                         spool_.directory().string(), outcome.last_error));
        }
        return report_;
      }
      auto wake = next_collect;
      if (outcome.server_down) {
        const auto delay = jittered(backoff);
        log(fmt::format("service unavailable ({}); retrying in {} ms", outcome.last_error,
                        delay.count()));
        wake = std::min(wake, Clock::now() + delay);
        backoff = std::min(backoff * 2, std::max(options_.interval, options_.initial_backoff));
      } else {
        backoff = options_.initial_backoff;
      }
      sleep_until(wake, stop_);
    }
    VIGIL_ASSIGN_OR_RETURN(const auto names, spool_.list());
    report_.left = names.size();
    return report_;
  }

 private:
  void log(const std::string& message) const {
    if (hooks_.log) {
      hooks_.log(message);
    } else {
      std::cerr << "vigil agent: " << message << '\n';
    }
  }

  Result<void> collect_and_spool() {
    VIGIL_ASSIGN_OR_RETURN(
        const inventory::AgentDocument document,
        hooks_.collect ? hooks_.collect()
                       : collect(options_.collect, std::chrono::system_clock::now()));
    VIGIL_ASSIGN_OR_RETURN(const auto dropped,
                           spool_.add(inventory::write_agent_document(document)));
    ++report_.collected;
    for (const std::string& name : dropped) {
      ++report_.dropped;
      log(fmt::format("warning: spool {} is full ({} documents): dropped the oldest, {}",
                      spool_.directory().string(), options_.max_spool, name));
    }
    return {};
  }

  // Pushes the spool oldest first; stops at the first retryable failure so order is kept.
  Result<DrainOutcome> drain() {
    DrainOutcome outcome;
    VIGIL_ASSIGN_OR_RETURN(const auto names, spool_.list());
    for (const std::string& name : names) {
      if (stop_.load()) {
        break;
      }
      auto text = spool_.read(name);
      if (!text) {
        log(fmt::format("unreadable spooled document set aside: {}", text.error().message));
        VIGIL_TRY(spool_.reject(name));
        ++report_.rejected;
        continue;
      }
      const auto pushed = push_document(options_.push, *text);
      if (pushed) {
        VIGIL_TRY(spool_.remove(name));
        ++report_.pushed;
        continue;
      }
      if (is_retryable(pushed.error())) {
        outcome.server_down = true;
        outcome.last_error = pushed.error().message;
        break;
      }
      if (pushed.error().code != ErrorCode::kConflict) {
        return fail(pushed.error());  // configuration: no document could ever go through
      }
      log(fmt::format("document {} refused, moved to {}/rejected: {}", name,
                      spool_.directory().string(), pushed.error().message));
      VIGIL_TRY(spool_.reject(name));
      ++report_.rejected;
    }
    return outcome;
  }

  RunOptions options_;
  const std::atomic<bool>& stop_;
  const RunHooks& hooks_;
  Spool spool_;
  RunReport report_;
};

}  // namespace

Result<std::chrono::seconds> parse_interval(std::string_view text) {
  const auto invalid = [&] {
    return fail(Error::invalid_argument(
        "interval '{}': expected a duration such as 30m, 90s, 1h30m or 1d (1 s to 365 d)",
        text.substr(0, 64)));
  };
  if (text.empty()) {
    return invalid();
  }
  int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int64_t number = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++digits > 9) {
        return invalid();  // keeps the arithmetic below far from overflow
      }
      number = number * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0 || pos == text.size()) {
      return invalid();
    }
    int64_t unit = 0;
    switch (text[pos]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return invalid();
    }
    ++pos;
    total += number * unit;
    if (total > kMaxIntervalSeconds) {
      return invalid();
    }
  }
  if (total < 1) {
    return invalid();
  }
  return std::chrono::seconds(total);
}

std::chrono::milliseconds jittered(std::chrono::milliseconds backoff) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const int64_t half = std::max<int64_t>(backoff.count() / 2, 1);
  std::uniform_int_distribution<int64_t> spread(0, half);
  return std::chrono::milliseconds(half + spread(random));
}

Result<RunReport> run_agent(const RunOptions& options, const std::atomic<bool>& stop,
                            const RunHooks& hooks) {
  if (options.interval.count() <= 0 || options.initial_backoff.count() <= 0) {
    return fail(Error::invalid_argument("agent run: interval and backoff must be positive"));
  }
  VIGIL_ASSIGN_OR_RETURN(Spool spool, Spool::open(options.spool_dir, options.max_spool));
  Runner runner(options, stop, hooks, std::move(spool));
  return runner.run();
}

}  // namespace vigil::agent
