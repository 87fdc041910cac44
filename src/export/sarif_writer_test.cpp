// SARIF output, validated against the OASIS SARIF 2.1.0 schema (sarif-2.1.0-rtm.5) as shipped in
// the npm package @microsoft/jest-sarif: scripts/install-deps.sh puts it in .deps/sarif/; without
// it the test fetches it with `npm pack` into a cache beside the test binary. Validation skips
// when neither works or python3-jsonschema is unavailable, unless VIGIL_REQUIRE_REFERENCE=1.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "export/export_test_support.hpp"
#include "export/findings.hpp"

namespace vigil::exporter {
namespace {

using nlohmann::json;
using testing::sample_context;
using testing::sample_findings;

json write_sarif(const std::vector<model::Finding>& findings) {
  return json::parse(write_sarif(findings, sample_context()));
}

// The schema scripts/install-deps.sh fetched, else the test's own npm cache.
std::optional<std::filesystem::path> sarif_schema() {
  const std::filesystem::path installed =
      std::filesystem::path(VIGIL_SOURCE_DIR) / ".deps/sarif/sarif-2.1.0-rtm.5.json";
  if (std::filesystem::is_regular_file(installed)) {
    return installed;
  }
  return testing::sarif_schema();
}

#define VIGIL_REQUIRE_SARIF_SCHEMA(schema)                                             \
  do {                                                                                 \
    if (!(schema)) {                                                                   \
      if (::vigil::testing::reference_required()) {                                    \
        FAIL() << "could not fetch the SARIF schema (npm pack @microsoft/jest-sarif)"; \
      }                                                                                \
      GTEST_SKIP() << "SARIF schema unavailable (npm pack @microsoft/jest-sarif)";     \
    }                                                                                  \
  } while (false)

TEST(SarifWriterTest, ValidatesAgainstTheSarif210Schema) {
  const auto schema = sarif_schema();
  VIGIL_REQUIRE_SARIF_SCHEMA(schema);
  for (const auto& findings : {sample_findings(), std::vector<model::Finding>{}}) {
    const std::string text = write_sarif(findings, sample_context());
    const auto check = vigil::testing::validate_json_schema(schema->string(), text);
    VIGIL_REQUIRE_VALIDATOR(check);
    EXPECT_EQ(check.verdict, testing::SchemaVerdict::kValid) << check.output << text;
  }
}

TEST(SarifWriterTest, ValidatorRejectsBrokenLogs) {
  const auto schema = sarif_schema();
  VIGIL_REQUIRE_SARIF_SCHEMA(schema);
  const json good = write_sarif(sample_findings());
  std::vector<json> broken(3, good);
  broken[0]["runs"][0]["results"][0]["level"] = "fatal";
  broken[1]["runs"][0]["tool"]["driver"].erase("name");
  broken[2]["version"] = "2.0.0";
  for (const auto& log : broken) {
    const auto check = vigil::testing::validate_json_schema(schema->string(), log.dump());
    VIGIL_REQUIRE_VALIDATOR(check);
    EXPECT_EQ(check.verdict, testing::SchemaVerdict::kInvalid);
  }
}

TEST(SarifWriterTest, OneRulePerVulnerabilityOneResultPerFinding) {
  const json log = write_sarif(sample_findings());
  EXPECT_EQ(log["version"], "2.1.0");
  const json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "vigil");
  EXPECT_EQ(run["tool"]["driver"]["version"], "0.1.0");
  const json& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 4U);  // the GHSA appears on two packages
  ASSERT_EQ(run["results"].size(), 5U);
  for (const auto& result : run["results"]) {
    const size_t index = result["ruleIndex"];
    ASSERT_LT(index, rules.size());
    EXPECT_EQ(rules[index]["id"], result["ruleId"]);
    EXPECT_EQ(result["partialFingerprints"]["vigilFinding/v1"].get<std::string>().size(), 16U);
  }
  EXPECT_NE(run["results"][3]["partialFingerprints"], run["results"][4]["partialFingerprints"]);
  const json& log4shell = rules[0];
  EXPECT_EQ(log4shell["id"], "CVE-2021-44228");
  EXPECT_EQ(log4shell["properties"]["security-severity"], "10.0");
  EXPECT_EQ(log4shell["helpUri"], "https://nvd.nist.gov/vuln/detail/CVE-2021-44228");
  EXPECT_NE(log4shell["help"]["markdown"].get<std::string>().find("| 2.14.1 | 2.15.0 |"),
            std::string::npos);
  EXPECT_EQ(log4shell["properties"]["tags"][0], "security");
  // No CVSS, no security-severity (GitHub would otherwise rank it as a score).
  EXPECT_FALSE(rules[3]["properties"].contains("security-severity"));
  // The rule's score is the highest of its findings' (4.0 adjusted, 5.3 raw -> 4.0 inspector).
  EXPECT_EQ(rules[1]["properties"]["security-severity"], "4.0");
}

TEST(SarifWriterTest, LevelsFollowSeverity) {
  const std::pair<model::Severity, std::string> cases[] = {
      {model::Severity::kCritical, "error"}, {model::Severity::kHigh, "error"},
      {model::Severity::kMedium, "warning"}, {model::Severity::kUntriaged, "warning"},
      {model::Severity::kLow, "note"},       {model::Severity::kInformational, "note"},
  };
  const auto package = testing::sample_document().inventory.packages[2];
  for (const auto& [severity, level] : cases) {
    const json log = write_sarif({testing::finding_for(package, "CVE-2024-1", severity, 5.0)});
    EXPECT_EQ(log["runs"][0]["results"][0]["level"], level);
    EXPECT_EQ(log["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"], level);
  }
}

TEST(SarifWriterTest, LocationsUseRelativeEncodedUrisAndThePurl) {
  const json results = write_sarif(sample_findings())["runs"][0]["results"];
  const json& log4j = results[0]["locations"][0];
  EXPECT_EQ(log4j["physicalLocation"]["artifactLocation"]["uri"],
            "opt/app/lib/log4j%20core%202.14.1.jar");
  EXPECT_EQ(log4j["logicalLocations"][0]["fullyQualifiedName"],
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  EXPECT_EQ(log4j["logicalLocations"][0]["kind"], "package");

  model::Package bare;
  bare.name = "no-evidence";
  bare.version = "1.0";
  bare.locations = {"/"};
  const json only_logical = write_sarif({testing::finding_for(bare, "CVE-2024-2", model::Severity::kLow,
                                                        2.0)})["runs"][0]["results"][0];
  EXPECT_FALSE(only_logical["locations"][0].contains("physicalLocation"));
  EXPECT_EQ(only_logical["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "no-evidence@1.0");
}

TEST(SarifWriterTest, SuppressedAndClosedFindingsAreMarked) {
  auto findings = sample_findings();
  findings[1].status = model::FindingStatus::kClosed;
  const json results = write_sarif(findings)["runs"][0]["results"];
  EXPECT_EQ(results[1]["kind"], "pass");
  EXPECT_EQ(results[1]["level"], "none");
  const json& suppression = results[2]["suppressions"][0];
  EXPECT_EQ(suppression["kind"], "external");
  EXPECT_EQ(suppression["status"], "accepted");
  EXPECT_EQ(suppression["justification"], "glibc tunables are not reachable in this container");
  EXPECT_FALSE(results[0].contains("suppressions"));
}

}  // namespace
}  // namespace vigil::exporter
