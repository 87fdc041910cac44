#include "core/result.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Result<int> parse_positive(int value) {
  if (value <= 0) {
    return fail(Error::invalid_argument("value {} is not positive", value));
  }
  return value;
}

Result<int> doubled(int value) {
  VIGIL_ASSIGN_OR_RETURN(const int checked, parse_positive(value));
  return checked * 2;
}

Result<void> check(int value) {
  VIGIL_TRY(parse_positive(value));
  return {};
}

TEST(ResultTest, AssignOrReturnPropagatesValueAndError) {
  EXPECT_EQ(doubled(4).value(), 8);
  const auto bad = doubled(-1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "value -1 is not positive");
}

TEST(ResultTest, TryPropagatesError) {
  EXPECT_TRUE(check(1).has_value());
  EXPECT_FALSE(check(0).has_value());
}

TEST(ResultTest, ContextPrefixesMessage) {
  const Error error = Error::parse("line 3: missing Version").with_context("var/lib/dpkg/status");
  EXPECT_EQ(error.message, "var/lib/dpkg/status: line 3: missing Version");
  EXPECT_EQ(error_code_name(error.code), "parse");
}

}  // namespace
}  // namespace vigil
