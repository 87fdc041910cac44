#include "vulndb/importers/feed_util.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "core/strings.hpp"
#include "vulndb/importers/json_util.hpp"

namespace vigil::vulndb::feed {
namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!is_digit(c)) {
      return false;
    }
  }
  return true;
}

int two_digits(std::string_view text, size_t pos) {
  return (text[pos] - '0') * 10 + (text[pos + 1] - '0');
}

// Gregorian date of `days` since 1970-01-01 (Howard Hinnant's civil_from_days).
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

std::optional<std::string> from_unix_seconds(std::string_view text) {
  // Twelve digits reach the year 33658: enough, and no overflow.
  if (text.size() > 12) {
    return std::nullopt;
  }
  int64_t seconds = 0;
  for (char c : text) {
    seconds = seconds * 10 + (c - '0');
  }
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(seconds / 86400, year, month, day);
  const int64_t in_day = seconds % 86400;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year, month, day, in_day / 3600,
                     (in_day / 60) % 60, in_day % 60);
}

}  // namespace

std::optional<std::string> rfc3339(std::string_view text) {
  text = trim(text);
  if (all_digits(text)) {
    return from_unix_seconds(text);
  }
  // YYYY-MM-DD
  if (text.size() < 10 || !all_digits(text.substr(0, 4)) || text[4] != '-' ||
      !all_digits(text.substr(5, 2)) || text[7] != '-' || !all_digits(text.substr(8, 2))) {
    return std::nullopt;
  }
  const int month = two_digits(text, 5);
  const int day = two_digits(text, 8);
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  std::string out(text.substr(0, 10));
  std::string_view rest = text.substr(10);
  if (rest.empty()) {
    out += "T00:00:00Z";
    return out;
  }
  if (rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ') {
    return std::nullopt;
  }
  rest.remove_prefix(1);
  // HH:MM[:SS[.fraction]]
  if (rest.size() < 5 || !all_digits(rest.substr(0, 2)) || rest[2] != ':' ||
      !all_digits(rest.substr(3, 2)) || two_digits(rest, 0) > 23 || two_digits(rest, 3) > 59) {
    return std::nullopt;
  }
  out += 'T';
  out += rest.substr(0, 5);
  rest.remove_prefix(5);
  if (!rest.empty() && rest[0] == ':') {
    if (rest.size() < 3 || !all_digits(rest.substr(1, 2)) || two_digits(rest, 1) > 60) {
      return std::nullopt;
    }
    out += rest.substr(0, 3);
    rest.remove_prefix(3);
    if (!rest.empty() && rest[0] == '.') {
      size_t digits = 1;
      while (digits < rest.size() && is_digit(rest[digits])) {
        ++digits;
      }
      if (digits == 1) {
        return std::nullopt;
      }
      out += rest.substr(0, digits);
      rest.remove_prefix(digits);
    }
  } else {
    out += ":00";
  }
  if (rest.empty() || rest == "Z" || rest == "z") {
    out += 'Z';
    return out;
  }
  // +hh:mm or +hhmm
  if ((rest[0] == '+' || rest[0] == '-') && (rest.size() == 6 || rest.size() == 5)) {
    const std::string_view hours = rest.substr(1, 2);
    const std::string_view minutes = rest.size() == 6 ? rest.substr(4, 2) : rest.substr(3, 2);
    if (all_digits(hours) && all_digits(minutes) && (rest.size() == 5 || rest[3] == ':')) {
      out += rest[0];
      out += hours;
      out += ':';
      out += minutes;
      return out;
    }
  }
  return std::nullopt;
}

bool is_json_schema(std::string_view content) {
  constexpr size_t kWindow = 8192;
  return json::head_contains(content, "\"$schema\"", kWindow);
}

bool is_cve_id(std::string_view text) {
  return text.size() >= 13 && text.substr(0, 4) == "CVE-" && all_digits(text.substr(4, 4)) &&
         text[8] == '-' && all_digits(text.substr(9));
}

std::string where(std::string_view file, std::string_view record) {
  if (record.empty()) {
    return std::string(file);
  }
  return fmt::format("{}: {}", file, record);
}

void RecordLog::skip(std::string_view record, std::string_view message) {
  ++batch_.records_skipped;
  add(model::DiagnosticLevel::kWarning, record, fmt::format("{}; record skipped", message));
}

void RecordLog::info(std::string_view record, std::string_view message) {
  add(model::DiagnosticLevel::kInfo, record, message);
}

void RecordLog::add(model::DiagnosticLevel level, std::string_view record,
                    std::string_view message) {
  if (reported_ >= kMaxPerFile) {
    ++suppressed_;
    return;
  }
  ++reported_;
  batch_.diagnostics.push_back({level, where(file_.name, record), std::string(message)});
}

void RecordLog::finish() {
  if (suppressed_ > 0) {
    batch_.diagnostics.push_back(
        {model::DiagnosticLevel::kWarning, file_.name,
         fmt::format("{} more diagnostics for this file not shown", suppressed_)});
    suppressed_ = 0;
  }
}

}  // namespace vigil::vulndb::feed
