#include "vulndb/importers/osv.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace vigil::vulndb {
namespace {

std::string read_shared(const std::string& relative) {
  std::ifstream in(std::string(VIGIL_SHARED_DIR) + "/" + relative);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(OsvImporterTest, ParsesRealGoRecord) {
  const std::string content = read_shared("data/osv/samples/GO-2020-0001.json");
  if (content.empty()) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto importer = make_osv_importer();
  const SourceFile file{"GO-2020-0001.json", content};
  ASSERT_TRUE(importer->detects(file));
  ImportBatch batch;
  ASSERT_TRUE(importer->parse(file, batch).has_value());
  ASSERT_EQ(batch.advisories.size(), 1U);
  const auto& advisory = batch.advisories[0];
  EXPECT_EQ(advisory.id, "GO-2020-0001");
  EXPECT_EQ(advisory.source, "osv");
  EXPECT_NE(std::find(advisory.aliases.begin(), advisory.aliases.end(), "CVE-2020-36567"),
            advisory.aliases.end());
  ASSERT_FALSE(advisory.affected.empty());
  const auto& affected = advisory.affected[0];
  EXPECT_EQ(affected.ecosystem.ecosystem, model::Ecosystem::kGo);
  EXPECT_EQ(affected.name, "github.com/gin-gonic/gin");
  ASSERT_EQ(affected.ranges.size(), 1U);
  EXPECT_EQ(affected.ranges[0].type, model::RangeType::kSemver);
  ASSERT_EQ(affected.ranges[0].events.size(), 2U);
  EXPECT_EQ(affected.ranges[0].events[1].kind, model::EventKind::kFixed);
  EXPECT_EQ(affected.ranges[0].events[1].version, "1.6.0");
  // The raw record is kept minified: same JSON, no insignificant white space.
  EXPECT_EQ(advisory.raw.find('\n'), std::string::npos);
  EXPECT_NE(advisory.raw.find("\"id\":\"GO-2020-0001\""), std::string::npos);
}

TEST(OsvImporterTest, ParsesCvssSeverityAndWithdrawn) {
  const auto importer = make_osv_importer();
  const SourceFile file{"x.json", R"({"id":"RUSTSEC-2099-0001","modified":"2024-01-01T00:00:00Z",
    "withdrawn":"2024-02-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "database_specific":{"severity":"HIGH","cwe_ids":["CWE-79"]},
    "affected":[{"package":{"ecosystem":"crates.io","name":"foo"},"versions":["1.0.0"],
      "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"last_affected":"1.0.0"}]}]}]})"};
  ImportBatch batch;
  ASSERT_TRUE(importer->parse(file, batch).has_value());
  ASSERT_EQ(batch.advisories.size(), 1U);
  const auto& advisory = batch.advisories[0];
  EXPECT_EQ(advisory.withdrawn, "2024-02-01T00:00:00Z");
  ASSERT_EQ(advisory.severities.size(), 1U);
  EXPECT_EQ(advisory.severities[0].type, "CVSS_V3");
  EXPECT_EQ(advisory.severity_label, "HIGH");
  EXPECT_EQ(advisory.cwes, std::vector<std::string>{"CWE-79"});
  EXPECT_EQ(advisory.affected[0].versions, std::vector<std::string>{"1.0.0"});
  EXPECT_EQ(advisory.affected[0].ranges[0].events[1].kind, model::EventKind::kLastAffected);
}

TEST(OsvImporterTest, MalformedRecordIsSkippedWithDiagnostic) {
  const auto importer = make_osv_importer();
  const SourceFile file{"batch.json", R"([
    {"id":"GOOD-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"a"}}]},
    {"id":"BAD-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"b"},
      "ranges":[{"type":"ECOSYSTEM","events":[{"bogus":"1"}]}]}]},
    {"modified":"2024-01-01T00:00:00Z"},
    7])"};
  ImportBatch batch;
  ASSERT_TRUE(importer->parse(file, batch).has_value());
  ASSERT_EQ(batch.advisories.size(), 1U);
  EXPECT_EQ(batch.advisories[0].id, "GOOD-1");
  EXPECT_EQ(batch.records_skipped, 3U);
  ASSERT_GE(batch.diagnostics.size(), 3U);
  EXPECT_NE(batch.diagnostics[0].where.find("BAD-1"), std::string::npos);
  EXPECT_NE(batch.diagnostics[0].where.find("batch.json"), std::string::npos);
}

TEST(OsvImporterTest, UnknownEcosystemDropsOnlyThatEntry) {
  const auto importer = make_osv_importer();
  const SourceFile file{"x.json", R"({"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[
      {"package":{"ecosystem":"Hackage","name":"h"}},{"package":{"ecosystem":"npm","name":"n"}}]})"};
  ImportBatch batch;
  ASSERT_TRUE(importer->parse(file, batch).has_value());
  ASSERT_EQ(batch.advisories.size(), 1U);
  ASSERT_EQ(batch.advisories[0].affected.size(), 1U);
  EXPECT_EQ(batch.advisories[0].affected[0].name, "n");
  EXPECT_EQ(batch.records_skipped, 0U);
}

TEST(OsvImporterTest, InvalidJsonIsAFileError) {
  const auto importer = make_osv_importer();
  ImportBatch batch;
  const auto result = importer->parse({"broken.json", R"({"id":"X","modified":"2024)"}, batch);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("broken.json"), std::string::npos);
}

TEST(OsvImporterTest, DoesNotDetectOtherFeeds) {
  const auto importer = make_osv_importer();
  EXPECT_FALSE(importer->detects({"kev.json", R"({"title":"CISA","catalogVersion":"2025","id":1,"modified":1})"}));
  EXPECT_FALSE(importer->detects({"nvd.json", R"({"resultsPerPage":1,"id":1,"modified":1})"}));
  EXPECT_FALSE(importer->detects({"LICENSE", "Creative Commons"}));
}

}  // namespace
}  // namespace vigil::vulndb
