// PEP 440 versions (PyPI), parsed, normalised and ordered exactly as `packaging.version.Version`
// (python3-packaging 23): epochs, release segments, pre/post/dev releases, local versions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::version {

// The pre-release phase of a PEP 440 version; the order of the enumerators is their precedence.
enum class Pep440Phase : std::uint8_t {
  kNone,   // no pre-release
  kAlpha,  // "a" (also spelt "alpha")
  kBeta,   // "b" (also "beta")
  kRc,     // "rc" (also "c", "pre", "preview")
};

// A half-open byte range [begin, end) of Pep440Version::text; empty means "absent".
struct Pep440Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  bool empty() const { return begin == end; }
  friend bool operator==(const Pep440Span&, const Pep440Span&) = default;
};

// A parsed PEP 440 version. `text` is the normalised form packaging's str(Version) prints
// ("1!2.0rc1.post3.dev4+ubuntu.1": epoch only when non-zero, numbers without leading zeros,
// spellings and separators normalised, local segments lower-cased); the spans locate the digit
// runs of each part in it, so comparing never re-parses or allocates. Numbers have no length limit.
struct Pep440Version {
  std::string text;
  Pep440Span epoch;    // digits; empty when the epoch is 0
  Pep440Span release;  // "1.2.3"
  Pep440Phase phase = Pep440Phase::kNone;
  Pep440Span pre;    // pre-release number; empty when phase is kNone
  Pep440Span post;   // post-release number; empty when there is none
  Pep440Span dev;    // dev-release number; empty when there is none
  Pep440Span local;  // "ubuntu.1" after '+'; empty when there is none

  friend bool operator==(const Pep440Version&, const Pep440Version&) = default;
};

// Parses `text` with packaging's grammar: optional surrounding white space and "v"; case-
// insensitive; "N!" epoch; release "N(.N)*"; pre-release a/alpha, b/beta, c/rc/pre/preview;
// post-release post/rev/r or the implicit "-N"; dev; '-', '_' and '.' separators where packaging
// allows them, a missing number meaning 0; "+local" of [a-z0-9] segments split on [-_.].
// Legacy versions ("0.1-bulbasaur", "1.0.x") are kParse errors as in packaging >= 22. Deliberately
// unlike packaging, non-ASCII bytes are rejected (Python's Unicode case folding would let
// U+017F "ſ" spell "s", for example). Thread-safe; allocates the normalised text.
[[nodiscard]] Result<Pep440Version> parse_pep440(std::string_view text);

// Returns -1, 0 or 1 in packaging's order: epoch; release with trailing zeros ignored (1.0 ==
// 1.0.0); a dev-only release before its pre-releases (a < b < rc), those before the release,
// which comes before its post-releases; a dev release before its non-dev counterpart; no local
// version before any local version, local segments compared numerically when both are digits,
// a number after a string, a shorter list first. No allocation; thread-safe.
int compare_pep440(const Pep440Version& lhs, const Pep440Version& rhs);

}  // namespace vigil::version
