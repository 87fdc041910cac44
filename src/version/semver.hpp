// Semantic Versioning 2.0.0 (npm, Cargo) and Go module versions (v-prefix, pseudo-versions,
// "+incompatible", Go toolchain tags). Both parse into SemverVersion and share one ordering.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A parsed semantic version. `text` holds the canonical form "MAJOR.MINOR.PATCH[-PRE][+BUILD]"
// (no "v" prefix, no surrounding white space, Go shorthand and toolchain tags expanded); the
// offsets locate its parts so comparing never re-parses or allocates. Numeric parts have no
// leading zeros and no length limit.
struct SemverVersion {
  std::string text;
  std::uint32_t major_end = 0;       // offset of the '.' after MAJOR
  std::uint32_t minor_end = 0;       // offset of the '.' after MINOR
  std::uint32_t patch_end = 0;       // offset of '-', '+' or the end after PATCH
  std::uint32_t prerelease_end = 0;  // offset of '+' or the end after the prerelease

  std::string_view major() const { return std::string_view(text).substr(0, major_end); }
  std::string_view minor() const {
    return std::string_view(text).substr(major_end + 1, minor_end - major_end - 1);
  }
  std::string_view patch() const {
    return std::string_view(text).substr(minor_end + 1, patch_end - minor_end - 1);
  }
  // Dot-separated prerelease identifiers without the leading '-'; empty for a release.
  std::string_view prerelease() const {
    return patch_end == prerelease_end
               ? std::string_view()
               : std::string_view(text).substr(patch_end + 1, prerelease_end - patch_end - 1);
  }
  // Build metadata without the leading '+'; empty when absent. Never affects ordering.
  std::string_view build() const {
    return prerelease_end == text.size() ? std::string_view()
                                         : std::string_view(text).substr(prerelease_end + 1);
  }

  friend bool operator==(const SemverVersion&, const SemverVersion&) = default;
};

// Parses `text` as a SemVer 2.0.0 version the way npm's `semver` does with loose: false:
// surrounding ASCII white space is ignored and one leading "v" is accepted ("v1.2.3"); "=1.2.3",
// "V1.2.3", "1.2", "1.2.3.4", leading zeros in numeric parts or numeric prerelease identifiers
// ("01.2.3", "1.2.3-01") and empty identifiers are kParse errors. Deliberately unlike npm,
// numeric parts may be arbitrarily long (npm rejects MAJOR/MINOR/PATCH above 2^53-1 and versions
// over 256 characters) and compare exactly. Thread-safe; allocates the canonical text.
[[nodiscard]] Result<SemverVersion> parse_semver(std::string_view text);

// Parses a Go module version as golang.org/x/mod/semver does, with the "v" optional because
// OSV's Go data omits it: "v1.2.3", "1.2.3", pseudo-versions ("v0.0.0-20191109021931-daa7c04131f5",
// "v1.2.4-pre.0.20210101000000-abcdef123456"), "+incompatible" (build metadata, ignored for
// ordering) and Go's shorthand "v1" / "v1.2" (= v1.0.0 / v1.2.0). Go toolchain tags as the Go
// vulnerability database converts them are also accepted: "go1.21.5" -> 1.21.5, "go1.21" ->
// 1.21.0, "go1.21rc2" -> 1.21.0-rc.2, "go1.9beta1" -> 1.9.0-beta.1 (OSV's "stdlib"/"toolchain"
// entries already use the converted form). No white space is allowed. Returns kParse.
[[nodiscard]] Result<SemverVersion> parse_go(std::string_view text);

// Returns -1, 0 or 1 by SemVer 2.0.0 precedence: MAJOR, MINOR, PATCH numerically; a prerelease
// sorts before its release; prerelease identifiers left to right, numeric ones numerically and
// before alphanumeric ones (ASCII order), a shorter list first when it is a prefix. Build
// metadata is ignored. No allocation; thread-safe.
int compare_semver(const SemverVersion& lhs, const SemverVersion& rhs);

}  // namespace vigil::version
