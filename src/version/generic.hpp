// The fallback ordering for ecosystems without a scheme of their own: alternating runs of digits
// (compared as unbounded integers) and letters (compared as text); separators only split runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::version {

struct GenericVersion {
  struct Token {
    bool numeric = false;
    std::string text;  // digits without leading zeros, or letters

    friend bool operator==(const Token&, const Token&) = default;
  };
  std::vector<Token> tokens;

  friend bool operator==(const GenericVersion&, const GenericVersion&) = default;
};

// Parses `text`; returns kParse for an empty version or one with no letters or digits.
[[nodiscard]] Result<GenericVersion> parse_generic(std::string_view text);

// Token by token: a number beats text at the same position ("1.0.1" > "1.0.a"), a longer version
// beats its prefix ("1.0.1" > "1.0"). Returns -1, 0 or 1.
int compare_generic(const GenericVersion& lhs, const GenericVersion& rhs);

}  // namespace vigil::version
