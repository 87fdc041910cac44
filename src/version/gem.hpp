// RubyGems versions ordered as Gem::Version does (segments, prerelease letters).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed gem version. Placeholder representation: replace with the parsed parts.
struct GemVersion {
  std::string text;

  friend bool operator==(const GemVersion&, const GemVersion&) = default;
};

// Parses `text` as a gem version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<GemVersion> parse_gem(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_gem(const GemVersion& lhs, const GemVersion& rhs);

}  // namespace vigil::version
