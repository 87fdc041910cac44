// Fuzzes every version scheme's parser and comparison: input is "A\nB"; whatever the bytes, parse
// must return a value or an error, and compare must be antisymmetric and reflexive.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "version/range.hpp"
#include "version/version.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view lhs = input.substr(0, newline);
  const std::string_view rhs = newline == std::string_view::npos ? lhs : input.substr(newline + 1);
  for (int scheme_idx = 0; scheme_idx <= static_cast<int>(vigil::version::Scheme::kGeneric);
       ++scheme_idx) {
    const auto scheme = static_cast<vigil::version::Scheme>(scheme_idx);
    const auto a = vigil::version::parse(scheme, lhs);
    const auto b = vigil::version::parse(scheme, rhs);
    if (a) {
      if (vigil::version::compare(*a, *a) != 0) {
        std::abort();  // reflexivity
      }
    }
    if (a && b && vigil::version::compare(*a, *b) != -vigil::version::compare(*b, *a)) {
      std::abort();  // antisymmetry
    }
    (void)vigil::version::in_range(scheme, lhs, rhs);
  }
  return 0;
}
