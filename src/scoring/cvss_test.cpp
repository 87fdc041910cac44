#include "scoring/cvss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::scoring {
namespace {

constexpr std::string_view kV31Critical = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
constexpr std::string_view kV40Base =
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

struct ScoreCase {
  std::string_view vector;
  CvssVersion version;
  double base;
  std::optional<double> temporal;
  std::optional<double> environmental;
  double overall;
  Severity severity;
};

// Expected values come from the specifications' worked examples and FIRST's calculators.
constexpr ScoreCase kScoreCases[] = {
    {kV31Critical, CvssVersion::kV31, 9.8, std::nullopt, std::nullopt, 9.8, Severity::kCritical},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CvssVersion::kV30, 9.8, std::nullopt,
     std::nullopt, 9.8, Severity::kCritical},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", CvssVersion::kV31, 10.0, std::nullopt,
     std::nullopt, 10.0, Severity::kCritical},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", CvssVersion::kV31, 5.5, std::nullopt,
     std::nullopt, 5.5, Severity::kMedium},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", CvssVersion::kV31, 0.0, std::nullopt,
     std::nullopt, 0.0, Severity::kNone},
    // Temporal metrics set; RL:X alone would not count as defined.
    {"CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X", CvssVersion::kV30, 3.8, 3.7,
     std::nullopt, 3.7, Severity::kLow},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:L/"
     "MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H",
     CvssVersion::kV30, 9.3, 8.9, 9.5, 9.5, Severity::kCritical},
    // v3.1's Modified Impact differs from the base Impact when the scope is changed.
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H/MAV:N", CvssVersion::kV31, 9.6, std::nullopt,
     9.7, 9.7, Severity::kCritical},
    {"AV:N/AC:L/Au:N/C:P/I:P/A:P", CvssVersion::kV2, 7.5, std::nullopt, std::nullopt, 7.5,
     Severity::kHigh},
    {"(AV:N/AC:L/Au:N/C:P/I:P/A:P)", CvssVersion::kV2, 7.5, std::nullopt, std::nullopt, 7.5,
     Severity::kHigh},
    {"CVSS:2.0/AV:N/AC:M/Au:N/C:N/I:P/A:N", CvssVersion::kV2, 4.3, std::nullopt, std::nullopt, 4.3,
     Severity::kMedium},
    {"AV:L/AC:H/Au:M/C:N/I:N/A:N", CvssVersion::kV2, 0.0, std::nullopt, std::nullopt, 0.0,
     Severity::kLow},
    // 10.0 x E:F 0.95 x RL:OF 0.87 x RC:C 1.0 = 8.265 -> 8.3.
    {"AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C", CvssVersion::kV2, 10.0, 8.3, std::nullopt, 8.3,
     Severity::kHigh},
    {"AV:A/AC:H/Au:S/C:N/I:P/A:P/E:POC/RL:OF/RC:C/CDP:LM/TD:M/CR:M/IR:L/AR:L", CvssVersion::kV2,
     2.9, 2.3, 2.8, 2.8, Severity::kLow},
    {"AV:N/AC:L/Au:N/C:C/I:C/A:C/E:ND/RL:ND/RC:ND/CDP:ND/TD:ND/CR:ND/IR:ND/AR:ND", CvssVersion::kV2,
     10.0, std::nullopt, std::nullopt, 10.0, Severity::kHigh},
    {kV40Base, CvssVersion::kV40, 9.3, std::nullopt, std::nullopt, 9.3, Severity::kCritical},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", CvssVersion::kV40, 8.7,
     std::nullopt, std::nullopt, 8.7, Severity::kHigh},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/AR:L", CvssVersion::kV40, 8.7,
     std::nullopt, 7.9, 7.9, Severity::kHigh},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MSI:H", CvssVersion::kV40,
     0.0, std::nullopt, 7.7, 7.7, Severity::kHigh},
    // CR:X is Not Defined: the vector is still CVSS-B (FIRST calculator: 4.1).
    {"CVSS:4.0/AV:A/AC:L/AT:N/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:H/CR:X", CvssVersion::kV40, 4.1,
     std::nullopt, std::nullopt, 4.1, Severity::kMedium},
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U", CvssVersion::kV40, 7.3,
     4.1, std::nullopt, 4.1, Severity::kMedium},
};

