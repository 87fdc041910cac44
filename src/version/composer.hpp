// Composer (Packagist) versions ordered as composer/semver and PHP version_compare do.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed composer version. Placeholder representation: replace with the parsed parts.
struct ComposerVersion {
  std::string text;

  friend bool operator==(const ComposerVersion&, const ComposerVersion&) = default;
};

// Parses `text` as a composer version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<ComposerVersion> parse_composer(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_composer(const ComposerVersion& lhs, const ComposerVersion& rhs);

}  // namespace vigil::version
