#include "version/gem.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

void expect_gem_order(const std::vector<OrderCase>& cases) {
  testing::expect_cases(cases, parse_gem, compare_gem);
}

// Expected values checked with Ruby 3.1's Gem::Version (RubyGems 3.3).
TEST(GemVersionTest, OrdersSegments) {
  expect_gem_order({
      {"1.0", "1", 0},
      {"1.0.0", "1", 0},
      {"0.0.0", "0", 0},
      {"3.10", "3.2", 1},
      {"7.0.4.3", "7.0.4", 1},
      {"6.1.7.10", "6.1.7.9", 1},
      {"1.0.0.1", "1.0.0.01", 0},
      {"1.16.0", "1.15.99", 1},
      {" 1.0 ", "1.0", 0},
  });
}

TEST(GemVersionTest, OrdersPrereleases) {
  expect_gem_order({
      {"1.0.a", "1.0", -1},
      {"1.0a", "1", -1},
      {"1.0.b1", "1.0.a.2", 1},
      {"1.0.a10", "1.0.a9", 1},
      {"1.0.a2", "1.0.a.2", 0},
      {"1.0.0.a", "1.a", 0},
      {"0.a", "0", -1},
      {"7.1.0.beta1", "7.1.0.rc1", -1},
      {"7.1.0.rc1", "7.1.0", -1},
      {"1.0.B", "1.0.a", -1},  // strings compare byte-wise, upper case first
      {"2.0.0.pre", "2.0.0.pre.0", 0},
      {"1.a.0.b", "1.a.b", 1},  // a number sorts after a string
      // '-' reads as ".pre.": "1.0.0-rc1" is 1.0.0.pre.rc.1, and "pre" < "rc".
      {"1.0.0-rc1", "1.0.0.rc1", -1},
      {"1.0.0-rc1", "1.0.0", -1},
      {"1.0-1", "1.0", -1},
      {"1.0-beta-1", "1.0.pre.beta.pre.1", 0},
  });
}

TEST(GemVersionTest, ComparesLongNumbersExactly) {
  expect_gem_order({
      {"1.99999999999999999999999", "1.99999999999999999999998", 1},
      {"18446744073709551616", "18446744073709551615.9", 1},
      {"1.a.99999999999999999999999", "1.a.100000000000000000000000", -1},
  });
}

TEST(GemVersionTest, KeepsCanonicalSegments) {
  const auto version = parse_gem(" 2.0-rc1 ");
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->text, "2.0-rc1");
  EXPECT_EQ(version->canonical, "2.pre.rc.1");
  EXPECT_TRUE(version->prerelease());
  EXPECT_EQ(parse_gem("1.0.0.b01.0")->canonical, "1.b.1");
  EXPECT_EQ(parse_gem("0.0")->canonical, "");
  EXPECT_FALSE(parse_gem("1.0.0")->prerelease());
  EXPECT_TRUE(parse_gem("1.0-1")->prerelease());
}

TEST(GemVersionTest, RejectsMalformedVersions) {
  const std::vector<testing::RejectCase> cases = {
      {"", "empty version"},
      {"  ", "empty version"},
      {"1beta", "unexpected 'b'"},
      {"a1", "must start with a number"},
      {"-1", "must start with a number"},
      {"1..2", "unexpected '.'"},
      {"1.0-", "empty segment"},
      {"1.0-a..b", "unexpected '.'"},
      {"1.0.", "unexpected '.'"},
      {"1.0_1", "unexpected '_'"},
      {"1.0+build", "unexpected '+'"},
      {"1. 0", "unexpected '.'"},
  };
  testing::expect_rejected(parse_gem, "gem: ", cases);
}

// rubygems-versions.txt compares "1" with "1beta" and "1gamma", which Gem::Version refuses:
// Gem::Version.new("1beta") raises ArgumentError "Malformed version number string 1beta", since
// VERSION_PATTERN only allows letters after a '.' or '-'. osv-scalibr's parser is more lenient.
constexpr const char* kGemRejected[] = {"1beta", "1gamma"};

TEST(GemVersionTest, AgreesWithOsvScalibrTables) {
  const testing::TableExclusions exclusions{
      .invalid = {std::begin(kGemRejected), std::end(kGemRejected)}};
  for (const auto& [file, min_rows] : {std::pair<const char*, size_t>{"rubygems-versions.txt", 20},
                                       {"rubygems-versions-generated.txt", 4000}}) {
    const auto table = testing::check_table(file, parse_gem, compare_gem, exclusions);
    if (!table) {
      GTEST_SKIP() << "shared data missing";
    }
    EXPECT_GE(table->ordered_rows, min_rows) << file;
    testing::check_order_consistency(table->versions, compare_gem, 100000);
  }
}

}  // namespace
}  // namespace vigil::version
