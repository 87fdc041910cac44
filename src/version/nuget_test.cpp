#include "version/nuget.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using ::testing::HasSubstr;

struct OrderCase {
  const char* lhs;
  const char* rhs;
  int want;
};

int cmp(const std::string& lhs, const std::string& rhs) {
  auto left = parse_nuget(lhs);
  auto right = parse_nuget(rhs);
  EXPECT_TRUE(left.has_value()) << lhs << ": " << (left ? "" : left.error().message);
  EXPECT_TRUE(right.has_value()) << rhs << ": " << (right ? "" : right.error().message);
  if (!left || !right) {
    return 2;
  }
  return compare_nuget(*left, *right);
}

void expect_order(const std::vector<OrderCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(cmp(c.lhs, c.rhs), c.want) << c.lhs << " vs " << c.rhs;
    EXPECT_EQ(cmp(c.rhs, c.lhs), -c.want) << c.rhs << " vs " << c.lhs;
  }
}

// Reflexivity, antisymmetry and transitivity over every pair and triple of `texts` (the NuGet
// table is small), then a sort whose result must agree with pairwise comparison.
void expect_total_order(const std::set<std::string>& texts) {
  std::vector<NugetVersion> versions;
  for (const auto& text : texts) {
    if (auto parsed = parse_nuget(text)) {
      versions.push_back(*parsed);
    }
  }
  ASSERT_GT(versions.size(), 10U);
  const size_t n = versions.size();
  size_t failures = 0;
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      const int ab = compare_nuget(versions[a], versions[b]);
      failures += ab != -compare_nuget(versions[b], versions[a]);
      for (size_t c = 0; c < n; ++c) {
        const int bc = compare_nuget(versions[b], versions[c]);
        const int ac = compare_nuget(versions[a], versions[c]);
        failures += (ab <= 0 && bc <= 0 && ac > 0) || (ab == 0 && bc == 0 && ac != 0);
      }
    }
  }
  ASSERT_EQ(failures, 0U) << "order is not antisymmetric/transitive over " << n << " versions";
  std::sort(versions.begin(), versions.end(),
            [](const auto& a, const auto& b) { return compare_nuget(a, b) < 0; });
  for (size_t idx = 0; idx + 1 < versions.size(); ++idx) {
    EXPECT_LE(compare_nuget(versions[idx], versions[idx + 1]), 0) << versions[idx].text;
  }
}

TEST(NugetVersionTest, OrdersNumericParts) {
  expect_order({
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
  expect_order({
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
  expect_order({
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
  const std::vector<std::pair<const char*, const char*>> cases = {
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
  for (const auto& [text, message] : cases) {
    const auto parsed = parse_nuget(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    EXPECT_THAT(parsed.error().message, HasSubstr(message)) << text;
    EXPECT_THAT(parsed.error().message, HasSubstr("nuget: ")) << text;
  }
  // Leading zeros are fine in numeric parts and metadata, as in NuGet.
  EXPECT_TRUE(parse_nuget("1.00.0+007").has_value());
}

TEST(NugetVersionTest, AgreesWithOsvScalibrTable) {
  const auto rows = vigil::testing::load_ordering_table("nuget-versions.txt");
  if (!rows) {
    GTEST_SKIP() << "shared data missing";
  }
  std::set<std::string> texts;
  for (const auto& row : *rows) {
    EXPECT_EQ(cmp(row.lhs, row.rhs), row.want)
        << "line " << row.line << ": " << row.lhs << " vs " << row.rhs;
    texts.insert(row.lhs);
    texts.insert(row.rhs);
  }
  EXPECT_GE(rows->size(), 30U);
  expect_total_order(texts);
}

}  // namespace
}  // namespace vigil::version
