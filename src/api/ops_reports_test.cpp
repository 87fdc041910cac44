// Findings reports, SBOM exports and SearchVulnerabilities through the dispatcher.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/ops_test_fixture.hpp"

namespace vigil::api::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kKms = "arn:aws:kms:us-east-1:111111111111:key/k";

class ReportOpsTest : public OpsTest {
 protected:
  // Waits until the report leaves IN_PROGRESS; returns its last status document.
  json wait_done(const std::string& key, const std::string& target, const std::string& id) {
    json body;
    for (int attempt = 0; attempt < 400; ++attempt) {
      const Sent sent = send(key, target, json({{"reportId", id}}).dump());
      EXPECT_EQ(sent.status, 200) << sent.body.dump();
      body = sent.body;
      if (body.value("status", "") != "IN_PROGRESS") {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return body;
  }

  std::string create(const std::string& key, const std::string& target, json request) {
    const Sent sent = send(key, target, request.dump());
    EXPECT_EQ(sent.status, 200) << sent.body.dump();
    return sent.body.value("reportId", "");
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir, ignored)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_F(ReportOpsTest, JsonReportOfTheWholeOrganisation) {
  const std::string id =
      create("admin", "/reporting/create",
             {{"reportFormat", "JSON"},
              {"s3Destination",
               {{"bucketName", "reports"}, {"keyPrefix", "org/daily"}, {"kmsKeyArn", kKms}}}});
  const json status = wait_done("admin", "/reporting/status/get", id);
  ASSERT_EQ(status["status"], "SUCCEEDED") << status.dump();
  EXPECT_EQ(status["destination"]["bucketName"], "reports");
  const json report =
      json::parse(read(data_dir() / "exports/reports/org/daily" / (id + ".json")), nullptr, false);
  ASSERT_TRUE(report.is_object());
  std::set<std::string> accounts;
  for (const json& finding : report["findings"]) {
    accounts.insert(finding["awsAccountId"]);
    EXPECT_EQ(finding["status"], "ACTIVE");
  }
  EXPECT_EQ(accounts, (std::set<std::string>{kMemberA, kMemberB}));
  // Finished reports cannot be cancelled; other accounts cannot see them.
  EXPECT_EQ(send("admin", "/reporting/cancel", json({{"reportId", id}}).dump()).type,
            "ValidationException");
  EXPECT_EQ(send("a", "/reporting/status/get", json({{"reportId", id}}).dump()).type,
            "ResourceNotFoundException");
  EXPECT_EQ(send("a_admin", "/reporting/cancel", json({{"reportId", id}}).dump()).type,
            "ResourceNotFoundException");
  // An SBOM export id is not a findings report.
  EXPECT_EQ(send("admin", "/sbomexport/get", json({{"reportId", id}}).dump()).type,
            "ResourceNotFoundException");
}

TEST_F(ReportOpsTest, CsvReportIsScopedToTheMember) {
  const std::string id = create(
      "a", "/reporting/create",
      {{"reportFormat", "CSV"},
       {"filterCriteria", {{"severity", {{{"comparison", "NOT_EQUALS"}, {"value", "LOW"}}}}}},
       {"s3Destination", {{"bucketName", "member-a"}, {"kmsKeyArn", kKms}}}});
  const json status = wait_done("a", "/reporting/status/get", id);
  ASSERT_EQ(status["status"], "SUCCEEDED") << status.dump();
  const std::string csv = read(data_dir() / "exports/member-a" / (id + ".csv"));
  ASSERT_TRUE(csv.starts_with("AWS Account Id,Severity,")) << csv.substr(0, 200);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(line.starts_with(std::string(kMemberA) + ",")) << line;
    EXPECT_EQ(line.find(",LOW,"), std::string::npos) << line;
    ++rows;
  }
  EXPECT_GT(rows, 0u);

  // Member B filtering on A's account gets nothing: the report fails as Inspector's does.
  const std::string none = create(
      "b", "/reporting/create",
      {{"reportFormat", "JSON"},
       {"filterCriteria", {{"awsAccountId", {{{"comparison", "EQUALS"}, {"value", kMemberA}}}}}},
       {"s3Destination", {{"bucketName", "member-b"}, {"kmsKeyArn", kKms}}}});
  const json failed = wait_done("b", "/reporting/status/get", none);
  EXPECT_EQ(failed["status"], "FAILED");
  EXPECT_EQ(failed["errorCode"], "NO_FINDINGS_FOUND");
  EXPECT_FALSE(fs::exists(data_dir() / "exports/member-b" / (none + ".json")));
}

TEST_F(ReportOpsTest, RefusesBadDestinationsAndReadOnlyKeys) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"bucketName", "../etc"}, {"kmsKeyArn", kKms}}, "ValidationException"},
      {{{"bucketName", "Upper"}, {"kmsKeyArn", kKms}}, "ValidationException"},
      {{{"bucketName", "ok-bucket"}, {"keyPrefix", "a/../../b"}, {"kmsKeyArn", kKms}},
       "ValidationException"},
      {{{"bucketName", "ok-bucket"}, {"keyPrefix", "a\\b"}, {"kmsKeyArn", kKms}},
       "ValidationException"},
  };
  for (const auto& [destination, type] : cases) {
    const Sent sent = send("admin", "/reporting/create",
                           json({{"reportFormat", "CSV"}, {"s3Destination", destination}}).dump());
    EXPECT_EQ(sent.type, type) << destination.dump();
    const Sent sbom =
        send("admin", "/sbomexport/create",
             json({{"reportFormat", "SPDX_2_3"}, {"s3Destination", destination}}).dump());
    EXPECT_EQ(sbom.type, type) << destination.dump();
  }
  const json ok = {{"bucketName", "ok-bucket"}, {"kmsKeyArn", kKms}};
  EXPECT_EQ(
      send("ro", "/reporting/create", json({{"reportFormat", "CSV"}, {"s3Destination", ok}}).dump())
          .type,
      "AccessDeniedException");
  EXPECT_EQ(send("ro_a", "/sbomexport/create",
                 json({{"reportFormat", "SPDX_2_3"}, {"s3Destination", ok}}).dump())
                .type,
            "AccessDeniedException");
  EXPECT_EQ(send("admin", "/sbomexport/create",
                 json({{"reportFormat", "CYCLONEDX_1_6"}, {"s3Destination", ok}}).dump())
                .type,
            "ValidationException");
  EXPECT_EQ(send("admin", "/reporting/status/get", "{}").type, "ValidationException");
}

