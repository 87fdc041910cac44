// A one-line progress display on stderr for long commands ("cataloging /srv/root  3.2s"): shown
// only when stderr is a terminal, so piped and CI output stays quiet and machine-readable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace vigil::cli {

class StatusLine {
 public:
  // `enabled` false makes every call a no-op (use stderr_is_terminal()).
  explicit StatusLine(bool enabled);
  ~StatusLine();  // clears the line
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  // Replaces the phase text; the elapsed time since construction is appended as it ticks.
  void phase(std::string text);
  // Clears the line and stops ticking (idempotent).
  void finish();

  static bool stderr_is_terminal();

 private:
  void draw(std::unique_lock<std::mutex>& lock);

  const bool enabled_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string phase_;
  std::size_t drawn_ = 0;  // characters on the line now
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace vigil::cli
