#include "service/suppression.hpp"

#include <gtest/gtest.h>

namespace vigil::service {
namespace {

model::Finding finding(std::string vuln, std::string purl, std::vector<std::string> aliases = {}) {
  model::Finding out;
  out.vulnerability_id = std::move(vuln);
  out.aliases = std::move(aliases);
  out.package.purl = std::move(purl);
  out.package.name = "pkg";
  return out;
}

TEST(IgnoreFileTest, ParsesIdsExpiryAndReasons) {
  const auto entries = parse_ignore_file(
      "# accepted risks\nCVE-2023-0001\nGHSA-aaaa-bbbb-cccc exp:2026-01-31 # waiting on vendor\n\n",
      ".vigilignore");
  ASSERT_TRUE(entries.has_value()) << entries.error().message;
  ASSERT_EQ(entries->size(), 2U);
  EXPECT_EQ((*entries)[1].id, "GHSA-aaaa-bbbb-cccc");
  EXPECT_EQ((*entries)[1].expires, "2026-01-31");
  EXPECT_EQ((*entries)[1].reason, "waiting on vendor");
  EXPECT_EQ((*entries)[1].line, 3U);
}

TEST(IgnoreFileTest, MalformedLinesNameFileAndLine) {
  const auto bad_date = parse_ignore_file("CVE-1 exp:2026-13-01\n", "ign");
  ASSERT_FALSE(bad_date.has_value());
  EXPECT_NE(bad_date.error().message.find("ign: line 1"), std::string::npos);
  EXPECT_FALSE(parse_ignore_file("CVE-1 extra\n", "ign").has_value());
  EXPECT_FALSE(parse_ignore_file("bad/id\n", "ign").has_value());
}

TEST(SuppressionTest, ExpiredEntriesStopSuppressingAndSaySo) {
  std::vector<model::Finding> findings = {finding("CVE-1", "pkg:npm/a@1"),
                                          finding("CVE-2", "pkg:npm/b@1", {"GHSA-x"})};
  const std::vector<IgnoreEntry> ignores = {{"CVE-1", "2026-01-01", "old", 1},
                                            {"GHSA-x", "2027-01-01", "", 2}};
  const auto report = apply_suppressions(findings, ignores, {}, "2026-06-01");
  EXPECT_EQ(report.suppressed, 1U);
  EXPECT_EQ(findings[0].status, model::FindingStatus::kActive);
  EXPECT_EQ(findings[1].status, model::FindingStatus::kSuppressed);
  ASSERT_EQ(report.notes.size(), 1U);
  EXPECT_NE(report.notes[0].find("expired"), std::string::npos);
}

TEST(VexTest, OpenVexNotAffectedSuppressesMatchingProductOnly) {
  const auto vex = parse_vex(R"({"@context":"https://openvex.dev/ns/v0.2.0","statements":[
      {"vulnerability":{"name":"CVE-2021-23337"},"products":[{"@id":"pkg:npm/lodash"}],
       "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
      {"vulnerability":"CVE-9","status":"affected"}]})",
                             "vex.json");
  ASSERT_TRUE(vex.has_value()) << vex.error().message;
  ASSERT_EQ(vex->size(), 2U);
  std::vector<model::Finding> findings = {finding("CVE-2021-23337", "pkg:npm/lodash@4.17.20"),
                                          finding("CVE-2021-23337", "pkg:npm/other@1.0.0"),
                                          finding("CVE-9", "pkg:npm/lodash@4.17.20")};
  const auto report = apply_suppressions(findings, {}, *vex, "2026-01-01");
  EXPECT_EQ(report.suppressed, 1U);
  EXPECT_EQ(findings[0].status, model::FindingStatus::kSuppressed);
  EXPECT_NE(findings[0].suppression_reason.find("vulnerable_code_not_in_execute_path"),
            std::string::npos);
  EXPECT_EQ(findings[1].status, model::FindingStatus::kActive);
  EXPECT_EQ(findings[2].status, model::FindingStatus::kActive);
}

TEST(VexTest, CycloneDxAnalysisStates) {
  const auto vex = parse_vex(R"({"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[
      {"id":"CVE-1","analysis":{"state":"not_affected","justification":"code_not_reachable",
       "detail":"feature disabled"},"affects":[{"ref":"pkg:pypi/requests@2.28.1"}]}]})",
                             "bom.json");
  ASSERT_TRUE(vex.has_value()) << vex.error().message;
  std::vector<model::Finding> findings = {finding("CVE-1", "pkg:pypi/requests@2.28.1")};
  apply_suppressions(findings, {}, *vex, "2026-01-01");
  EXPECT_EQ(findings[0].status, model::FindingStatus::kSuppressed);
  EXPECT_NE(findings[0].suppression_reason.find("feature disabled"), std::string::npos);
}

TEST(VexTest, MalformedDocumentsNameTheField) {
  EXPECT_FALSE(parse_vex("[]", "v").has_value());
  EXPECT_FALSE(parse_vex("{\"statements\":[{\"status\":\"fixed\"}]}", "v").has_value());
  const auto no_status = parse_vex("{\"statements\":[{\"vulnerability\":\"CVE-1\"}]}", "v.json");
  ASSERT_FALSE(no_status.has_value());
  EXPECT_NE(no_status.error().message.find("statements[0].status"), std::string::npos);
  EXPECT_FALSE(parse_vex("{\"other\":1}", "v").has_value());
}

}  // namespace
}  // namespace vigil::service
