// Maven versions ordered exactly as Maven 3.9's ComparableVersion does: items split on '.', '-'
// and digit/letter transitions, sub-lists opened by '-' and transitions, trailing "null" items
// trimmed, and qualifiers ordered alpha < beta < milestone < rc = cr < snapshot < "" = ga =
// final = release < sp < unknown qualifiers (lexical).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::version {

// A parsed Maven version, already normalised (lower-cased, aliases resolved, trailing null items
// removed). ComparableVersion builds a tree, but every sub-list it opens becomes the last element
// of the list being filled and is never left again, so the tree is a chain: each list holds
// some items followed by at most one sub-list. `items` stores that chain flat, in order; an
// item of kind kSublist means "the rest of `items` belongs to a list nested one level deeper".
struct MavenVersion {
  enum class Kind : std::uint8_t { kNumber, kQualifier, kSublist };

  struct Item {
    Kind kind = Kind::kNumber;
    // kQualifier: 0..6 for alpha, beta, milestone, rc, snapshot, "" (release), sp; 7 for an
    // unknown qualifier, which is then ordered by its text. kNumber: 0, 1 or 2 for Maven's
    // IntItem, LongItem and BigIntegerItem, which order before the values do.
    std::uint8_t rank = 0;
    // kNumber: the digits without leading zeros ("" for zero); kQualifier with rank 7: the
    // lower-cased text. Offsets into `MavenVersion::text`, so copies stay valid.
    std::uint32_t offset = 0;
    std::uint32_t size = 0;

    friend bool operator==(const Item&, const Item&) = default;
  };

  std::vector<Item> items;
  std::string text;  // backing storage for number digits and unknown qualifiers

  friend bool operator==(const MavenVersion&, const MavenVersion&) = default;
};

// Parses `text` as a Maven version. Maven accepts any string, so this only returns kParse for an
// empty version, one containing ASCII control characters, or one longer than 64 KiB.
// Thread-safe.
[[nodiscard]] Result<MavenVersion> parse_maven(std::string_view text);

// Returns -1, 0 or 1 as `lhs` orders before, equal to or after `rhs`. Numbers of any length
// compare exactly. No allocation, no recursion. Thread-safe.
int compare_maven(const MavenVersion& lhs, const MavenVersion& rhs);

}  // namespace vigil::version