TEST(CvssScoreTest, ScoresKnownVectors) {
  for (const ScoreCase& c : kScoreCases) {
    const auto result = score_vector(c.vector);
    ASSERT_TRUE(result.has_value()) << c.vector << ": " << result.error().message;
    EXPECT_EQ(result->version, c.version) << c.vector;
    EXPECT_DOUBLE_EQ(result->base_score, c.base) << c.vector;
    EXPECT_EQ(result->temporal_score, c.temporal) << c.vector;
    EXPECT_EQ(result->environmental_score, c.environmental) << c.vector;
    EXPECT_DOUBLE_EQ(result->overall_score, c.overall) << c.vector;
    EXPECT_EQ(result->severity, c.severity) << c.vector;
  }
}

TEST(CvssScoreTest, ScoresAreTheDoubleNearestToOneDecimal) {
  const auto result = score_vector("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N");  // 8.1
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->base_score, 8.1);
  EXPECT_FALSE(std::signbit(score_vector("AV:L/AC:H/Au:M/C:N/I:N/A:N")->base_score));
}

TEST(CvssScoreTest, V3AcceptsAnyMetricOrder) {
  const auto canonical = score_vector(
      "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:L/E:U/RL:U/RC:R/CR:M/MPR:L/MUI:R/MI:N/MA:H");
  const auto shuffled = score_vector(
      "CVSS:3.1/MA:H/MI:N/MUI:R/MPR:L/CR:M/RC:R/RL:U/E:U/A:L/I:H/C:H/S:C/UI:N/PR:L/AC:H/AV:L");
  ASSERT_TRUE(canonical.has_value());
  ASSERT_TRUE(shuffled.has_value()) << shuffled.error().message;
  EXPECT_EQ(*canonical, *shuffled);
}

TEST(CvssScoreTest, V4ExplicitNotDefinedEqualsOmitted) {
  const auto explicit_x = score_vector(
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
      "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X");
  const auto omitted =
      score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N");
  ASSERT_TRUE(explicit_x.has_value()) << explicit_x.error().message;
  ASSERT_TRUE(omitted.has_value());
  EXPECT_EQ(*explicit_x, *omitted);
  EXPECT_DOUBLE_EQ(omitted->overall_score, 5.3);  // NVD record of the same vector
}

struct RejectCase {
  std::string_view vector;
  std::string_view message_part;
};

constexpr RejectCase kRejectCases[] = {
    {"", "empty CVSS vector"},
    {"CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unsupported CVSS vector prefix \"CVSS:3.2\""},
    {"CVSS:31/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unsupported CVSS vector prefix"},
    {"CVSS:3.1", "has no metrics"},
    {"CVSS:3.1/", "has no metrics"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "component 9 is empty"},
    {"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "component 2 is empty"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y", "unknown metric \"XX\""},
    {"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value \"Q\" for metric AV"},
    {"CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value \"n\" for metric AV"},
    {"CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown metric \"av\""},
    {"CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value \"\" for metric AV"},
    {"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "duplicate metric AV"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/E:X", "duplicate metric E"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "missing mandatory base metric(s) A"},
    {"CVSS:3.1/AV:N/AC:L/UI:N/C:H/I:H/A:H", "missing mandatory base metric(s) PR, S"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H junk", "invalid value \"H junk\""},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n", "invalid value \"H?\""},
    {"CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "malformed component \"AVN\""},
    {"CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "malformed component \"AV:N:L\""},
    {"CVSS:3.1/:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "malformed component \":N\""},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MSI:S", "unknown metric \"MSI\""},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:ND", "invalid value \"ND\" for metric E"},
    {" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown metric \" CVSS\""},
    {"cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown metric \"cvss\""},
    // v2: the guide fixes the metric order (§2.4).
    {"AV:N/AC:L/Au:N/A:P/I:P/C:P", "metric I is out of order"},
    {"AV:N/AC:L/Au:N/C:P/I:P/A:P/RL:OF/E:F", "metric E is out of order"},
    {"(AV:N/AC:L/Au:N/C:P/I:P/A:P", "unbalanced parenthesis"},
    {"(", "unbalanced parenthesis"},
    {"()", "has no metrics"},
    {"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS v2 vector: unknown metric \"PR\""},
    {"AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X", "invalid value \"X\" for metric E"},
    {"AV:N/AC:L/Au:N/C:P/I:P", "missing mandatory base metric(s) A"},
    {"AV:N/AC:L/AU:N/C:P/I:P/A:P", "unknown metric \"AU\""},
    // v4: Table 23 order is the only valid one.
    {"CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
     "metric AV is out of order (the specification requires it before AC)"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N",
     "metric VI is out of order"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:N/CR:H",
     "metric CR is out of order"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
     "missing mandatory base metric(s) SA"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/E:P",
     "duplicate metric E"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
     "invalid value \"S\" for metric SI"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:clear",
     "invalid value \"clear\" for metric U"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/Au:N",
     "unknown metric \"Au\""},
    // A v3 vector under a v4 prefix: v4's S is Safety (X, N, P).
    {"CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value \"U\" for metric S"},
};

