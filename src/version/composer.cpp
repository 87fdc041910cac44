#include "version/composer.hpp"

#include <algorithm>
#include <limits>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

using Part = ComposerVersion::Part;

// '#' is PHP's name for "any number" among the special forms. php_canonicalize_version() turns it
// into a separator, but osv-scalibr's Packagist comparator (whose table we follow) keeps it as a
// word, so "1.2.3.#" equals both "1.2.3" and "1.2.3.1".
bool is_word_char(char c) { return is_alpha(c) || c == '#'; }

// compare_special_version_forms(): the first special form that prefixes the word wins; PHP
// compares case-sensitively, so "RC" and "rc" are known and "Rc" or "BETA" are not.
std::int8_t word_weight(std::string_view word) {
  if (word.rfind("dev", 0) == 0) {
    return 0;
  }
  switch (word.front()) {
    case 'a':
      return 1;  // "alpha", "a"
    case 'b':
      return 2;  // "beta", "b"
    case '#':
      return ComposerVersion::kNumberWeight;
    case 'p':
      return 5;  // "pl", "p", and so "patch"
    default:
      break;
  }
  if (word.rfind("RC", 0) == 0 || word.rfind("rc", 0) == 0) {
    return 3;
  }
  return -1;
}

int sign(int value) { return value < 0 ? -1 : (value > 0 ? 1 : 0); }

std::string_view digits_of(const ComposerVersion& version, const Part& part) {
  return std::string_view(version.text).substr(part.offset, part.size);
}

int compare_parts(const ComposerVersion& lhs, const Part& left, const ComposerVersion& rhs,
                  const Part& right) {
  if (left.numeric && right.numeric) {
    if (left.size != right.size) {
      return left.size < right.size ? -1 : 1;
    }
    return sign(digits_of(lhs, left).compare(digits_of(rhs, right)));
  }
  // Words by weight; a number weighs as "#" against a word.
  return sign(left.weight - right.weight);
}

// The parts of the longer version past the end of the shorter one, seen from the longer side:
// a number makes it greater, a word is weighed against "#" (PHP recurses with "#N#").
int compare_rest(const std::vector<Part>& rest, size_t from) {
  for (size_t idx = from; idx < rest.size(); ++idx) {
    if (rest[idx].numeric) {
      return 1;
    }
    const int result = sign(rest[idx].weight - ComposerVersion::kNumberWeight);
    if (result != 0) {
      return result;
    }
  }
  return 0;
}

}  // namespace

Result<ComposerVersion> parse_composer(std::string_view text) {
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    return fail(Error::parse("composer: version of {} bytes is too long", text.size()));
  }
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return fail(Error::parse("composer: control character 0x{:02x} in version", byte));
    }
  }
  std::string_view rest = text;
  // composer/semver accepts one "v" before a numeric version; Packagist tags often carry it.
  if (rest.size() >= 2 && (rest[0] == 'v' || rest[0] == 'V') && is_digit(rest[1])) {
    rest.remove_prefix(1);
  }

  ComposerVersion version;
  size_t pos = 0;
  while (pos < rest.size()) {
    const char c = rest[pos];
    if (is_digit(c)) {
      size_t end = pos;
      while (end < rest.size() && is_digit(rest[end])) {
        ++end;
      }
      std::string_view digits = rest.substr(pos, end - pos);
      while (!digits.empty() && digits.front() == '0') {
        digits.remove_prefix(1);
      }
      version.parts.push_back({ComposerVersion::kNumberWeight, true,
                               static_cast<std::uint32_t>(version.text.size()),
                               static_cast<std::uint32_t>(digits.size())});
      version.text.append(digits);
      pos = end;
    } else if (is_word_char(c)) {
      size_t end = pos;
      while (end < rest.size() && is_word_char(rest[end])) {
        ++end;
      }
      version.parts.push_back({word_weight(rest.substr(pos, end - pos)), false, 0, 0});
      pos = end;
    } else {
      // '.', '-', '_', '+' and every other byte only separate parts; runs collapse.
      ++pos;
    }
  }
  if (version.parts.empty()) {
    return fail(Error::parse("composer: version '{}' has no letters or digits", text));
  }
  return version;
}

int compare_composer(const ComposerVersion& lhs, const ComposerVersion& rhs) {
  const size_t common = std::min(lhs.parts.size(), rhs.parts.size());
  for (size_t idx = 0; idx < common; ++idx) {
    const int result = compare_parts(lhs, lhs.parts[idx], rhs, rhs.parts[idx]);
    if (result != 0) {
      return result;
    }
  }
  if (lhs.parts.size() > common) {
    return compare_rest(lhs.parts, common);
  }
  if (rhs.parts.size() > common) {
    return -compare_rest(rhs.parts, common);
  }
  return 0;
}

}  // namespace vigil::version
