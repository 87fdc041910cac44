#include "version/composer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

struct OrderCase {
  const char* lhs;
  const char* rhs;
  int want;
};

// Returns compare_composer of the two parsed strings, or 2 (never a valid result) on error.
int cmp(const std::string& lhs, const std::string& rhs) {
  const auto left = parse_composer(lhs);
  const auto right = parse_composer(rhs);
  if (!left || !right) {
    ADD_FAILURE() << "failed to parse '" << lhs << "' or '" << rhs << "'";
    return 2;
  }
  return compare_composer(*left, *right);
}

void expect_cases(const std::vector<OrderCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(cmp(c.lhs, c.rhs), c.want) << c.lhs << " vs " << c.rhs;
    EXPECT_EQ(cmp(c.rhs, c.lhs), -c.want) << c.rhs << " vs " << c.lhs;
  }
}

TEST(ComposerVersionTest, OrdersStabilitySuffixes) {
  expect_cases({
      {"1.0-dev", "1.0-alpha", -1},
      {"1.0-alpha", "1.0-beta", -1},
      {"1.0-beta", "1.0-RC", -1},
      {"1.0-RC", "1.0", -1},
      {"1.0", "1.0-patch", -1},
      {"1.0-dev", "1.0", -1},
      {"1.0a1", "1.0alpha1", 0},
      {"1.0b1", "1.0-beta.1", 0},
      {"1.0RC1", "1.0rc1", 0},
      {"1.0-patch1", "1.0pl1", 0},
      {"1.0-p2", "1.0-pl1", 1},
      {"4.3-2RC1", "4.3-2RC2", -1},
      {"4.3-2", "4.3-2beta1", 1},
      {"1.25.0-beta2.1", "1.25.0-b.2.1", 0},
  });
}

TEST(ComposerVersionTest, FollowsVersionCompareOnLengthAndSeparators) {
  expect_cases({
      {"1.0.0", "1.0", 1},      // a further number makes the longer version greater
      {"1.0.0-dev", "1.0", 1},  // ... and decides before the "dev" after it is looked at
      {"1.0-dev", "1.0", -1},   // a further word is weighed against "#"
      {"1.0.0rc2", "1.0.0.rc2", 0},
      {"1_0", "1.0", 0},
      {"1+1", "1.1", 0},
      {"1..2", "1.2", 0},
      {"1.01", "1.1", 0},
      {"1.10", "1.9", 1},
      {"v1.0.0", "1.0.0", 0},
      {"V1.0.0", "v1.0.0", 0},
      {"V1.0.0", "1.2.3", -1},
  });
}

TEST(ComposerVersionTest, MatchesPhpSpecialFormsCaseSensitively) {
  expect_cases({
      // PHP knows "RC" and "rc" only; other spellings are unknown words, weighed below "dev".
      {"1.0-foo", "1.0-dev", -1},
      {"1.0-BETA1", "1.0-ALPHA2", -1},
      {"1.9.0-ALPHA.1", "1.9.0-BETA.1", 0},
      {"1.0-Rc1", "1.0-dev", -1},
      // Prefix matching: "post" is a "p", "bedrock" a "b".
      {"1.0.post1", "1.0.pl1", 0},
      {"1.0+bedrock", "1.0-beta", 0},
  });
}

TEST(ComposerVersionTest, BranchesAndPlaceholders) {
  expect_cases({
      {"dev-foo", "1.26.0", -1},
      {"dev-master", "0.0.1", -1},
      {"1.2.3.#", "1.2.3", 0},
      {"1.2.3.#", "1.2.3.1", 0},
      {"1.2.3.#.1", "1.2.3", 1},
      {"1.2.3.#.beta", "1.2.3", -1},
  });
}

TEST(ComposerVersionTest, ComparesNumbersOfAnyLength) {
  expect_cases({
      {"999999999999999999999999999991", "999999999999999999999999999999", -1},
      {"1.99999999999999999999", "1.100000000000000000000", -1},
      {"2.0000000000000000000000001", "2.1", 0},
  });
}

