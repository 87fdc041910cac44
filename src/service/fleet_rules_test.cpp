#include <gtest/gtest.h>

#include "service/fleet_service.hpp"
#include "service/fleet_test_support.hpp"

namespace vigil::service::testing {
namespace {

store::FilterRecord suppress(const std::string& name, const std::string& vulnerability) {
  store::FilterRecord filter;
  filter.name = name;
  filter.action = "SUPPRESS";
  filter.reason = "accepted risk";
  filter.criteria.strings["vulnerabilityId"].push_back({store::StringOp::kEquals, vulnerability});
  return filter;
}

TEST_F(FleetTest, SuppressionRuleAppliesToExistingAndLaterFindings) {
  auto service = open();
  ingest(*service, agent_document("i-0001", kAccountA, sample_inventory()));
  EXPECT_EQ(drain(*service), 1U);

  // Members cannot manage rules; the delegated administrator can, for the whole organisation.
  EXPECT_FALSE(service->create_filter(suppress("lodash", "CVE-2021-23337"), kAccountA).has_value());
  auto bad = suppress("bad name!", "CVE-2021-23337");
  EXPECT_FALSE(service->create_filter(bad, kAdmin).has_value());
  auto unknown_field = suppress("unknown", "CVE-2021-23337");
  unknown_field.criteria.strings["noSuchField"].push_back({store::StringOp::kEquals, "x"});
  EXPECT_FALSE(service->create_filter(unknown_field, kAdmin).has_value());

  auto rule = service->create_filter(suppress("lodash", "CVE-2021-23337"), kAdmin);
  ASSERT_TRUE(rule.has_value()) << rule.error().message;
  EXPECT_EQ(rule->owner_id, "o-abcdefghij");
  EXPECT_NE(rule->arn.find(":owner/o-abcdefghij/filter/"), std::string::npos);

  const auto existing_list = findings(*service, "i-0001");
  const auto* existing = find(existing_list, "CVE-2021-23337", "lodash");
  ASSERT_NE(existing, nullptr);
  EXPECT_EQ(existing->finding.status, model::FindingStatus::kSuppressed);
  EXPECT_EQ(existing->finding.suppression_reason, "accepted risk");
  EXPECT_EQ(find(findings(*service, "i-0001"), "CVE-2023-38545", "curl")->finding.status,
            model::FindingStatus::kActive);

  // A host of another account appears later: its finding is suppressed from the start.
  ingest(*service, agent_document("i-0002", kAccountB, sample_inventory()));
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_EQ(find(findings(*service, "i-0002"), "CVE-2021-23337", "lodash")->finding.status,
            model::FindingStatus::kSuppressed);
  // Re-observation keeps it suppressed.
  ASSERT_TRUE(service->rematch_all());
  EXPECT_EQ(drain(*service), 2U);
  EXPECT_EQ(find(findings(*service, "i-0001"), "CVE-2021-23337", "lodash")->finding.status,
            model::FindingStatus::kSuppressed);

  // Narrowing the rule to one account releases the other's finding.
  auto narrowed = *rule;
  narrowed.criteria.strings["awsAccountId"].push_back({store::StringOp::kEquals, kAccountB});
  ASSERT_TRUE(service->update_filter(narrowed, kAdmin));
  EXPECT_EQ(find(findings(*service, "i-0001"), "CVE-2021-23337", "lodash")->finding.status,
            model::FindingStatus::kActive);
  EXPECT_EQ(find(findings(*service, "i-0002"), "CVE-2021-23337", "lodash")->finding.status,
            model::FindingStatus::kSuppressed);

  // Removing the rule returns every finding to ACTIVE.
  ASSERT_TRUE(service->delete_filter(rule->arn, kAdmin));
  for (const char* host : {"i-0001", "i-0002"}) {
    EXPECT_EQ(find(findings(*service, host), "CVE-2021-23337", "lodash")->finding.status,
              model::FindingStatus::kActive);
  }
  EXPECT_FALSE(service->delete_filter(rule->arn, kAdmin).has_value());
}

TEST(SlaStateTest, DueDatesFollowSeverity) {
  const SlaPolicy policy;
  store::StoredFinding finding;
  finding.first_observed_at = kT0;
  struct Row {
    model::Severity severity;
    store::Timestamp now;
    store::Timestamp due;
    bool overdue;
  };
  const Row rows[] = {
      {model::Severity::kCritical, kT0 + 7 * kDay, kT0 + 7 * kDay, false},
      {model::Severity::kCritical, kT0 + 7 * kDay + 1, kT0 + 7 * kDay, true},
      {model::Severity::kHigh, kT0 + 10 * kDay, kT0 + 14 * kDay, false},
      {model::Severity::kMedium, kT0 + 31 * kDay, kT0 + 30 * kDay, true},
      {model::Severity::kLow, kT0 + 89 * kDay, kT0 + 90 * kDay, false},
      {model::Severity::kInformational, kT0 + 900 * kDay, 0, false},
      {model::Severity::kUntriaged, kT0 + 900 * kDay, 0, false},
  };
  for (const auto& row : rows) {
    finding.finding.severity = row.severity;
    const auto state = sla_state(finding, policy, row.now);
    EXPECT_EQ(state.due_at, row.due) << model::severity_name(row.severity);
    EXPECT_EQ(state.overdue, row.overdue) << model::severity_name(row.severity);
  }
  finding.finding.severity = model::Severity::kCritical;
  finding.finding.status = model::FindingStatus::kClosed;
  finding.closed_at = kT0 + 3 * kDay;
  EXPECT_FALSE(sla_state(finding, policy, kT0 + 100 * kDay).overdue);
  finding.closed_at = kT0 + 8 * kDay;
  EXPECT_TRUE(sla_state(finding, policy, kT0 + 100 * kDay).overdue);
}

TEST_F(FleetTest, SlaReportCountsOpenOverdueAndRemediated) {
  auto service = open();
  const auto vulnerable = sample_inventory();
  ingest(*service, agent_document("i-0001", kAccountA, vulnerable));
  ingest(*service, agent_document("i-0002", kAccountA, vulnerable));
  EXPECT_EQ(drain(*service), 2U);
  const auto initial = findings(*service, "i-0001");
  std::map<std::string, int> per_severity;
  for (const auto& stored : initial) {
    ++per_severity[std::string(model::severity_name(stored.finding.severity))];
  }
  ASSERT_GT(per_severity["CRITICAL"], 0);

  // Day 3: host 1 fixes curl (critical within the 7-day SLA). Day 10: host 2 does (late).
  auto fixed = vulnerable;
  set_version(fixed, "curl", "7.88.1-10+deb12u4");
  clock_ = kT0 + 3 * kDay;
  ingest(*service, agent_document("i-0001", kAccountA, fixed));
  EXPECT_EQ(drain(*service), 1U);
  clock_ = kT0 + 10 * kDay;
  ingest(*service, agent_document("i-0002", kAccountA, fixed));
  EXPECT_EQ(drain(*service), 1U);

  auto report = service->sla_report({});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  const SlaRow* critical = nullptr;
  const SlaRow* medium = nullptr;
  for (const auto& row : *report) {
    EXPECT_EQ(row.account_id, kAccountA);
    EXPECT_EQ(row.resource_type, "AWS_EC2_INSTANCE");
    if (row.severity == "CRITICAL") {
      critical = &row;
    } else if (row.severity == "MEDIUM") {
      medium = &row;
    }
  }
  ASSERT_NE(critical, nullptr);
  // Each host had the same critical curl findings; all closed, half on time.
  const std::int64_t per_host = per_severity["CRITICAL"];
  EXPECT_EQ(critical->open, 0);
  EXPECT_EQ(critical->closed_within_sla, per_host);
  EXPECT_EQ(critical->closed_late, per_host);
  EXPECT_DOUBLE_EQ(critical->mean_time_to_remediate_days, 6.5);
  // requests (MEDIUM, 30 days) stays open and is not yet overdue at day 10.
  if (medium != nullptr) {
    EXPECT_EQ(medium->overdue, 0);
    EXPECT_GT(medium->open, 0);
  }
  EXPECT_TRUE(service->sla_report({kAccountB}).value().empty());
}

}  // namespace
}  // namespace vigil::service::testing
