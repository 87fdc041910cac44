#include "service/internal/fleet_coverage.hpp"

#include <gtest/gtest.h>

#include "service/fleet_service.hpp"

namespace vigil::service::internal {
namespace {

constexpr store::Timestamp kNow = 1'760'000'000'000;
constexpr store::Timestamp kDay = 24LL * 3600 * 1000;

struct Case {
  const char* name;
  std::string type;
  std::string state;
  std::map<std::string, std::string> tags;
  std::string inventory_hash;
  store::Timestamp reported_at;
  store::Timestamp last_scanned_at;
  std::string details;
  std::string repository_frequency;  // images and repositories
  std::string outcome;
  store::ScanTypes enabled;
  std::string duration;
  const char* status;
  const char* reason;
};

TEST(FleetCoverageTest, DecidesEveryReason) {
  const store::ScanTypes all{true, true, true, false};
  const std::string ec2(kEc2Instance), image(kEcrImage), repo(kEcrRepository), fn(kLambdaFunction);
  const std::string pushed_recent = R"({"pushedAt": 1759900000})";  // ~1 day before kNow
  const std::string pushed_old = R"({"pushedAt": 1750000000})";     // ~115 days before
  const std::string python = R"({"runtime": "PYTHON_3_12"})";
  const Case cases[] = {
      {"scanned host", ec2, "running", {}, "h", kNow, kNow, "{}", "", "", all, "LIFETIME", "ACTIVE", "SUCCESSFUL"},
      {"new host", ec2, "running", {}, "h", kNow, 0, "{}", "", "", all, "LIFETIME", "ACTIVE", "PENDING_INITIAL_SCAN"},
      {"no agent", ec2, "running", {}, "", 0, 0, "{}", "", "", all, "LIFETIME", "INACTIVE", "UNMANAGED_EC2_INSTANCE"},
      {"stopped", ec2, "stopped", {}, "h", kNow, kNow, "{}", "", "", all, "LIFETIME", "INACTIVE", "EC2_INSTANCE_STOPPED"},
      {"terminated", ec2, "terminated", {}, "h", kNow, kNow, "{}", "", "", all, "LIFETIME", "INACTIVE", "RESOURCE_TERMINATED"},
      {"excluded", ec2, "running", {{"InspectorEc2Exclusion", ""}}, "h", kNow, kNow, "{}", "", "", all, "LIFETIME", "INACTIVE", "EXCLUDED_BY_TAG"},
      {"stale", ec2, "running", {}, "h", kNow - 8 * kDay, kNow - 8 * kDay, "{}", "", "", all, "LIFETIME", "INACTIVE", "STALE_INVENTORY"},
      {"unsupported os", ec2, "running", {}, "h", kNow, kNow, "{}", "", "UNSUPPORTED_OS", all, "LIFETIME", "INACTIVE", "UNSUPPORTED_OS"},
      {"scan failed", ec2, "running", {}, "h", kNow, kNow, "{}", "", "INTERNAL_ERROR", all, "LIFETIME", "INACTIVE", "INTERNAL_ERROR"},
      {"ec2 disabled", ec2, "running", {}, "h", kNow, kNow, "{}", "", "", {false, true, true, false}, "LIFETIME", "INACTIVE", "PENDING_DISABLE"},
      {"manual repo", repo, "", {}, "", 0, 0, R"({"scanFrequency":"MANUAL"})", "", "", all, "LIFETIME", "INACTIVE", "SCAN_FREQUENCY_MANUAL"},
      {"on-push repo", repo, "", {}, "", 0, 0, R"({"scanFrequency":"SCAN_ON_PUSH"})", "", "", all, "LIFETIME", "ACTIVE", "SCAN_FREQUENCY_SCAN_ON_PUSH"},
      {"continuous repo", repo, "", {}, "", 0, 0, R"({"scanFrequency":"CONTINUOUS_SCAN"})", "", "", all, "LIFETIME", "ACTIVE", "SUCCESSFUL"},
      {"image pending", image, "", {}, "", 0, 0, pushed_recent, "CONTINUOUS_SCAN", "", all, "DAYS_30", "ACTIVE", "PENDING_INITIAL_SCAN"},
      {"image scanned", image, "", {}, "h", kNow, kNow, pushed_recent, "CONTINUOUS_SCAN", "", all, "DAYS_30", "ACTIVE", "SUCCESSFUL"},
      {"image expired", image, "", {}, "h", kNow, kNow, pushed_old, "CONTINUOUS_SCAN", "", all, "DAYS_30", "INACTIVE", "SCAN_ELIGIBILITY_EXPIRED"},
      {"image lifetime", image, "", {}, "h", kNow, kNow, pushed_old, "CONTINUOUS_SCAN", "", all, "LIFETIME", "ACTIVE", "SUCCESSFUL"},
      {"image manual", image, "", {}, "h", kNow, kNow, pushed_recent, "MANUAL", "", all, "LIFETIME", "INACTIVE", "SCAN_FREQUENCY_MANUAL"},
      {"image denied", image, "", {}, "", 0, 0, pushed_recent, "CONTINUOUS_SCAN", "ACCESS_DENIED", all, "LIFETIME", "INACTIVE", "ACCESS_DENIED"},
      {"ecr disabled", image, "", {}, "h", kNow, kNow, pushed_recent, "CONTINUOUS_SCAN", "", {true, false, true, false}, "LIFETIME", "INACTIVE", "PENDING_DISABLE"},
      {"function", fn, "", {}, "h", kNow, kNow, python, "", "", all, "LIFETIME", "ACTIVE", "SUCCESSFUL"},
      {"old runtime", fn, "", {}, "", 0, 0, R"({"runtime": "PYTHON_2_7"})", "", "", all, "LIFETIME", "INACTIVE", "UNSUPPORTED_RUNTIME"},
      {"function excluded", fn, "", {{"InspectorExclusion", "LambdaStandardScanning"}}, "h", kNow, kNow, python, "", "", all, "LIFETIME", "INACTIVE", "EXCLUDED_BY_TAG"},
      {"function other tag", fn, "", {{"InspectorExclusion", "Other"}}, "h", kNow, kNow, python, "", "", all, "LIFETIME", "ACTIVE", "SUCCESSFUL"},
  };
  for (const auto& row : cases) {
    CoverageInputs inputs;
    inputs.resource.id = "r";
    inputs.resource.account_id = "111111111111";
    inputs.resource.type = row.type;
    inputs.resource.state = row.state;
    inputs.resource.tags = row.tags;
    inputs.resource.inventory_hash = row.inventory_hash;
    inputs.resource.inventory_reported_at = row.reported_at;
    inputs.resource.last_scanned_at = row.last_scanned_at;
    inputs.resource.details_json = row.details;
    store::Account account;
    account.id = "111111111111";
    account.enabled = row.enabled;
    inputs.account = account;
    if (!row.repository_frequency.empty()) {
      store::ResourceRecord repository;
      repository.details_json = R"({"scanFrequency":")" + row.repository_frequency + "\"}";
      inputs.repository = repository;
    }
    inputs.scan_outcome = row.outcome;
    inputs.ecr_rescan_duration = row.duration;
    inputs.stale_after_ms = 7 * kDay;
    inputs.now = kNow;
    const auto rows = decide_coverage(inputs);
    ASSERT_FALSE(rows.empty()) << row.name;
    EXPECT_EQ(rows[0].scan_type, "PACKAGE") << row.name;
    EXPECT_EQ(rows[0].status_code, row.status) << row.name;
    EXPECT_EQ(rows[0].reason, row.reason) << row.name;
    EXPECT_EQ(rows.size(), row.type == ec2 ? 2U : 1U) << row.name;
    EXPECT_EQ(package_scan_active(rows), std::string(row.status) == "ACTIVE") << row.name;
  }
}

TEST(FleetCoverageTest, NetworkRowFollowsStateThenTheAccountsBundle) {
  struct NetworkCase {
    const char* name;
    const char* state;
    std::map<std::string, std::string> tags;
    bool ec2_enabled;
    bool analyzed;
    const char* status;
    const char* reason;
  };
  const std::vector<NetworkCase> cases = {
      {"no bundle yet", "running", {}, true, false, "ACTIVE", "PENDING_INITIAL_SCAN"},
      {"bundle analysed", "running", {}, true, true, "ACTIVE", "SUCCESSFUL"},
      {"stopped", "stopped", {}, true, true, "INACTIVE", "EC2_INSTANCE_STOPPED"},
      {"terminated", "terminated", {}, true, true, "INACTIVE", "RESOURCE_TERMINATED"},
      {"excluded", "running", {{"InspectorEc2Exclusion", "true"}}, true, true, "INACTIVE", "EXCLUDED_BY_TAG"},
      {"ec2 disabled", "running", {}, false, true, "INACTIVE", "PENDING_DISABLE"},
  };
  for (const auto& row : cases) {
    CoverageInputs inputs;
    inputs.resource.id = "i-1";
    inputs.resource.account_id = "111111111111";
    inputs.resource.type = std::string(kEc2Instance);
    inputs.resource.state = row.state;
    inputs.resource.tags = row.tags;
    store::Account account;
    account.id = "111111111111";
    account.enabled.ec2 = row.ec2_enabled;
    inputs.account = account;
    inputs.network_analyzed = row.analyzed;
    inputs.now = kNow;
    const auto rows = decide_coverage(inputs);
    ASSERT_EQ(rows.size(), 2U) << row.name;
    EXPECT_EQ(rows[1].scan_type, "NETWORK") << row.name;
    EXPECT_EQ(rows[1].status_code, row.status) << row.name;
    EXPECT_EQ(rows[1].reason, row.reason) << row.name;
  }
}

TEST(FleetCoverageTest, UnknownAccountIsInactive) {
  CoverageInputs inputs;
  inputs.resource.type = std::string(kLambdaFunction);
  const auto rows = decide_coverage(inputs);
  EXPECT_EQ(rows[0].reason, "PENDING_DISABLE");
  EXPECT_FALSE(scan_allowed(rows));
}

TEST(FleetCoverageTest, FailedScansMayBeRetried) {
  for (const char* reason : {"INTERNAL_ERROR", "ACCESS_DENIED", "UNSUPPORTED_OS"}) {
    EXPECT_TRUE(scan_allowed({{"r", "a", "t", "PACKAGE", "INACTIVE", reason, 0, 0}})) << reason;
  }
  EXPECT_FALSE(scan_allowed({{"r", "a", "t", "PACKAGE", "INACTIVE", "STALE_INVENTORY", 0, 0}}));
  EXPECT_TRUE(supported_os("debian"));
  EXPECT_FALSE(supported_os("windows"));
  EXPECT_TRUE(supported_lambda_runtime("NODEJS_20_X"));
}

}  // namespace
}  // namespace vigil::service::internal
