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

TEST(StringsTest, JsonNestingIgnoresBracketsInStrings) {
  EXPECT_TRUE(json_nesting_within(R"({"a": [1, {"b": 2}]})", 3));
  EXPECT_FALSE(json_nesting_within(R"({"a": [1, {"b": 2}]})", 2));
  EXPECT_TRUE(json_nesting_within(R"({"a": "[[[[{{{{\"]]"})", 1));
  EXPECT_TRUE(json_nesting_within("]]]}}}", 0));  // stray closers never go below zero
  EXPECT_FALSE(json_nesting_within(std::string(1000, '['), 999));
}

}  // namespace
}  // namespace vigil
