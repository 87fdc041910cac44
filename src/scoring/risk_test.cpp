#include "scoring/risk.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::scoring {
namespace {

TEST(InspectorScoreTest, InternetReachableKeepsBase) {
  const auto score =
      inspector_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Reachability::kInternet);
  ASSERT_TRUE(score.has_value());
  EXPECT_DOUBLE_EQ(score->score, 9.8);
  EXPECT_TRUE(score->adjustments.empty());
}

TEST(InspectorScoreTest, UnreachableHostLowersAttackVector) {
  const auto score =
      inspector_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Reachability::kNone);
  ASSERT_TRUE(score.has_value());
  EXPECT_LT(score->score, 9.8);
  EXPECT_DOUBLE_EQ(score->score, 8.4);  // MAV:L environmental score of the same vector
  ASSERT_EQ(score->adjustments.size(), 1U);
  EXPECT_EQ(score->adjustments[0].factor, "MAV");
  EXPECT_EQ(score->adjustments[0].to, "L");
  EXPECT_NE(score->vector.find("/MAV:L"), std::string::npos);
}

TEST(InspectorScoreTest, NeverRaisesLocalVectors) {
  const auto score =
      inspector_score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", Reachability::kVpc);
  ASSERT_TRUE(score.has_value());
  EXPECT_DOUBLE_EQ(score->score, 7.8);
  EXPECT_TRUE(score->adjustments.empty());
}

TEST(InspectorScoreTest, RejectsMalformedAndNonV3) {
  EXPECT_FALSE(inspector_score("CVSS:3.1/AV:N", Reachability::kNone).has_value());
  EXPECT_FALSE(inspector_score("AV:N/AC:L/Au:N/C:P/I:P/A:P", Reachability::kNone).has_value());
}

RiskInputs base_inputs() {
  RiskInputs inputs;
  inputs.cvss_base = 7.5;
  return inputs;
}

TEST(VigilRiskTest, KevAndRansomwareRaiseTheScore) {
  auto inputs = base_inputs();
  const double plain = vigil_risk(inputs).score;
  inputs.in_kev = true;
  const double kev = vigil_risk(inputs).score;
  inputs.ransomware = true;
  const double ransom = vigil_risk(inputs).score;
  EXPECT_LT(plain, kev);
  EXPECT_LT(kev, ransom);
}

TEST(VigilRiskTest, NoExploitAndLimitedReachLowerIt) {
  auto inputs = base_inputs();
  inputs.reachability = Reachability::kInternet;
  const double exposed = vigil_risk(inputs).score;
  inputs.reachability = Reachability::kNone;
  const double hidden = vigil_risk(inputs).score;
  EXPECT_LT(hidden, exposed);
  EXPECT_LT(hidden, 7.5);  // below the CVSS base: nothing known exploits it and nothing reaches it
}

// Monotonicity in every factor, over a grid of all other factors.
TEST(VigilRiskTest, MonotonicInEveryFactor) {
  const std::vector<double> bases = {0.0, 3.1, 5.0, 7.5, 9.8, 10.0};
  const std::vector<Reachability> reaches = {Reachability::kNone, Reachability::kVpc,
                                             Reachability::kUnknown, Reachability::kInternet};
  const std::vector<double> epss_values = {0.0, 0.001, 0.1, 0.5, 0.97, 1.0};
  const std::vector<Criticality> crits = {Criticality::kLow, Criticality::kNormal,
                                          Criticality::kHigh, Criticality::kCritical};
  struct Exploit {
    bool kev;
    bool ransomware;
  };
  const std::vector<Exploit> exploits = {{false, false}, {true, false}, {true, true}};
  const auto score = [](double base, Reachability reach, double epss, Criticality crit,
                        Exploit exploit) {
    RiskInputs inputs;
    inputs.cvss_base = base;
    inputs.reachability = reach;
    inputs.epss = epss;
    inputs.criticality = crit;
    inputs.in_kev = exploit.kev;
    inputs.ransomware = exploit.ransomware;
    return vigil_risk(inputs).score;
  };
  for (size_t b = 0; b < bases.size(); ++b) {
    for (size_t r = 0; r < reaches.size(); ++r) {
      for (size_t e = 0; e < epss_values.size(); ++e) {
        for (size_t c = 0; c < crits.size(); ++c) {
          for (size_t x = 0; x < exploits.size(); ++x) {
            const double here = score(bases[b], reaches[r], epss_values[e], crits[c], exploits[x]);
            EXPECT_GE(here, 0.0);
            EXPECT_LE(here, 10.0);
            if (b + 1 < bases.size()) {
              EXPECT_LE(here, score(bases[b + 1], reaches[r], epss_values[e], crits[c], exploits[x]));
            }
            if (r + 1 < reaches.size()) {
              EXPECT_LE(here, score(bases[b], reaches[r + 1], epss_values[e], crits[c], exploits[x]));
            }
            if (e + 1 < epss_values.size()) {
              EXPECT_LE(here, score(bases[b], reaches[r], epss_values[e + 1], crits[c], exploits[x]));
            }
            if (c + 1 < crits.size()) {
              EXPECT_LE(here, score(bases[b], reaches[r], epss_values[e], crits[c + 1], exploits[x]));
            }
            if (x + 1 < exploits.size()) {
              EXPECT_LE(here, score(bases[b], reaches[r], epss_values[e], crits[c], exploits[x + 1]));
            }
          }
        }
      }
    }
  }
}

TEST(VigilRiskTest, ExplanationNamesEveryFactorApplied) {
  RiskInputs inputs;
  inputs.severity = model::Severity::kHigh;  // no CVSS
  inputs.in_kev = true;
  inputs.epss = 0.9;
  inputs.reachability = Reachability::kVpc;
  inputs.criticality = Criticality::kCritical;
  const Risk risk = vigil_risk(inputs);
  std::vector<std::string> factors;
  for (const auto& step : risk.explanation) {
    factors.push_back(step.factor);
  }
  EXPECT_EQ(factors, (std::vector<std::string>{"base", "reachability", "exploit", "epss",
                                                "criticality"}));
  // 8.0 * 0.8 + 1.5 + 1.35 + 1.0 = 10.25 -> clamped
  EXPECT_DOUBLE_EQ(risk.score, 10.0);
}

TEST(SeverityTest, BandsAndLabels) {
  EXPECT_EQ(severity_for_score(9.0), model::Severity::kCritical);
  EXPECT_EQ(severity_for_score(8.9), model::Severity::kHigh);
  EXPECT_EQ(severity_for_score(4.0), model::Severity::kMedium);
  EXPECT_EQ(severity_for_score(0.1), model::Severity::kLow);
  EXPECT_EQ(severity_for_score(0.0), model::Severity::kInformational);
  EXPECT_EQ(severity_from_label("Important"), model::Severity::kHigh);
  EXPECT_EQ(severity_from_label("MODERATE"), model::Severity::kMedium);
  EXPECT_EQ(severity_from_label("weird"), model::Severity::kUntriaged);
}

}  // namespace
}  // namespace vigil::scoring