TEST(ComposerVersionTest, RejectsVersionsWithoutContent) {
  // "\xc3\xa9" (e-acute) is not alphanumeric in the C locale PHP uses: only a separator.
  for (const char* bad : {"", "...", "-", "1\t2", "1.0\n", "\x7f", "\xc3\xa9"}) {
    const auto parsed = parse_composer(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  }
  for (const char* odd : {"v", "dev-feature/x", "1.0 final", "1.0-\xc3\xa9t\xc3\xa9"}) {
    EXPECT_TRUE(parse_composer(odd).has_value()) << odd;
  }
}

// Checks that compare_composer is a total preorder on the distinct versions of a table: sorts
// them, numbers the equivalence classes along the sorted order and verifies that every sampled
// pair compares as its classes do (antisymmetry, transitivity of < and of =).
void expect_total_preorder(const std::vector<testing::OrderingRow>& rows) {
  std::set<std::string> texts;
  for (const auto& row : rows) {
    for (const auto& text : {row.lhs, row.rhs}) {
      // A "#" word weighs the same as every number, so "1.2.3.#" equals both "1.2.3" and
      // "1.2.3.1" (rows the table itself asserts) while those two differ: not transitive by
      // construction, so such versions are left out of this check.
      if (text.find('#') == std::string::npos) {
        texts.insert(text);
      }
    }
  }
  std::vector<std::pair<std::string, ComposerVersion>> versions;
  for (const auto& text : texts) {
    versions.emplace_back(text, parse_composer(text).value());
  }
  std::stable_sort(versions.begin(), versions.end(), [](const auto& lhs, const auto& rhs) {
    return compare_composer(lhs.second, rhs.second) < 0;
  });
  std::vector<size_t> cls(versions.size(), 0);
  for (size_t idx = 1; idx < versions.size(); ++idx) {
    const int step = compare_composer(versions[idx - 1].second, versions[idx].second);
    ASSERT_LE(step, 0) << "sorted order broken at " << versions[idx].first;
    cls[idx] = cls[idx - 1] + (step < 0 ? 1U : 0U);
  }
  const size_t stride = std::max<size_t>(1, versions.size() / 600);
  size_t mismatches = 0;
  for (size_t left = 0; left < versions.size(); left += stride) {
    for (size_t right = 0; right < versions.size(); right += stride) {
      const int want = cls[left] < cls[right] ? -1 : (cls[left] > cls[right] ? 1 : 0);
      const int got = compare_composer(versions[left].second, versions[right].second);
      if (got != want && ++mismatches <= 10) {
        ADD_FAILURE() << versions[left].first << " vs " << versions[right].first << ": got " << got
                      << ", sorted order says " << want;
      }
    }
  }
  EXPECT_EQ(mismatches, 0u) << "over " << versions.size() << " distinct versions";
}

void expect_table(const char* file) {
  const auto rows = testing::load_ordering_table(file);
  if (!rows) {
    GTEST_SKIP() << "shared data absent: " << file;
  }
  ASSERT_FALSE(rows->empty()) << file;
  int disagreements = 0;
  for (const auto& row : *rows) {
    const int got = cmp(row.lhs, row.rhs);
    const int reverse = cmp(row.rhs, row.lhs);
    if (got != row.want || reverse != -row.want) {
      ++disagreements;
      ADD_FAILURE() << file << ":" << row.line << ": " << row.lhs << " vs " << row.rhs << " want "
                    << row.want << " got " << got << " / reverse " << reverse;
    }
  }
  EXPECT_EQ(disagreements, 0) << file << " (" << rows->size() << " rows)";
  expect_total_preorder(*rows);
}

TEST(ComposerVersionTest, AgreesWithOsvScalibrTable) { expect_table("packagist-versions.txt"); }

TEST(ComposerVersionTest, AgreesWithOsvScalibrGeneratedTable) {
  expect_table("packagist-versions-generated.txt");
}

}  // namespace
}  // namespace vigil::version
