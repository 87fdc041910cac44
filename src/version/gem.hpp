// RubyGems versions ordered as Gem::Version (RubyGems 3.x) does: segments split on dots and
// letter/digit boundaries, trailing zero segments ignored, letters marking a prerelease.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A parsed RubyGems version. `text` is the version as given without surrounding white space;
// `canonical` is Gem::Version#canonical_segments joined by '.' ("1.0.0.b1" -> "1.b.1",
// "2.0-rc1" -> "2.pre.rc.1"), numbers without leading zeros, so comparing never re-parses or
// allocates. Numbers have no length limit.
struct GemVersion {
  std::string text;
  std::string canonical;

  // Gem::Version#prerelease?: true when the version contains a letter or a '-'.
  bool prerelease() const;

  friend bool operator==(const GemVersion&, const GemVersion&) = default;
};

// Parses `text` as Gem::Version.new does: surrounding ASCII white space ignored; then digits,
// ".[0-9A-Za-z]+" segments, and an optional "-[0-9A-Za-z-]+(.[0-9A-Za-z-]+)*" tail in which every
// '-' means ".pre." (RubyGems 3 as shipped with Ruby 3.x; the newest RubyGems reads a '-' before
// a letter as a plain '.' instead). "1beta", "1..2", "1.0-" and "a1" are kParse errors, as is the
// empty string (which RubyGems would read as "0"). Thread-safe; allocates.
[[nodiscard]] Result<GemVersion> parse_gem(std::string_view text);

// Returns -1, 0 or 1 as Gem::Version#<=>: canonical segments left to right, a missing segment
// counting as 0; numbers numerically, a string before a number, strings byte-wise (case-
// sensitive). So "1.0" == "1", "1.0.a" < "1.0" and "1.0.a10" > "1.0.a9". No allocation;
// thread-safe.
int compare_gem(const GemVersion& lhs, const GemVersion& rhs);

}  // namespace vigil::version
