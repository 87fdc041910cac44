// Alpine apk versions (apk-tools' version.c): digits, letter, _alpha.._p suffixes, -rN.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed apk version. Placeholder representation: replace with the parsed parts.
struct ApkVersion {
  std::string text;

  friend bool operator==(const ApkVersion&, const ApkVersion&) = default;
};

// Parses `text` as a apk version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<ApkVersion> parse_apk(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_apk(const ApkVersion& lhs, const ApkVersion& rhs);

}  // namespace vigil::version
