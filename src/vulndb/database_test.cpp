#include "vulndb/database.hpp"

#include <gtest/gtest.h>

#include "core/sqlite.hpp"
#include "support/temp_dir.hpp"

namespace vigil::vulndb {
namespace {

constexpr const char* kRecordV1 = R"({"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z",
  "aliases":["CVE-2024-0001"],"summary":"first",
  "affected":[{"package":{"ecosystem":"PyPI","name":"demo"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}]}]})";
constexpr const char* kRecordV2 = R"({"id":"PYSEC-1","modified":"2024-02-01T00:00:00Z",
  "aliases":["CVE-2024-0001"],"summary":"second",
  "affected":[{"package":{"ecosystem":"PyPI","name":"demo2"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.3"}]}]}]})";
constexpr const char* kOther = R"({"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z",
  "aliases":["CVE-2024-0001"],"affected":[{"package":{"ecosystem":"npm","name":"x"}}]})";

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Database> db = Database::open(dir.path() / "db", true).value();

  ImportSummary import(const std::string& name, const std::string& content) {
    const auto path = dir.write("feeds/" + name, content);
    auto summary = import_paths(*db, {path});
    EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error().message);
    return summary.value_or(ImportSummary{});
  }
};

TEST(DatabaseTest, OpenWithoutCreateNamesTheDirectory) {
  testing::TempDir dir;
  const auto db = Database::open(dir.path() / "none", false);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kNotFound);
  EXPECT_NE(db.error().message.find("none"), std::string::npos);
}

TEST(DatabaseTest, ImportCountsAddedModifiedUnchanged) {
  Fixture fx;
  auto first = fx.import("a.json", kRecordV1);
  EXPECT_EQ(first.added, 1U);
  EXPECT_EQ(first.db_version, 1);
  auto again = fx.import("a.json", kRecordV1);
  EXPECT_EQ(again.unchanged, 1U);
  EXPECT_EQ(again.added, 0U);
  EXPECT_EQ(again.db_version, 1);  // nothing changed: no new version
  auto second = fx.import("a.json", kRecordV2);
  EXPECT_EQ(second.modified, 1U);
  EXPECT_EQ(second.db_version, 2);
}

TEST(DatabaseTest, ChangeFeedNamesAdvisoriesAndOldAndNewKeys) {
  Fixture fx;
  fx.import("a.json", kRecordV1);
  fx.import("a.json", kRecordV2);
  const auto changes = fx.db->changes_since(1).value();
  EXPECT_EQ(changes.from_version, 1);
  EXPECT_EQ(changes.to_version, 2);
  ASSERT_EQ(changes.advisories.size(), 1U);
  EXPECT_EQ(changes.advisories[0].id, "PYSEC-1");
  EXPECT_EQ(changes.advisories[0].kind, ChangeKind::kModified);
  const std::vector<ChangedKey> want = {{"PyPI", "demo"}, {"PyPI", "demo2"}};
  EXPECT_EQ(changes.keys, want);
  EXPECT_TRUE(fx.db->changes_since(2).value().advisories.empty());
}

TEST(DatabaseTest, LookupMergesAcrossAliases) {
  Fixture fx;
  fx.import("a.json", kRecordV1);
  fx.import("b.json", kOther);
  const auto found = fx.db->lookup("CVE-2024-0001").value();
  EXPECT_EQ(found.size(), 2U);
  const auto by_ghsa = fx.db->lookup("GHSA-aaaa-bbbb-cccc").value();
  EXPECT_EQ(by_ghsa.size(), 2U);  // GHSA -> CVE alias -> PYSEC record
  const auto pysec = fx.db->lookup("PYSEC-1").value();
  ASSERT_FALSE(pysec.empty());
  bool saw = false;
  for (const auto& advisory : pysec) {
    if (advisory.id == "PYSEC-1") {
      saw = true;
      EXPECT_EQ(advisory.summary, "first");
      ASSERT_EQ(advisory.affected.size(), 1U);
      EXPECT_EQ(advisory.affected[0].ranges[0].events[1].version, "1.2");
      EXPECT_NE(advisory.raw.find("\"summary\":\"first\""), std::string::npos);
    }
  }
  EXPECT_TRUE(saw);
  EXPECT_TRUE(fx.db->lookup("CVE-1999-9999").value().empty());
}

TEST(DatabaseTest, FileErrorLeavesDatabaseUntouched) {
  Fixture fx;
  fx.import("a.json", kRecordV1);
  fx.dir.write("bad/1.json", kRecordV2);
  fx.dir.write("bad/2.json", R"({"id":"X","modified":"2024-01-01T00:00:00Z", broken)");
  const auto result = import_paths(*fx.db, {fx.dir.path() / "bad"});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("2.json"), std::string::npos);
  const auto status = fx.db->status().value();
  EXPECT_EQ(status.db_version, 1);
  EXPECT_EQ(fx.db->lookup("PYSEC-1").value().at(0).summary, "first");
}

