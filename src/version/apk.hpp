// Alpine apk versions (apk-tools' version.c): digits, letter, _alpha.._p suffixes, ~hash, -rN.
// Grammar: digits{.digits}...{letter}{_suffix{digits}}...{~hexhash}{-rdigits}
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// An apk version that parse_apk validated. The text is kept as is: comparing walks both texts
// token by token the way apk-tools does, which needs no allocation. Only parse_apk creates one.
class ApkVersion {
 public:
  ApkVersion() = default;

  const std::string& text() const noexcept { return text_; }

  friend bool operator==(const ApkVersion&, const ApkVersion&) = default;

 private:
  friend Result<ApkVersion> parse_apk(std::string_view text);

  std::string text_;
};

// Parses `text` with apk-tools' validity rules (apk_version_validate): it must start with digits;
// '.' must be followed by digits; at most one lower-case letter, only right after the numbers;
// '_' must name one of alpha, beta, pre, rc, cvs, svn, git, hg, p (optionally followed by digits);
// '~' must be followed by lower-case hex digits; "-r" must be followed by digits and end the
// version. One legacy form is also accepted, as older apk-tools (before the "~hash" rewrite of
// version.c) did: digits right after the letter ("6.6.4p1-r0", openssh in Alpine <= 3.11),
// compared as a number. Returns kParse, with a message starting "apk:" that names the offending
// position, for anything else ("1.0-r", "1.2_foo", "1.0bc", "2.0A", "0.8.21.r2", ".1", ""), and
// for versions over 65535 bytes. Thread-safe.
[[nodiscard]] Result<ApkVersion> parse_apk(std::string_view text);

// Returns -1, 0 or 1 as apk_version_compare does: numbers numerically (apk compares a non-first
// number as a string when either side has a leading zero, so "1.02" < "1.1"), then the letter,
// suffixes (alpha < beta < pre < rc < none < cvs < svn < git < hg < p) with their numbers, the
// commit hash (as a string), and the -r revision. When one version runs out first, it is the
// newer one only if the other continues with a pre-release suffix. Numbers of any length compare
// exactly (apk-tools itself wraps above 2^64). No allocation.
int compare_apk(const ApkVersion& lhs, const ApkVersion& rhs);

}  // namespace vigil::version
