#include "version/apk.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

void expect_apk_order(const std::vector<OrderCase>& cases) {
  testing::expect_cases(cases, parse_apk, compare_apk);
}

// Versions in the shared alpine tables that apk-tools' apk_version_validate rejects: the rows the
// table itself marks "invalid" / "technically invalid" (osv-scalibr orders them with a string
// fallback, and its comments note apk versions disagree on them). Each breaks a rule of
// src/version.c's token_next: no leading digits ("a", ".1"), '.' not followed by digits ("0..8",
// "0.8.21.r2"), an unknown suffix ("_blah", "_foo", "_csv"), an upper-case or second letter
// ("1.2.0A", "1.0bc"), "-" not followed by "r<digits>" ("1-r", "1-r-0", "1-ruff"), or anything
// after the revision ("1-r0-1"). Vigil refuses invalid apk versions instead of ordering them, so
// rows using them are checked for rejection rather than for an ordering.
const std::set<std::string> kInvalidInSharedTables = {
    "a",
    "b",
    "c",
    ".1",
    ".2",
    "0..8",
    "0...8",
    "0..1..0",
    "0..1..1",
    "0...1...0",
    "0...1...1",
    "0...1...0.r1",
    "0...1...0.r2",
    "0...1...0r1",
    "0...1...0r2",
    "0.r1",
    "0.8.21.r1",
    "0.8.21.r2",
    "10.2.22.r0",
    "10.2.24.r0",
    "1.2_blah",
    "1.2_csv2",
    "23_foo",
    "1.2.0A",
    "1.2.0D",
    "1.0bc",
    "1-r",
    "1-r-0",
    "1-r-1",
    "1-r-2",
    "1-ruff",
    "1-ruff1",
    "1-ruff2",
    "1--ruff1",
    "1-r0-1",
    "1-r0-2",
    "1-r0-ruff1",
    "1-r0-ruff2",
};

TEST(ApkVersionTest, OrdersRealAlpineVersions) {
  expect_apk_order({
      {"1.36.1-r2", "1.36.1-r5", -1},
      {"3.1.4-r1", "3.1.4-r5", -1},
      {"3.1.4-r5", "3.1.4-r5", 0},
      {"1.2.4_git20230717-r4", "1.2.4-r4", 1},
      {"2.40.1_rc1-r0", "2.40.1-r0", -1},
      {"6.4_p20230506-r0", "6.4-r1", 1},
      {"1.1.1w-r1", "1.1.1t-r0", 1},
      {"1.1.1w-r1", "1.1.1-r5", 1},
      {"9.4_p1-r6", "9.6_p1-r0", -1},
      {"2.5.1a-r1", "2.5.1-r8", 1},
      {"1.3_pre1-r1", "1.3.2", -1},
      {"1.0_p10-r0", "1.0_p9-r0", 1},
      {"1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0", -1},
      {"20050718-r1", "3.9.8-r5", 1},
  });
}

TEST(ApkVersionTest, SuffixesSortAroundTheRelease) {
  // alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p
  expect_apk_order({
      {"1.0_alpha", "1.0_beta", -1},
      {"1.0_beta", "1.0_pre", -1},
      {"1.0_pre", "1.0_rc", -1},
      {"1.0_rc", "1.0", -1},
      {"1.0", "1.0_cvs", -1},
      {"1.0_cvs", "1.0_svn", -1},
      {"1.0_svn", "1.0_git", -1},
      {"1.0_git", "1.0_hg", -1},
      {"1.0_hg", "1.0_p", -1},
      {"1.0_rc9", "1.0_rc10", -1},
      {"1.0_rc1", "1.0_rc01", 0},
      {"1.0_p", "1.0_p0", -1},  // apk: the longer version wins unless it goes on with a pre-release
      {"0.1.0_alpha_pre2", "0.1.0_alpha", -1},
      {"0.1_git20240101_pre1", "0.1_git20240101", -1},
      {"0.1_p1_pre2", "0.1_p1", -1},
      {"1.0_alpha", "1.0.1_alpha", -1},
      {"1.0_rc1", "1.0-r1", -1},
  });
}

TEST(ApkVersionTest, LettersRevisionsAndCommitHashes) {
  expect_apk_order({
      {"1.2.3b", "1.2.0d", 1},
      {"1.0a", "1.0z", -1},
      {"1.0", "1.0a", -1},
      {"1.0z", "1.0.1", -1},
      {"1.0-r1", "1.0-r01", 0},
      {"1.0", "1.0-r0", -1},
      {"1.0-r9", "1.0-r10", -1},
      {"1.0~1234", "1.0~2345", -1},
      {"1.0~1234-r1", "1.0~2345-r0", -1},
      {"1.0~1234-r1", "1.0~1234-r0", 1},
      {"1.0~abc", "1.0~abcd", -1},
      {"1.0~abc", "1.0", 1},
      {"1.0~abc", "1.0-r1", 1},  // apk: a hash token outranks a revision token
      {"0.1_pre2~1234abcd", "0.1_pre2", 1},
  });
}

