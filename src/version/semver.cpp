#include "version/semver.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

// Longer inputs are rejected so the offsets in SemverVersion always fit.
constexpr std::size_t kMaxLength = 65536;

bool is_identifier_char(char c) { return is_alnum(c) || c == '-'; }

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c); });
}

// Compares two digit runs that have no leading zeros (so the longer one is larger).
int compare_numbers(std::string_view lhs, std::string_view rhs) {
  if (lhs.size() != rhs.size()) {
    return lhs.size() < rhs.size() ? -1 : 1;
  }
  const int cmp = lhs.compare(rhs);
  return (cmp > 0) - (cmp < 0);
}

// Removes and returns the identifier before the next '.' of `rest`.
std::string_view next_identifier(std::string_view& rest) {
  const size_t dot = rest.find('.');
  const std::string_view identifier = rest.substr(0, dot);
  rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  return identifier;
}

// Reads "MAJOR.MINOR.PATCH[-PRE][+BUILD]" from `body` (prefix already removed). With
// `go_shorthand`, "1" and "1.2" stand for "1.0.0" and "1.2.0" and take no suffix, as in
// golang.org/x/mod/semver. `scheme` and `original` only feed the error messages.
Result<SemverVersion> parse_body(std::string_view scheme, std::string_view original,
                                 std::string_view body, bool go_shorthand) {
  if (original.size() > kMaxLength) {
    return fail(Error::parse("{}: version is longer than {} characters", scheme, kMaxLength));
  }
  constexpr std::string_view kPartNames[] = {"major", "minor", "patch"};
  std::string_view numbers[3] = {"0", "0", "0"};
  size_t pos = 0;
  for (size_t part = 0; part < 3; ++part) {
    if (part > 0) {
      if (go_shorthand && pos == body.size()) {
        break;
      }
      if (pos >= body.size() || body[pos] != '.') {
        return fail(
            Error::parse("{}: invalid version '{}': expected MAJOR.MINOR.PATCH", scheme, original));
      }
      ++pos;
    }
    const size_t start = pos;
    while (pos < body.size() && is_digit(body[pos])) {
      ++pos;
    }
    const std::string_view number = body.substr(start, pos - start);
    if (number.empty()) {
      return fail(Error::parse("{}: invalid version '{}': {} version is not a number", scheme,
                               original, kPartNames[part]));
    }
    if (number.size() > 1 && number.front() == '0') {
      return fail(Error::parse("{}: invalid version '{}': {} version '{}' has a leading zero",
                               scheme, original, kPartNames[part], number));
    }
    numbers[part] = number;
  }
  SemverVersion version;
  version.text.reserve(body.size() + 4);
  version.text.append(numbers[0]);
  version.major_end = static_cast<std::uint32_t>(version.text.size());
  version.text.push_back('.');
  version.text.append(numbers[1]);
  version.minor_end = static_cast<std::uint32_t>(version.text.size());
  version.text.push_back('.');
  version.text.append(numbers[2]);
  version.patch_end = static_cast<std::uint32_t>(version.text.size());
  version.prerelease_end = version.patch_end;

  // Prerelease ('-') then build metadata ('+'): dot-separated non-empty [0-9A-Za-z-] identifiers;
  // only prerelease identifiers are numeric, so only they reject leading zeros.
  for (const char marker : {'-', '+'}) {
    if (pos >= body.size() || body[pos] != marker) {
      continue;
    }
    const bool prerelease = marker == '-';
    const size_t section_start = pos + 1;
    size_t section_end = prerelease ? body.find('+', section_start) : body.size();
    if (section_end == std::string_view::npos) {
      section_end = body.size();
    }
    const std::string_view section = body.substr(section_start, section_end - section_start);
    const char* what = prerelease ? "prerelease" : "build metadata";
    for (size_t id_start = 0;;) {
      const size_t dot = section.find('.', id_start);
      const std::string_view identifier =
          section.substr(id_start, dot == std::string_view::npos ? dot : dot - id_start);
      if (identifier.empty()) {
        return fail(
            Error::parse("{}: invalid version '{}': empty {} identifier", scheme, original, what));
      }
      const auto bad = std::find_if_not(identifier.begin(), identifier.end(), is_identifier_char);
      if (bad != identifier.end()) {
        return fail(Error::parse("{}: invalid version '{}': invalid character '{}' in {}", scheme,
                                 original, *bad, what));
      }
      if (prerelease && identifier.size() > 1 && identifier.front() == '0' &&
          all_digits(identifier)) {
        return fail(Error::parse(
            "{}: invalid version '{}': numeric prerelease identifier '{}' has a leading zero",
            scheme, original, identifier));
      }
      if (dot == std::string_view::npos) {
        break;
      }
      id_start = dot + 1;
    }
    version.text.append(body.substr(pos, section_end - pos));
    if (prerelease) {
      version.prerelease_end = static_cast<std::uint32_t>(version.text.size());
    }
    pos = section_end;
  }
  if (pos != body.size()) {
    return fail(Error::parse("{}: invalid version '{}': unexpected '{}' after {}", scheme, original,
                             body[pos], body.substr(0, pos)));
  }
  return version;
}

