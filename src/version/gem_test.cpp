#include "version/gem.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
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
  auto left = parse_gem(lhs);
  auto right = parse_gem(rhs);
  EXPECT_TRUE(left.has_value()) << lhs << ": " << (left ? "" : left.error().message);
  EXPECT_TRUE(right.has_value()) << rhs << ": " << (right ? "" : right.error().message);
  if (!left || !right) {
    return 2;
  }
  return compare_gem(*left, *right);
}

void expect_order(const std::vector<OrderCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(cmp(c.lhs, c.rhs), c.want) << c.lhs << " vs " << c.rhs;
    EXPECT_EQ(cmp(c.rhs, c.lhs), -c.want) << c.rhs << " vs " << c.lhs;
  }
}

// Reflexivity, antisymmetry and transitivity on a sample of `texts`, then a sort of all of them
// whose result must agree with pairwise comparison.
void expect_total_order(const std::set<std::string>& texts) {
  std::vector<GemVersion> versions;
  for (const auto& text : texts) {
    if (auto parsed = parse_gem(text)) {
      versions.push_back(*parsed);
    }
  }
  ASSERT_GT(versions.size(), 10U);
  const size_t stride = std::max<size_t>(1, versions.size() / 120);
  std::vector<const GemVersion*> sample;
  for (size_t idx = 0; idx < versions.size(); idx += stride) {
    sample.push_back(&versions[idx]);
  }
  const size_t n = sample.size();
  std::vector<int> matrix(n * n);
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      matrix[a * n + b] = compare_gem(*sample[a], *sample[b]);
    }
  }
  size_t failures = 0;
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      failures += matrix[a * n + b] != -matrix[b * n + a];
      for (size_t c = 0; c < n; ++c) {
        const int ab = matrix[a * n + b];
        const int bc = matrix[b * n + c];
        const int ac = matrix[a * n + c];
        failures += (ab <= 0 && bc <= 0 && ac > 0) || (ab == 0 && bc == 0 && ac != 0);
      }
    }
  }
  ASSERT_EQ(failures, 0U) << "order is not antisymmetric/transitive over " << n << " versions";
  std::sort(versions.begin(), versions.end(),
            [](const auto& a, const auto& b) { return compare_gem(a, b) < 0; });
  for (size_t idx = 0; idx + 1 < versions.size(); ++idx) {
    EXPECT_LE(compare_gem(versions[idx], versions[idx + 1]), 0) << versions[idx].text;
    const size_t far = std::min(versions.size() - 1, idx + 1 + idx % 17);
    EXPECT_LE(compare_gem(versions[idx], versions[far]), 0) << versions[far].text;
  }
}

// Expected values checked with Ruby 3.1's Gem::Version (RubyGems 3.3).
TEST(GemVersionTest, OrdersSegments) {
  expect_order({
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
  expect_order({
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
  expect_order({
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
  const std::vector<std::pair<const char*, const char*>> cases = {
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
  for (const auto& [text, message] : cases) {
    const auto parsed = parse_gem(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    EXPECT_THAT(parsed.error().message, HasSubstr(message)) << text;
    EXPECT_THAT(parsed.error().message, HasSubstr("gem: ")) << text;
  }
}

// rubygems-versions.txt compares "1" with "1beta" and "1gamma", which Gem::Version refuses:
// Gem::Version.new("1beta") raises ArgumentError "Malformed version number string 1beta", since
// VERSION_PATTERN only allows letters after a '.' or '-'. osv-scalibr's parser is more lenient.
constexpr const char* kGemRejected[] = {"1beta", "1gamma"};

TEST(GemVersionTest, AgreesWithOsvScalibrTables) {
  const std::set<std::string> rejected(std::begin(kGemRejected), std::end(kGemRejected));
  for (const auto& [file, min_rows] : {std::pair<const char*, size_t>{"rubygems-versions.txt", 20},
                                       {"rubygems-versions-generated.txt", 4000}}) {
    const auto rows = vigil::testing::load_ordering_table(file);
    if (!rows) {
      GTEST_SKIP() << "shared data missing";
    }
    std::set<std::string> texts;
    size_t checked = 0;
    for (const auto& row : *rows) {
      if (rejected.count(row.lhs) != 0 || rejected.count(row.rhs) != 0) {
        continue;
      }
      EXPECT_EQ(cmp(row.lhs, row.rhs), row.want)
          << file << ":" << row.line << ": " << row.lhs << " vs " << row.rhs;
      texts.insert(row.lhs);
      texts.insert(row.rhs);
      ++checked;
    }
    EXPECT_GE(checked, min_rows) << file;
    expect_total_order(texts);
  }
  for (const auto& text : rejected) {
    EXPECT_FALSE(parse_gem(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace vigil::version
