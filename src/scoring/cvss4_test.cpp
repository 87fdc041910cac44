// CVSS v4.0 properties the shared reference vectors do not cover: modified (environmental)
// metrics, Safety (MSI/MSA:S), worst-case defaults and the supplemental group.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "scoring/cvss.hpp"

namespace vigil::scoring {
namespace {

struct BaseMetric {
  std::string_view name;
  std::vector<std::string_view> values;
};

const std::array<BaseMetric, 11>& base_metrics() {
  static const std::array<BaseMetric, 11> kMetrics = {{
      {"AV", {"N", "A", "L", "P"}},
      {"AC", {"L", "H"}},
      {"AT", {"N", "P"}},
      {"PR", {"N", "L", "H"}},
      {"UI", {"N", "P", "A"}},
      {"VC", {"H", "L", "N"}},
      {"VI", {"H", "L", "N"}},
      {"VA", {"H", "L", "N"}},
      {"SC", {"H", "L", "N"}},
      {"SI", {"H", "L", "N"}},
      {"SA", {"H", "L", "N"}},
  }};
  return kMetrics;
}

// Builds "CVSS:4.0/AV:../SA:.." from value indexes, each shifted by `rotate` within its metric.
std::string base_vector(const std::array<size_t, 11>& picks, size_t rotate) {
  std::string vector = "CVSS:4.0";
  for (size_t metric = 0; metric < picks.size(); ++metric) {
    const BaseMetric& spec = base_metrics()[metric];
    vector += '/';
    vector += spec.name;
    vector += ':';
    vector += spec.values[(picks[metric] + rotate) % spec.values.size()];
  }
  return vector;
}

// "/MAV:../MSA:.." carrying the values `picks` selects.
std::string modified_metrics(const std::array<size_t, 11>& picks) {
  std::string suffix;
  for (size_t metric = 0; metric < picks.size(); ++metric) {
    const BaseMetric& spec = base_metrics()[metric];
    suffix += "/M";
    suffix += spec.name;
    suffix += ':';
    suffix += spec.values[picks[metric]];
  }
  return suffix;
}

// A defined modified metric replaces its base metric (spec §7.3), so a vector whose modified
// metrics restate base vector B scores exactly as B, whatever its own base metrics are. Checked
// over every one of the 104,976 base vectors.
TEST(Cvss4Test, ModifiedMetricsReplaceBaseMetrics) {
  std::array<size_t, 11> picks{};
  size_t checked = 0;
  size_t mismatches = 0;
  while (true) {
    const auto base = score_vector(base_vector(picks, 0));
    const std::string modified_vector = base_vector(picks, 1) + modified_metrics(picks);
    const auto modified = score_vector(modified_vector);
    ASSERT_TRUE(base.has_value());
    ASSERT_TRUE(modified.has_value()) << modified_vector << ": " << modified.error().message;
    ASSERT_TRUE(modified->environmental_score.has_value());
    if (modified->overall_score != base->overall_score && ++mismatches <= 20) {
      ADD_FAILURE() << modified_vector << " scored " << modified->overall_score << ", "
                    << base_vector(picks, 0) << " scored " << base->overall_score;
    }
    ++checked;
    size_t metric = 0;
    while (metric < picks.size() && ++picks[metric] == base_metrics()[metric].values.size()) {
      picks[metric++] = 0;
    }
    if (metric == picks.size()) {
      break;
    }
  }
  EXPECT_EQ(checked, 104976U);
  EXPECT_EQ(mismatches, 0U);
}

// Not Defined threat and security requirements count as their worst case (E:A, CR/IR/AR:H).
TEST(Cvss4Test, NotDefinedMeansWorstCase) {
  constexpr std::string_view kBase =
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:L/SC:L/SI:L/SA:N";
  const auto plain = score_vector(kBase);
  const auto worst = score_vector(std::string(kBase) + "/E:A/CR:H/IR:H/AR:H");
  ASSERT_TRUE(plain.has_value());
  ASSERT_TRUE(worst.has_value());
  EXPECT_EQ(worst->overall_score, plain->overall_score);
  EXPECT_EQ(worst->temporal_score, plain->overall_score);  // CVSS-BT
  EXPECT_EQ(worst->environmental_score, plain->overall_score);
  const auto lower = score_vector(std::string(kBase) + "/E:P/CR:L");
  ASSERT_TRUE(lower.has_value());
  EXPECT_LT(lower->overall_score, plain->overall_score);
  EXPECT_EQ(lower->base_score, plain->base_score);
}

TEST(Cvss4Test, SupplementalMetricsNeverChangeTheScore) {
  constexpr std::string_view kVectors[] = {
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
      "CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:A/VC:L/VI:N/VA:N/SC:H/SI:L/SA:N/E:P/MSI:S",
  };
  for (const std::string_view vector : kVectors) {
    const auto plain = score_vector(vector);
    const auto supplemented = score_vector(std::string(vector) + "/S:P/AU:Y/R:I/V:C/RE:H/U:Red");
    ASSERT_TRUE(plain.has_value()) << vector;
    ASSERT_TRUE(supplemented.has_value()) << supplemented.error().message;
    EXPECT_EQ(*plain, *supplemented) << vector;
  }
}

// Vectors from calculator bug reports whose exact unrounded score is an x.x5 tie that binary64
// arithmetic lands just below (RedHatProductSecurity/cvss-v4-calculator#48, #66;
// RedHatProductSecurity/cvss#58, #60, #63, metrics put in Table 23 order), plus #53's regression.
TEST(Cvss4Test, ExactTiesRoundHalfUp) {
  struct Case {
    std::string_view vector;
    double want;
  };
  constexpr Case kCases[] = {
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H", 8.6},
      {"CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:N/SA:H/E:A/CR:H/IR:M/AR:H/MAV:A/"
       "MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:N/MVA:H/MSC:H/MSI:H/MSA:H/S:N/AU:N/R:I/V:C/RE:M/U:Green",
       8.6},
      {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U", 0.4},
      {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P", 9.0},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:P/CR:L/IR:L/AR:L/MAV:N/"
       "MAC:L/MAT:N/MPR:L/MUI:A/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:S/S:P/AU:Y/R:I/V:C/RE:H/U:Red",
       8.5},
      {"CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:P/VC:N/VI:L/VA:H/SC:N/SI:L/SA:N/E:U/CR:H/IR:H/AR:H/MAV:L/"
       "MAC:H/MAT:P/MPR:L/MUI:P/MVC:L/MVI:L/MVA:L/MSC:L/MSI:L/MSA:S/S:N/AU:N/R:U/V:D/RE:L/U:Clear",
       1.0},
      {"CVSS:4.0/AV:A/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N", 6.1},
  };
  for (const Case& c : kCases) {
    const auto result = score_vector(c.vector);
    ASSERT_TRUE(result.has_value()) << c.vector << ": " << result.error().message;
    EXPECT_EQ(result->overall_score, c.want) << c.vector;
  }
}

// RedHatProductSecurity/cvss tests/test_cvss4.py severity cases (metrics put in Table 23 order),
// several of which reach EQ4 level 0 through MSI:S or MSA:S.
TEST(Cvss4Test, SeverityOfEnvironmentalVectors) {
  struct Case {
    std::string_view vector;
    Severity want;
  };
  constexpr Case kCases[] = {
      {"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:P/CR:H/IR:L/AR:L/MAV:L/"
       "MAC:L/MAT:N/MPR:L/MUI:A/MVC:L/MVI:N/MVA:H/MSC:H/MSI:L/MSA:N/S:P/AU:N/R:A/V:D/RE:L/U:Red",
       Severity::kLow},
      {"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:P/VC:N/VI:L/VA:L/SC:H/SI:N/SA:N/E:A/CR:M/IR:M/AR:M/MAV:L/"
       "MAC:H/MAT:P/MPR:N/MUI:P/MVC:L/MVI:N/MVA:H/MSC:H/MSI:H/MSA:S/S:N/AU:Y/R:I/V:C/RE:M/U:Amber",
       Severity::kHigh},
      {"CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:L/SI:N/SA:L/E:U/CR:L/IR:H/AR:M/MAV:N/"
       "MAC:H/MAT:P/MPR:H/MUI:P/MVC:L/MVI:H/MVA:L/MSC:N/MSI:H/MSA:H/S:P/AU:Y/R:U/V:D/RE:M/U:Red",
       Severity::kLow},
      {"CVSS:4.0/AV:A/AC:H/AT:N/PR:N/UI:A/VC:L/VI:L/VA:N/SC:N/SI:H/SA:L/E:U/CR:M/IR:M/AR:L/MAV:A/"
       "MAC:L/MAT:N/MPR:N/MUI:P/MVC:N/MVI:L/MVA:L/MSC:H/MSI:N/MSA:L/S:P/AU:N/R:U/V:D/RE:H/U:Clear",
       Severity::kLow},
      {"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:A/VC:H/VI:H/VA:N/SC:H/SI:N/SA:N/E:P/CR:H/IR:H/AR:H/MAV:L/"
       "MAC:L/MAT:N/MPR:H/MUI:P/MVC:L/MVI:L/MVA:N/MSC:H/MSI:H/MSA:S/S:N/AU:Y/R:I/V:C/RE:L/U:Green",
       Severity::kMedium},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:H/SC:H/SI:L/SA:H/E:A/CR:H/IR:M/AR:M/MAV:L/"
       "MAC:H/MAT:N/MPR:H/MUI:N/MVC:N/MVI:L/MVA:N/MSC:L/MSI:S/MSA:H/S:N/AU:Y/R:U/V:C/RE:M/U:Amber",
       Severity::kMedium},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L", Severity::kMedium},
      {"CVSS:4.0/AV:A/AC:H/AT:P/PR:N/UI:P/VC:N/VI:L/VA:N/SC:H/SI:H/SA:N/E:P/CR:L/IR:L/AR:M/MAV:L/"
       "MAC:L/MAT:P/MPR:L/MUI:A/MVC:N/MVI:L/MVA:H/MSC:L/MSI:N/MSA:S/S:N/AU:N/R:A/V:C/RE:M/U:Green",
       Severity::kLow},
      {"CVSS:4.0/AV:A/AC:H/AT:N/PR:H/UI:A/VC:H/VI:N/VA:H/SC:L/SI:N/SA:H/E:U/CR:H/IR:H/AR:H/MAV:N/"
       "MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:S/S:P/AU:N/R:I/V:D/RE:M/U:Red",
       Severity::kCritical},
      {"CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:P/VC:L/VI:N/VA:H/SC:L/SI:N/SA:H/E:U/CR:L/IR:H/AR:L/MAV:A/"
       "MAC:L/MAT:N/MPR:N/MUI:A/MVC:L/MVI:H/MVA:H/MSC:N/MSI:H/MSA:L/S:P/AU:Y/R:I/V:D/RE:H/U:Green",
       Severity::kMedium},
      {"CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:N/VC:L/VI:N/VA:H/SC:L/SI:H/SA:H/E:P/CR:H/IR:H/AR:H/MAV:L/"
       "MAC:L/MAT:P/MPR:L/MUI:P/MVC:N/MVI:N/MVA:N/MSC:N/MSI:N/MSA:N/S:P/AU:N/R:U/V:C/RE:H/U:Red",
       Severity::kNone},
  };
  for (const Case& c : kCases) {
    const auto result = score_vector(c.vector);
    ASSERT_TRUE(result.has_value()) << c.vector << ": " << result.error().message;
    EXPECT_EQ(result->severity, c.want) << c.vector << " scored " << result->overall_score;
  }
}

}  // namespace
}  // namespace vigil::scoring