// Converts a Go toolchain tag ("go1.21.5", "go1.21", "go1", "go1.21rc2", "go1.9beta1") into the
// semver the Go vulnerability database uses ("1.21.5", "1.21.0", "1.0.0", "1.21.0-rc.2", ...).
Result<SemverVersion> parse_go_tag(std::string_view original) {
  std::string_view rest = original.substr(2);
  std::string numbers[3] = {"", "0", "0"};
  for (size_t part = 0; part < 3; ++part) {
    if (part > 0) {
      if (rest.empty() || rest.front() != '.') {
        break;
      }
      rest.remove_prefix(1);
    }
    size_t len = 0;
    while (len < rest.size() && is_digit(rest[len])) {
      ++len;
    }
    if (len == 0 || (len > 1 && rest.front() == '0')) {
      return fail(Error::parse("go: invalid toolchain version '{}'", original));
    }
    numbers[part] = std::string(rest.substr(0, len));
    rest.remove_prefix(len);
  }
  std::string semver = numbers[0] + "." + numbers[1] + "." + numbers[2];
  for (const std::string_view kind : {"beta", "rc"}) {
    if (rest.substr(0, kind.size()) == kind) {
      rest.remove_prefix(kind.size());
      if (rest.empty() || !all_digits(rest) || (rest.size() > 1 && rest.front() == '0')) {
        return fail(
            Error::parse("go: invalid toolchain version '{}': bad {} number", original, kind));
      }
      semver += fmt::format("-{}.{}", kind, rest);
      rest = {};
    }
  }
  if (!rest.empty()) {
    return fail(Error::parse("go: invalid toolchain version '{}'", original));
  }
  return parse_body("go", original, semver, false);
}

}  // namespace

Result<SemverVersion> parse_semver(std::string_view text) {
  // npm's SemVer constructor trims the input and its strict pattern allows one leading "v".
  std::string_view body = trim(text);
  if (!body.empty() && body.front() == 'v') {
    body.remove_prefix(1);
  }
  return parse_body("semver", text, body, false);
}

Result<SemverVersion> parse_go(std::string_view text) {
  if (text.substr(0, 2) == "go") {
    return parse_go_tag(text);
  }
  std::string_view body = text;
  if (!body.empty() && body.front() == 'v') {
    body.remove_prefix(1);
  }
  return parse_body("go", text, body, true);
}

int compare_semver(const SemverVersion& lhs, const SemverVersion& rhs) {
  if (const int cmp = compare_numbers(lhs.major(), rhs.major()); cmp != 0) {
    return cmp;
  }
  if (const int cmp = compare_numbers(lhs.minor(), rhs.minor()); cmp != 0) {
    return cmp;
  }
  if (const int cmp = compare_numbers(lhs.patch(), rhs.patch()); cmp != 0) {
    return cmp;
  }
  std::string_view left = lhs.prerelease();
  std::string_view right = rhs.prerelease();
  // SemVer 11.3: a version without prerelease has higher precedence.
  if (left.empty() || right.empty()) {
    return left.empty() == right.empty() ? 0 : (left.empty() ? 1 : -1);
  }
  // SemVer 11.4: identifier by identifier; numeric < alphanumeric; a prefix sorts first.
  while (!left.empty() && !right.empty()) {
    const std::string_view a = next_identifier(left);
    const std::string_view b = next_identifier(right);
    const bool a_numeric = all_digits(a);
    const bool b_numeric = all_digits(b);
    int cmp = 0;
    if (a_numeric && b_numeric) {
      cmp = compare_numbers(a, b);
    } else if (a_numeric != b_numeric) {
      cmp = a_numeric ? -1 : 1;
    } else {
      const int raw = a.compare(b);
      cmp = (raw > 0) - (raw < 0);
    }
    if (cmp != 0) {
      return cmp;
    }
  }
  return left.empty() == right.empty() ? 0 : (left.empty() ? -1 : 1);
}

}  // namespace vigil::version
