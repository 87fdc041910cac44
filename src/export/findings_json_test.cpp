#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "export/export_test_support.hpp"
#include "export/findings.hpp"

namespace vigil::exporter {
namespace {

using nlohmann::json;
using testing::sample_context;
using testing::sample_findings;

json write(const std::vector<model::Finding>& findings, const FindingsContext& context) {
  return json::parse(write_findings_json(findings, context));
}

TEST(FindingsJsonTest, EveryFindingHasInspectorsRequiredMembers) {
  const json out = write(sample_findings(), sample_context());
  ASSERT_TRUE(out.is_array());
  ASSERT_EQ(out.size(), 5U);
  for (const auto& finding : out) {
    for (const char* member :
         {"findingArn", "awsAccountId", "type", "title", "description", "severity", "status",
          "firstObservedAt", "lastObservedAt", "updatedAt", "remediation", "resources",
          "packageVulnerabilityDetails", "fixAvailable", "exploitAvailable", "vigil"}) {
      EXPECT_TRUE(finding.contains(member)) << member;
    }
    EXPECT_TRUE(testing::is_finding_arn(finding["findingArn"].get<std::string>()))
        << finding["findingArn"];
    EXPECT_EQ(finding["type"], "PACKAGE_VULNERABILITY");
    EXPECT_EQ(finding["resources"].size(), 1U);
    const json& details = finding["packageVulnerabilityDetails"];
    for (const char* member : {"vulnerabilityId", "source", "sourceUrl", "cvss", "referenceUrls",
                               "relatedVulnerabilities", "vulnerablePackages"}) {
      EXPECT_TRUE(details.contains(member)) << member;
    }
    EXPECT_TRUE(finding["remediation"]["recommendation"]["text"].is_string());
  }
}

TEST(FindingsJsonTest, WritesScoresExploitAndEpss) {
  const json log4shell = write(sample_findings(), sample_context())[0];
  EXPECT_EQ(log4shell["severity"], "CRITICAL");
  EXPECT_EQ(log4shell["fixAvailable"], "YES");
  EXPECT_EQ(log4shell["exploitAvailable"], "YES");
  EXPECT_EQ(log4shell["exploitabilityDetails"]["lastKnownExploitAt"], "2021-12-10T00:00:00Z");
  EXPECT_DOUBLE_EQ(log4shell["epss"]["score"].get<double>(), 0.97565);
  EXPECT_DOUBLE_EQ(log4shell["inspectorScore"].get<double>(), 10.0);
  EXPECT_EQ(log4shell["inspectorScoreDetails"]["adjustedCvss"]["version"], "3.1");
  EXPECT_EQ(log4shell["remediation"]["recommendation"]["text"],
            "Upgrade org.apache.logging.log4j:log4j-core to 2.15.0");
  EXPECT_EQ(log4shell["packageVulnerabilityDetails"]["relatedVulnerabilities"],
            json::array({"GHSA-jfh8-c2jp-5v3q"}));
  EXPECT_EQ(log4shell["packageVulnerabilityDetails"]["sourceUrl"],
            "https://nvd.nist.gov/vuln/detail/CVE-2021-44228");
  const json& vigil = log4shell["vigil"];
  EXPECT_DOUBLE_EQ(vigil["vigilRisk"].get<double>(), 10.0);
  EXPECT_EQ(vigil["explanation"].size(), 2U);
  EXPECT_EQ(vigil["explanation"][1]["factor"], "exploit");
  EXPECT_EQ(vigil["knownRansomwareCampaignUse"], true);
  EXPECT_DOUBLE_EQ(vigil["epssPercentile"].get<double>(), 0.99996);
}

TEST(FindingsJsonTest, AdjustedCvssAppendsEnvironmentalMetricsAndUsesThePrimaryRecord) {
  const json openssl = write(sample_findings(), sample_context())[1];
  const json& adjusted = openssl["inspectorScoreDetails"]["adjustedCvss"];
  EXPECT_EQ(adjusted["cvssSource"], "nvd@nist.gov (Primary)");
  EXPECT_DOUBLE_EQ(adjusted["score"].get<double>(), 4.0);
  EXPECT_EQ(adjusted["scoringVector"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:L");
  EXPECT_EQ(adjusted["adjustments"][0]["metric"], "MAV");
  EXPECT_EQ(openssl["packageVulnerabilityDetails"]["cvss"].size(), 2U);
  // Vendor data outranks NVD as the source, as Inspector reports OS findings.
  EXPECT_EQ(openssl["packageVulnerabilityDetails"]["source"], "OSV");
}

TEST(FindingsJsonTest, FindingWithoutCvssHasNoInspectorScore) {
  const json untriaged = write(sample_findings(), sample_context())[3];
  EXPECT_EQ(untriaged["severity"], "UNTRIAGED");
  EXPECT_FALSE(untriaged.contains("inspectorScore"));
  EXPECT_FALSE(untriaged.contains("inspectorScoreDetails"));
  EXPECT_EQ(untriaged["packageVulnerabilityDetails"]["cvss"], json::array());
  EXPECT_EQ(untriaged["packageVulnerabilityDetails"]["source"], "GITHUB");
  EXPECT_EQ(untriaged["packageVulnerabilityDetails"]["sourceUrl"],
            "https://github.com/advisories/GHSA-67hx-6x53-jw92");
  EXPECT_EQ(untriaged["remediation"]["recommendation"]["text"], "None Provided");
}

TEST(FindingsJsonTest, SuppressedFindingKeepsItsReason) {
  const json suppressed = write(sample_findings(), sample_context())[2];
  EXPECT_EQ(suppressed["status"], "SUPPRESSED");
  EXPECT_EQ(suppressed["vigil"]["suppressionReason"],
            "glibc tunables are not reachable in this container");
}

struct VulnerablePackageCase {
  model::Ecosystem ecosystem;
  std::string version;
  std::string location;
  std::string fixed_in;
  json want;  // the members checked
};

TEST(FindingsJsonTest, VulnerablePackageSplitsOsVersionsAndNamesThePackageManager) {
  const VulnerablePackageCase cases[] = {
      {model::Ecosystem::kDebian,
       "1:2.36-9+deb12u4",
       "var/lib/dpkg/status",
       "2.36-9+deb12u7",
       {{"version", "2.36"},
        {"epoch", 1},
        {"release", "9+deb12u4"},
        {"packageManager", "OS"},
        {"fixedInVersion", "0:2.36-9+deb12u7"}}},
      {model::Ecosystem::kAmazonLinux,
       "7.79.1-1.amzn2.0.1",
       "var/lib/rpm/Packages",
       "0:7.79.1-1.amzn2.0.2",
       {{"version", "7.79.1"},
        {"epoch", 0},
        {"release", "1.amzn2.0.1"},
        {"fixedInVersion", "0:7.79.1-1.amzn2.0.2"},
        {"remediation", "yum update pkg"}}},
      {model::Ecosystem::kAlpine,
       "1.2.4-r2",
       "lib/apk/db/installed",
       "",
       {{"version", "1.2.4"}, {"release", "r2"}, {"fixedInVersion", "NotAvailable"}}},
      {model::Ecosystem::kDebian,
       "99999999999999999999999:1.0-1",
       "var/lib/dpkg/status",
       "",
       {{"version", "99999999999999999999999:1.0"}, {"release", "1"}}},
      {model::Ecosystem::kNpm,
       "4.17.20",
       "/app/package-lock.json",
       "4.17.21",
       {{"version", "4.17.20"},
        {"epoch", 0},
        {"packageManager", "NPM"},
        {"filePath", "app/package-lock.json"},
        {"remediation", "Update pkg to 4.17.21"},
        {"fixedInVersion", "4.17.21"}}},
      {model::Ecosystem::kNpm,
       "1.0.0",
       "usr/lib/node_modules/x/package.json",
       "",
       {{"packageManager", "NODEPKG"}}},
      {model::Ecosystem::kPyPI,
       "2.31.0",
       "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
       "",
       {{"packageManager", "PYTHONPKG"}}},
      {model::Ecosystem::kPyPI, "2.31.0", "srv/requirements.txt", "", {{"packageManager", "PIP"}}},
      {model::Ecosystem::kPyPI, "2.31.0", "srv/poetry.lock", "", {{"packageManager", "POETRY"}}},
      {model::Ecosystem::kGo, "v0.1.0", "usr/bin/app", "", {{"packageManager", "GOBINARY"}}},
      {model::Ecosystem::kGo, "v0.1.0", "src/go.mod", "", {{"packageManager", "GOMOD"}}},
      {model::Ecosystem::kMaven,
       "2.14.1",
       "app/lib/log4j-core-2.14.1.jar",
       "",
       {{"packageManager", "JAR"}}},
      {model::Ecosystem::kMaven,
       "2.14.1",
       "META-INF/maven/x/y/pom.properties",
       "",
       {{"packageManager", "POM"}}},
      {model::Ecosystem::kRubyGems,
       "7.0.4",
       "app/Gemfile.lock",
       "",
       {{"packageManager", "BUNDLER"}}},
      {model::Ecosystem::kCratesIo, "1.0.0", "Cargo.lock", "", {{"packageManager", "CARGO"}}},
      {model::Ecosystem::kNuGet,
       "13.0.1",
       "app/app.deps.json",
       "",
       {{"packageManager", "DOTNET_CORE"}}},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.version + " " + row.location);
    model::Package package;
    package.ecosystem = row.ecosystem;
    package.name = "pkg";
    package.version = row.version;
    package.locations = {row.location};
    auto finding = testing::finding_for(package, "CVE-2024-0001", model::Severity::kLow, 3.1);
    finding.fixed_in = row.fixed_in;
    const json written = write({finding}, sample_context())[0];
    const json& vulnerable = written["packageVulnerabilityDetails"]["vulnerablePackages"][0];
    for (const auto& [key, value] : row.want.items()) {
      EXPECT_EQ(vulnerable[key], value) << key;
    }
  }
}

TEST(FindingsJsonTest, ResourceDetailsFollowTheResourceType) {
  auto context = sample_context();
  const json image = write(sample_findings(), context)[0]["resources"][0];
  EXPECT_EQ(image["type"], "AWS_ECR_CONTAINER_IMAGE");
  EXPECT_EQ(image["region"], "us-east-1");
  EXPECT_EQ(image["tags"]["team"], "payments");
  const json& ecr = image["details"]["awsEcrContainerImage"];
  EXPECT_EQ(ecr["repositoryName"], "shop/api");
  EXPECT_EQ(ecr["imageTags"], json::array({"1.4.2"}));
  EXPECT_EQ(ecr["platform"], "DEBIAN_12");
  EXPECT_EQ(ecr["imageHash"].get<std::string>().size(), 71U);

  context.resource.type = model::ResourceType::kHost;
  context.os = {"amzn", "2023", "", "Amazon Linux 2023", "", false};
  const json host = write(sample_findings(), context)[0]["resources"][0];
  EXPECT_EQ(host["type"], "AWS_EC2_INSTANCE");
  EXPECT_EQ(host["details"]["awsEc2Instance"]["platform"], "AMAZON_LINUX_2023");

  context.resource.type = model::ResourceType::kFunction;
  context.resource.name = "checkout";
  const json function = write(sample_findings(), context)[0]["resources"][0];
  EXPECT_EQ(function["type"], "AWS_LAMBDA_FUNCTION");
  EXPECT_EQ(function["details"]["awsLambdaFunction"]["functionName"], "checkout");

  context.resource.type = model::ResourceType::kHost;
  context.os = {"alpine", "3.18.4", "", "", "", false};
  EXPECT_EQ(
      write(sample_findings(), context)[0]["resources"][0]["details"]["awsEc2Instance"]["platform"],
      "ALPINE_LINUX_3_18");
  context.os = {"ubuntu", "22.04", "jammy", "", "", false};
  EXPECT_EQ(
      write(sample_findings(), context)[0]["resources"][0]["details"]["awsEc2Instance"]["platform"],
      "UBUNTU_22_04");
}

TEST(FindingsJsonTest, NonArnIdsAreHashedIntoAnArnStably) {
  auto findings = sample_findings();
  findings[0].id = "local-id-1";
  const std::string first = write(findings, sample_context())[0]["findingArn"];
  EXPECT_EQ(first.rfind("arn:vigil:inspector2:us-east-1:123456789012:finding/", 0), 0U) << first;
  EXPECT_EQ(write(findings, sample_context())[0]["findingArn"], first);
  findings[0].id = "local-id-2";
  EXPECT_NE(write(findings, sample_context())[0]["findingArn"], first);
}

TEST(FindingsJsonTest, LayerIsAHashForImagesAndAnArnForLambdaLayers) {
  auto findings = sample_findings();
  const json image = write(findings, sample_context())[0];
  EXPECT_EQ(image["packageVulnerabilityDetails"]["vulnerablePackages"][0]["sourceLayerHash"],
            testing::kLayer2);
  findings[0].package.layer_digest = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3";
  const json lambda =
      write(findings, sample_context())[0]["packageVulnerabilityDetails"]["vulnerablePackages"][0];
  EXPECT_FALSE(lambda.contains("sourceLayerHash"));
  EXPECT_EQ(lambda["sourceLambdaLayerArn"], "arn:aws:lambda:us-east-1:123456789012:layer:deps:3");
}

TEST(FindingsJsonTest, EmptyListIsAnEmptyArray) {
  EXPECT_EQ(write({}, sample_context()), json::array());
}

}  // namespace
}  // namespace vigil::exporter
