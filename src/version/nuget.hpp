// NuGet versions: SemVer 2.0 with up to four numeric parts.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed nuget version. Placeholder representation: replace with the parsed parts.
struct NugetVersion {
  std::string text;

  friend bool operator==(const NugetVersion&, const NugetVersion&) = default;
};

// Parses `text` as a nuget version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<NugetVersion> parse_nuget(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_nuget(const NugetVersion& lhs, const NugetVersion& rhs);

}  // namespace vigil::version
