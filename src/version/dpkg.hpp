// Debian package versions, deb-version(5): [epoch:]upstream[-revision], '~' sorts first.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed dpkg version. Placeholder representation: replace with the parsed parts.
struct DpkgVersion {
  std::string text;

  friend bool operator==(const DpkgVersion&, const DpkgVersion&) = default;
};

// Parses `text` as a dpkg version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<DpkgVersion> parse_dpkg(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_dpkg(const DpkgVersion& lhs, const DpkgVersion& rhs);

}  // namespace vigil::version
