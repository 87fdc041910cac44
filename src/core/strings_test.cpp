#include "core/strings.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(StringsTest, TrimRemovesAsciiSpace) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t "), "");
}

TEST(StringsTest, SplitKeepsEmptyPieces) {
  const auto parts = split("a,,b,", ',');
  ASSERT_EQ(parts.size(), 4U);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
  EXPECT_EQ(parts[3], "");
}

TEST(StringsTest, DigitRunsCompareBeyondSixtyFourBits) {
  EXPECT_EQ(compare_digit_runs("18446744073709551616", "18446744073709551615"), 1);
  EXPECT_EQ(compare_digit_runs("000123", "123"), 0);
  EXPECT_EQ(compare_digit_runs("", "0"), 0);
  EXPECT_EQ(compare_digit_runs("99", "100"), -1);
}

TEST(StringsTest, CaseInsensitiveHelpers) {
  EXPECT_TRUE(equals_ci("PyPI", "pypi"));
  EXPECT_TRUE(starts_with_ci("RC1", "rc"));
  EXPECT_FALSE(starts_with_ci("r", "rc"));
  EXPECT_EQ(to_lower("MiXeD"), "mixed");
}

}  // namespace
}  // namespace vigil