TEST(ApkVersionTest, NumbersAndLeadingZeros) {
  expect_apk_order({
      {"1.10", "1.9", 1},
      {"006", "1.0.0", 1},  // the first number is always numeric
      {"013", "14-r1", -1},
      {"1.02", "1.1", -1},  // a leading zero makes a later number compare as a string
      {"1.010", "1.01", 1},
      {"8.2.0", "8.2.001", -1},
      {"8.2.0015", "8.2.002", -1},
      {"1.2.12.04", "1.2.12.05", -1},
      {"18446744073709551616", "18446744073709551615", 1},
      {"1.18446744073709551616", "1.18446744073709551615", 1},
      {"1.0-r18446744073709551616", "1.0-r18446744073709551615", 1},
      {"1.0_p99999999999999999999999", "1.0_p99999999999999999999998", 1},
      {"1.0", "1.0.0", -1},
      {"1.2.3", "1.2.3.0", -1},
  });
}

TEST(ApkVersionTest, AcceptsLegacyDigitsAfterTheLetter) {
  // Current apk-tools rejects "0.1a1" (test/unit/version.data) and then orders every "6.6.4pN"
  // alike; older apk-tools read the digits as a number, which real Alpine <= 3.11 openssh
  // versions (and the shared generated table) rely on.
  expect_apk_order({
      {"6.6.4p1-r0", "6.6.4p1-r1", -1},
      {"6.6.4p1-r1", "6.6.4p2-r0", -1},
      {"6.6.4p2-r0", "6.7p1-r0", -1},
      {"6.6.2p1", "6.6.2_p1", 1},
      {"6.6.2p1", "6.6.2_p2", 1},
      {"0.1a01", "0.1a1", 0},
      {"0.1a9", "0.1a10", -1},
      {"6.6.4p1", "6.6.4p", 1},
  });
}

TEST(ApkVersionTest, RejectsInvalidVersionsWithAMessage) {
  // The invalid rows of apk-tools' test/unit/version.data, plus a few more.
  const std::vector<std::string> invalid = {
      "",
      "0.1bc",
      "0.1bc1",
      "0.1a.1",
      "0.1_pre2~",
      "0.1_pre2~1234xbcd",
      "0.1_pre2~1234abcd_pre1",
      "0.1_pre2-r1~1234xbcd",
      "0.1_foobar",
      "0.1_foobar1",
      "0.1-pre1.1",
      "0.1-r",
      "0.1-r2_pre1",
      "0.1-r2_p3_pre1",
      "0.1-r2-r3",
      "0.1-r2.1",
      ".1",
      "a",
      "_pre1",
      "-r1",
      "0.1_",
      "0.1_-r0",
      "0.1__alpha",
      "0.1_1_alpha",
      "1.2.0A",
      "1.0 ",
      "1.0~ABC",
      "1.0-",
      "1..0",
      "1.0.",
      std::string("1.0\0", 4),
      std::string(70000, '1'),
  };
  for (const auto& text : invalid) {
    const auto parsed = parse_apk(text);
    ASSERT_FALSE(parsed.has_value()) << "accepted '" << text << "'";
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    EXPECT_EQ(parsed.error().message.rfind("apk: ", 0), 0U) << parsed.error().message;
  }
  EXPECT_NE(parse_apk("1.2_foo").error().message.find("offset 3 ('_foo')"), std::string::npos)
      << parse_apk("1.2_foo").error().message;
}

TEST(ApkVersionTest, AcceptsTheValidGrammar) {
  for (const char* text : {"1.2", "0.1_pre2", "0.1_pre2~1234abcd", "0.1_p1_pre2", "0.1_alpha1_pre2",
                           "0.1_git20240101_pre1", "1.2.3b_rc1~cafe-r12", "20240101", "0"}) {
    EXPECT_TRUE(parse_apk(text).has_value()) << text;
  }
}

TEST(ApkVersionTest, AgreesWithSharedAlpineTable) {
  testing::check_table_and_order("alpine-versions.txt", parse_apk, compare_apk, 20000,
                                 {.invalid = kInvalidInSharedTables});
}

TEST(ApkVersionTest, AgreesWithSharedGeneratedAlpineTable) {
  testing::check_table_and_order("alpine-versions-generated.txt", parse_apk, compare_apk, 200000,
                                 {.invalid = kInvalidInSharedTables});
}

}  // namespace
}  // namespace vigil::version
