#include <array>
#include <cstdio>

#include "api/internal/time.hpp"

namespace vigil::api::internal {
namespace {

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, std::int64_t& value) {
  if (pos + count > text.size()) {
    return false;
  }
  value = 0;
  for (std::size_t index = pos; index < pos + count; ++index) {
    const char c = text[index];
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  return true;
}

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

bool valid_date(std::int64_t year, std::int64_t month, std::int64_t day) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const int max_day = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
  return day <= max_day;
}

bool valid_time(std::int64_t hour, std::int64_t minute, std::int64_t second) {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

std::optional<std::int64_t> parse_amz_date(std::string_view text) {
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !read_digits(text, 0, 4, year) ||
      !read_digits(text, 4, 2, month) || !read_digits(text, 6, 2, day) ||
      !read_digits(text, 9, 2, hour) || !read_digits(text, 11, 2, minute) ||
      !read_digits(text, 13, 2, second) || !valid_date(year, month, day) ||
      !valid_time(hour, minute, second)) {
    return std::nullopt;
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

std::string format_amz_date(std::int64_t epoch_seconds) {
  std::int64_t days = epoch_seconds / 86400;
  std::int64_t rest = epoch_seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  // civil_from_days (Hinnant).
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04lld%02u%02uT%02lld%02lld%02lldZ",
                static_cast<long long>(year), month, day, static_cast<long long>(rest / 3600),
                static_cast<long long>(rest % 3600 / 60), static_cast<long long>(rest % 60));
  return buffer.data();
}

std::optional<std::int64_t> parse_iso8601_ms(std::string_view text) {
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !read_digits(text, 5, 2, month) || !read_digits(text, 8, 2, day) ||
      !valid_date(year, month, day)) {
    return std::nullopt;
  }
  std::int64_t millis = 0;
  std::int64_t offset_seconds = 0;
  std::size_t pos = 10;
  if (pos < text.size()) {
    if ((text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') ||
        !read_digits(text, pos + 1, 2, hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, minute)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!read_digits(text, pos + 1, 2, second)) {
        return std::nullopt;
      }
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 3) {
            millis = millis * 10 + (text[pos] - '0');
          }
          ++digits;
          ++pos;
        }
        if (digits == 0) {
          return std::nullopt;
        }
        for (std::size_t pad = digits; pad < 3; ++pad) {
          millis *= 10;
        }
      }
    }
    if (!valid_time(hour, minute, second)) {
      return std::nullopt;
    }
    if (pos < text.size()) {
      if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
      } else if (text[pos] == '+' || text[pos] == '-') {
        std::int64_t off_hour = 0, off_minute = 0;
        if (!read_digits(text, pos + 1, 2, off_hour) || pos + 3 >= text.size() ||
            text[pos + 3] != ':' || !read_digits(text, pos + 4, 2, off_minute) || off_hour > 23 ||
            off_minute > 59) {
          return std::nullopt;
        }
        offset_seconds = (off_hour * 3600 + off_minute * 60) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
      }
    }
    if (pos != text.size()) {
      return std::nullopt;
    }
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * 1000 + millis;
}

}  // namespace vigil::api::internal
