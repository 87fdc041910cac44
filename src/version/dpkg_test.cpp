#include "version/dpkg.hpp"

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

DpkgVersion must_parse(const std::string& text) {
  auto parsed = parse_dpkg(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
  return parsed.value_or(DpkgVersion{});
}

int cmp(const std::string& lhs, const std::string& rhs) {
  return compare_dpkg(must_parse(lhs), must_parse(rhs));
}

void expect_cases(const std::vector<OrderCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(cmp(c.lhs, c.rhs), c.want) << c.lhs << " vs " << c.rhs;
    EXPECT_EQ(cmp(c.rhs, c.lhs), -c.want) << c.rhs << " vs " << c.lhs;
  }
}

// Checks that compare_dpkg is a total preorder over `texts`: sorts the distinct versions, then
// verifies antisymmetry and that the sorted order agrees with compare_dpkg on every adjacent pair
// and on a seeded sample of other pairs (so no cycle a < b < c < a hides among them).
void expect_consistent_order(const std::set<std::string>& texts, std::size_t samples) {
  std::vector<DpkgVersion> sorted;
  for (const auto& text : texts) {
    sorted.push_back(must_parse(text));
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return compare_dpkg(a, b) < 0; });
  for (std::size_t idx = 0; idx + 1 < sorted.size(); ++idx) {
    ASSERT_LE(compare_dpkg(sorted[idx], sorted[idx + 1]), 0)
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
    const int forward = compare_dpkg(sorted[lo], sorted[hi]);
    ASSERT_LE(forward, 0) << sorted[lo].text() << " vs " << sorted[hi].text();
    ASSERT_EQ(compare_dpkg(sorted[hi], sorted[lo]), -forward)
        << sorted[hi].text() << " vs " << sorted[lo].text();
  }
}

// Compares every row of a shared osv-scalibr table in both directions; returns the versions seen.
std::set<std::string> expect_table_agrees(const std::string& file) {
  std::set<std::string> seen;
  const auto rows = vigil::testing::load_ordering_table(file);
  if (!rows) {
    return seen;
  }
  EXPECT_FALSE(rows->empty()) << file;
  int disagreements = 0;
  for (const auto& row : *rows) {
    const int got = cmp(row.lhs, row.rhs);
    const int back = cmp(row.rhs, row.lhs);
    if (got != row.want || back != -row.want) {
      ++disagreements;
      ADD_FAILURE() << file << ":" << row.line << ": " << row.lhs << " vs " << row.rhs << " want "
                    << row.want << " got " << got << " / reverse " << back;
    }
    seen.insert(row.lhs);
    seen.insert(row.rhs);
  }
  EXPECT_EQ(disagreements, 0) << file;
  return seen;
}

TEST(DpkgVersionTest, OrdersRealDebianAndUbuntuVersions) {
  expect_cases({
      {"2.36-9+deb12u4", "2.36-9+deb12u7", -1},
      {"7.88.1-10+deb12u5", "7.88.1-10+deb12u8", -1},
      {"3.0.11-1~deb12u2", "3.0.11-1", -1},
      {"3.0.11-1~deb12u2", "3.0.13-1~deb12u1", -1},
      {"1:1.2.13.dfsg-1", "1.2.13.dfsg-1", 1},
      {"2:2.6.2+samba4.17.12+dfsg-0+deb12u1", "1:2.6.2+samba4.17.9+dfsg-0+deb12u3", 1},
      {"2.38-4ubuntu2.1", "2.38-4ubuntu2.2", -1},
      {"1:9.18.24-0ubuntu0.22.04.1", "1:9.18.18-0ubuntu0.22.04.2", 1},
      {"2.35-0ubuntu3.6", "2.35-0ubuntu3.8", -1},
      {"6.1.90-1", "6.1.94-1", -1},
      {"2.2.2-1+b1", "2.2.2-1", 1},
      {"1.18.0-6+deb11u3", "1.18.0-6.1+deb11u3", -1},
      {"2.7.4+reloaded2-13ubuntu1", "2.7.4+reloaded2-13+deb9u1", -1},
      {"1.2.3-1~deb7u1", "1.2.3-1", -1},
      {"0.9.8c-4etch3+m68k1", "0.9.8c-4etch4", -1},
      {"5.4.0-1.2", "5.4.0-1.2", 0},
  });
}

TEST(DpkgVersionTest, TildeSortsBeforeEverythingEvenTheEnd) {
  // deb-version(5): "~~" < "~~a" < "~" < "" < "a".
  expect_cases({
      {"1.0~~", "1.0~~a", -1},
      {"1.0~~a", "1.0~", -1},
      {"1.0~", "1.0", -1},
      {"1.0", "1.0a", -1},
      {"1.0~rc1", "1.0", -1},
      {"1.0~rc1", "1.0~rc2", -1},
      {"1.0~rc1~git123", "1.0~rc1", -1},
      {"1.0-1~bpo1", "1.0-1", -1},
      {"1.0-1~", "1.0-1", -1},
  });
}

