// RPM EVR versions ([epoch:]version[-release]) ordered as rpmvercmp does, including '~' and '^'.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed rpm version. Placeholder representation: replace with the parsed parts.
struct RpmVersion {
  std::string text;

  friend bool operator==(const RpmVersion&, const RpmVersion&) = default;
};

// Parses `text` as a rpm version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<RpmVersion> parse_rpm(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_rpm(const RpmVersion& lhs, const RpmVersion& rhs);

}  // namespace vigil::version
