#include "version/pep440.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

// Longer inputs are rejected so the spans always fit in 32 bits.
constexpr std::size_t kMaxLength = 65536;

// What `\s` matches for ASCII in a Python str pattern (str.isspace(): also \x1c-\x1f).
bool is_python_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

bool is_separator(char c) { return c == '-' || c == '_' || c == '.'; }

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c); });
}

std::string_view digits_at(std::string_view text, size_t pos) {
  size_t end = pos;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  return text.substr(pos, end - pos);
}

// Appends `digits` as Python's int() would print it (no leading zeros) and returns its span.
Pep440Span append_number(std::string& out, std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  const auto begin = static_cast<std::uint32_t>(out.size());
  out.append(digits.empty() ? std::string_view("0") : digits);
  return {begin, static_cast<std::uint32_t>(out.size())};
}

struct Word {
  std::string_view spelling;
  Pep440Phase phase;
};

// The regex alternatives, longest first where one spelling is a prefix of another: the regex
// backtracks into the longer one, because nothing may follow "a", "b" or "pre" that would let
// the shorter spelling match ("lpha", "eta", "view").
constexpr std::array<Word, 8> kPreWords{{
    {"alpha", Pep440Phase::kAlpha},
    {"a", Pep440Phase::kAlpha},
    {"beta", Pep440Phase::kBeta},
    {"b", Pep440Phase::kBeta},
    {"preview", Pep440Phase::kRc},
    {"pre", Pep440Phase::kRc},
    {"rc", Pep440Phase::kRc},
    {"c", Pep440Phase::kRc},
}};
constexpr std::array<Word, 3> kPostWords{{
    {"post", Pep440Phase::kNone},
    {"rev", Pep440Phase::kNone},
    {"r", Pep440Phase::kNone},
}};
constexpr std::array<Word, 1> kDevWords{{{"dev", Pep440Phase::kNone}}};

struct LetterPart {
  bool found = false;
  Pep440Phase phase = Pep440Phase::kNone;
  std::string_view number;  // empty when the number was omitted (it is then 0)
  size_t end = 0;           // position after the part
};

// Matches `[-_.]?WORD[-_.]?[0-9]*` at `pos`, the shape of packaging's pre, post and dev parts.
// Each optional separator is taken when present: the regex is greedy, and giving a separator
// back never lets a later part match where it otherwise could not.
template <size_t N>
LetterPart match_letter_part(std::string_view text, size_t pos, const std::array<Word, N>& words) {
  size_t cursor = pos;
  if (cursor < text.size() && is_separator(text[cursor])) {
    ++cursor;
  }
  for (const Word& word : words) {
    if (!starts_with_ci(text.substr(cursor), word.spelling)) {
      continue;
    }
    cursor += word.spelling.size();
    if (cursor < text.size() && is_separator(text[cursor])) {
      ++cursor;
    }
    const std::string_view number = digits_at(text, cursor);
    return {true, word.phase, number, cursor + number.size()};
  }
  return {};
}

std::string_view phase_spelling(Pep440Phase phase) {
  switch (phase) {
    case Pep440Phase::kAlpha:
      return "a";
    case Pep440Phase::kBeta:
      return "b";
    case Pep440Phase::kRc:
      return "rc";
    case Pep440Phase::kNone:
      break;
  }
  return "";
}

std::string_view view(const Pep440Version& version, Pep440Span span) {
  return std::string_view(version.text).substr(span.begin, span.end - span.begin);
}

// Compares two digit runs without leading zeros.
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

// packaging's _cmpkey maps the pre-release to -Infinity for a dev-only release, +Infinity for
// none at all, and the (phase, number) tuple otherwise; this is that order as a rank.
int pre_rank(const Pep440Version& version) {
  if (version.phase != Pep440Phase::kNone) {
    return static_cast<int>(version.phase);
  }
  return version.post.empty() && !version.dev.empty() ? 0 : 4;
}

}  // namespace

