// The bulk import path (an empty database: no per-record SELECT, text indexes rebuilt at COMMIT)
// must leave exactly the rows and change feed the incremental path leaves.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sqlite.hpp"
#include "support/temp_dir.hpp"
#include "vulndb/database.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

// Every row of every table the import writes, as text, in a stable order (timestamps dropped).
std::vector<std::string> dump(const fs::path& dir) {
  auto connection = sql::Connection::open(dir / "vigil-vulndb.sqlite", false, true).value();
  std::vector<std::string> rows;
  const std::pair<const char*, int> queries[] = {
      {"SELECT rowid, source, id, summary, details, published, modified, withdrawn, "
       "severity_label, status, extra, cpe_configurations, raw, content_hash, db_version FROM "
       "advisories ORDER BY rowid",
       15},
      {"SELECT rowid, advisory, alias FROM aliases ORDER BY rowid", 3},
      {"SELECT rowid, advisory, ecosystem, release, name, purl, ranges, versions, severity FROM "
       "affected ORDER BY rowid",
       9},
      {"SELECT rowid, advisory, type, vector, source, score FROM severities ORDER BY rowid", 6},
      {"SELECT rowid, db_version, source, id, kind FROM changes ORDER BY rowid", 5},
      {"SELECT db_version, ecosystem, name FROM change_keys ORDER BY rowid", 3},
      {"SELECT db_version, label, summary FROM imports ORDER BY db_version", 3},
      {"SELECT type, name, sql FROM sqlite_master ORDER BY name", 3}};
  for (const auto& [query, columns] : queries) {
    auto stmt = connection.prepare(query).value();
    while (stmt.step().value()) {
      std::string row = query;
      for (int column = 0; column < columns; ++column) {
        row += '|';
        row += stmt.column_is_null(column) ? "NULL" : std::string(stmt.column_text(column));
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

struct Imported {
  testing::TempDir dir;
  ImportSummary summary;
  ChangeSet changes;
};

// Imports `batches` (each a list of paths, one import each) into a fresh database.
void import_all(Imported& into, const std::vector<std::vector<fs::path>>& batches, bool bulk) {
  auto db = Database::open(into.dir.path(), true).value();
  dynamic_cast<internal::SqliteDatabase&>(*db).set_bulk_import(bulk);
  for (const auto& paths : batches) {
    auto summary = import_paths(*db, paths);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    into.summary = std::move(summary).value();
  }
  into.changes = db->changes_since(0).value();
}

void expect_same(const Imported& bulk, const Imported& incremental) {
  EXPECT_EQ(bulk.summary.added, incremental.summary.added);
  EXPECT_EQ(bulk.summary.modified, incremental.summary.modified);
  EXPECT_EQ(bulk.summary.unchanged, incremental.summary.unchanged);
  EXPECT_EQ(bulk.summary.withdrawn, incremental.summary.withdrawn);
  EXPECT_EQ(bulk.summary.db_version, incremental.summary.db_version);
  ASSERT_EQ(bulk.changes.advisories.size(), incremental.changes.advisories.size());
  for (size_t idx = 0; idx < bulk.changes.advisories.size(); ++idx) {
    const auto& lhs = bulk.changes.advisories[idx];
    const auto& rhs = incremental.changes.advisories[idx];
    EXPECT_EQ(lhs.id, rhs.id);
    EXPECT_EQ(lhs.kind, rhs.kind) << lhs.id;
    EXPECT_EQ(lhs.db_version, rhs.db_version) << lhs.id;
  }
  EXPECT_EQ(bulk.changes.keys, incremental.changes.keys);
  const auto lhs = dump(bulk.dir.path());
  const auto rhs = dump(incremental.dir.path());
  ASSERT_EQ(lhs.size(), rhs.size());
  for (size_t idx = 0; idx < lhs.size(); ++idx) {
    ASSERT_EQ(lhs[idx], rhs[idx]) << "row " << idx;
  }
}

TEST(ImportBulkTest, SameRowsAndFeedAsIncrementalOnRealOsvZips) {
  const std::string shared = VIGIL_SHARED_DIR;
  const std::vector<fs::path> zips = {shared + "/data/osv/go/go-vulndb-osv.zip",
                                      shared + "/data/osv/rustsec/rustsec-osv.zip",
                                      shared + "/data/osv/pypa/pypi-osv-json-converted.zip"};
  for (const auto& zip : zips) {
    if (!fs::exists(zip)) {
      GTEST_SKIP() << "shared data missing";
    }
  }
  Imported bulk;
  Imported incremental;
  // The second import of the same files finds everything unchanged on both paths.
  import_all(bulk, {zips, zips}, true);
  import_all(incremental, {zips, zips}, false);
  EXPECT_EQ(bulk.summary.unchanged, 8158U);
  EXPECT_EQ(bulk.changes.advisories.size(), 8158U);
  expect_same(bulk, incremental);
}

// One import naming the same record twice (same content, then new content): added, unchanged,
// modified, withdrawn — decided from this session's own rows on the bulk path.
TEST(ImportBulkTest, DuplicatesInsideOneImportMatchTheIncrementalPath) {
  testing::TempDir feeds;
  const auto v1 = feeds.write(
      "a/1.json", R"({"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],
      "affected":[{"package":{"ecosystem":"PyPI","name":"one"}}]})");
  const auto v1_again = feeds.write(
      "b/1.json", R"({"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],
      "affected":[{"package":{"ecosystem":"PyPI","name":"one"}}]})");
  const auto v2 = feeds.write(
      "c/1.json", R"({"id":"PYSEC-1","modified":"2024-02-01T00:00:00Z","aliases":["CVE-1"],
      "affected":[{"package":{"ecosystem":"PyPI","name":"two"}}],
      "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]})");
  const auto gone = feeds.write("d/1.json", R"({"id":"PYSEC-1","modified":"2024-03-01T00:00:00Z",
      "withdrawn":"2024-03-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"three"}}]})");
  const auto other = feeds.write(
      "e/2.json", R"({"id":"GHSA-x","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"]})");
  Imported bulk;
  Imported incremental;
  import_all(bulk, {{v1, v1_again, v2, other, gone}}, true);
  import_all(incremental, {{v1, v1_again, v2, other, gone}}, false);
  EXPECT_EQ(bulk.summary.added, 2U);
  EXPECT_EQ(bulk.summary.unchanged, 1U);
  EXPECT_EQ(bulk.summary.modified, 1U);
  EXPECT_EQ(bulk.summary.withdrawn, 1U);
  const std::vector<ChangedKey> keys = {{"PyPI", "one"}, {"PyPI", "three"}, {"PyPI", "two"}};
  EXPECT_EQ(bulk.changes.keys, keys);
  expect_same(bulk, incremental);
}

// A failing bulk import rolls back completely: no rows, and the indexes it dropped are back.
TEST(ImportBulkTest, FailedBulkImportLeavesTheEmptyDatabaseAsItWas) {
  testing::TempDir dir;
  const auto good =
      dir.write("feeds/a.json", R"({"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z"})");
  const auto bad = dir.write("feeds/b.zip", std::string("PK\x03\x04garbage-garbage-garbage", 27));
  {
    auto db = Database::open(dir.path() / "db", true).value();
    const auto before = dump(dir.path() / "db");
    ASSERT_FALSE(import_paths(*db, {good, bad}).has_value());
    EXPECT_EQ(dump(dir.path() / "db"), before);
    EXPECT_EQ(db->status().value().advisories, 0);
    // The same database still imports, and lookups by id use the rebuilt index.
    ASSERT_TRUE(import_paths(*db, {good}).has_value());
    EXPECT_EQ(db->lookup("PYSEC-1").value().size(), 1U);
  }
}

}  // namespace
}  // namespace vigil::vulndb