TEST(DatabaseTest, ForEachAffectedSkipsWithdrawnAndFilters) {
  Fixture fx;
  fx.import("a.json", kRecordV1);
  fx.import("b.json", kOther);
  fx.import("c.json",
            R"({"id":"W-1","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-01-02T00:00:00Z",
      "affected":[{"package":{"ecosystem":"PyPI","name":"demo"}}]})");
  std::vector<std::string> seen;
  ASSERT_TRUE(fx.db
                  ->for_each_affected([&](const AffectedRow& row) {
                    seen.push_back(row.advisory->id + "/" + row.package->name);
                  })
                  .has_value());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"GHSA-aaaa-bbbb-cccc/x", "PYSEC-1/demo"}));
  const std::vector<ChangedKey> only = {{"npm", "x"}};
  seen.clear();
  ASSERT_TRUE(fx.db
                  ->for_each_affected(
                      [&](const AffectedRow& row) { seen.push_back(row.advisory->id); }, &only)
                  .has_value());
  EXPECT_EQ(seen, std::vector<std::string>{"GHSA-aaaa-bbbb-cccc"});
}

TEST(DatabaseTest, StatusCountsByEcosystem) {
  Fixture fx;
  fx.import("a.json", kRecordV1);
  fx.import("b.json", kOther);
  const auto status = fx.db->status().value();
  EXPECT_EQ(status.schema_version, kSchemaVersion);
  EXPECT_EQ(status.advisories, 2);
  EXPECT_FALSE(status.last_import.empty());
  ASSERT_EQ(status.counts.size(), 2U);
  EXPECT_EQ(status.counts[0].ecosystem, "PyPI");
  EXPECT_EQ(status.counts[1].ecosystem, "npm");
}

TEST(DatabaseTest, ImportsRealSharedOsvSets) {
  const std::string shared = VIGIL_SHARED_DIR;
  if (!std::filesystem::exists(shared + "/data/osv/rustsec/rustsec-osv.zip")) {
    GTEST_SKIP() << "shared data missing";
  }
  testing::TempDir dir;
  auto db = Database::open(dir.path(), true).value();
  const auto summary = import_paths(
      *db, {shared + "/data/osv/rustsec", shared + "/data/osv/pypa/pypi-osv-json-converted.zip"});
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->added + summary->withdrawn, 1206U + 2661U);
  EXPECT_EQ(summary->skipped, 0U);
  // A known fact: PYSEC-2020-102 (salt, KEV CVE-2020-11651) is fixed in 2019.2.4 on one branch.
  const auto salt = db->lookup("CVE-2020-11651").value();
  bool found_fix = false;
  for (const auto& advisory : salt) {
    for (const auto& affected : advisory.affected) {
      for (const auto& range : affected.ranges) {
        for (const auto& event : range.events) {
          found_fix |= affected.name == "salt" && event.kind == model::EventKind::kFixed &&
                       event.version == "2019.2.4";
        }
      }
    }
  }
  EXPECT_TRUE(found_fix);
}

}  // namespace
}  // namespace vigil::vulndb

namespace vigil::vulndb {
namespace {

// A schema-1 database (no id index) is migrated forward on open and keeps its data.
TEST(DatabaseTest, MigratesSchemaOneForward) {
  Fixture fx;
  fx.import("a.json", kRecordV1);
  const auto before = fx.db->lookup("CVE-2024-0001").value();
  ASSERT_FALSE(before.empty());
  fx.db.reset();
  const auto file = fx.dir.path() / "db" / "vigil-vulndb.sqlite";
  {
    auto connection = sql::Connection::open(file, false).value();
    ASSERT_TRUE(connection
                    .exec("DROP INDEX advisories_id; UPDATE meta SET value = '1' WHERE "
                          "key = 'schema_version'")
                    .has_value());
  }
  auto db = Database::open(fx.dir.path() / "db", false).value();
  EXPECT_EQ(db->status().value().schema_version, kSchemaVersion);
  EXPECT_EQ(db->lookup("CVE-2024-0001").value().size(), before.size());
  auto connection = sql::Connection::open(file, false).value();
  auto stmt =
      connection.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'advisories_id'").value();
  ASSERT_TRUE(stmt.step().value());
  EXPECT_EQ(stmt.column_int(0), 1);
}

}  // namespace
}  // namespace vigil::vulndb

namespace vigil::vulndb {
namespace {

constexpr const char* kKevBoth = R"({"catalogVersion":"1","vulnerabilities":[
  {"cveID":"CVE-2024-0001","dateAdded":"2024-01-01"},{"cveID":"CVE-2024-0002","dateAdded":"2024-01-02"}]})";
constexpr const char* kKevOne = R"({"catalogVersion":"2","vulnerabilities":[
  {"cveID":"CVE-2024-0001","dateAdded":"2024-01-01"}]})";

