#include "version/maven.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

using Kind = MavenVersion::Kind;

// ComparableVersion.StringItem.QUALIFIERS; an item's rank is its index here.
constexpr std::array<std::string_view, 7> kQualifiers = {"alpha",    "beta", "milestone", "rc",
                                                         "snapshot", "",     "sp"};
constexpr std::uint8_t kReleaseRank = 5;
constexpr std::uint8_t kUnknownRank = 7;

// One parsed item before normalisation; `text` points into the lower-cased input.
struct Token {
  Kind kind = Kind::kNumber;
  std::uint8_t rank = 0;
  std::string_view text;
};

constexpr Token kSublistToken{Kind::kSublist, 0, {}};

std::uint8_t qualifier_rank(std::string_view qualifier) {
  // Maven 3.9 aliases: ga, final and release are the release qualifier "", cr is rc.
  if (qualifier == "ga" || qualifier == "final" || qualifier == "release") {
    return kReleaseRank;
  }
  if (qualifier == "cr") {
    return 3;
  }
  for (size_t idx = 0; idx < kQualifiers.size(); ++idx) {
    if (kQualifiers[idx] == qualifier) {
      return static_cast<std::uint8_t>(idx);
    }
  }
  return kUnknownRank;
}

// parseItem(): Maven 3.9 strips leading zeros and then picks IntItem (up to 9 digits), LongItem
// (up to 18) or BigIntegerItem, and orders those classes before values. A run of zeros only
// keeps its full length (stripLeadingZeroes returns it unchanged), so "0000000000" is a LongItem
// 0 that sorts after IntItem 5. The class goes in `rank`; the value is the stripped digits.
Token make_number(std::string_view digits) {
  const size_t original_size = digits.size();
  while (!digits.empty() && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  const size_t class_size = digits.empty() ? original_size : digits.size();
  const std::uint8_t width_class = class_size <= 9 ? 0 : (class_size <= 18 ? 1 : 2);
  return {Kind::kNumber, width_class, digits};
}

// StringItem(value, followedByDigit): "a1", "b1" and "m1" stand for alpha-1, beta-1 and
// milestone-1, but only when the single letter is directly followed by a digit.
Token make_qualifier(std::string_view text, bool followed_by_digit) {
  if (followed_by_digit && text.size() == 1) {
    switch (text.front()) {
      case 'a':
        return {Kind::kQualifier, 0, text};
      case 'b':
        return {Kind::kQualifier, 1, text};
      case 'm':
        return {Kind::kQualifier, 2, text};
      default:
        break;
    }
  }
  return {Kind::kQualifier, qualifier_rank(text), text};
}

Token make_item(bool digits, std::string_view text) {
  return digits ? make_number(text) : make_qualifier(text, false);
}

// Item.isNull(): 0 and the release qualifier ("", ga, final, release) are trimmed when trailing.
bool is_null(const Token& token) {
  return (token.kind == Kind::kNumber && token.text.empty()) ||
         (token.kind == Kind::kQualifier && token.rank == kReleaseRank);
}

// ComparableVersion.parseVersion (Maven 3.9), appending to a flat chain where kSublist marks
// "list.add(list = new ListItem())".
std::vector<Token> tokenize(std::string_view lowered) {
  std::vector<Token> tokens;
  // The current list is the one after the last kSublist marker (or the root).
  size_t current_begin = 0;
  const auto open_sublist = [&] {
    tokens.push_back(kSublistToken);
    current_begin = tokens.size();
  };
  const auto current_empty = [&] { return tokens.size() == current_begin; };

  bool in_digits = false;
  size_t start = 0;
  for (size_t idx = 0; idx < lowered.size(); ++idx) {
    const char c = lowered[idx];
    if (c == '.' || c == '-') {
      // An empty item ("1..2", "-1") counts as the number 0.
      tokens.push_back(idx == start ? Token{}
                                    : make_item(in_digits, lowered.substr(start, idx - start)));
      start = idx + 1;
      if (c == '-') {
        open_sublist();
      }
    } else if (is_digit(c)) {
      if (!in_digits && idx > start) {
        // MNG-7644: "1.0.0.X1" < "1.0.0-X2"; a qualifier followed by digits starts a sub-list
        // like '-X' would.
        if (!current_empty()) {
          open_sublist();
        }
        tokens.push_back(make_qualifier(lowered.substr(start, idx - start), true));
        start = idx;
        open_sublist();
      }
      in_digits = true;
    } else {
      if (in_digits && idx > start) {
        tokens.push_back(make_number(lowered.substr(start, idx - start)));
        start = idx;
        open_sublist();
      }
      in_digits = false;
    }
  }
  if (lowered.size() > start) {
    // A trailing ".X" is treated as "-X" (MNG-7644).
    if (!in_digits && !current_empty()) {
      open_sublist();
    }
    tokens.push_back(make_item(in_digits, lowered.substr(start)));
  }
  return tokens;
}

// ListItem.normalize() on every list, deepest first: trailing null items are removed from each
// list; a list left empty is itself null and disappears from its parent.
MavenVersion normalize(const std::vector<Token>& tokens) {
  // levels[k] = [begin, end) of the k-th list's own items in `tokens`.
  std::vector<std::pair<size_t, size_t>> levels;
  size_t begin = 0;
  for (size_t idx = 0; idx < tokens.size(); ++idx) {
    if (tokens[idx].kind == Kind::kSublist) {
      levels.emplace_back(begin, idx);
      begin = idx + 1;
    }
  }
  levels.emplace_back(begin, tokens.size());

  // Trim each level and find the deepest list that is still non-empty.
  size_t keep_levels = 0;  // levels [0, keep_levels) survive
  for (size_t level = levels.size(); level-- > 0;) {
    auto& [first, last] = levels[level];
    while (last > first && is_null(tokens[last - 1])) {
      --last;
    }
    if (keep_levels == 0 && last > first) {
      keep_levels = level + 1;
    }
  }

  MavenVersion version;
  for (size_t level = 0; level < keep_levels; ++level) {
    if (level > 0) {
      version.items.push_back({Kind::kSublist, 0, 0, 0});
    }
    for (size_t idx = levels[level].first; idx < levels[level].second; ++idx) {
      const Token& token = tokens[idx];
      MavenVersion::Item item{token.kind, token.rank, 0, 0};
      const bool keeps_text = token.kind == Kind::kNumber || token.rank == kUnknownRank;
      if (keeps_text) {
        item.offset = static_cast<std::uint32_t>(version.text.size());
        item.size = static_cast<std::uint32_t>(token.text.size());
        version.text.append(token.text);
      }
      version.items.push_back(item);
    }
  }
  return version;
}

std::string_view text_of(const MavenVersion& version, const MavenVersion::Item& item) {
  return std::string_view(version.text).substr(item.offset, item.size);
}

int sign(int value) { return value < 0 ? -1 : (value > 0 ? 1 : 0); }

// Item.compareTo(null): a number is greater unless zero; a qualifier compares with "".
int compare_with_null(const MavenVersion::Item& item) {
  if (item.kind == Kind::kNumber) {
    return item.size == 0 ? 0 : 1;
  }
  return item.rank == kReleaseRank ? 0 : (item.rank < kReleaseRank ? -1 : 1);
}

// Two non-list items: numbers by value, qualifiers by rank then text, and a number sorts after
// a qualifier ("1.1" > "1.sp").
int compare_items(const MavenVersion& lhs, const MavenVersion::Item& left, const MavenVersion& rhs,
                  const MavenVersion::Item& right) {
  if (left.kind != right.kind) {
    return left.kind == Kind::kNumber ? 1 : -1;
  }
  if (left.kind == Kind::kNumber) {
    if (left.rank != right.rank) {
      return left.rank < right.rank ? -1 : 1;  // IntItem < LongItem < BigIntegerItem
    }
    // Leading zeros are stripped at parse time, so length decides before the digits do.
    if (left.size != right.size) {
      return left.size < right.size ? -1 : 1;
    }
    return sign(text_of(lhs, left).compare(text_of(rhs, right)));
  }
  if (left.rank != right.rank) {
    return left.rank < right.rank ? -1 : 1;
  }
  return left.rank == kUnknownRank ? sign(text_of(lhs, left).compare(text_of(rhs, right))) : 0;
}

}  // namespace

