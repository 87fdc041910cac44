#include "version/generic.hpp"

#include "core/strings.hpp"

namespace vigil::version {

Result<GenericVersion> parse_generic(std::string_view text) {
  GenericVersion version;
  size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (is_digit(c)) {
      size_t end = pos;
      while (end < text.size() && is_digit(text[end])) {
        ++end;
      }
      std::string_view digits = text.substr(pos, end - pos);
      while (digits.size() > 1 && digits.front() == '0') {
        digits.remove_prefix(1);
      }
      version.tokens.push_back({true, std::string(digits)});
      pos = end;
    } else if (is_alpha(c)) {
      size_t end = pos;
      while (end < text.size() && is_alpha(text[end])) {
        ++end;
      }
      version.tokens.push_back({false, to_lower(text.substr(pos, end - pos))});
      pos = end;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return fail(Error::parse("generic: control character in version '{}'", text));
    } else {
      ++pos;
    }
  }
  if (version.tokens.empty()) {
    return fail(Error::parse("generic: version '{}' has no letters or digits", text));
  }
  return version;
}

int compare_generic(const GenericVersion& lhs, const GenericVersion& rhs) {
  const size_t common = std::min(lhs.tokens.size(), rhs.tokens.size());
  for (size_t idx = 0; idx < common; ++idx) {
    const auto& a = lhs.tokens[idx];
    const auto& b = rhs.tokens[idx];
    if (a.numeric != b.numeric) {
      return a.numeric ? 1 : -1;
    }
    const int cmp = a.numeric ? compare_digit_runs(a.text, b.text) : a.text.compare(b.text);
    if (cmp != 0) {
      return cmp < 0 ? -1 : 1;
    }
  }
  if (lhs.tokens.size() == rhs.tokens.size()) {
    return 0;
  }
  return lhs.tokens.size() < rhs.tokens.size() ? -1 : 1;
}

}  // namespace vigil::version
