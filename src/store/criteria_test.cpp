// Every kind of finding criteria against a small, varied set of findings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "store/store.hpp"
#include "store/store_test_support.hpp"

namespace vigil::store {
namespace {

using testing::package_finding;
using testing::TestStore;

constexpr const char* kImageLayer =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kLambdaLayer = "arn:aws:lambda:us-east-1:111111111111:layer:deps:1";

class CriteriaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = package_finding("a", "i-1", "111111111111", model::Severity::kHigh, 7.5);
    a.finding.epss = 0.5;
    a.finding.exploit_available = true;
    a.resource_tags = {{"env", "prod"}};

    auto n = package_finding("n", "i-1", "111111111111", model::Severity::kMedium, 5.3);
    n.type = "NETWORK_REACHABILITY";
    n.finding.package = {};
    n.finding.sources = {};
    n.network_json = R"({"openPortRange":{"begin":22,"end":22},"protocol":"TCP",
        "networkPath":{"steps":[{"componentId":"igw-1","componentType":"AWS::EC2::InternetGateway"},
                                {"componentId":"sg-1","componentType":"AWS::EC2::SecurityGroup"}]}})";

    auto b = package_finding("b",
                             "arn:aws:ecr:us-east-1:222222222222:repository/team/app_1/"
                             "sha256:ab",
                             "222222222222", model::Severity::kCritical, 9.8);
    b.resource_type = "AWS_ECR_CONTAINER_IMAGE";
    b.finding.package.ecosystem = model::Ecosystem::kNpm;
    b.finding.package.name = "left_pad%";
    b.finding.package.version = "1.0.0";
    b.finding.package.locations = {"/usr/lib/node_modules/x/package.json"};
    b.finding.package.layer_digest = kImageLayer;
    b.finding.fix_available = model::FixAvailable::kYes;
    b.finding.sources = {"osv"};
    b.finding.vulnerability_id = "GHSA-xxxx-yyyy-zzzz";
    b.resource_tags = {{"env", "dev"}};
    b.resource_details_json = R"({"repositoryName":"team/app_1","registry":"222222222222",
        "imageTags":["latest","v1"],"pushedAt":1700000000,"architecture":"amd64",
        "imageHash":"sha256:ab"})";

    auto c = package_finding("c", "arn:aws:lambda:us-east-1:111111111111:function:fn_1",
                             "111111111111", model::Severity::kMedium, 5.0);
    c.resource_type = "AWS_LAMBDA_FUNCTION";
    c.finding.package.ecosystem = model::Ecosystem::kPyPI;
    c.finding.package.name = "requests";
    c.finding.package.version = "2.0.0";
    c.finding.package.locations = {"requirements.txt"};
    c.finding.package.layer_digest = kLambdaLayer;
    c.finding.aliases = {"ALAS2-2025-1"};
    c.finding.vendor_severity = "Important";
    c.resource_details_json = std::string(R"({"awsLambdaFunction":{"functionName":"fn_1",
        "runtime":"PYTHON_3_11","layers":[")") +
                              kLambdaLayer + R"("],
        "executionRoleArn":"arn:aws:iam::111111111111:role/r",
        "lastModifiedAt":"2024-05-20T16:23:20Z"}})";

    auto d = package_finding("d", "i_%1", "333333333333", model::Severity::kLow, 2.0);
    d.finding.title = "x%_y";
    auto e = package_finding("e", "ia-2", "333333333333", model::Severity::kLow, 2.0);
    e.finding.title = "xa_y";

    const auto reconcile = [&](std::vector<StoredFinding> findings, Timestamp now) {
      const std::string resource = findings.front().finding.resource_id;
      const std::string type = findings.front().type;
      auto done = store_->reconcile_findings(resource, type, std::move(findings), now);
      ASSERT_TRUE(done) << done.error().message;
    };
    reconcile({a}, 1000);
    reconcile({n}, 1000);
    reconcile({b}, 2000);
    reconcile({c}, 3000);
    reconcile({d}, 4000);
    reconcile({e}, 4000);
  }

  // The short names ("a", "b", ...) of the findings matching `criteria`, sorted.
  std::vector<std::string> names(const Criteria& criteria) {
    FindingQuery query;
    query.criteria = criteria;
    query.limit = 100;
    auto page = store_->list_findings(query);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::string> out;
    if (page) {
      for (const auto& stored : page->items) {
        out.push_back(stored.finding.id.substr(stored.finding.id.rfind('/') + 1));
      }
    }
    std::sort(out.begin(), out.end());
    auto count = store_->count_findings(criteria, {});
    EXPECT_TRUE(count);
    EXPECT_EQ(count.value_or(-1), static_cast<std::int64_t>(out.size()));
    return out;
  }

  TestStore store_;
};