Result<Pep440Version> parse_pep440(std::string_view text) {
  if (text.size() > kMaxLength) {
    return fail(Error::parse("pep440: version is longer than {} characters", kMaxLength));
  }
  std::string_view s = text;
  while (!s.empty() && is_python_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_python_space(s.back())) {
    s.remove_suffix(1);
  }
  if (s.empty()) {
    return fail(Error::parse("pep440: empty version"));
  }
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return fail(Error::parse("pep440: invalid version '{}': non-ASCII character", text));
  }

  Pep440Version version;
  std::string& out = version.text;
  out.reserve(s.size() + 8);
  size_t pos = 0;
  if (s[pos] == 'v' || s[pos] == 'V') {
    ++pos;
  }
  std::string_view number = digits_at(s, pos);
  pos += number.size();
  if (pos < s.size() && s[pos] == '!' && !number.empty()) {
    if (!std::all_of(number.begin(), number.end(), [](char c) { return c == '0'; })) {
      version.epoch = append_number(out, number);
      out.push_back('!');
    }
    ++pos;
    number = digits_at(s, pos);
    pos += number.size();
  }
  if (number.empty()) {
    return fail(Error::parse("pep440: invalid version '{}': expected a release number", text));
  }
  const auto release_begin = static_cast<std::uint32_t>(out.size());
  append_number(out, number);
  while (pos + 1 < s.size() && s[pos] == '.' && is_digit(s[pos + 1])) {
    out.push_back('.');
    number = digits_at(s, pos + 1);
    append_number(out, number);
    pos += 1 + number.size();
  }
  version.release = {release_begin, static_cast<std::uint32_t>(out.size())};

  if (const LetterPart pre = match_letter_part(s, pos, kPreWords); pre.found) {
    version.phase = pre.phase;
    out.append(phase_spelling(pre.phase));
    version.pre = append_number(out, pre.number);
    pos = pre.end;
  }
  // The implicit post-release "-N" is tried before the spelled-out one, as in the regex.
  if (pos + 1 < s.size() && s[pos] == '-' && is_digit(s[pos + 1])) {
    number = digits_at(s, pos + 1);
    out.append(".post");
    version.post = append_number(out, number);
    pos += 1 + number.size();
  } else if (const LetterPart post = match_letter_part(s, pos, kPostWords); post.found) {
    out.append(".post");
    version.post = append_number(out, post.number);
    pos = post.end;
  }
  if (const LetterPart dev = match_letter_part(s, pos, kDevWords); dev.found) {
    out.append(".dev");
    version.dev = append_number(out, dev.number);
    pos = dev.end;
  }
  if (pos < s.size() && s[pos] == '+') {
    ++pos;
    out.push_back('+');
    const auto local_begin = static_cast<std::uint32_t>(out.size());
    for (;;) {
      size_t end = pos;
      while (end < s.size() && is_alnum(s[end])) {
        ++end;
      }
      const std::string_view segment = s.substr(pos, end - pos);
      if (segment.empty()) {
        return fail(
            Error::parse("pep440: invalid version '{}': empty local version segment", text));
      }
      if (all_digits(segment)) {
        append_number(out, segment);
      } else {
        std::transform(segment.begin(), segment.end(), std::back_inserter(out),
                       [](char c) { return to_lower(c); });
      }
      pos = end;
      if (pos + 1 < s.size() && is_separator(s[pos]) && is_alnum(s[pos + 1])) {
        out.push_back('.');
        ++pos;
        continue;
      }
      break;
    }
    version.local = {local_begin, static_cast<std::uint32_t>(out.size())};
  }
  if (pos != s.size()) {
    return fail(Error::parse("pep440: invalid version '{}': unexpected '{}' after '{}'", text,
                             s[pos], s.substr(0, pos)));
  }
  return version;
}

int compare_pep440(const Pep440Version& lhs, const Pep440Version& rhs) {
  const auto epoch_of = [](const Pep440Version& v) {
    return v.epoch.empty() ? std::string_view("0") : view(v, v.epoch);
  };
  if (const int cmp = compare_numbers(epoch_of(lhs), epoch_of(rhs)); cmp != 0) {
    return cmp;
  }
  // Trailing zeros are stripped before comparing, which is the same as padding with zeros.
  std::string_view left = view(lhs, lhs.release);
  std::string_view right = view(rhs, rhs.release);
  while (!left.empty() || !right.empty()) {
    const std::string_view a = left.empty() ? std::string_view("0") : next_segment(left);
    const std::string_view b = right.empty() ? std::string_view("0") : next_segment(right);
    if (const int cmp = compare_numbers(a, b); cmp != 0) {
      return cmp;
    }
  }
  const int left_rank = pre_rank(lhs);
  const int right_rank = pre_rank(rhs);
  if (left_rank != right_rank) {
    return left_rank < right_rank ? -1 : 1;
  }
  if (lhs.phase != Pep440Phase::kNone) {
    if (const int cmp = compare_numbers(view(lhs, lhs.pre), view(rhs, rhs.pre)); cmp != 0) {
      return cmp;
    }
  }
  // No post-release sorts first; no dev-release sorts last.
  if (lhs.post.empty() != rhs.post.empty()) {
    return lhs.post.empty() ? -1 : 1;
  }
  if (!lhs.post.empty()) {
    if (const int cmp = compare_numbers(view(lhs, lhs.post), view(rhs, rhs.post)); cmp != 0) {
      return cmp;
    }
  }
  if (lhs.dev.empty() != rhs.dev.empty()) {
    return lhs.dev.empty() ? 1 : -1;
  }
  if (!lhs.dev.empty()) {
    if (const int cmp = compare_numbers(view(lhs, lhs.dev), view(rhs, rhs.dev)); cmp != 0) {
      return cmp;
    }
  }
  if (lhs.local.empty() != rhs.local.empty()) {
    return lhs.local.empty() ? -1 : 1;
  }
  // Local segments: numbers compare numerically and after strings, strings as text; when one
  // list is a prefix of the other, the shorter sorts first.
  left = view(lhs, lhs.local);
  right = view(rhs, rhs.local);
  while (!left.empty() && !right.empty()) {
    const std::string_view a = next_segment(left);
    const std::string_view b = next_segment(right);
    const bool a_numeric = all_digits(a);
    const bool b_numeric = all_digits(b);
    int cmp = 0;
    if (a_numeric && b_numeric) {
      cmp = compare_numbers(a, b);
    } else if (a_numeric != b_numeric) {
      cmp = a_numeric ? 1 : -1;
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