TEST_F(ReportOpsTest, CancelEndsInCancelledOrIsRefusedOnceFinished) {
  const std::string id =
      create("admin", "/reporting/create",
             {{"reportFormat", "JSON"},
              {"s3Destination", {{"bucketName", "cancel"}, {"kmsKeyArn", kKms}}}});
  const Sent cancel = send("admin", "/reporting/cancel", json({{"reportId", id}}).dump());
  const json status = wait_done("admin", "/reporting/status/get", id);
  if (cancel.status == 200) {
    EXPECT_EQ(status["status"], "CANCELLED");
    EXPECT_FALSE(fs::exists(data_dir() / "exports/cancel" / (id + ".json")));
  } else {
    EXPECT_EQ(cancel.type, "ValidationException");
    EXPECT_EQ(status["status"], "SUCCEEDED");
  }
}

TEST_F(ReportOpsTest, SbomExportsHonourFiltersAndScope) {
  const std::string id = create(
      "admin", "/sbomexport/create",
      {{"reportFormat", "CYCLONEDX_1_4"},
       {"resourceFilterCriteria",
        {{"accountId", {{{"comparison", "EQUALS"}, {"value", kMemberA}}}},
         {"ec2InstanceTags", {{{"comparison", "EQUALS"}, {"key", "env"}, {"value", "prod"}}}}}},
       {"s3Destination", {{"bucketName", "sbom"}, {"keyPrefix", "cdx"}, {"kmsKeyArn", kKms}}}});
  const json status = wait_done("admin", "/sbomexport/get", id);
  ASSERT_EQ(status["status"], "SUCCEEDED") << status.dump();
  EXPECT_EQ(status["format"], "CYCLONEDX_1_4");
  EXPECT_EQ(status["filterCriteria"]["accountId"][0]["value"], kMemberA);
  const fs::path dir = data_dir() / "exports/sbom/cdx" / id;
  ASSERT_EQ(files_in(dir), (std::vector<std::string>{"i-0aaaaaaaaaaaaaaa1.cdx.json"}));
  const json bom = json::parse(read(dir / "i-0aaaaaaaaaaaaaaa1.cdx.json"), nullptr, false);
  ASSERT_TRUE(bom.is_object());
  EXPECT_EQ(bom["bomFormat"], "CycloneDX");
  EXPECT_FALSE(bom["components"].empty());

  // A tag no resource carries selects nothing.
  const std::string none = create(
      "admin", "/sbomexport/create",
      {{"reportFormat", "SPDX_2_3"},
       {"resourceFilterCriteria",
        {{"ec2InstanceTags", {{{"comparison", "EQUALS"}, {"key", "env"}, {"value", "dev"}}}}}},
       {"s3Destination", {{"bucketName", "sbom"}, {"kmsKeyArn", kKms}}}});
  ASSERT_EQ(wait_done("admin", "/sbomexport/get", none)["status"], "SUCCEEDED");
  EXPECT_TRUE(files_in(data_dir() / "exports/sbom" / none).empty());

  // Member B exports only its own resources, even when it names A's.
  const std::string own =
      create("b", "/sbomexport/create",
             {{"reportFormat", "SPDX_2_3"},
              {"resourceFilterCriteria",
               {{"resourceId",
                 {{{"comparison", "EQUALS"}, {"value", "i-0aaaaaaaaaaaaaaa1"}},
                  {{"comparison", "EQUALS"}, {"value", "i-0bbbbbbbbbbbbbbb1"}}}}}},
              {"s3Destination", {{"bucketName", "member-b"}, {"kmsKeyArn", kKms}}}});
  ASSERT_EQ(wait_done("b", "/sbomexport/get", own)["status"], "SUCCEEDED");
  ASSERT_EQ(files_in(data_dir() / "exports/member-b" / own),
            (std::vector<std::string>{"i-0bbbbbbbbbbbbbbb1.spdx.json"}));
  const json spdx =
      json::parse(read(data_dir() / "exports/member-b" / own / "i-0bbbbbbbbbbbbbbb1.spdx.json"),
                  nullptr, false);
  EXPECT_EQ(spdx["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(send("a", "/sbomexport/get", json({{"reportId", own}}).dump()).type,
            "ResourceNotFoundException");
  EXPECT_EQ(send("a_admin", "/sbomexport/cancel", json({{"reportId", own}}).dump()).type,
            "ResourceNotFoundException");
}

TEST_F(ReportOpsTest, SearchVulnerabilitiesReturnsIntelligence) {
  Sent sent = send("a", "/vulnerabilities/search",
                   R"({"filterCriteria":{"vulnerabilityIds":["CVE-2023-38545"]}})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  ASSERT_EQ(sent.body["vulnerabilities"].size(), 1u);
  const json& curl = sent.body["vulnerabilities"][0];
  EXPECT_EQ(curl["id"], "CVE-2023-38545");
  EXPECT_EQ(curl["source"], "NVD");
  EXPECT_TRUE(curl["cvss3"]["baseScore"].is_number()) << curl.dump();
  EXPECT_TRUE(curl["cvss3"]["scoringVector"].get<std::string>().starts_with("CVSS:3"));
  EXPECT_NEAR(curl["epss"]["score"].get<double>(), 0.28041, 1e-9);
  EXPECT_FALSE(curl["referenceUrls"].empty());
  EXPECT_FALSE(curl.contains("cisaData"));
  EXPECT_TRUE(curl.contains("description"));

  sent = send("admin", "/vulnerabilities/search",
              R"({"filterCriteria":{"vulnerabilityIds":["CVE-2021-44228"]}})");
  ASSERT_EQ(sent.body["vulnerabilities"].size(), 1u);
  const json& log4j = sent.body["vulnerabilities"][0];
  EXPECT_TRUE(log4j["cisaData"]["dateAdded"].is_number()) << log4j.dump();
  EXPECT_TRUE(log4j["exploitObserved"]["firstSeen"].is_number());
  EXPECT_NE(std::find(log4j["relatedVulnerabilities"].begin(),
                      log4j["relatedVulnerabilities"].end(), "GHSA-jfh8-c2jp-5v3q"),
            log4j["relatedVulnerabilities"].end());

  sent = send("admin", "/vulnerabilities/search",
              R"({"filterCriteria":{"vulnerabilityIds":["CVE-1999-0001"]}})");
  ASSERT_EQ(sent.status, 200);
  EXPECT_TRUE(sent.body["vulnerabilities"].empty());
  EXPECT_EQ(send("admin", "/vulnerabilities/search", R"({"filterCriteria":{}})").type,
            "ValidationException");
}

}  // namespace
}  // namespace vigil::api::testing
