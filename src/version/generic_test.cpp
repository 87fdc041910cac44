#include "version/generic.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

TEST(GenericVersionTest, OrdersTokenByToken) {
  const std::vector<OrderCase> cases = {
      {"1.0", "1.0", 0},         {"1.0", "1.0.0", -1},  {"1.10", "1.9", 1},
      {"1.0.1", "1.0.a", 1},     {"2020.01", "2020.1", 0}, {"1.0-alpha", "1.0-beta", -1},
      {"R2", "r2", 0},           {"99999999999999999999999", "99999999999999999999998", 1},
  };
  testing::expect_cases(cases, parse_generic, compare_generic);
}

TEST(GenericVersionTest, RejectsVersionsWithoutContent) {
  EXPECT_FALSE(parse_generic("").has_value());
  EXPECT_FALSE(parse_generic("...").has_value());
  EXPECT_FALSE(parse_generic("1\n2").has_value());
}

}  // namespace
}  // namespace vigil::version
