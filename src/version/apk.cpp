#include "version/apk.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

constexpr std::size_t kMaxLength = 65535;

// Token kinds in apk-tools' order; the order matters: a token may only follow kinds before it,
// and when one version runs out first the kinds are compared.
enum class Kind : std::uint8_t {
  kInitialDigit,
  kDigit,
  kLetter,
  kSuffix,
  kSuffixNumber,
  kCommitHash,
  kRevision,
  kEnd,
  kInvalid,
};

// Suffix weights; kNone is what a version without a suffix weighs.
enum class Suffix : std::uint8_t {
  kInvalid,
  kAlpha,
  kBeta,
  kPre,
  kRc,
  kNone,
  kCvs,
  kSvn,
  kGit,
  kHg,
  kP,
};

constexpr std::array<std::pair<std::string_view, Suffix>, 9> kSuffixes{{
    {"alpha", Suffix::kAlpha},
    {"beta", Suffix::kBeta},
    {"pre", Suffix::kPre},
    {"rc", Suffix::kRc},
    {"cvs", Suffix::kCvs},
    {"svn", Suffix::kSvn},
    {"git", Suffix::kGit},
    {"hg", Suffix::kHg},
    {"p", Suffix::kP},
}};

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

Suffix suffix_value(std::string_view word) {
  for (const auto& [name, value] : kSuffixes) {
    if (word == name) {
      return value;
    }
  }
  return Suffix::kInvalid;
}

// Walks a version token by token (apk-tools' token_first / token_next).
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {
    kind_ = Kind::kInitialDigit;
    take_digits();
  }

  Kind kind() const { return kind_; }
  std::string_view value() const { return value_; }
  Suffix suffix() const { return suffix_; }
  // Where the current token starts (for error messages).
  std::size_t position() const { return start_; }

  // Whether the current kDigit token directly follows the letter (the legacy form).
  bool after_letter() const { return after_letter_; }

  void next() {
    start_ = pos_;
    after_letter_ = false;
    if (pos_ == text_.size()) {
      kind_ = Kind::kEnd;
      return;
    }
    const char c = text_[pos_];
    if (is_lower(c)) {
      if (kind_ > Kind::kDigit) {
        return invalid();
      }
      value_ = text_.substr(pos_, 1);
      kind_ = Kind::kLetter;
      ++pos_;
    } else if (c == '.' || is_digit(c)) {
      if (c == '.') {
        if (kind_ > Kind::kDigit) {
          return invalid();
        }
        ++pos_;
      }
      if (kind_ == Kind::kInitialDigit || kind_ == Kind::kDigit) {
        kind_ = Kind::kDigit;
      } else if (kind_ == Kind::kLetter && c != '.') {
        // Legacy: older apk-tools (before the version.c rewrite that added "~hash") read digits
        // right after the letter as a plain number (openssh's "6.6.4p1-r0" in Alpine <= 3.11);
        // current apk-tools rejects them.
        kind_ = Kind::kDigit;
        after_letter_ = true;
      } else if (kind_ == Kind::kSuffix) {
        kind_ = Kind::kSuffixNumber;
      } else {
        return invalid();
      }
      take_digits();
    } else if (c == '_') {
      if (kind_ > Kind::kSuffixNumber) {
        return invalid();
      }
      ++pos_;
      value_ = take_while(is_lower);
      suffix_ = suffix_value(value_);
      if (suffix_ == Suffix::kInvalid) {
        return invalid();
      }
      kind_ = Kind::kSuffix;
    } else if (c == '~') {
      if (kind_ >= Kind::kCommitHash) {
        return invalid();
      }
      ++pos_;
      value_ = take_while(is_hex);
      if (value_.empty()) {
        return invalid();
      }
      kind_ = Kind::kCommitHash;
    } else if (c == '-') {
      if (kind_ >= Kind::kRevision || pos_ + 1 >= text_.size() || text_[pos_ + 1] != 'r') {
        return invalid();
      }
      pos_ += 2;
      kind_ = Kind::kRevision;
      take_digits();
    } else {
      invalid();
    }
  }

 private:
  void invalid() { kind_ = Kind::kInvalid; }

  std::string_view take_while(bool (*accept)(char)) {
    const std::size_t begin = pos_;
    while (pos_ < text_.size() && accept(text_[pos_])) {
      ++pos_;
    }
    return text_.substr(begin, pos_ - begin);
  }

  void take_digits() {
    value_ = take_while(is_digit);
    if (value_.empty()) {
      invalid();
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  Kind kind_ = Kind::kInitialDigit;
  Suffix suffix_ = Suffix::kInvalid;
  bool after_letter_ = false;
  std::string_view value_;
};

int sign(int value) { return value < 0 ? -1 : (value > 0 ? 1 : 0); }

// apk_blob_sort: bytewise, a prefix first.
int compare_strings(std::string_view a, std::string_view b) { return sign(a.compare(b)); }

// token_cmp for two tokens of the same kind.
int compare_tokens(const Tokenizer& a, const Tokenizer& b) {
  switch (a.kind()) {
    case Kind::kDigit:
      // Gentoo rule kept by apk: a leading zero makes the number compare as a string (not for
      // the legacy number after a letter, which old apk-tools always compared numerically).
      if (!a.after_letter() && !b.after_letter() &&
          (a.value().front() == '0' || b.value().front() == '0')) {
        return compare_strings(a.value(), b.value());
      }
      return compare_digit_runs(a.value(), b.value());
    case Kind::kInitialDigit:
    case Kind::kSuffixNumber:
    case Kind::kRevision:
      return compare_digit_runs(a.value(), b.value());
    case Kind::kSuffix:
      return a.suffix() == b.suffix() ? 0 : (a.suffix() < b.suffix() ? -1 : 1);
    case Kind::kLetter:
    case Kind::kCommitHash:
    case Kind::kEnd:
    case Kind::kInvalid:
      break;
  }
  return compare_strings(a.value(), b.value());
}

bool is_pre_release(const Tokenizer& token) {
  return token.kind() == Kind::kSuffix && token.suffix() < Suffix::kNone;
}

}  // namespace

Result<ApkVersion> parse_apk(std::string_view text) {
  if (text.empty()) {
    return fail(Error::parse("apk: version string is empty"));
  }
  if (text.size() > kMaxLength) {
    return fail(Error::parse("apk: version is longer than {} bytes", kMaxLength));
  }
  Tokenizer token(text);
  while (token.kind() < Kind::kEnd) {
    token.next();
  }
  if (token.kind() == Kind::kInvalid) {
    const std::size_t at = token.position();
    return fail(
        Error::parse("apk: invalid version '{}' at offset {} ('{}')", text, at, text.substr(at)));
  }
  ApkVersion version;
  version.text_.assign(text);
  return version;
}

int compare_apk(const ApkVersion& lhs, const ApkVersion& rhs) {
  Tokenizer a(lhs.text());
  Tokenizer b(rhs.text());
  while (a.kind() == b.kind() && a.kind() < Kind::kEnd) {
    const int cmp = compare_tokens(a, b);
    if (cmp != 0) {
      return cmp;
    }
    a.next();
    b.next();
  }
  if (a.kind() == b.kind()) {
    return 0;
  }
  // Equal so far: the longer version is newer unless what it continues with is a pre-release
  // suffix; otherwise the side whose next token kind comes earlier is newer.
  if (is_pre_release(a)) {
    return -1;
  }
  if (is_pre_release(b)) {
    return 1;
  }
  return a.kind() > b.kind() ? -1 : 1;
}

}  // namespace vigil::version
