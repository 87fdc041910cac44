#include "service/internal/finding_criteria.hpp"

#include <gtest/gtest.h>

namespace vigil::service::internal {
namespace {

store::StoredFinding sample() {
  store::StoredFinding stored;
  stored.finding.id = "arn:aws:inspector2:us-east-1:111111111111:finding/abc";
  stored.finding.account_id = "111111111111";
  stored.finding.resource_id = "i-0aaa";
  stored.finding.vulnerability_id = "CVE-2023-38545";
  stored.finding.aliases = {"DSA-5523-1"};
  stored.finding.severity = model::Severity::kCritical;
  stored.finding.inspector_score = 9.8;
  stored.finding.epss = 0.28;
  stored.finding.fix_available = model::FixAvailable::kYes;
  stored.finding.package.ecosystem = model::Ecosystem::kDebian;
  stored.finding.package.name = "curl";
  stored.finding.package.version = "1:7.88.1-10+deb12u3";
  stored.finding.package.arch = "amd64";
  stored.resource_type = "AWS_EC2_INSTANCE";
  stored.resource_tags = {{"env", "prod"}};
  stored.resource_details_json = R"({"imageId": "ami-1", "vpcId": "vpc-1"})";
  stored.first_observed_at = 1000;
  return stored;
}

store::StringFilter eq(std::string value) { return {store::StringOp::kEquals, std::move(value)}; }
store::StringFilter ne(std::string value) { return {store::StringOp::kNotEquals, std::move(value)}; }
store::StringFilter prefix(std::string value) { return {store::StringOp::kPrefix, std::move(value)}; }

TEST(FindingCriteriaTest, FollowsTheStoreCombinationRules) {
  struct Row {
    const char* name;
    store::Criteria criteria;
    bool expected;
  };
  const auto strings = [](std::string field, std::vector<store::StringFilter> filters) {
    store::Criteria criteria;
    criteria.strings[std::move(field)] = std::move(filters);
    return criteria;
  };
  std::vector<Row> rows = {
      {"empty matches", {}, true},
      {"equals", strings("severity", {eq("CRITICAL")}), true},
      {"equals is case-sensitive", strings("severity", {eq("critical")}), false},
      {"or within a field", strings("severity", {eq("HIGH"), eq("CRITICAL")}), true},
      {"prefix", strings("vulnerabilityId", {prefix("CVE-2023-")}), true},
      {"not equals", strings("awsAccountId", {ne("222222222222")}), true},
      {"not equals are and-ed", strings("awsAccountId", {ne("222222222222"), ne("111111111111")}), false},
      {"list attribute any", strings("relatedVulnerabilities", {eq("DSA-5523-1")}), true},
      {"list attribute none", strings("relatedVulnerabilities", {ne("DSA-5523-1")}), false},
      {"details", strings("ec2InstanceImageId", {eq("ami-1")}), true},
      {"details absent", strings("ecrImageRepositoryName", {eq("x")}), false},
      {"fix", strings("fixAvailable", {eq("YES")}), true},
      {"code field never matches", strings("codeVulnerabilityDetectorName", {eq("x")}), false},
      {"unknown field never matches", strings("bogus", {eq("x")}), false},
  };
  store::Criteria anded = strings("severity", {eq("CRITICAL")});
  anded.strings["resourceType"] = {eq("AWS_LAMBDA_FUNCTION")};
  rows.push_back({"fields are and-ed", anded, false});
  store::Criteria score;
  score.numbers["inspectorScore"] = {{9.0, std::nullopt}};
  rows.push_back({"number lower bound", score, true});
  score.numbers["epssScore"] = {{std::nullopt, 0.1}};
  rows.push_back({"number upper bound fails", score, false});
  store::Criteria dates;
  dates.dates["firstObservedAt"] = {{500, 1500}};
  rows.push_back({"date range", dates, true});
  dates.dates["firstObservedAt"] = {{1001, 0}};
  rows.push_back({"date open end excludes", dates, false});
  store::Criteria tags;
  tags.maps["resourceTags"] = {{"env", "prod"}};
  rows.push_back({"tag", tags, true});
  tags.maps["resourceTags"] = {{"env", "dev"}};
  rows.push_back({"tag value differs", tags, false});
  store::Criteria package;
  store::PackageFilter curl;
  curl.name = eq("curl");
  curl.version = eq("7.88.1");
  curl.release = eq("10+deb12u3");
  curl.epoch = store::NumberFilter{1.0, 1.0};
  package.packages = {curl};
  rows.push_back({"package members on one package", package, true});
  package.packages[0].architecture = eq("arm64");
  rows.push_back({"package arch differs", package, false});
  for (const auto& row : rows) {
    EXPECT_EQ(matches_criteria(sample(), row.criteria), row.expected) << row.name;
  }
}

TEST(FindingCriteriaTest, MalformedDetailsAreAbsentValues) {
  auto stored = sample();
  stored.resource_details_json = "{not json";
  store::Criteria criteria;
  criteria.strings["ec2InstanceImageId"] = {ne("ami-1")};
  EXPECT_TRUE(matches_criteria(stored, criteria));
  criteria.strings["ec2InstanceImageId"] = {eq("ami-1")};
  EXPECT_FALSE(matches_criteria(stored, criteria));
}

}  // namespace
}  // namespace vigil::service::internal
