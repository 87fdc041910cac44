#include "cli/output.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "cli/commands.hpp"

namespace vigil::cli {

int report_error(const Error& error) {
  std::cerr << "vigil: " << error.message << '\n';
  return error.code == ErrorCode::kInternal ? 70 : kExitUsage;
}

int usage_error(std::string_view message) {
  std::cerr << "vigil: " << message << '\n';
  return kExitUsage;
}

std::string default_db_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) {
    return explicit_dir;
  }
  if (const char* env = std::getenv("VIGIL_DB"); env != nullptr && *env != '\0') {
    return env;
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/vigil/db";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/share/vigil/db";
}

std::optional<int> days_since(std::string_view timestamp) {
  std::tm parsed{};
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  const std::string text(timestamp);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  parsed.tm_year = year - 1900;
  parsed.tm_mon = month - 1;
  parsed.tm_mday = day;
  parsed.tm_hour = hour;
  parsed.tm_min = minute;
  parsed.tm_sec = second;
  const std::time_t then = timegm(&parsed);
  const std::time_t now = std::time(nullptr);
  return static_cast<int>((now - then) / 86400);
}

}  // namespace vigil::cli