TEST(CvssParseTest, RejectsMalformedVectors) {
  for (const RejectCase& c : kRejectCases) {
    const auto result = score_vector(c.vector);
    ASSERT_FALSE(result.has_value()) << "accepted: " << c.vector;
    EXPECT_EQ(result.error().code, ErrorCode::kParse) << c.vector;
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
        << c.vector << " gave: " << result.error().message;
  }
}

TEST(CvssParseTest, ErrorMessagesStayShortAndPrintable) {
  std::string junk(100000, 'A');
  junk[5] = '\0';
  junk[6] = '\x7f';
  const auto result = score_vector(junk);
  ASSERT_FALSE(result.has_value());
  EXPECT_LT(result.error().message.size(), 200U);
  for (const char c : result.error().message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
  constexpr char kEmbeddedNul[] = "CVSS:3.1/AV:N\0/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
  const auto nul_result = score_vector(std::string_view(kEmbeddedNul, sizeof(kEmbeddedNul) - 1));
  ASSERT_FALSE(nul_result.has_value());
  EXPECT_NE(nul_result.error().message.find("invalid value \"N?\" for metric AV"),
            std::string::npos)
      << nul_result.error().message;
}

struct SeverityCase {
  CvssVersion version;
  double score;
  Severity want;
};

constexpr SeverityCase kSeverityCases[] = {
    {CvssVersion::kV31, 0.0, Severity::kNone},      {CvssVersion::kV31, 0.1, Severity::kLow},
    {CvssVersion::kV31, 3.9, Severity::kLow},       {CvssVersion::kV31, 4.0, Severity::kMedium},
    {CvssVersion::kV31, 6.9, Severity::kMedium},    {CvssVersion::kV31, 7.0, Severity::kHigh},
    {CvssVersion::kV31, 8.9, Severity::kHigh},      {CvssVersion::kV31, 9.0, Severity::kCritical},
    {CvssVersion::kV40, 10.0, Severity::kCritical}, {CvssVersion::kV40, 0.04, Severity::kNone},
    {CvssVersion::kV30, 3.95, Severity::kMedium},   {CvssVersion::kV40, -1.0, Severity::kNone},
    {CvssVersion::kV40, 11.0, Severity::kCritical}, {CvssVersion::kV40, NAN, Severity::kNone},
    {CvssVersion::kV2, 0.0, Severity::kLow},        {CvssVersion::kV2, 3.9, Severity::kLow},
    {CvssVersion::kV2, 4.0, Severity::kMedium},     {CvssVersion::kV2, 6.9, Severity::kMedium},
    {CvssVersion::kV2, 7.0, Severity::kHigh},       {CvssVersion::kV2, 10.0, Severity::kHigh},
};

TEST(CvssSeverityTest, BandsFollowEachVersionsScale) {
  for (const SeverityCase& c : kSeverityCases) {
    EXPECT_EQ(severity_of(c.version, c.score), c.want) << version_name(c.version) << " " << c.score;
  }
}

TEST(CvssSeverityTest, NamesAreStable) {
  EXPECT_EQ(severity_name(Severity::kNone), "None");
  EXPECT_EQ(severity_name(Severity::kLow), "Low");
  EXPECT_EQ(severity_name(Severity::kMedium), "Medium");
  EXPECT_EQ(severity_name(Severity::kHigh), "High");
  EXPECT_EQ(severity_name(Severity::kCritical), "Critical");
  EXPECT_EQ(version_name(CvssVersion::kV2), "2.0");
  EXPECT_EQ(version_name(CvssVersion::kV30), "3.0");
  EXPECT_EQ(version_name(CvssVersion::kV31), "3.1");
  EXPECT_EQ(version_name(CvssVersion::kV40), "4.0");
}

}  // namespace
}  // namespace vigil::scoring
