#include "version/gem.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

constexpr std::size_t kMaxLength = 65536;

bool is_tail_char(char c) { return is_alnum(c) || c == '-'; }

// Gem::Version::ANCHORED_VERSION_PATTERN without the white space:
// [0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
Result<void> check_pattern(std::string_view original, std::string_view s) {
  size_t pos = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    ++pos;
  }
  if (pos == 0) {
    return fail(Error::parse("gem: malformed version '{}': must start with a number", original));
  }
  while (pos + 1 < s.size() && s[pos] == '.' && is_alnum(s[pos + 1])) {
    ++pos;
    while (pos < s.size() && is_alnum(s[pos])) {
      ++pos;
    }
  }
  if (pos < s.size() && s[pos] == '-') {
    ++pos;
    for (;;) {
      const size_t start = pos;
      while (pos < s.size() && is_tail_char(s[pos])) {
        ++pos;
      }
      if (pos == start) {
        return fail(
            Error::parse("gem: malformed version '{}': empty segment after '-' or '.'", original));
      }
      if (pos + 1 < s.size() && s[pos] == '.' && is_tail_char(s[pos + 1])) {
        ++pos;
        continue;
      }
      break;
    }
  }
  if (pos != s.size()) {
    return fail(Error::parse("gem: malformed version '{}': unexpected '{}' after '{}'", original,
                             s[pos], s.substr(0, pos)));
  }
  return {};
}

// Builds Gem::Version#canonical_segments joined by '.'. The segments are the runs of digits and
// of letters of the version with each '-' read as ".pre."; zero segments are dropped from the
// end of the leading numeric part and from the end of the rest.
std::string canonical_segments(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t keep = 0;  // out.size() just after the last segment that must stay
  bool in_string_part = false;
  const auto emit = [&](std::string_view segment, bool numeric) {
    if (!numeric && !in_string_part) {
      out.resize(keep);
      in_string_part = true;
    }
    if (!out.empty()) {
      out.push_back('.');
    }
    if (numeric) {
      while (segment.size() > 1 && segment.front() == '0') {
        segment.remove_prefix(1);
      }
    }
    out.append(segment);
    if (!numeric || segment != "0") {
      keep = out.size();
    }
  };
  size_t pos = 0;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '-') {
      emit("pre", false);
      ++pos;
      continue;
    }
    if (!is_alnum(c)) {
      ++pos;
      continue;
    }
    const bool numeric = is_digit(c);
    size_t end = pos;
    while (end < s.size() && (numeric ? is_digit(s[end]) : is_alpha(s[end]))) {
      ++end;
    }
    emit(s.substr(pos, end - pos), numeric);
    pos = end;
  }
  out.resize(keep);
  return out;
}

int compare_numbers(std::string_view lhs, std::string_view rhs) {
  if (lhs.size() != rhs.size()) {
    return lhs.size() < rhs.size() ? -1 : 1;
  }
  const int cmp = lhs.compare(rhs);
  return (cmp > 0) - (cmp < 0);
}

std::string_view next_segment(std::string_view& rest) {
  const size_t dot = rest.find('.');
  const std::string_view segment = rest.substr(0, dot);
  rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  return segment;
}

}  // namespace

// Gem::Version tests its string after '-' became ".pre.", so a '-' also marks a prerelease.
bool GemVersion::prerelease() const {
  return std::any_of(text.begin(), text.end(), [](char c) { return is_alpha(c) || c == '-'; });
}

Result<GemVersion> parse_gem(std::string_view text) {
  if (text.size() > kMaxLength) {
    return fail(Error::parse("gem: version is longer than {} characters", kMaxLength));
  }
  const std::string_view s = trim(text);
  if (s.empty()) {
    return fail(Error::parse("gem: empty version"));
  }
  VIGIL_TRY(check_pattern(text, s));
  return GemVersion{std::string(s), canonical_segments(s)};
}

int compare_gem(const GemVersion& lhs, const GemVersion& rhs) {
  std::string_view left = lhs.canonical;
  std::string_view right = rhs.canonical;
  while (!left.empty() || !right.empty()) {
    const std::string_view a = left.empty() ? std::string_view("0") : next_segment(left);
    const std::string_view b = right.empty() ? std::string_view("0") : next_segment(right);
    const bool a_numeric = is_digit(a.front());
    const bool b_numeric = is_digit(b.front());
    int cmp = 0;
    if (a_numeric && b_numeric) {
      cmp = compare_numbers(a, b);
    } else if (a_numeric != b_numeric) {
      cmp = a_numeric ? 1 : -1;  // Gem::Version: a string segment sorts before a number
    } else {
      const int raw = a.compare(b);
      cmp = (raw > 0) - (raw < 0);
    }
    if (cmp != 0) {
      return cmp;
    }
  }
  return 0;
}

}  // namespace vigil::version
