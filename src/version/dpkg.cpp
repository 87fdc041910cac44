#include "version/dpkg.hpp"

#include <algorithm>
#include <cstddef>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

constexpr std::size_t kMaxLength = 65535;
constexpr std::string_view kMaxEpoch = "2147483647";  // INT_MAX, dpkg's limit

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_upstream_char(char c) {
  return is_alnum(c) || c == '.' || c == '-' || c == '+' || c == '~' || c == ':';
}

bool is_revision_char(char c) { return is_alnum(c) || c == '.' || c == '+' || c == '~'; }

// verrevcmp's weight of a non-digit character: '~' sorts before the end of the string (0),
// letters sort before every other character.
int order(char c) {
  if (is_alpha(c)) {
    return static_cast<unsigned char>(c);
  }
  if (c == '~') {
    return -1;
  }
  return static_cast<unsigned char>(c) + 256;
}

// deb-version(5) comparison of one part: alternating non-digit runs (compared character by
// character with `order`, the end of the string weighing 0) and digit runs (compared as
// unbounded numbers: leading zeros dropped, then the longer run wins, then the first differing
// digit).
int verrevcmp(std::string_view a, std::string_view b) {
  // Skip the common prefix, backing up to the start of a digit run cut by it: the skipped part
  // compares equal and ends where the comparison is back in step on both sides.
  const std::size_t common = std::min(a.size(), b.size());
  std::size_t same = 0;
  while (same < common && a[same] == b[same]) {
    ++same;
  }
  if (same == a.size() && same == b.size()) {
    return 0;
  }
  while (same > 0 && is_digit(a[same - 1])) {
    --same;
  }
  std::size_t ia = same;
  std::size_t ib = same;
  const std::size_t na = a.size();
  const std::size_t nb = b.size();
  while (ia < na || ib < nb) {
    while ((ia < na && !is_digit(a[ia])) || (ib < nb && !is_digit(b[ib]))) {
      const int ac = ia < na && !is_digit(a[ia]) ? order(a[ia]) : 0;
      const int bc = ib < nb && !is_digit(b[ib]) ? order(b[ib]) : 0;
      if (ac != bc) {
        return ac < bc ? -1 : 1;
      }
      // Equal weights here mean both sides hold the same non-digit character.
      ++ia;
      ++ib;
    }
    while (ia < na && a[ia] == '0') {
      ++ia;
    }
    while (ib < nb && b[ib] == '0') {
      ++ib;
    }
    int first_diff = 0;
    while (ia < na && ib < nb && is_digit(a[ia]) && is_digit(b[ib])) {
      if (first_diff == 0) {
        first_diff = a[ia] - b[ib];
      }
      ++ia;
      ++ib;
    }
    if (ia < na && is_digit(a[ia])) {
      return 1;
    }
    if (ib < nb && is_digit(b[ib])) {
      return -1;
    }
    if (first_diff != 0) {
      return first_diff < 0 ? -1 : 1;
    }
  }
  return 0;
}

// Parses the digits before the epoch colon, as dpkg's strtol check does (minus signs and blanks,
// which we refuse).
Result<std::uint32_t> parse_epoch(std::string_view digits, std::string_view text) {
  if (digits.empty()) {
    return fail(Error::parse("dpkg: epoch in version '{}' is empty", text));
  }
  for (const char c : digits) {
    if (!is_digit(c)) {
      return fail(Error::parse("dpkg: epoch '{}' in version '{}' is not a number", digits, text));
    }
  }
  std::string_view significant = digits;
  while (significant.size() > 1 && significant.front() == '0') {
    significant.remove_prefix(1);
  }
  if (significant.size() > kMaxEpoch.size() ||
      (significant.size() == kMaxEpoch.size() && significant > kMaxEpoch)) {
    return fail(Error::parse("dpkg: epoch '{}' in version '{}' is too big (max {})", digits, text,
                             kMaxEpoch));
  }
  std::uint32_t value = 0;
  for (const char c : significant) {
    value = value * 10U + static_cast<std::uint32_t>(c - '0');
  }
  return value;
}

}  // namespace

Result<DpkgVersion> parse_dpkg(std::string_view text) {
  // parseversion: blanks around the version are ignored, blanks inside it are an error.
  std::string_view trimmed = text;
  while (!trimmed.empty() && is_blank(trimmed.front())) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && is_blank(trimmed.back())) {
    trimmed.remove_suffix(1);
  }
  if (trimmed.empty()) {
    return fail(Error::parse("dpkg: version string is empty"));
  }
  if (trimmed.size() > kMaxLength) {
    return fail(Error::parse("dpkg: version is longer than {} bytes", kMaxLength));
  }
  for (const char c : trimmed) {
    if (is_blank(c)) {
      return fail(Error::parse("dpkg: version '{}' has embedded spaces", trimmed));
    }
  }

  DpkgVersion version;
  std::size_t upstream_begin = 0;
  const std::size_t colon = trimmed.find(':');
  if (colon != std::string_view::npos) {
    auto epoch = parse_epoch(trimmed.substr(0, colon), trimmed);
    if (!epoch) {
      return fail(std::move(epoch).error());
    }
    if (colon + 1 == trimmed.size()) {
      return fail(Error::parse("dpkg: nothing after colon in version '{}'", trimmed));
    }
    version.epoch_ = *epoch;
    upstream_begin = colon + 1;
  }

  // deb-version(5): the revision starts after the last hyphen; the upstream part may hold more.
  std::size_t upstream_end = trimmed.size();
  std::size_t revision_begin = trimmed.size();
  const std::size_t hyphen = trimmed.rfind('-');
  if (hyphen != std::string_view::npos && hyphen >= upstream_begin) {
    if (hyphen + 1 == trimmed.size()) {
      return fail(Error::parse("dpkg: revision number is empty in version '{}'", trimmed));
    }
    upstream_end = hyphen;
    revision_begin = hyphen + 1;
  }

  const std::string_view upstream = trimmed.substr(upstream_begin, upstream_end - upstream_begin);
  if (upstream.empty()) {
    return fail(Error::parse("dpkg: version number is empty in version '{}'", trimmed));
  }
  if (!is_digit(upstream.front())) {
    return fail(
        Error::parse("dpkg: version number does not start with digit in version '{}'", trimmed));
  }
  for (const char c : upstream) {
    if (!is_upstream_char(c)) {
      return fail(Error::parse("dpkg: invalid character in version number '{}'", trimmed));
    }
  }
  for (const char c : trimmed.substr(revision_begin)) {
    if (!is_revision_char(c)) {
      return fail(Error::parse("dpkg: invalid character in revision number '{}'", trimmed));
    }
  }

  version.text_.assign(trimmed);
  version.upstream_begin_ = static_cast<std::uint32_t>(upstream_begin);
  version.upstream_end_ = static_cast<std::uint32_t>(upstream_end);
  version.revision_begin_ = static_cast<std::uint32_t>(revision_begin);
  return version;
}

int compare_dpkg(const DpkgVersion& lhs, const DpkgVersion& rhs) {
  if (lhs.epoch() != rhs.epoch()) {
    return lhs.epoch() < rhs.epoch() ? -1 : 1;
  }
  const int upstream = verrevcmp(lhs.upstream(), rhs.upstream());
  if (upstream != 0) {
    return upstream;
  }
  return verrevcmp(lhs.revision(), rhs.revision());
}

}  // namespace vigil::version
