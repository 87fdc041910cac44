#include "version/rpm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

struct OrderCase {
  const char* lhs;
  const char* rhs;
  int want;
};

RpmVersion must_parse(const std::string& text) {
  auto parsed = parse_rpm(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
  return parsed.value_or(RpmVersion{});
}

int cmp(const std::string& lhs, const std::string& rhs) {
  return compare_rpm(must_parse(lhs), must_parse(rhs));
}

void expect_cases(const std::vector<OrderCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(cmp(c.lhs, c.rhs), c.want) << c.lhs << " vs " << c.rhs;
    EXPECT_EQ(cmp(c.rhs, c.lhs), -c.want) << c.rhs << " vs " << c.lhs;
  }
}

// Checks that compare_rpm is a total preorder over `texts`: sorts the distinct versions, then
// verifies antisymmetry and that the sorted order agrees with compare_rpm on every adjacent pair
// and on a seeded sample of other pairs (so no cycle a < b < c < a hides among them).
void expect_consistent_order(const std::set<std::string>& texts, std::size_t samples) {
  std::vector<RpmVersion> sorted;
  for (const auto& text : texts) {
    sorted.push_back(must_parse(text));
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return compare_rpm(a, b) < 0; });
  for (std::size_t idx = 0; idx + 1 < sorted.size(); ++idx) {
    ASSERT_LE(compare_rpm(sorted[idx], sorted[idx + 1]), 0)
        << sorted[idx].text() << " vs " << sorted[idx + 1].text();
  }
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<std::size_t> pick(0, sorted.size() - 1);
  for (std::size_t sample = 0; sample < samples; ++sample) {
    std::size_t lo = pick(rng);
    std::size_t hi = pick(rng);
    if (lo > hi) {
      std::swap(lo, hi);
    }
    const int forward = compare_rpm(sorted[lo], sorted[hi]);
    ASSERT_LE(forward, 0) << sorted[lo].text() << " vs " << sorted[hi].text();
    ASSERT_EQ(compare_rpm(sorted[hi], sorted[lo]), -forward)
        << sorted[hi].text() << " vs " << sorted[lo].text();
  }
}

TEST(RpmVersionTest, OrdersRealRedHatFamilyVersions) {
  expect_cases({
      {"0:3.10.0-229.el7", "0:3.10.0-229.1.2.ael7b", -1},
      {"0:2.4.21-9.EL", "0:2.4.21-9.0.1.EL", -1},
      {"2.17-326.el7_9", "2.17-326.el7_9.3", -1},
      {"1:1.0.2k-25.el7_9", "1:1.0.2k-26.el7_9", -1},
      {"1:3.0.7-24.el9", "1:3.0.7-25.el9_3", -1},
      {"4.18.0-513.5.1.el8_9", "4.18.0-513.9.1.el8_9", -1},
      {"5.14.0-362.8.1.el9_3", "5.14.0-284.30.1.el9_2", 1},
      {"7.61.1-34.el8", "7.61.1-34.el8_10.2", -1},
      {"1:1.0.2k-24.amzn2.0.7", "1:1.0.2k-24.amzn2.0.11", -1},
      {"2.34-83.el9_3.7", "2.34-83.el9_3.12", -1},
      {"1.0-1.el7", "1.0-1.el7", 0},
  });
}

TEST(RpmVersionTest, TildeSortsFirstAndCaretAfterTheBase) {
  expect_cases({
      {"1.0~rc1-1.fc39", "1.0-1.fc39", -1},
      {"1.0~rc1", "1.0~rc2", -1},
      {"1.0~rc1~git123", "1.0~rc1", -1},
      {"1.0~rc1", "1.0arc1", -1},
      {"1.0^", "1.0", 1},
      {"1.0^git1", "1.0", 1},
      {"1.0^git1", "1.0^git2", -1},
      {"1.0^git1", "1.01", -1},
      {"1.0^20160101", "1.0.1", -1},
      {"1.0^20160102", "1.0^20160101^git1", 1},
      {"0.3^20230101git1a2b3c-1.fc39", "0.3-1.fc39", 1},
      {"1.0~rc1^git1", "1.0~rc1", 1},
      {"1.0^git1~pre", "1.0^git1", -1},
      {"1.0~", "1.0^", -1},
  });
}

