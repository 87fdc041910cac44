// NuGet package versions as NuGet.Versioning's NuGetVersion parses and orders them: SemVer 2.0
// with one to four numeric parts, case-insensitive prerelease labels, metadata ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A parsed NuGet version. `text` is NuGet's normalised form plus metadata:
// "MAJOR.MINOR.PATCH[.REVISION][-LABELS][+METADATA]" with leading zeros dropped and REVISION
// written only when non-zero; the offsets locate its parts so comparing never re-parses or
// allocates. Numeric parts have no length limit.
struct NugetVersion {
  std::string text;
  std::uint32_t major_end = 0;     // offset of the '.' after MAJOR
  std::uint32_t minor_end = 0;     // offset of the '.' after MINOR
  std::uint32_t patch_end = 0;     // offset after PATCH
  std::uint32_t revision_end = 0;  // offset after REVISION; == patch_end when it is 0
  std::uint32_t labels_end = 0;    // offset of '+' or the end; == revision_end without labels

  std::string_view major() const { return std::string_view(text).substr(0, major_end); }
  std::string_view minor() const {
    return std::string_view(text).substr(major_end + 1, minor_end - major_end - 1);
  }
  std::string_view patch() const {
    return std::string_view(text).substr(minor_end + 1, patch_end - minor_end - 1);
  }
  std::string_view revision() const {
    return revision_end == patch_end
               ? std::string_view("0")
               : std::string_view(text).substr(patch_end + 1, revision_end - patch_end - 1);
  }
  // Dot-separated release labels without the leading '-'; empty for a stable version.
  std::string_view labels() const {
    return labels_end == revision_end
               ? std::string_view()
               : std::string_view(text).substr(revision_end + 1, labels_end - revision_end - 1);
  }
  // Build metadata without the leading '+'; empty when absent. Never affects ordering.
  std::string_view metadata() const {
    return labels_end == text.size() ? std::string_view()
                                     : std::string_view(text).substr(labels_end + 1);
  }

  friend bool operator==(const NugetVersion&, const NugetVersion&) = default;
};

// Parses `text` as NuGetVersion.TryParse does: surrounding ASCII white space ignored; one to
// four dot-separated numeric parts, leading zeros allowed ("1.0.01" == "1.0.1"), missing parts
// 0; then optional "-LABELS" (dot-separated [0-9A-Za-z-] labels, no leading zero in an all-digit
// label) and "+METADATA" (dot-separated [0-9A-Za-z-] parts). Unlike NuGet, numeric parts beyond
// Int32 are accepted and compared exactly (and all-digit labels beyond Int32 compare as numbers,
// where NuGet falls back to text); signs and inner white space, which .NET's number parsing
// tolerates, are rejected. Returns kParse naming the problem. Thread-safe; allocates.
[[nodiscard]] Result<NugetVersion> parse_nuget(std::string_view text);

// Returns -1, 0 or 1 as NuGet's VersionComparer.Default: MAJOR, MINOR, PATCH, REVISION
// numerically; a prerelease before its release; labels left to right, all-digit labels
// numerically and before other labels, which compare ASCII case-insensitively, a shorter list
// first when it is a prefix. Metadata is ignored. No allocation; thread-safe.
int compare_nuget(const NugetVersion& lhs, const NugetVersion& rhs);

}  // namespace vigil::version
