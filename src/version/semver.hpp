// Semantic Versioning 2.0.0 (npm, Cargo) and Go module versions (v-prefix, pseudo-versions).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed semver version. Placeholder representation: replace with the parsed parts.
struct SemverVersion {
  std::string text;

  friend bool operator==(const SemverVersion&, const SemverVersion&) = default;
};

// Parses `text` as a semver version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<SemverVersion> parse_semver(std::string_view text);

// Returns -1, 0 or 1. No allocation.
// Parses a Go module version ("v1.2.3", "v0.0.0-20210101000000-abcdef123456",
// "v2.0.0+incompatible"; the "v" is optional, as OSV's Go data omits it). Returns kParse.
[[nodiscard]] Result<SemverVersion> parse_go(std::string_view text);

int compare_semver(const SemverVersion& lhs, const SemverVersion& rhs);

}  // namespace vigil::version
