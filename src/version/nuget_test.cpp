#include "version/nuget.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

void expect_nuget_order(const std::vector<OrderCase>& cases) {
  testing::expect_cases(cases, parse_nuget, compare_nuget);
}

TEST(NugetVersionTest, OrdersNumericParts) {
  expect_nuget_order({
      {"1.0", "1.0.0.0", 0},
      {"1", "1.0.0", 0},
      {"1.0.01", "1.0.1.0", 0},
      {"1.0.0.1", "1.0.0", 1},
      {"13.0.1", "13.0.3", -1},
      {"4.7.2", "4.7.10", -1},
      {"2.0.0.0", "1.999.9999.9999", 1},
      {" 1.0.0 ", "1.0.0", 0},
      {"1.0.0+meta", "1.0.0", 0},
      {"1.0.0+meta.1", "1.0.0+other", 0},
  });
}

TEST(NugetVersionTest, OrdersReleaseLabels) {
  expect_nuget_order({
      {"1.0.0-BETA", "1.0.0-beta", 0},
      {"1.0.0-beta2", "1.0.0-BETA", 1},
      {"1.0.0-alpha", "1.0.0", -1},
      {"1.0.0-beta.1", "1.0.0-beta.10", -1},
      {"1.0.0-beta.2", "1.0.0-beta.10", -1},
      {"1.0.0-beta.x", "1.0.0-beta.2", 1},
      {"1.0.0-beta", "1.0.0-beta.1", -1},
      {"1.0.0.1-alpha", "1.0.0", 1},
      {"6.0.0-preview.7.21377.19", "6.0.0-rc.1.21451.13", -1},
      {"2.1.0-preview1-final", "2.1.0-preview2-final", -1},
      {"2.1.0-preview1-final", "2.1.0", -1},
      {"1.0.0-a-b", "1.0.0-A-B", 0},
      {"1.0.0-0", "1.0.0-a", -1},
  });
}

TEST(NugetVersionTest, ComparesLongNumbersExactly) {
  expect_nuget_order({
      {"1.0.0.18446744073709551616", "1.0.0.18446744073709551615", 1},
      {"99999999999999999999999", "99999999999999999999998.9", 1},
      {"1.0.0-99999999999999999999999", "1.0.0-99999999999999999999998", 1},
  });
}

TEST(NugetVersionTest, KeepsNormalisedForm) {
  const auto version = parse_nuget("01.02.003.0-Beta.1+Meta");
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->text, "1.2.3-Beta.1+Meta");
  EXPECT_EQ(version->revision(), "0");
  EXPECT_EQ(version->labels(), "Beta.1");
  EXPECT_EQ(version->metadata(), "Meta");
  const auto four = parse_nuget("1.2.3.4+m-1");
  ASSERT_TRUE(four.has_value());
  EXPECT_EQ(four->text, "1.2.3.4+m-1");
  EXPECT_EQ(four->revision(), "4");
  EXPECT_EQ(four->labels(), "");
  EXPECT_EQ(four->metadata(), "m-1");
}

TEST(NugetVersionTest, RejectsInvalidVersions) {
  const std::vector<testing::RejectCase> cases = {
      {"", "empty version"},
      {"1.0.0.0.0", "more than 4 numeric parts"},
      {"1..0", "expected 1 to 4 dot-separated numbers"},
      {"1.0.", "expected 1 to 4 dot-separated numbers"},
      {"v1.0.0", "expected 1 to 4 dot-separated numbers"},
      {"-1.0", "expected 1 to 4 dot-separated numbers"},
      {"+1.0", "expected 1 to 4 dot-separated numbers"},
      {"1.a.0", "expected 1 to 4 dot-separated numbers"},
      {"1.0 .0", "expected 1 to 4 dot-separated numbers"},
      {"1.0.0-", "empty release label part"},
      {"1.0.0-01", "numeric release label '01' has a leading zero"},
      {"1.0.0-a..b", "empty release label part"},
      {"1.0.0+", "empty metadata part"},
      {"1.0.0-beta_1", "invalid character '_' in release label"},
      {"1.0.0+a+b", "invalid character '+' in metadata"},
  };
  testing::expect_rejected(parse_nuget, "nuget: ", cases);
  // Leading zeros are fine in numeric parts and metadata, as in NuGet.
  EXPECT_TRUE(parse_nuget("1.00.0+007").has_value());
}

TEST(NugetVersionTest, AgreesWithOsvScalibrTable) {
  const auto table = testing::check_table("nuget-versions.txt", parse_nuget, compare_nuget);
  if (!table) {
    GTEST_SKIP() << "shared data missing";
  }
  EXPECT_GE(table->ordered_rows, 30U);
  // The table is small: every pair of its versions is checked.
  testing::check_order_consistency(table->versions, compare_nuget, 10000);
}

}  // namespace
}  // namespace vigil::version
