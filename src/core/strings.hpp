// Small string helpers shared by every module: trimming, splitting, ASCII case and digit tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Returns `text` without leading and trailing ASCII white space.
std::string_view trim(std::string_view text);

// Returns `text` in ASCII lower case.
std::string to_lower(std::string_view text);

// Splits `text` on every `separator`; empty pieces are kept.
std::vector<std::string_view> split(std::string_view text, char separator);

// Compares two runs of ASCII digits as unbounded non-negative integers (leading zeros ignored),
// so runs longer than 64 bits order correctly. Returns -1, 0 or 1.
int compare_digit_runs(std::string_view lhs, std::string_view rhs);

bool starts_with_ci(std::string_view text, std::string_view prefix);
bool equals_ci(std::string_view lhs, std::string_view rhs);

// True when the JSON text nests objects/arrays at most `limit` deep (brackets inside strings
// ignored). Recursive parsers and destructors are given only text that passed this check.
bool json_nesting_within(std::string_view text, std::size_t limit);

}  // namespace vigil
