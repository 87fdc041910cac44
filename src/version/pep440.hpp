// PEP 440 versions (PyPI): epochs, pre/post/dev releases, local versions, normalisation.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// A pre-parsed pep440 version. Placeholder representation: replace with the parsed parts.
struct Pep440Version {
  std::string text;

  friend bool operator==(const Pep440Version&, const Pep440Version&) = default;
};

// Parses `text` as a pep440 version. Returns kParse naming the problem for an invalid version.
[[nodiscard]] Result<Pep440Version> parse_pep440(std::string_view text);

// Returns -1, 0 or 1. No allocation.
int compare_pep440(const Pep440Version& lhs, const Pep440Version& rhs);

}  // namespace vigil::version
