#include "cli/status_line.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <iostream>

namespace vigil::cli {

StatusLine::StatusLine(bool enabled) : enabled_(enabled) {
  if (!enabled_) {
    return;
  }
  ticker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      draw(lock);
      wake_.wait_for(lock, std::chrono::milliseconds(200));
    }
  });
}

StatusLine::~StatusLine() { finish(); }

bool StatusLine::stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

void StatusLine::phase(std::string text) {
  if (!enabled_) {
    return;
  }
  std::unique_lock lock(mutex_);
  phase_ = std::move(text);
  draw(lock);
}

void StatusLine::finish() {
  if (!enabled_) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (stop_) {
      return;
    }
    stop_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) {
    ticker_.join();
  }
  std::cerr << '\r' << std::string(drawn_, ' ') << '\r' << std::flush;
}

void StatusLine::draw(std::unique_lock<std::mutex>& /*lock held*/) {
  if (phase_.empty()) {
    return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string text = fmt::format("{}  {:.1f}s", phase_, seconds);
  constexpr std::size_t kWidth = 100;
  if (text.size() > kWidth) {
    text = text.substr(0, kWidth - 3) + "...";
  }
  const std::size_t width = text.size();
  if (width < drawn_) {
    text.append(drawn_ - width, ' ');
  }
  std::cerr << '\r' << text << std::flush;
  drawn_ = width;
}

}  // namespace vigil::cli
