// Debian package versions, deb-version(5): [epoch:]upstream[-revision], '~' sorts first.
// Validity and ordering follow dpkg 1.21 (lib/dpkg/parsehelp.c parseversion, version.c verrevcmp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A dpkg version that parse_dpkg accepted: the version text (without surrounding blanks) plus the
// positions of its upstream and revision parts, so that comparing needs no parsing and no
// allocation. Only parse_dpkg creates one; copies are independent. Equality (==) is textual:
// "1.0" and "0:1.0" order equal under compare_dpkg but are different values.
class DpkgVersion {
 public:
  DpkgVersion() = default;

  // The epoch, 0 when absent (dpkg caps it at INT_MAX).
  std::uint32_t epoch() const noexcept { return epoch_; }
  // The upstream version: never empty, starts with a digit.
  std::string_view upstream() const noexcept {
    return std::string_view(text_).substr(upstream_begin_, upstream_end_ - upstream_begin_);
  }
  // The Debian revision after the last '-', empty when the version has none.
  std::string_view revision() const noexcept {
    return std::string_view(text_).substr(revision_begin_);
  }
  // The whole version as parsed (leading and trailing blanks removed).
  const std::string& text() const noexcept { return text_; }

  friend bool operator==(const DpkgVersion&, const DpkgVersion&) = default;

 private:
  friend Result<DpkgVersion> parse_dpkg(std::string_view text);

  std::string text_;
  std::uint32_t epoch_ = 0;
  std::uint32_t upstream_begin_ = 0;
  std::uint32_t upstream_end_ = 0;
  std::uint32_t revision_begin_ = 0;  // == text_.size() when there is no revision
};

// Parses `text` as dpkg does. Leading and trailing spaces/tabs are ignored. Returns kParse, with a
// message starting "dpkg:", for everything dpkg reports as an error or as a "bad syntax" warning:
// empty version, embedded blanks, an epoch that is empty, not all digits or above 2147483647,
// nothing after the epoch colon, an empty revision ("1.0-"), an empty upstream part, an upstream
// part not starting with a digit, and characters outside [A-Za-z0-9.+~-:] (upstream) or
// [A-Za-z0-9.+~] (revision). Stricter than dpkg in one place: the epoch must be plain ASCII digits
// (dpkg's strtol would also take "+1" or "-0"), and versions over 65535 bytes are refused.
// Thread-safe; allocates the stored text only when it exceeds the small-string buffer.
[[nodiscard]] Result<DpkgVersion> parse_dpkg(std::string_view text);

// Returns -1, 0 or 1 as `lhs` orders before, equal to or after `rhs`: epochs numerically, then
// upstream and revision with dpkg's verrevcmp ('~' before everything, even the end; letters
// before other characters; digit runs numerically with no length limit). No allocation.
int compare_dpkg(const DpkgVersion& lhs, const DpkgVersion& rhs);

}  // namespace vigil::version
