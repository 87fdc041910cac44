#include "version/rpm.hpp"

#include <cstddef>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

constexpr std::size_t kMaxLength = 65535;

bool is_separator(char c) { return !is_alnum(c) && c != '~' && c != '^'; }

std::string_view strip_zeros(std::string_view digits) {
  while (!digits.empty() && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  return digits;
}

// Compares two digit runs (without leading zeros) as unbounded numbers.
int compare_numbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return a.size() < b.size() ? -1 : 1;
  }
  const int cmp = a.compare(b);
  return cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
}

}  // namespace

int rpmvercmp(std::string_view a, std::string_view b) {
  if (a == b) {
    return 0;
  }
  const std::size_t na = a.size();
  const std::size_t nb = b.size();
  std::size_t ia = 0;
  std::size_t ib = 0;
  while (ia < na || ib < nb) {
    while (ia < na && is_separator(a[ia])) {
      ++ia;
    }
    while (ib < nb && is_separator(b[ib])) {
      ++ib;
    }
    const char ca = ia < na ? a[ia] : '\0';
    const char cb = ib < nb ? b[ib] : '\0';

    // '~' sorts before everything else, the end of the string included.
    if (ca == '~' || cb == '~') {
      if (ca != '~') {
        return 1;
      }
      if (cb != '~') {
        return -1;
      }
      ++ia;
      ++ib;
      continue;
    }
    // '^' is like '~', except that the side that ended (the base version) sorts first.
    if (ca == '^' || cb == '^') {
      if (ia == na) {
        return -1;
      }
      if (ib == nb) {
        return 1;
      }
      if (ca != '^') {
        return 1;
      }
      if (cb != '^') {
        return -1;
      }
      ++ia;
      ++ib;
      continue;
    }
    if (ia == na || ib == nb) {
      break;
    }

    // Take the next all-digit or all-letter segment, its kind decided by `a`.
    const bool numeric = is_digit(a[ia]);
    std::size_t ea = ia;
    std::size_t eb = ib;
    if (numeric) {
      while (ea < na && is_digit(a[ea])) {
        ++ea;
      }
      while (eb < nb && is_digit(b[eb])) {
        ++eb;
      }
    } else {
      while (ea < na && is_alpha(a[ea])) {
        ++ea;
      }
      while (eb < nb && is_alpha(b[eb])) {
        ++eb;
      }
    }
    // Segments of different kinds: the numeric one is newer.
    if (eb == ib) {
      return numeric ? 1 : -1;
    }
    const std::string_view sa = a.substr(ia, ea - ia);
    const std::string_view sb = b.substr(ib, eb - ib);
    const int cmp = numeric ? compare_numbers(strip_zeros(sa), strip_zeros(sb)) : sa.compare(sb);
    if (cmp != 0) {
      return cmp < 0 ? -1 : 1;
    }
    ia = ea;
    ib = eb;
  }
  // All segments equal: whichever side has something left wins.
  if (ia >= na && ib >= nb) {
    return 0;
  }
  return ia >= na ? -1 : 1;
}

Result<RpmVersion> parse_rpm(std::string_view text) {
  if (text.empty()) {
    return fail(Error::parse("rpm: version string is empty"));
  }
  if (text.size() > kMaxLength) {
    return fail(Error::parse("rpm: version is longer than {} bytes", kMaxLength));
  }
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      return fail(
          Error::parse("rpm: version '{}' contains whitespace or a control character", text));
    }
  }

  RpmVersion version;
  // rpmverParse: leading digits followed by ':' are the epoch.
  std::size_t digits_end = 0;
  while (digits_end < text.size() && is_digit(text[digits_end])) {
    ++digits_end;
  }
  std::size_t version_begin = 0;
  if (digits_end < text.size() && text[digits_end] == ':') {
    std::size_t epoch_begin = 0;
    while (epoch_begin < digits_end && text[epoch_begin] == '0') {
      ++epoch_begin;
    }
    version.epoch_begin_ = static_cast<std::uint32_t>(epoch_begin);
    version.epoch_end_ = static_cast<std::uint32_t>(digits_end);
    version_begin = digits_end + 1;
  }
  std::size_t version_end = text.size();
  const std::size_t hyphen = text.rfind('-');
  if (hyphen != std::string_view::npos && hyphen >= version_begin) {
    version.has_release_ = true;
    version_end = hyphen;
    version.release_begin_ = static_cast<std::uint32_t>(hyphen + 1);
  } else {
    version.release_begin_ = static_cast<std::uint32_t>(text.size());
  }
  if (version_end == version_begin) {
    return fail(Error::parse("rpm: version part of '{}' is empty", text));
  }
  version.version_begin_ = static_cast<std::uint32_t>(version_begin);
  version.version_end_ = static_cast<std::uint32_t>(version_end);
  version.text_.assign(text);
  return version;
}

int compare_rpm(const RpmVersion& lhs, const RpmVersion& rhs) {
  // labelCompare: a missing epoch is "0"; rpmvercmp on digit strings is numeric comparison.
  const int epoch = compare_numbers(lhs.epoch(), rhs.epoch());
  if (epoch != 0) {
    return epoch;
  }
  const int version = rpmvercmp(lhs.version(), rhs.version());
  if (version != 0) {
    return version;
  }
  // labelCompare's compare_values: a missing release (None) sorts before any string, even "".
  if (lhs.has_release() != rhs.has_release()) {
    return lhs.has_release() ? 1 : -1;
  }
  return rpmvercmp(lhs.release(), rhs.release());
}

}  // namespace vigil::version