TEST(RpmVersionTest, SegmentsAndSeparators) {
  expect_cases({
      {"1.0a", "1.0.1", -1},  // a numeric segment beats an alphabetic one
      {"2a", "2.0", -1},
      {"1.0_1", "1.0.1", 0},  // separators only split segments
      {"1.0+1", "1.0.1", 0},
      {"1..0", "1.0", 0},
      {"1.0", "1.0.", 0},
      {"1.0a", "1.0aa", -1},
      {"1.0A", "1.0a", -1},  // strcmp: upper case first
      {"10b2", "10a1", 1},
      {"xyz.4", "8", -1},
      {"5.5p10", "5.5p1", 1},
      {"1.1.\xce\xb1", "1.1.\xce\xb2", 0},  // non-ASCII bytes are separators
      {"1.1.a", "1.1.\xce\xb1", 1},
  });
}

TEST(RpmVersionTest, DigitRunsAreUnboundedNumbersIgnoringLeadingZeros) {
  expect_cases({
      {"1.18446744073709551616", "1.18446744073709551615", 1},
      {"1.100000000000000000000000000", "1.99999999999999999999999999", 1},
      {"1.000000000000000000000000001", "1.1", 0},
      {"10.0001", "10.1", 0},
      {"10.0001", "10.0039", -1},
      {"1.01", "1.1", 0},
      {"1.0-00018446744073709551617", "1.0-18446744073709551616", 1},
  });
}

TEST(RpmVersionTest, EpochIsNumericAndDefaultsToZero) {
  expect_cases({
      {"1:1.0", "2.0", 1},
      {"0:1.0", "1.0", 0},
      {"01:2", "1:2", 0},
      {":1.0", "0:1.0", 0},  // rpmverParse turns an empty epoch into "0"
      {"99999999999999999999:1", "99999999999999999998:9", 1},
      {"13:5", "004:2", 1},
      {"a:1", "b:1", -1},  // not an epoch: part of the version
      {"3", "1:2", -1},
  });
}

TEST(RpmVersionTest, MissingReleaseSortsBeforeAnyRelease) {
  // rpm.labelCompare compares a None release before any string, even "".
  expect_cases({
      {"1.0", "1.0-", -1},
      {"1.0-", "1.0-0", -1},
      {"1.0", "1.0-0", -1},
      {"1.0-", "1.0-.", 0},
      {"1.0-1", "1.0-1.el7", -1},
      {"1-123", "1-1.el7", 1},
  });
}

TEST(RpmVersionTest, SplitsLikeRpmverParse) {
  const auto full = must_parse("007:1.0-rc1-3.el9");
  EXPECT_EQ(full.epoch(), "7");
  EXPECT_EQ(full.version(), "1.0-rc1");
  EXPECT_TRUE(full.has_release());
  EXPECT_EQ(full.release(), "3.el9");

  const auto colons = must_parse("1:2:3");
  EXPECT_EQ(colons.epoch(), "1");
  EXPECT_EQ(colons.version(), "2:3");
  EXPECT_FALSE(colons.has_release());

  const auto not_epoch = must_parse("a1:1-");
  EXPECT_EQ(not_epoch.epoch(), "");
  EXPECT_EQ(not_epoch.version(), "a1:1");
  EXPECT_TRUE(not_epoch.has_release());
  EXPECT_EQ(not_epoch.release(), "");
}

TEST(RpmVersionTest, RejectsInvalidVersionsWithAMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {" 1.0", "whitespace"},
      {"1.0\t1", "whitespace"},
      {"1.0\n", "whitespace"},
      {std::string("1.0\0", 4), "control character"},
      {"1:", "version part of '1:' is empty"},
      {"-1", "is empty"},
      {"1:-1", "is empty"},
      {std::string(70000, '1'), "longer than"},
  };
  for (const auto& [text, message] : cases) {
    const auto parsed = parse_rpm(text);
    ASSERT_FALSE(parsed.has_value()) << "accepted '" << text << "'";
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    EXPECT_NE(parsed.error().message.find("rpm: "), std::string::npos) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(message), std::string::npos)
        << "'" << text << "': " << parsed.error().message;
  }
}

TEST(RpmVersionTest, AgreesWithSharedRedHatTable) {
  const auto rows = vigil::testing::load_ordering_table("redhat-versions.txt");
  if (!rows) {
    GTEST_SKIP() << "shared data missing";
  }
  ASSERT_FALSE(rows->empty());
  std::set<std::string> seen;
  int disagreements = 0;
  for (const auto& row : *rows) {
    const int got = cmp(row.lhs, row.rhs);
    const int back = cmp(row.rhs, row.lhs);
    if (got != row.want || back != -row.want) {
      ++disagreements;
      ADD_FAILURE() << "line " << row.line << ": " << row.lhs << " vs " << row.rhs << " want "
                    << row.want << " got " << got << " / reverse " << back;
    }
    seen.insert(row.lhs);
    seen.insert(row.rhs);
  }
  EXPECT_EQ(disagreements, 0);
  expect_consistent_order(seen, 50000);
}

}  // namespace
}  // namespace vigil::version
