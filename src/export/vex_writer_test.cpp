#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "export/export_test_support.hpp"
#include "export/findings.hpp"
#include "export/sbom_reader.hpp"

namespace vigil::exporter {
namespace {

using nlohmann::json;
using testing::sample_document;
using testing::sample_findings;

json write_vex(const SbomDocument& document, const std::vector<model::Finding>& findings) {
  const auto text = write_cyclonedx_vex(document, findings);
  EXPECT_TRUE(text.has_value()) << text.error().message;
  return text ? json::parse(*text) : json();
}

const json* vulnerability(const json& bom, const std::string& id) {
  for (const auto& entry : bom["vulnerabilities"]) {
    if (entry["id"] == id) {
      return &entry;
    }
  }
  return nullptr;
}

TEST(VexWriterTest, ValidatesAgainstTheOfficial16Schema) {
  VIGIL_REQUIRE_SCHEMAS();
  auto findings = sample_findings();
  findings[1].status = model::FindingStatus::kClosed;
  model::Package stray;
  stray.ecosystem = model::Ecosystem::kPyPI;
  stray.name = "urllib3";
  stray.version = "1.26.5";
  stray.purl = "pkg:pypi/urllib3@1.26.5";
  findings.push_back(testing::finding_for(stray, "CVE-2023-43804", model::Severity::kMedium, 5.9));
  const auto text = write_cyclonedx_vex(sample_document(), findings);
  ASSERT_TRUE(text.has_value());
  const auto check = testing::validate_cyclonedx(*text);
  VIGIL_REQUIRE_VALIDATOR(check);
  EXPECT_EQ(check.verdict, testing::SchemaVerdict::kValid) << check.output;

  json broken = json::parse(*text);
  broken["vulnerabilities"][0]["ratings"][0]["method"] = "CVSSv5";
  const auto bad = testing::validate_cyclonedx(broken.dump());
  VIGIL_REQUIRE_VALIDATOR(bad);
  EXPECT_EQ(bad.verdict, testing::SchemaVerdict::kInvalid);
}

TEST(VexWriterTest, AffectsNameComponentsOfTheBom) {
  const json bom = write_vex(sample_document(), sample_findings());
  std::set<std::string> refs;
  for (const auto& component : bom["components"]) {
    refs.insert(component["bom-ref"].get<std::string>());
  }
  ASSERT_EQ(bom["vulnerabilities"].size(), 4U);
  for (const auto& entry : bom["vulnerabilities"]) {
    for (const auto& affected : entry["affects"]) {
      EXPECT_EQ(refs.count(affected["ref"].get<std::string>()), 1U) << affected["ref"];
    }
  }
  const json* ghsa = vulnerability(bom, "GHSA-67hx-6x53-jw92");
  ASSERT_NE(ghsa, nullptr);
  EXPECT_EQ((*ghsa)["affects"].size(), 2U) << "one entry, both copies of the package";
  EXPECT_EQ((*ghsa)["affects"][0]["versions"][0],
            json({{"version", "7.22.5"}, {"status", "affected"}}));
}

TEST(VexWriterTest, RatingsCarryMethodSeverityAndVector) {
  const json bom = write_vex(sample_document(), sample_findings());
  const json* openssl = vulnerability(bom, "CVE-2023-5678");
  ASSERT_NE(openssl, nullptr);
  const json& ratings = (*openssl)["ratings"];
  ASSERT_EQ(ratings.size(), 3U);  // NVD, DSA, Vigil
  EXPECT_EQ(ratings[0]["method"], "CVSSv31");
  EXPECT_EQ(ratings[0]["severity"], "medium");
  EXPECT_EQ(ratings[0]["source"]["name"], "nvd@nist.gov (Primary)");
  EXPECT_EQ(ratings[0]["vector"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  EXPECT_EQ(ratings[2]["source"]["name"], "vigil");
  EXPECT_EQ(ratings[2]["method"], "other");
  EXPECT_EQ(ratings[2]["severity"], "medium");

  const json* log4shell = vulnerability(bom, "CVE-2021-44228");
  ASSERT_NE(log4shell, nullptr);
  EXPECT_EQ((*log4shell)["ratings"][0]["severity"], "critical");
  EXPECT_EQ((*log4shell)["references"][0]["id"], "GHSA-jfh8-c2jp-5v3q");
  EXPECT_EQ((*log4shell)["advisories"][0]["url"],
            "https://logging.apache.org/log4j/2.x/security.html");
  EXPECT_EQ((*log4shell)["recommendation"],
            "Upgrade org.apache.logging.log4j:log4j-core to 2.15.0");
  EXPECT_FALSE(log4shell->contains("analysis"));

  const json* untriaged = vulnerability(bom, "GHSA-67hx-6x53-jw92");
  ASSERT_NE(untriaged, nullptr);
  ASSERT_EQ((*untriaged)["ratings"].size(), 1U);
  EXPECT_EQ((*untriaged)["ratings"][0]["severity"], "unknown");
}

TEST(VexWriterTest, CvssMethodsAndBandsPerVersion) {
  const struct {
    std::string version;
    double score;
    std::string method;
    std::string severity;
  } cases[] = {{"2.0", 9.3, "CVSSv2", "high"},     {"2.0", 4.0, "CVSSv2", "medium"},
               {"3.0", 9.8, "CVSSv3", "critical"}, {"3.1", 0.0, "CVSSv31", "none"},
               {"4.0", 6.9, "CVSSv4", "medium"},   {"4.0", 3.9, "CVSSv4", "low"}};
  const auto package = sample_document().inventory.packages[2];
  for (const auto& row : cases) {
    auto finding = testing::finding_for(package, "CVE-2024-9", model::Severity::kMedium, 1.0);
    finding.cvss = {{row.version, "vector", row.score, "nvd"}};
    const json rating = write_vex(sample_document(), {finding})["vulnerabilities"][0]["ratings"][0];
    EXPECT_EQ(rating["method"], row.method) << row.version;
    EXPECT_EQ(rating["severity"], row.severity) << row.version << " " << row.score;
  }
}

TEST(VexWriterTest, SuppressedAndClosedFindingsCarryAnAnalysis) {
  auto findings = sample_findings();
  findings[1].status = model::FindingStatus::kClosed;
  const json bom = write_vex(sample_document(), findings);
  const json* suppressed = vulnerability(bom, "CVE-2023-4911");
  ASSERT_NE(suppressed, nullptr);
  EXPECT_EQ((*suppressed)["analysis"]["state"], "not_affected");
  EXPECT_EQ((*suppressed)["analysis"]["detail"],
            "glibc tunables are not reachable in this container");
  EXPECT_FALSE((*suppressed)["affects"][0].contains("versions"));
  EXPECT_EQ((*vulnerability(bom, "CVE-2023-5678"))["analysis"]["state"], "resolved");
}

TEST(VexWriterTest, SameVulnerabilityWithDifferentStatusesGetsSeparateEntries) {
  auto findings = sample_findings();
  findings[4].status = model::FindingStatus::kSuppressed;
  const json bom = write_vex(sample_document(), findings);
  std::set<std::string> bom_refs;
  int ghsa = 0;
  for (const auto& entry : bom["vulnerabilities"]) {
    EXPECT_TRUE(bom_refs.insert(entry["bom-ref"].get<std::string>()).second);
    ghsa += entry["id"] == "GHSA-67hx-6x53-jw92" ? 1 : 0;
  }
  EXPECT_EQ(ghsa, 2);
}

TEST(VexWriterTest, PackageMissingFromTheDocumentIsAdded) {
  model::Package stray;
  stray.ecosystem = model::Ecosystem::kPyPI;
  stray.name = "urllib3";
  stray.version = "1.26.5";
  stray.purl = "pkg:pypi/urllib3@1.26.5";
  stray.locations = {"srv/requirements.txt"};
  const auto document = sample_document();
  const json bom = write_vex(
      document, {testing::finding_for(stray, "CVE-2023-43804", model::Severity::kMedium, 5.9)});
  EXPECT_EQ(bom["components"].size(), 1U + 2U + document.inventory.packages.size() + 1U);
  EXPECT_EQ(bom["components"].back()["purl"], "pkg:pypi/urllib3@1.26.5");
  EXPECT_EQ(bom["vulnerabilities"][0]["affects"][0]["ref"], bom["components"].back()["bom-ref"]);
  // The VEX is still an SBOM: read_sbom() sees the added package.
  const auto read = read_sbom(bom.dump());
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->inventory.packages.back(), stray);
}

}  // namespace
}  // namespace vigil::exporter
