#include "version/semver.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::version {
namespace {

using testing::OrderCase;

using ParseFn = Result<SemverVersion> (*)(std::string_view);

void expect_semver_order(ParseFn parse, const std::vector<OrderCase>& cases) {
  testing::expect_cases(cases, parse, compare_semver);
}

TEST(SemverVersionTest, OrdersBySpecPrecedence) {
  expect_semver_order(parse_semver,
               {
                   // semver.org 11: 1.0.0-alpha < alpha.1 < alpha.beta < beta < beta.2 < ...
                   {"1.0.0-alpha", "1.0.0-alpha.1", -1},
                   {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
                   {"1.0.0-alpha.beta", "1.0.0-beta", -1},
                   {"1.0.0-beta.2", "1.0.0-beta.11", -1},
                   {"1.0.0-rc.1", "1.0.0", -1},
                   {"4.17.21", "4.17.20", 1},
                   {"4.17.21", "4.18.0", -1},
                   {"18.2.0", "18.2.0", 0},
                   {"0.4.20", "0.4.3", 1},
                   {"10.0.0", "9.99.99", 1},
                   {"1.0.0-rc.10", "1.0.0-rc.9", 1},
                   {"0.0.0-0", "0.0.0", -1},
                   {"1.0.0-1", "1.0.0-a", -1},
                   {"1.0.0-9", "1.0.0-10", -1},
                   {"1.0.0-a10", "1.0.0-a9", -1},  // alphanumeric: ASCII order
                   {"1.0.0-BETA", "1.0.0-beta", -1},
                   {"1.0.0-x-y-z.--", "1.0.0-x-y-z", 1},
                   {"1.0.0-0A.is.legal", "1.0.0-0A", 1},
                   {"7.0.0-next.4", "7.0.0-next.10", -1},
                   {"1.2.3-beta+build", "1.2.3-beta+otherbuild", 0},
                   {"1.2.3+build.1", "1.2.3", 0},
                   {"v1.2.3", "1.2.3", 0},
                   {" 1.2.3\t", "1.2.3", 0},
               });
}

TEST(SemverVersionTest, ComparesLongNumbersExactly) {
  expect_semver_order(parse_semver,
               {
                   {"18446744073709551616.0.0", "18446744073709551615.0.0", 1},
                   {"1.18446744073709551616.0", "1.9.0", 1},
                   {"1.0.99999999999999999999999", "1.0.99999999999999999999998", 1},
                   {"1.0.0-99999999999999999999999", "1.0.0-99999999999999999999998", 1},
                   {"1.0.0-99999999999999999999999", "1.0.0-a", -1},
                   {"9007199254740993.0.0", "9007199254740992.0.0", 1},
               });
}

TEST(SemverVersionTest, KeepsCanonicalParts) {
  const auto version = parse_semver(" v1.22.333-rc.1+sha.abc ");
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->text, "1.22.333-rc.1+sha.abc");
  EXPECT_EQ(version->major(), "1");
  EXPECT_EQ(version->minor(), "22");
  EXPECT_EQ(version->patch(), "333");
  EXPECT_EQ(version->prerelease(), "rc.1");
  EXPECT_EQ(version->build(), "sha.abc");
  const auto plain = parse_semver("1.2.3+b-1");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->prerelease(), "");
  EXPECT_EQ(plain->build(), "b-1");
}

TEST(SemverVersionTest, RejectsInvalidVersions) {
  const std::vector<testing::RejectCase> cases = {
      {"", "major version is not a number"},
      {"   ", "major version is not a number"},
      {"1.2", "expected MAJOR.MINOR.PATCH"},
      {"1.2.3.4", "unexpected '.'"},
      {"01.2.3", "major version '01' has a leading zero"},
      {"1.02.3", "minor version '02' has a leading zero"},
      {"1.2.03", "patch version '03' has a leading zero"},
      {"1.2.3-01", "numeric prerelease identifier '01' has a leading zero"},
      {"1.2.3-", "empty prerelease identifier"},
      {"1.2.3+", "empty build metadata identifier"},
      {"1.2.3-a..b", "empty prerelease identifier"},
      {"1.2.3-a.", "empty prerelease identifier"},
      {"1.2.3-a_b", "invalid character '_' in prerelease"},
      {"1.2.3+a+b", "invalid character '+' in build metadata"},
      {"=1.2.3", "major version is not a number"},
      {"V1.2.3", "major version is not a number"},
      {"vv1.2.3", "major version is not a number"},
      {"1.2.3 beta", "unexpected ' '"},
      {"1.2.3beta", "unexpected 'b'"},
      {"\xef\xbc\x91.2.3", "major version is not a number"},
      {"1.2.3\n4", "unexpected '\n'"},
  };
  testing::expect_rejected(parse_semver, "semver: ", cases);
}

