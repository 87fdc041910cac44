// Composer (Packagist) versions. composer/semver's Comparator orders versions with PHP's
// version_compare(), and OSV's Packagist ranges are evaluated the same way, so this is
// version_compare() on the version with its "v"/"V" prefix removed: the string is cut into
// numbers and words at '.', '-', '_', '+', any other punctuation and at every digit/letter
// change ("1.0.0-RC1" -> 1 0 0 RC 1), and compared part by part.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::version {

// A parsed Composer version: its parts in order.
struct ComposerVersion {
  struct Part {
    // For a word, the PHP special-form weight: -1 unknown word, 0 "dev", 1 "alpha"/"a",
    // 2 "beta"/"b", 3 "RC"/"rc", 4 "#" (also the weight of any number), 5 "pl"/"p"/"patch".
    // Words are matched by prefix and case-sensitively, as PHP does ("Beta" is unknown,
    // "patch" is "p"). For a number, kNumberWeight.
    std::int8_t weight = 0;
    bool numeric = false;
    // A number's digits without leading zeros ("" for zero): offsets into `text`.
    std::uint32_t offset = 0;
    std::uint32_t size = 0;

    friend bool operator==(const Part&, const Part&) = default;
  };
  static constexpr std::int8_t kNumberWeight = 4;

  std::vector<Part> parts;
  std::string text;  // backing storage for the digits of numeric parts

  friend bool operator==(const ComposerVersion&, const ComposerVersion&) = default;
};

// Parses `text` as a Composer version: an optional "v"/"V" prefix, then numbers and words in any
// arrangement ("1.2.3", "v2.0.0-beta.1", "1.0.0RC2", "dev-main", "4.3-2pl1"). Returns kParse for
// an empty version, one with ASCII control characters, or one with no letter or digit.
// Thread-safe.
[[nodiscard]] Result<ComposerVersion> parse_composer(std::string_view text);

// Returns -1, 0 or 1 like PHP's version_compare(): numbers by value (any length), words by
// weight, a number against a word as "#" against the word; when one side runs out, a further
// number makes the longer side greater ("1.0.0" > "1.0") and a further word is weighed against
// "#" ("1.0-dev" < "1.0" < "1.0pl1"). No allocation. Thread-safe.
int compare_composer(const ComposerVersion& lhs, const ComposerVersion& rhs);

}  // namespace vigil::version