// A KEV catalogue is the whole list: an entry it no longer has leaves the database and is named
// in the change feed; the same catalogue again changes nothing.
TEST(DatabaseTest, KevRemovalsEnterTheChangeFeed) {
  Fixture fx;
  const auto first = fx.import("kev.json", kKevBoth);
  EXPECT_EQ(first.kev, 2U);
  EXPECT_EQ(fx.db->changes_since(0).value().kev_added.size(), 2U);
  const auto second = fx.import("kev.json", kKevOne);
  EXPECT_EQ(second.kev, 0U);
  EXPECT_EQ(second.kev_removed, 1U);
  EXPECT_EQ(second.db_version, first.db_version + 1);
  const auto changes = fx.db->changes_since(first.db_version).value();
  EXPECT_EQ(changes.kev_removed, std::vector<std::string>{"CVE-2024-0002"});
  EXPECT_TRUE(changes.kev_added.empty());
  EXPECT_FALSE(fx.db->kev("CVE-2024-0002").value().has_value());
  EXPECT_TRUE(fx.db->kev("CVE-2024-0001").value().has_value());
  const auto again = fx.import("kev.json", kKevOne);
  EXPECT_EQ(again.kev + again.kev_removed, 0U);
  EXPECT_EQ(again.db_version, second.db_version);
  // Back in the catalogue: an addition again, no longer a removal.
  const auto back = fx.import("kev.json", kKevBoth);
  EXPECT_EQ(back.kev, 1U);
  const auto later = fx.db->changes_since(first.db_version).value();
  EXPECT_TRUE(later.kev_removed.empty());
  EXPECT_EQ(later.kev_added, std::vector<std::string>{"CVE-2024-0002"});
}

// Only a complete catalogue removes entries: not a bundle's KEV additions (no catalogue flag),
// not a catalogue with a malformed row.
TEST(DatabaseTest, PartialKevInputRemovesNothing) {
  Fixture fx;
  fx.import("kev.json", kKevBoth);
  auto session = fx.db->begin_import().value();
  ImportBatch batch;
  batch.kev.push_back({"CVE-2024-0003", "", "", "", "2024-01-03", "", false, "", ""});
  ASSERT_TRUE(session->add(std::move(batch)).has_value());
  const auto added = session->commit("bundle").value();
  EXPECT_EQ(added.kev, 1U);
  EXPECT_EQ(added.kev_removed, 0U);
  const auto damaged = fx.import("kev.json", R"({"catalogVersion":"3","vulnerabilities":[
    {"cveID":"CVE-2024-0001","dateAdded":"2024-01-01"},{"cveID":"CVE-2024-0002"}]})");
  EXPECT_EQ(damaged.skipped, 1U);
  EXPECT_EQ(damaged.kev_removed, 0U);
  EXPECT_EQ(fx.db->status().value().kev, 3);
}

// EPSS imports count and record only new or changed scores.
TEST(DatabaseTest, EpssCountsOnlyChangedScores) {
  Fixture fx;
  const std::string header =
      "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000\n"
      "cve,epss,percentile\n";
  const auto first =
      fx.import("epss.csv", header + "CVE-2020-0001,0.5,0.25\nCVE-2020-0002,0.1,0.05\n");
  EXPECT_EQ(first.epss, 2U);
  EXPECT_TRUE(fx.db->changes_since(0).value().epss_changed);
  const auto again =
      fx.import("epss.csv", header + "CVE-2020-0001,0.5,0.25\nCVE-2020-0002,0.1,0.05\n");
  EXPECT_EQ(again.epss, 0U);
  EXPECT_EQ(again.db_version, first.db_version);
  EXPECT_FALSE(fx.db->changes_since(first.db_version).value().epss_changed);
  const auto moved =
      fx.import("epss.csv", header + "CVE-2020-0001,0.5,0.25\nCVE-2020-0002,0.2,0.07\n");
  EXPECT_EQ(moved.epss, 1U);
  EXPECT_EQ(moved.db_version, first.db_version + 1);
  EXPECT_TRUE(fx.db->changes_since(first.db_version).value().epss_changed);
  EXPECT_DOUBLE_EQ(fx.db->epss("CVE-2020-0002").value()->epss, 0.2);
}

// A schema-2 database gains the kev_removed table on open.
TEST(DatabaseTest, MigratesSchemaTwoForward) {
  Fixture fx;
  fx.import("kev.json", kKevBoth);
  fx.db.reset();
  const auto file = fx.dir.path() / "db" / "vigil-vulndb.sqlite";
  {
    auto connection = sql::Connection::open(file, false).value();
    ASSERT_TRUE(connection
                    .exec("DROP TABLE kev_removed; UPDATE meta SET value = '2' WHERE key = "
                          "'schema_version'")
                    .has_value());
  }
  fx.db = Database::open(fx.dir.path() / "db", false).value();
  EXPECT_EQ(fx.db->status().value().schema_version, kSchemaVersion);
  const auto second = fx.import("kev.json", kKevOne);
  EXPECT_EQ(second.kev_removed, 1U);
}

}  // namespace
}  // namespace vigil::vulndb
