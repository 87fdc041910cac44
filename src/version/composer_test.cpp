#include "version/composer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

void expect_composer_order(const std::vector<OrderCase>& cases) {
  testing::expect_cases(cases, parse_composer, compare_composer);
}

TEST(ComposerVersionTest, OrdersStabilitySuffixes) {
  expect_composer_order({
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
  expect_composer_order({
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
  expect_composer_order({
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
  expect_composer_order({
      {"dev-foo", "1.26.0", -1},
      {"dev-master", "0.0.1", -1},
      {"1.2.3.#", "1.2.3", 0},
      {"1.2.3.#", "1.2.3.1", 0},
      {"1.2.3.#.1", "1.2.3", 1},
      {"1.2.3.#.beta", "1.2.3", -1},
  });
}

TEST(ComposerVersionTest, ComparesNumbersOfAnyLength) {
  expect_composer_order({
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

// Checks the shared table `file` in both directions, then that compare_composer is a total
// preorder over its versions.
void expect_table(const char* file) {
  const auto table = testing::check_table(file, parse_composer, compare_composer);
  if (!table) {
    GTEST_SKIP() << "shared data absent: " << file;
  }
  auto versions = table->versions;
  // A "#" word weighs the same as every number, so "1.2.3.#" equals both "1.2.3" and "1.2.3.1"
  // (rows the table itself asserts) while those two differ: not transitive by construction, so
  // such versions are left out of this check.
  std::erase_if(versions,
                [](const auto& version) { return version.first.find('#') != std::string::npos; });
  testing::check_order_consistency(versions, compare_composer, 200000);
}

TEST(ComposerVersionTest, AgreesWithOsvScalibrTable) { expect_table("packagist-versions.txt"); }

TEST(ComposerVersionTest, AgreesWithOsvScalibrGeneratedTable) {
  expect_table("packagist-versions-generated.txt");
}

}  // namespace
}  // namespace vigil::version
