#include "version/rpm.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

void expect_rpm_order(const std::vector<OrderCase>& cases) {
  testing::expect_cases(cases, parse_rpm, compare_rpm);
}

TEST(RpmVersionTest, OrdersRealRedHatFamilyVersions) {
  expect_rpm_order({
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
  expect_rpm_order({
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
  expect_rpm_order({
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
  expect_rpm_order({
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
  expect_rpm_order({
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
  expect_rpm_order({
      {"1.0", "1.0-", -1},
      {"1.0-", "1.0-0", -1},
      {"1.0", "1.0-0", -1},
      {"1.0-", "1.0-.", 0},
      {"1.0-1", "1.0-1.el7", -1},
      {"1-123", "1-1.el7", 1},
  });
}

TEST(RpmVersionTest, SplitsLikeRpmverParse) {
  const auto full = testing::must_parse(parse_rpm, "007:1.0-rc1-3.el9");
  EXPECT_EQ(full.epoch(), "7");
  EXPECT_EQ(full.version(), "1.0-rc1");
  EXPECT_TRUE(full.has_release());
  EXPECT_EQ(full.release(), "3.el9");

  const auto colons = testing::must_parse(parse_rpm, "1:2:3");
  EXPECT_EQ(colons.epoch(), "1");
  EXPECT_EQ(colons.version(), "2:3");
  EXPECT_FALSE(colons.has_release());

  const auto not_epoch = testing::must_parse(parse_rpm, "a1:1-");
  EXPECT_EQ(not_epoch.epoch(), "");
  EXPECT_EQ(not_epoch.version(), "a1:1");
  EXPECT_TRUE(not_epoch.has_release());
  EXPECT_EQ(not_epoch.release(), "");
}

TEST(RpmVersionTest, RejectsInvalidVersionsWithAMessage) {
  const std::vector<testing::RejectCase> cases = {
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
  testing::expect_rejected(parse_rpm, "rpm: ", cases);
}

TEST(RpmVersionTest, AgreesWithSharedRedHatTable) {
  testing::check_table_and_order("redhat-versions.txt", parse_rpm, compare_rpm, 50000);
}

}  // namespace
}  // namespace vigil::version