Result<MavenVersion> parse_maven(std::string_view text) {
  if (text.empty()) {
    return fail(Error::parse("maven: empty version"));
  }
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    return fail(Error::parse("maven: version of {} bytes is too long", text.size()));
  }
  std::string lowered(text);
  for (char& c : lowered) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return fail(Error::parse("maven: control character 0x{:02x} in version", byte));
    }
    // Java lower-cases with Locale.ENGLISH and Character.isDigit() also accepts non-ASCII
    // digits; here only ASCII letters are folded and only ASCII digits are digits, so other
    // bytes are kept as they are and can only ever be part of an unknown qualifier.
    c = to_lower(c);
  }
  return normalize(tokenize(lowered));
}

int compare_maven(const MavenVersion& lhs, const MavenVersion& rhs) {
  // ListItem.compareTo walked over the flat chain. Every sub-list is the last element of its
  // parent, so when both sides reach a sub-list their comparison is the parents' result, and a
  // side that runs out behaves as null: each remaining item is compared with null (MNG-6964).
  size_t left_idx = 0;
  size_t right_idx = 0;
  const size_t left_size = lhs.items.size();
  const size_t right_size = rhs.items.size();
  while (left_idx < left_size || right_idx < right_size) {
    const MavenVersion::Item* left = left_idx < left_size ? &lhs.items[left_idx] : nullptr;
    const MavenVersion::Item* right = right_idx < right_size ? &rhs.items[right_idx] : nullptr;
    int result = 0;
    if (left != nullptr && right != nullptr) {
      const bool left_list = left->kind == Kind::kSublist;
      const bool right_list = right->kind == Kind::kSublist;
      if (left_list != right_list) {
        // "1-1" < "1.1" but "1-1" > "1-sp": a list sorts below a number, above a qualifier.
        const MavenVersion::Item& item = left_list ? *right : *left;
        const int item_vs_list = item.kind == Kind::kNumber ? 1 : -1;
        return left_list ? -item_vs_list : item_vs_list;
      }
      if (!left_list) {
        result = compare_items(lhs, *left, rhs, *right);
      }
      ++left_idx;
      ++right_idx;
    } else if (left != nullptr) {
      result = left->kind == Kind::kSublist ? 0 : compare_with_null(*left);
      ++left_idx;
    } else {
      result = right->kind == Kind::kSublist ? 0 : -compare_with_null(*right);
      ++right_idx;
    }
    if (result != 0) {
      return result;
    }
  }
  return 0;
}

}  // namespace vigil::version