using Names = std::vector<std::string>;

StringFilter eq(std::string value) { return {StringOp::kEquals, std::move(value)}; }
StringFilter prefix(std::string value) { return {StringOp::kPrefix, std::move(value)}; }
StringFilter ne(std::string value) { return {StringOp::kNotEquals, std::move(value)}; }

Criteria strings(const std::string& field, std::vector<StringFilter> filters) {
  Criteria criteria;
  criteria.strings[field] = std::move(filters);
  return criteria;
}

TEST_F(CriteriaTest, StringFields) {
  struct Case {
    const char* what;
    Criteria criteria;
    Names want;
  };
  Criteria account_and_severity = strings("awsAccountId", {eq("111111111111")});
  account_and_severity.strings["severity"] = {eq("MEDIUM")};
  const std::vector<Case> cases = {
      {"no criteria", {}, {"a", "b", "c", "d", "e", "n"}},
      {"one severity", strings("severity", {eq("HIGH")}), {"a"}},
      {"severities OR-ed", strings("severity", {eq("HIGH"), eq("CRITICAL")}), {"a", "b"}},
      {"not-equals AND-ed",
       strings("severity", {ne("HIGH"), ne("CRITICAL")}),
       {"c", "d", "e", "n"}},
      {"unknown severity", strings("severity", {eq("SEVERE")}), {}},
      {"severity prefix", strings("severity", {prefix("CRIT")}), {"b"}},
      {"equals and not-equals", strings("severity", {eq("HIGH"), ne("HIGH")}), {}},
      {"fields AND-ed", account_and_severity, {"c", "n"}},
      {"prefix with % and _", strings("resourceId", {prefix("i_%")}), {"d"}},
      {"title prefix with % and _", strings("title", {prefix("x%_")}), {"d"}},
      {"prefix is case-sensitive", strings("title", {prefix("X")}), {}},
      {"equals is exact", strings("resourceId", {eq("i-")}), {}},
      {"finding arn", strings("findingArn", {eq(testing::arn_for("c"))}), {"c"}},
      {"finding type", strings("findingType", {eq("NETWORK_REACHABILITY")}), {"n"}},
      {"status", strings("findingStatus", {eq("CLOSED")}), {}},
      {"resource type", strings("resourceType", {eq("AWS_LAMBDA_FUNCTION")}), {"c"}},
      {"ami", strings("ec2InstanceImageId", {eq("ami-1")}), {"a", "d", "e", "n"}},
      {"vpc via details", strings("ec2InstanceVpcId", {eq("vpc-1")}), {"a", "d", "e", "n"}},
      {"vpc not-equals keeps absent", strings("ec2InstanceVpcId", {ne("vpc-1")}), {"b", "c"}},
      {"subnet absent", strings("ec2InstanceSubnetId", {eq("subnet-1")}), {}},
      {"ecr architecture", strings("ecrImageArchitecture", {eq("amd64")}), {"b"}},
      {"ecr registry", strings("ecrImageRegistry", {eq("222222222222")}), {"b"}},
      {"ecr repository prefix", strings("ecrImageRepositoryName", {prefix("team/app_")}), {"b"}},
      {"ecr image tag", strings("ecrImageTags", {eq("v1")}), {"b"}},
      {"ecr image tag absent", strings("ecrImageTags", {ne("latest")}), {"a", "c", "d", "e", "n"}},
      {"ecr image hash", strings("ecrImageHash", {eq("sha256:ab")}), {"b"}},
      {"network protocol", strings("networkProtocol", {eq("TCP")}), {"n"}},
      {"component id", strings("componentId", {eq("sg-1")}), {"n"}},
      {"component type", strings("componentType", {prefix("AWS::EC2::Internet")}), {"n"}},
      {"vulnerability id", strings("vulnerabilityId", {prefix("GHSA-")}), {"b"}},
      {"vulnerability source", strings("vulnerabilitySource", {eq("GITHUB")}), {"b"}},
      {"vendor severity", strings("vendorSeverity", {eq("Important")}), {"c"}},
      {"related vulnerabilities", strings("relatedVulnerabilities", {eq("ALAS2-2025-1")}), {"c"}},
      {"fix available", strings("fixAvailable", {eq("YES")}), {"b"}},
      {"exploit available", strings("exploitAvailable", {eq("YES")}), {"a"}},
      {"lambda name", strings("lambdaFunctionName", {eq("fn_1")}), {"c"}},
      {"lambda layers", strings("lambdaFunctionLayers", {prefix("arn:aws:lambda:")}), {"c"}},
      {"lambda runtime", strings("lambdaFunctionRuntime", {prefix("PYTHON_")}), {"c"}},
      {"lambda role", strings("lambdaFunctionExecutionRoleArn", {prefix("arn:aws:iam::")}), {"c"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(names(c.criteria), c.want) << c.what;
  }
}

TEST_F(CriteriaTest, DateNumberMapAndPortFields) {
  struct Case {
    const char* what;
    Criteria criteria;
    Names want;
  };
  const auto dates = [](const std::string& field, std::vector<DateFilter> filters) {
    Criteria criteria;
    criteria.dates[field] = std::move(filters);
    return criteria;
  };
  const auto numbers = [](const std::string& field, std::vector<NumberFilter> filters) {
    Criteria criteria;
    criteria.numbers[field] = std::move(filters);
    return criteria;
  };
  const auto maps = [](std::vector<MapFilter> filters) {
    Criteria criteria;
    criteria.maps["resourceTags"] = std::move(filters);
    return criteria;
  };
  const auto ports = [](std::vector<PortRangeFilter> filters) {
    Criteria criteria;
    criteria.ports["portRange"] = std::move(filters);
    return criteria;
  };
  const std::vector<Case> cases = {
      {"dates inclusive", dates("firstObservedAt", {{2000, 3000}}), {"b", "c"}},
      {"date open start", dates("firstObservedAt", {{0, 1000}}), {"a", "n"}},
      {"date open end", dates("lastObservedAt", {{4000, 0}}), {"d", "e"}},
      {"date ranges OR-ed", dates("updatedAt", {{1000, 1000}, {4000, 4000}}), {"a", "d", "e", "n"}},
      {"ecr pushed at (epoch seconds)",
       dates("ecrImagePushedAt", {{1700000000000, 1700000000000}}),
       {"b"}},
      {"lambda modified at (ISO)",
       dates("lambdaFunctionLastModifiedAt", {{1716222200000, 1716222200000}}),
       {"c"}},
      {"numbers inclusive", numbers("inspectorScore", {{7.5, 9.8}}), {"a", "b"}},
      {"number lower only", numbers("inspectorScore", {{9.0, std::nullopt}}), {"b"}},
      {"number ranges OR-ed", numbers("inspectorScore", {{0.0, 2.0}, {9.8, 9.8}}), {"b", "d", "e"}},
      {"epss absent never matches", numbers("epssScore", {{std::nullopt, 0.6}}), {"a"}},
      {"tag key and value", maps({{"env", "prod"}}), {"a"}},
      {"tag key only", maps({{"env", ""}}), {"a", "b"}},
      {"tags OR-ed", maps({{"env", "prod"}, {"env", "dev"}}), {"a", "b"}},
      {"tag value mismatch", maps({{"env", "test"}}), {}},
      {"port overlap", ports({{20, 25}}), {"n"}},
      {"port exact", ports({{22, 22}}), {"n"}},
      {"port outside", ports({{23, 80}}), {}},
      {"port open end", ports({{std::nullopt, 21}}), {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(names(c.criteria), c.want) << c.what;
  }
}

TEST_F(CriteriaTest, VulnerablePackages) {
  struct Case {
    const char* what;
    std::vector<PackageFilter> filters;
    Names want;
  };
  PackageFilter openssl;
  openssl.name = eq("openssl");
  PackageFilter exact = openssl;
  exact.version = eq("3.0.11");
  exact.release = eq("1~deb12u1");
  exact.epoch = NumberFilter{1.0, 1.0};
  exact.architecture = eq("AMD64");
  PackageFilter wrong_version = openssl;
  wrong_version.version = eq("3.0.12");
  PackageFilter percent;
  percent.name = prefix("left_pad%");
  PackageFilter layer;
  layer.source_layer_hash = eq(kImageLayer);
  PackageFilter lambda_layer;
  lambda_layer.source_lambda_layer_arn = eq(kLambdaLayer);
  PackageFilter path;
  path.file_path = eq("usr/lib/node_modules/x/package.json");
  PackageFilter not_openssl;
  not_openssl.name = ne("openssl");
  PackageFilter epoch_text;
  epoch_text.epoch_number = eq("1");
  const std::vector<Case> cases = {
      {"name", {openssl}, {"a", "d", "e"}},
      {"all members on one package", {exact}, {"a", "d", "e"}},
      {"one member wrong", {wrong_version}, {}},
      {"filters OR-ed", {wrong_version, percent}, {"b"}},
      {"image layer", {layer}, {"b"}},
      {"lambda layer", {lambda_layer}, {"c"}},
      {"file path without leading slash", {path}, {"b"}},
      {"not-equals needs a package", {not_openssl}, {"b", "c"}},
      {"epoch as text", {epoch_text}, {"a", "d", "e"}},
  };
  for (const auto& c : cases) {
    Criteria criteria;
    criteria.packages = c.filters;
    EXPECT_EQ(names(criteria), c.want) << c.what;
  }
}

TEST_F(CriteriaTest, InvalidCriteriaNameTheField) {
  struct Case {
    Criteria criteria;
    std::string mention;
  };
  Criteria nan_bound;
  nan_bound.numbers["inspectorScore"] = {{std::nan(""), std::nullopt}};
  Criteria bad_port;
  bad_port.ports["portRange"] = {{0, 70000}};
  Criteria empty_key;
  empty_key.maps["resourceTags"] = {{"", "x"}};
  Criteria wrong_kind;
  wrong_kind.dates["severity"] = {{1, 2}};
  const std::vector<Case> cases = {
      {strings("bogus", {eq("x")}), "bogus"},
      {strings("codeVulnerabilityFilePath", {eq("x")}), "codeVulnerabilityFilePath"},
      {strings("firstObservedAt", {eq("x")}), "firstObservedAt"},
      {nan_bound, "inspectorScore"},
      {bad_port, "70000"},
      {empty_key, "resourceTags"},
      {wrong_kind, "severity"},
  };
  for (const auto& c : cases) {
    FindingQuery query;
    query.criteria = c.criteria;
    auto page = store_->list_findings(query);
    ASSERT_FALSE(page) << c.mention;
    EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(page.error().message.find(c.mention), std::string::npos) << page.error().message;
    EXPECT_FALSE(store_->count_findings(c.criteria, {}));
    EXPECT_FALSE(store_->set_suppressed(c.criteria, true, "x", 1));
  }
}

TEST_F(CriteriaTest, EveryAdvertisedFieldIsAccepted) {
  const auto& fields = finding_criteria_fields();
  EXPECT_EQ(fields.size(), 41U);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "vulnerablePackages"), fields.end());
  EXPECT_EQ(std::find(fields.begin(), fields.end(), "codeVulnerabilityDetectorName"), fields.end());
  for (const auto& field : fields) {
    if (field == "vulnerablePackages") {
      continue;
    }
    std::vector<Criteria> attempts(5);
    attempts[0].strings[field] = {eq("x")};
    attempts[1].dates[field] = {{1, 2}};
    attempts[2].numbers[field] = {{1.0, 2.0}};
    attempts[3].maps[field] = {{"k", "v"}};
    attempts[4].ports[field] = {{1, 2}};
    int accepted = 0;
    for (const auto& criteria : attempts) {
      accepted += store_->count_findings(criteria, {}).has_value() ? 1 : 0;
    }
    EXPECT_EQ(accepted, 1) << field;
  }
}

}  // namespace
}  // namespace vigil::store
