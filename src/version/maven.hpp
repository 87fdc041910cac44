// Maven versions ordered as Maven's ComparableVersion does (qualifiers alpha..sp).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed maven version. Placeholder representation: replace with the parsed parts.
struct MavenVersion {
  std::string text;

  friend bool operator==(const MavenVersion&, const MavenVersion&) = default;
};

// Parses `text` as a maven version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<MavenVersion> parse_maven(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_maven(const MavenVersion& lhs, const MavenVersion& rhs);

}  // namespace vigil::version