TEST(GoVersionTest, OrdersModuleAndPseudoVersions) {
  expect_semver_order(
      parse_go,
      {
          {"v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-abcdefabcdef", -1},
          {"v0.0.0-20191109021931-daa7c04131f5", "v0.1.0", -1},
          {"0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20191109021931-daa7c04131f5", 0},
          {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", 1},
          {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1},
          {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-0.20200101000000-abcdef123456", -1},
          {"v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre", 1},
          {"v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre.1", -1},
          {"v2.0.0+incompatible", "v2.0.0", 0},
          {"v2.1.0+incompatible", "v2.0.5+incompatible", 1},
          {"v1.52.0", "1.52.0", 0},
          {"v1", "v1.0.0", 0},
          {"v1.2", "v1.2.0", 0},
          {"0", "0.0.0", 0},
          {"0", "0.0.0-20191109021931-daa7c04131f5", 1},
          {"v0.38.0", "v0.4.0", 1},
      });
}

TEST(GoVersionTest, OrdersToolchainVersions) {
  expect_semver_order(parse_go, {
                             {"go1.21.5", "1.21.5", 0},
                             {"go1.21rc2", "1.21.0-rc.2", 0},
                             {"go1.21rc2", "go1.21.0", -1},
                             {"go1.21", "1.21.0", 0},
                             {"go1.20", "go1.20.14", -1},
                             {"go1.9beta1", "go1.9rc1", -1},
                             {"go1.9beta2", "go1.9beta10", -1},
                             {"go1", "1.0.0", 0},
                             {"go1.22.0", "go1.21.13", 1},
                             // OSV's stdlib "introduced: 1.21.0-0" precedes the 1.21 prereleases.
                             {"1.21.0-0", "go1.21rc1", -1},
                         });
  const auto tag = parse_go("go1.21rc2");
  ASSERT_TRUE(tag.has_value());
  EXPECT_EQ(tag->text, "1.21.0-rc.2");
}

TEST(GoVersionTest, RejectsInvalidVersions) {
  const std::vector<testing::RejectCase> cases = {
      {"", "major version is not a number"},
      {"v1.2.3.4", "unexpected '.'"},
      {"v01.2.3", "leading zero"},
      {"v1.2-pre", "expected MAJOR.MINOR.PATCH"},
      {"v1+incompatible", "expected MAJOR.MINOR.PATCH"},
      {" v1.2.3", "major version is not a number"},
      {"v1.2.3-01", "leading zero"},
      {"go1.21.5 X:boringcrypto", "invalid toolchain version"},
      {"go1.21rc", "bad rc number"},
      {"go1.021", "invalid toolchain version"},
      {"go", "invalid toolchain version"},
  };
  testing::expect_rejected(parse_go, "go: ", cases);
}

// Versions of the shared table that are not SemVer 2.0.0, so parse_semver rejects them as npm's
// semver does (semver.valid() returns null, compare() throws "Invalid Version"): a lone number
// lacks MINOR and PATCH, and a fourth and fifth part are not allowed. osv-scalibr's lenient
// parser accepts both. Go reads "999..." as the shorthand "v999...".
constexpr const char* kSemverRejected[] = {"999999999999999999999999999991",
                                           "999999999999999999999999999999", "1.1.3.4.5"};

// Checks the shared SemVer table read with `parse` in both directions, except rows naming a
// version of `rejected`, which `parse` must refuse; then the order's consistency over its versions.
void expect_semver_table(ParseFn parse, std::set<std::string> rejected, size_t min_rows) {
  const auto table = testing::check_table("semver-versions.txt", parse, compare_semver,
                                          {.invalid = std::move(rejected)});
  if (!table) {
    GTEST_SKIP() << "shared data missing";
  }
  EXPECT_GE(table->ordered_rows, min_rows);
  testing::check_order_consistency(table->versions, compare_semver, 100000);
}

TEST(SemverVersionTest, AgreesWithOsvScalibrTable) {
  expect_semver_table(parse_semver, {std::begin(kSemverRejected), std::end(kSemverRejected)}, 80);
}

TEST(GoVersionTest, AgreesWithOsvScalibrTable) { expect_semver_table(parse_go, {"1.1.3.4.5"}, 84); }

}  // namespace
}  // namespace vigil::version