TEST(DpkgVersionTest, LettersSortBeforeOtherCharacters) {
  expect_cases({
      {"1.0a", "1.0+", -1},
      {"1.0a", "1.0.", -1},
      {"1.0Z", "1.0a", -1},
      {"1.0+", "1.0.", -1},
      {"1.0+dfsg", "1.0.1", -1},
      {"1.0-a", "1.0-+", -1},
      {"1:2:3", "1:2.3", 1},
      {"1.0-1-1", "1.0.1-1", -1},
  });
}

TEST(DpkgVersionTest, EpochsDominateAndDefaultToZero) {
  expect_cases({
      {"1:0.1", "9.9", 1},
      {"0:1.0", "1.0", 0},
      {"0001:1.0", "1:1.0", 0},
      {"2147483647:1.0", "2147483646:9.9", 1},
      {"1:1.0~rc1", "1.0", 1},
  });
}

TEST(DpkgVersionTest, DigitRunsAreUnboundedNumbersIgnoringLeadingZeros) {
  expect_cases({
      {"1.18446744073709551616", "1.18446744073709551615", 1},
      {"1.99999999999999999999999999", "1.99999999999999999999999998", 1},
      {"1.100000000000000000000000000", "1.99999999999999999999999999", 1},
      {"1.000000000000000000000000001", "1.1", 0},
      {"1.001", "1.1", 0},
      {"1.01", "1.2", -1},
      {"0.0.9", "0.0.10", -1},
      {"20240101", "20231231", 1},
      {"1.0-18446744073709551617", "1.0-18446744073709551616", 1},
  });
}

TEST(DpkgVersionTest, EmptyRevisionEqualsZero) {
  expect_cases({
      {"1.0", "1.0-0", 0},
      {"1.0-0", "1.0-00", 0},
      {"1.0", "1.0-1", -1},
      {"1.0", "1.0-~", 1},
  });
}

TEST(DpkgVersionTest, SplitsEpochUpstreamAndRevision) {
  const auto version = must_parse("\t 2:1.0-rc1-3ubuntu1 ");
  EXPECT_EQ(version.text(), "2:1.0-rc1-3ubuntu1");
  EXPECT_EQ(version.epoch(), 2U);
  EXPECT_EQ(version.upstream(), "1.0-rc1");
  EXPECT_EQ(version.revision(), "3ubuntu1");

  const auto colons = must_parse("1:2:3");
  EXPECT_EQ(colons.epoch(), 1U);
  EXPECT_EQ(colons.upstream(), "2:3");
  EXPECT_EQ(colons.revision(), "");
}

TEST(DpkgVersionTest, RejectsInvalidVersionsWithAMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {" \t ", "empty"},
      {"1.0 1", "embedded spaces"},
      {":1.0", "epoch in version ':1.0' is empty"},
      {"a:1.0", "not a number"},
      {"1a:1.0", "not a number"},
      {"+1:1.0", "not a number"},
      {"-0:1.0", "not a number"},
      {"2147483648:1.0", "too big"},
      {"99999999999999999999:1.0", "too big"},
      {"1:", "nothing after colon"},
      {"1.0-", "revision number is empty"},
      {"-1", "version number is empty"},
      {"1:-1", "version number is empty"},
      {"a1.0", "does not start with digit"},
      {"1:~1.0", "does not start with digit"},
      {"1.0_1", "invalid character in version number"},
      {"1.0\n", "invalid character in version number"},
      {std::string("1.0\0", 4), "invalid character in version number"},
      {"1.0\xc3\xa9", "invalid character in version number"},
      {"1.0-1_2", "invalid character in revision number"},
      {"1:1.0-1:2", "invalid character in revision number"},
      {std::string(70000, '1'), "longer than"},
  };
  for (const auto& [text, message] : cases) {
    const auto parsed = parse_dpkg(text);
    ASSERT_FALSE(parsed.has_value()) << "accepted '" << text << "'";
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    EXPECT_NE(parsed.error().message.find("dpkg: "), std::string::npos) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(message), std::string::npos)
        << "'" << text << "': " << parsed.error().message;
  }
}

TEST(DpkgVersionTest, AgreesWithSharedDebianTable) {
  const auto seen = expect_table_agrees("debian-versions.txt");
  if (seen.empty()) {
    GTEST_SKIP() << "shared data missing";
  }
  expect_consistent_order(seen, 20000);
}

TEST(DpkgVersionTest, AgreesWithSharedGeneratedDebianTable) {
  const auto seen = expect_table_agrees("debian-versions-generated.txt");
  if (seen.empty()) {
    GTEST_SKIP() << "shared data missing";
  }
  expect_consistent_order(seen, 200000);
}

TEST(DpkgVersionTest, CasesFormATotalOrder) {
  std::set<std::string> texts = {"1.0~~", "1.0~~a", "1.0~",  "1.0",   "1.0-0", "1.0a", "1.0+",
                                 "1.0.",  "1.0.1",  "1:0.1", "0:1.0", "1.001", "1.1"};
  expect_consistent_order(texts, 2000);
}

}  // namespace
}  // namespace vigil::version
