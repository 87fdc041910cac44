#include "service/pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/temp_dir.hpp"

namespace vigil::service {
namespace {

const std::string kSamples = std::string(VIGIL_SOURCE_DIR) + "/samples";

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = vulndb::Database::open(dir_.path() / "db", true).value();
    const auto summary = vulndb::import_paths(*db, {kSamples + "/advisories"});
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    auto pipeline = Pipeline::open(dir_.path() / "db");
    ASSERT_TRUE(pipeline.has_value()) << pipeline.error().message;
    pipeline_ = std::move(pipeline).value();
  }

  const model::Finding* find(const ScanResult& result, const std::string& vuln,
                             const std::string& package) {
    for (const auto& finding : result.findings) {
      if (finding.vulnerability_id == vuln && finding.package.name == package) {
        return &finding;
      }
    }
    return nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, ScansTheSampleRootfs) {
  auto tree = sources::open_directory(kSamples + "/rootfs").value();
  const auto result = pipeline_->scan_tree(*tree, "samples/rootfs", {});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->inventory.os.id, "debian");

  // curl's source package carries the Debian advisory to both binaries built from it.
  const auto* curl = find(*result, "CVE-2023-38545", "curl");
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->fixed_in, "7.88.1-10+deb12u4");
  EXPECT_EQ(curl->fix_available, model::FixAvailable::kYes);
  EXPECT_EQ(curl->remediation, "Upgrade curl to 7.88.1-10+deb12u4");
  EXPECT_NE(find(*result, "CVE-2023-38545", "libcurl4"), nullptr);
  EXPECT_EQ(curl->epss.value_or(0), 0.28041);
  EXPECT_DOUBLE_EQ(curl->inspector_score, 9.8);  // NVD primary CVSS v3.1
  EXPECT_EQ(curl->severity, model::Severity::kCritical);
  const auto* cookie = find(*result, "CVE-2023-38546", "libcurl4");
  ASSERT_NE(cookie, nullptr);
  EXPECT_EQ(cookie->severity, model::Severity::kLow);

  // Language packages: requests from its dist-info, lodash from the lockfile.
  const auto* requests = find(*result, "CVE-2023-32681", "requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->severity, model::Severity::kMedium);
  EXPECT_DOUBLE_EQ(requests->inspector_score, 6.1);
  const auto* lodash = find(*result, "CVE-2021-23337", "lodash");
  ASSERT_NE(lodash, nullptr);
  EXPECT_EQ(lodash->severity, model::Severity::kHigh);
  EXPECT_NE(std::find(lodash->aliases.begin(), lodash->aliases.end(), "GHSA-35jh-r3h4-6jhm"),
            lodash->aliases.end());
  EXPECT_NE(find(*result, "CVE-2020-28500", "lodash"), nullptr);

  // Nothing else: fixed or unaffected packages (openssl, zlib, left-pad) have no findings, and
  // the removed telnet (config-files only) is not inventoried.
  // curl and libcurl4 each carry both CVEs of DSA-5523-1: 4 + requests 1 + lodash 2.
  EXPECT_EQ(result->findings.size(), 7U);
  for (const auto& finding : result->findings) {
    EXPECT_NE(finding.package.name, "telnet");
    EXPECT_EQ(finding.id.rfind("arn:vigil:inspector2:local:000000000000:finding/", 0), 0U);
  }
  // Sorted by vigil risk, highest first.
  for (size_t idx = 1; idx < result->findings.size(); ++idx) {
    EXPECT_GE(result->findings[idx - 1].vigil_risk, result->findings[idx].vigil_risk);
  }
}

TEST_F(PipelineTest, KevRaisesRiskAndFindingIdsAreStable) {
  model::Inventory inventory;
  inventory.target = "sbom";
  model::Package log4j;
  log4j.ecosystem = model::Ecosystem::kMaven;
  log4j.name = "org.apache.logging.log4j:log4j-core";
  log4j.version = "2.14.1";
  log4j.locations = {"app/lib/log4j-core-2.14.1.jar"};
  inventory.packages = {log4j};
  ResourceContext context;
  context.reachability = scoring::Reachability::kInternet;
  const auto first = pipeline_->scan_inventory(inventory, context);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->findings.size(), 1U);
  const auto& finding = first->findings[0];
  EXPECT_EQ(finding.vulnerability_id, "CVE-2021-44228");
  EXPECT_TRUE(finding.exploit_available);
  EXPECT_TRUE(finding.ransomware);
  EXPECT_EQ(finding.exploit_last_seen, "2021-12-10");
  EXPECT_DOUBLE_EQ(finding.inspector_score, 10.0);
  EXPECT_EQ(finding.severity, model::Severity::kCritical);
  EXPECT_DOUBLE_EQ(finding.vigil_risk, 10.0);
  EXPECT_EQ(finding.fixed_in, "2.15.0");
  const auto again = pipeline_->scan_inventory(inventory, context);
  EXPECT_EQ(again->findings[0].id, finding.id);

  inventory.packages[0].version = "2.15.0";
  EXPECT_TRUE(pipeline_->scan_inventory(inventory, context)->findings.empty());
  inventory.packages[0].version = "2.12.2";  // fixed on the 2.12 branch
  EXPECT_TRUE(pipeline_->scan_inventory(inventory, context)->findings.empty());
  inventory.packages[0].version = "2.12.1";
  EXPECT_EQ(pipeline_->scan_inventory(inventory, context)->findings.size(), 1U);
}

TEST(PipelineOpenTest, MissingDatabaseIsNotFound) {
  const auto pipeline = Pipeline::open("/nonexistent/vigil-db");
  ASSERT_FALSE(pipeline.has_value());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vigil::service
