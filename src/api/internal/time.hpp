// Calendar arithmetic for the API: SigV4 dates, ISO-8601 request timestamps, epoch rendering.
// Internal to src/api; pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::api::internal {

// Days since 1970-01-01 of the proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

// Parses SigV4's basic format "YYYYMMDDTHHMMSSZ" into epoch seconds; nullopt when malformed.
std::optional<std::int64_t> parse_amz_date(std::string_view text);
// Formats epoch seconds as "YYYYMMDDTHHMMSSZ".
std::string format_amz_date(std::int64_t epoch_seconds);

// Parses an ISO-8601 / RFC 3339 timestamp ("2024-01-01", "2024-01-01T00:00:00Z",
// "2024-05-20T16:23:20.5-07:00") into epoch milliseconds; nullopt when malformed.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view text);

}  // namespace vigil::api::internal
