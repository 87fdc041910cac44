// RPM EVR versions ([epoch:]version[-release]) ordered as rpmvercmp does, including '~' and '^'.
// Splitting follows rpm 4.18's rpmverParse and ordering follows python3-rpm's rpm.labelCompare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// An rpm EVR that parse_rpm accepted: the text plus the positions of its epoch, version and
// release, so that comparing needs no parsing and no allocation. Only parse_rpm creates one.
// Equality (==) is textual: "1.0" and "0:1.0" order equal but are different values.
class RpmVersion {
 public:
  RpmVersion() = default;

  // The epoch digits without leading zeros; empty means 0 (also when the EVR has no epoch).
  std::string_view epoch() const noexcept { return part(epoch_begin_, epoch_end_); }
  // The version part: never empty.
  std::string_view version() const noexcept { return part(version_begin_, version_end_); }
  // Whether a release was given ("1.0-" has an empty one, "1.0" has none; they differ).
  bool has_release() const noexcept { return has_release_; }
  // The release after the last '-', empty when absent.
  std::string_view release() const noexcept { return part(release_begin_, text_.size()); }
  const std::string& text() const noexcept { return text_; }

  friend bool operator==(const RpmVersion&, const RpmVersion&) = default;

 private:
  friend Result<RpmVersion> parse_rpm(std::string_view text);

  std::string_view part(std::size_t begin, std::size_t end) const noexcept {
    return std::string_view(text_).substr(begin, end - begin);
  }

  std::string text_;
  std::uint32_t epoch_begin_ = 0;
  std::uint32_t epoch_end_ = 0;
  std::uint32_t version_begin_ = 0;
  std::uint32_t version_end_ = 0;
  std::uint32_t release_begin_ = 0;
  bool has_release_ = false;
};

// Parses `text` as rpmverParse splits an EVR: an epoch is the run of leading digits when a ':'
// follows it (an empty run means epoch 0, like rpm); the release follows the last '-' after that.
// Anything else is the version, so "a:1" is a version with a colon and "1:2:3" has version "2:3".
// Returns kParse, with a message starting "rpm:", for an empty EVR, an empty version part
// ("1:", "-1"), whitespace or control characters, and EVRs over 65535 bytes. Any other byte is
// accepted (rpmvercmp treats non-alphanumerics other than '~' and '^' as separators).
// Thread-safe; allocates the stored text only when it exceeds the small-string buffer.
[[nodiscard]] Result<RpmVersion> parse_rpm(std::string_view text);

// Returns -1, 0 or 1 as rpm.labelCompare((e, v, r), (e, v, r)) does: epochs numerically (no
// length limit), then versions with rpmvercmp, then releases with rpmvercmp, where a missing
// release orders before any given one ("1.0" < "1.0-" < "1.0-0"). No allocation.
int compare_rpm(const RpmVersion& lhs, const RpmVersion& rhs);

// rpmvercmp (rpm 4.18) on two version or release strings: alternating digit and letter segments,
// separators ignored, '~' sorts before everything (even the end), '^' sorts after the end but
// before anything else, a numeric segment beats an alphabetic one, digit runs compare as
// unbounded numbers. Returns -1, 0 or 1. No allocation.
int rpmvercmp(std::string_view lhs, std::string_view rhs);

}  // namespace vigil::version
