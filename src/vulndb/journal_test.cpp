// How the database file is created and which journal an import writes through: a new file has
// 16 KiB pages, WAL and the schema; an import into a database without advisories leaves WAL for a
// rollback journal only while it is the file's sole connection (and foreign key checks off),
// comes back to WAL on every path, and a process dying mid-import leaves the old database intact.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/sqlite.hpp"
#include "support/temp_dir.hpp"
#include "vulndb/database.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRecord =
    R"({"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],
    "affected":[{"package":{"ecosystem":"PyPI","name":"one"}}]})";

std::string pragma(sql::Connection& connection, const std::string& name) {
  auto stmt = connection.prepare("PRAGMA " + name).value();
  EXPECT_TRUE(stmt.step().value());
  return std::string(stmt.column_text(0));
}

sql::Connection& connection_of(Database& db) {
  return dynamic_cast<internal::SqliteDatabase&>(db).connection();
}

std::vector<fs::path> osv_zips() {
  const std::string shared = VIGIL_SHARED_DIR;
  return {shared + "/data/osv/go/go-vulndb-osv.zip", shared + "/data/osv/rustsec/rustsec-osv.zip",
          shared + "/data/osv/pypa/pypi-osv-json-converted.zip"};
}

TEST(JournalTest, NewFileHasLargePagesWalAndSchema) {
  testing::TempDir dir;
  auto db = Database::open(dir.path() / "db", true).value();
  auto reader = sql::Connection::open(dir.path() / "db/vigil-vulndb.sqlite", false, true).value();
  EXPECT_EQ(pragma(reader, "page_size"), "16384");
  EXPECT_EQ(pragma(reader, "journal_mode"), "wal");
  EXPECT_EQ(db->status().value().schema_version, kSchemaVersion);
  // Reopening an existing file keeps it as it is.
  db.reset();
  db = Database::open(dir.path() / "db", false).value();
  EXPECT_EQ(pragma(connection_of(*db), "page_size"), "16384");
  EXPECT_EQ(db->status().value().schema_version, kSchemaVersion);
}

TEST(JournalTest, ImportIntoEmptyDatabaseUsesRollbackJournalThenWal) {
  testing::TempDir dir;
  const auto feed = dir.write("feeds/a.json", kRecord);
  auto db = Database::open(dir.path() / "db", true).value();
  auto& connection = connection_of(*db);
  {
    auto session = db->begin_import().value();
    EXPECT_EQ(pragma(connection, "journal_mode"), "delete");
    EXPECT_EQ(pragma(connection, "synchronous"), "2");  // FULL outside WAL
    EXPECT_EQ(pragma(connection, "foreign_keys"), "0");
    // Dropped without commit: nothing written, WAL and foreign keys again.
  }
  EXPECT_EQ(pragma(connection, "journal_mode"), "wal");
  EXPECT_EQ(pragma(connection, "synchronous"), "1");  // NORMAL
  EXPECT_EQ(pragma(connection, "foreign_keys"), "1");
  EXPECT_EQ(db->status().value().advisories, 0);
  ASSERT_TRUE(import_paths(*db, {feed}).has_value());
  EXPECT_EQ(pragma(connection, "journal_mode"), "wal");
  EXPECT_EQ(pragma(connection, "foreign_keys"), "1");
  EXPECT_EQ(db->status().value().advisories, 1);
  // A populated database imports through WAL.
  auto session = db->begin_import().value();
  EXPECT_EQ(pragma(connection, "journal_mode"), "wal");
}

// Without foreign keys the bulk path deletes a replaced record's children itself: a record met
// twice in one import (second time modified, then withdrawn) leaves no orphan rows.
TEST(JournalTest, ReplacedRecordLeavesNoOrphansWithoutForeignKeys) {
  testing::TempDir dir;
  const auto v1 = dir.write("feeds/a/1.json", kRecord);
  const auto v2 = dir.write(
      "feeds/b/1.json", R"({"id":"PYSEC-1","modified":"2024-02-01T00:00:00Z","aliases":["CVE-2"],
      "affected":[{"package":{"ecosystem":"PyPI","name":"two"}}],
      "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]})");
  auto db = Database::open(dir.path() / "db", true).value();
  const auto summary = import_paths(*db, {v1, v2});
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->added, 1U);
  EXPECT_EQ(summary->modified, 1U);
  auto& connection = connection_of(*db);
  for (const char* table : {"aliases", "affected", "severities"}) {
    auto orphans = connection
                       .prepare(std::string("SELECT COUNT(*) FROM ") + table +
                                " WHERE advisory NOT IN (SELECT rowid FROM advisories)")
                       .value();
    ASSERT_TRUE(orphans.step().value());
    EXPECT_EQ(orphans.column_int(0), 0) << table;
  }
  auto aliases = connection.prepare("SELECT alias FROM aliases").value();
  ASSERT_TRUE(aliases.step().value());
  EXPECT_EQ(aliases.column_text(0), "CVE-2");
  EXPECT_FALSE(aliases.step().value());
  auto check = connection.prepare("PRAGMA foreign_key_check").value();
  EXPECT_FALSE(check.step().value());
}

TEST(JournalTest, AnotherOpenConnectionKeepsTheImportInWal) {
  testing::TempDir dir;
  const auto feed = dir.write("feeds/a.json", kRecord);
  auto db = Database::open(dir.path() / "db", true).value();
  auto reader = sql::Connection::open(dir.path() / "db/vigil-vulndb.sqlite", false).value();
  {
    auto session = db->begin_import().value();
    EXPECT_EQ(pragma(connection_of(*db), "journal_mode"), "wal");
  }
  ASSERT_TRUE(import_paths(*db, {feed}).has_value());
  auto count = reader.prepare("SELECT COUNT(*) FROM advisories").value();
  ASSERT_TRUE(count.step().value());
  EXPECT_EQ(count.column_int(0), 1);
}

// A process killed in the middle of a bulk import (pages already spilled past the file's old end,
// the journal hot) leaves the empty database it started from, intact and importable.
TEST(JournalTest, ProcessDyingMidImportLeavesTheOldDatabase) {
  for (const auto& zip : osv_zips()) {
    if (!fs::exists(zip)) {
      GTEST_SKIP() << "shared data missing";
    }
  }
  testing::TempDir dir;
  const fs::path path = dir.path() / "db";
  { auto db = Database::open(path, true).value(); }
  const auto size_before = fs::file_size(path / "vigil-vulndb.sqlite");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = Database::open(path, false).value();
    // Dies once most records are written: far more than the bulk path's 8 MB page cache holds.
    (void)import_paths(*db, osv_zips(), {}, [&](size_t records) {
      if (records > 7000) {
        std::error_code ec;
        const bool spilled = fs::file_size(path / "vigil-vulndb.sqlite", ec) > size_before &&
                             fs::exists(path / "vigil-vulndb.sqlite-journal", ec);
        _exit(spilled ? 42 : 43);
      }
    });
    _exit(44);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 42) << "the child did not die with pages written and a journal";
  auto db = Database::open(path, false).value();
  auto& connection = connection_of(*db);
  EXPECT_EQ(pragma(connection, "integrity_check"), "ok");
  EXPECT_EQ(pragma(connection, "journal_mode"), "wal");
  EXPECT_EQ(db->status().value().advisories, 0);
  EXPECT_EQ(db->status().value().db_version, 0);
  const auto summary = import_paths(*db, osv_zips());
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->added + summary->withdrawn, 8158U);
  EXPECT_EQ(pragma(connection, "integrity_check"), "ok");
}

}  // namespace
}  // namespace vigil::vulndb
