#include "version/dpkg.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

void expect_dpkg_order(const std::vector<OrderCase>& cases) {
  testing::expect_cases(cases, parse_dpkg, compare_dpkg);
}

TEST(DpkgVersionTest, OrdersRealDebianAndUbuntuVersions) {
  expect_dpkg_order({
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
  expect_dpkg_order({
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
  expect_dpkg_order({
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
  expect_dpkg_order({
      {"1:0.1", "9.9", 1},
      {"0:1.0", "1.0", 0},
      {"0001:1.0", "1:1.0", 0},
      {"2147483647:1.0", "2147483646:9.9", 1},
      {"1:1.0~rc1", "1.0", 1},
  });
}

TEST(DpkgVersionTest, DigitRunsAreUnboundedNumbersIgnoringLeadingZeros) {
  expect_dpkg_order({
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
  expect_dpkg_order({
      {"1.0", "1.0-0", 0},
      {"1.0-0", "1.0-00", 0},
      {"1.0", "1.0-1", -1},
      {"1.0", "1.0-~", 1},
  });
}

TEST(DpkgVersionTest, SplitsEpochUpstreamAndRevision) {
  const auto version = testing::must_parse(parse_dpkg, "\t 2:1.0-rc1-3ubuntu1 ");
  EXPECT_EQ(version.text(), "2:1.0-rc1-3ubuntu1");
  EXPECT_EQ(version.epoch(), 2U);
  EXPECT_EQ(version.upstream(), "1.0-rc1");
  EXPECT_EQ(version.revision(), "3ubuntu1");

  const auto colons = testing::must_parse(parse_dpkg, "1:2:3");
  EXPECT_EQ(colons.epoch(), 1U);
  EXPECT_EQ(colons.upstream(), "2:3");
  EXPECT_EQ(colons.revision(), "");
}

TEST(DpkgVersionTest, RejectsInvalidVersionsWithAMessage) {
  const std::vector<testing::RejectCase> cases = {
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
  testing::expect_rejected(parse_dpkg, "dpkg: ", cases);
}

TEST(DpkgVersionTest, AgreesWithSharedDebianTable) {
  testing::check_table_and_order("debian-versions.txt", parse_dpkg, compare_dpkg, 20000);
}

TEST(DpkgVersionTest, AgreesWithSharedGeneratedDebianTable) {
  testing::check_table_and_order("debian-versions-generated.txt", parse_dpkg, compare_dpkg, 200000);
}

TEST(DpkgVersionTest, CasesFormATotalOrder) {
  testing::VersionList<DpkgVersion> versions;
  for (const char* text : {"1.0~~", "1.0~~a", "1.0~", "1.0", "1.0-0", "1.0a", "1.0+", "1.0.",
                           "1.0.1", "1:0.1", "0:1.0", "1.001", "1.1"}) {
    versions.emplace_back(text, testing::must_parse(parse_dpkg, text));
  }
  testing::check_order_consistency(versions, compare_dpkg, 2000);
}

}  // namespace
}  // namespace vigil::version
