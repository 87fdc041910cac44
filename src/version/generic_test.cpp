#include "version/generic.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::version {
namespace {

struct OrderCase {
  const char* lhs;
  const char* rhs;
  int want;
};

int cmp(const char* lhs, const char* rhs) {
  return compare_generic(parse_generic(lhs).value(), parse_generic(rhs).value());
}

TEST(GenericVersionTest, OrdersTokenByToken) {
  const std::vector<OrderCase> cases = {
      {"1.0", "1.0", 0},         {"1.0", "1.0.0", -1},  {"1.10", "1.9", 1},
      {"1.0.1", "1.0.a", 1},     {"2020.01", "2020.1", 0}, {"1.0-alpha", "1.0-beta", -1},
      {"R2", "r2", 0},           {"99999999999999999999999", "99999999999999999999998", 1},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(cmp(c.lhs, c.rhs), c.want) << c.lhs << " vs " << c.rhs;
    EXPECT_EQ(cmp(c.rhs, c.lhs), -c.want) << c.rhs << " vs " << c.lhs;
  }
}

TEST(GenericVersionTest, RejectsVersionsWithoutContent) {
  EXPECT_FALSE(parse_generic("").has_value());
  EXPECT_FALSE(parse_generic("...").has_value());
  EXPECT_FALSE(parse_generic("1\n2").has_value());
}

}  // namespace
}  // namespace vigil::version
