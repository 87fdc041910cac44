// MatchIndex::updated against the truth: after each database change, the updated index must
// hold exactly what a fresh load of the changed database holds, key by key and in order.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "matcher/matcher.hpp"
#include "support/temp_dir.hpp"
#include "vulndb/database.hpp"

namespace vigil::matcher {
namespace {

namespace fs = std::filesystem;
using Key = std::pair<model::Ecosystem, std::string>;

const std::string kSamples = VIGIL_SOURCE_DIR "/samples/advisories";

std::string osv(const std::string& id, const std::string& ecosystem, const std::string& name,
                const std::string& fixed, const std::string& extra = "") {
  return R"({"schema_version":"1.6.0","id":")" + id +
         R"(","modified":"2025-10-10T00:00:00Z","published":"2025-10-01T00:00:00Z",)" + extra +
         R"("aliases":["CVE-2099-)" + id.substr(id.size() - 4) +
         R"("],"summary":"test","affected":[{"package":{"ecosystem":")" + ecosystem +
         R"(","name":")" + name +
         R"("},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":")" + fixed +
         R"("}]}]}]})";
}

// One line per entry of `key`: everything matching reads from it.
std::vector<std::string> describe(const std::vector<IndexEntry>* entries) {
  std::vector<std::string> out;
  if (entries == nullptr) {
    return out;
  }
  for (const auto& entry : *entries) {
    std::string line = entry.advisory->source + "/" + entry.advisory->id + " [" + entry.release +
                       "] " + entry.severity + (entry.has_git_only ? " git" : "");
    for (const auto& alias : entry.advisory->aliases) {
      line += " a:" + alias;
    }
    for (const auto& fixed : entry.fixed) {
      line += " f:" + fixed;
    }
    for (const auto& version : entry.versions) {
      line += " v:" + version;
    }
    line += " r:" + std::to_string(entry.ranges.size());
    out.push_back(std::move(line));
  }
  return out;
}

std::set<Key> keys_of(vulndb::Database& db) {
  std::set<Key> keys;
  EXPECT_TRUE(db.for_each_affected([&](const vulndb::AffectedRow& row) {
    keys.emplace(row.package->ecosystem.ecosystem, row.package->name);
  }));
  return keys;
}

void expect_same(const MatchIndex& updated, const MatchIndex& fresh, const std::set<Key>& keys) {
  EXPECT_EQ(updated.entry_count(), fresh.entry_count());
  EXPECT_EQ(updated.key_count(), fresh.key_count());
  EXPECT_EQ(updated.not_affected_key_count(), fresh.not_affected_key_count());
  for (const auto& [ecosystem, name] : keys) {
    EXPECT_EQ(describe(updated.find(ecosystem, name)), describe(fresh.find(ecosystem, name)))
        << model::ecosystem_name(ecosystem) << " " << name;
    EXPECT_EQ(describe(updated.find_not_affected(ecosystem, name)),
              describe(fresh.find_not_affected(ecosystem, name)))
        << model::ecosystem_name(ecosystem) << " " << name;
  }
}

TEST(MatchIndexUpdateTest, UpdatedIndexEqualsAFreshLoadAfterEachChange) {
  testing::TempDir dir;
  auto db = vulndb::Database::open(dir.path() / "db", true).value();
  std::vector<fs::path> base;
  for (const auto& entry : fs::directory_iterator(kSamples)) {
    base.push_back(entry.path());
  }
  base.push_back(VIGIL_SHARED_DIR "/data/alpine-secdb/json");  // not-affected statements too
  ASSERT_TRUE(vulndb::import_paths(*db, base));
  auto index = MatchIndex::load(*db).value();
  std::set<Key> keys = keys_of(*db);
  const auto write = [&](const std::string& name, const std::string& text) {
    const fs::path path = dir.path() / name;
    std::ofstream(path) << text;
    return path;
  };

  // Round 1: a new advisory on a key others share, one moved to another package (its old key
  // loses it), one withdrawn, one on a brand-new key.
  auto version = db->status().value().db_version;
  ASSERT_TRUE(vulndb::import_paths(
      *db, {write("new.json", osv("GHSA-0000-0000-0001", "npm", "lodash", "4.17.99")),
            write("moved.json", osv("GHSA-j8r2-6x86-q33q", "PyPI", "urllib3", "2.0.7")),
            write("withdrawn.json", osv("GHSA-29mw-wpgm-hmr9", "npm", "lodash", "4.17.21",
                                        R"("withdrawn":"2025-10-10T00:00:00Z",)")),
            write("fresh.json", osv("GHSA-0000-0000-0002", "crates.io", "brand-new", "1.2.3"))}));
  auto changes = db->changes_since(version).value();
  ASSERT_EQ(changes.advisories.size(), 4U);
  auto updated = index.updated(*db, changes);
  ASSERT_TRUE(updated) << updated.error().message;
  auto fresh = MatchIndex::load(*db).value();
  for (const auto& key : keys_of(*db)) {
    keys.insert(key);
  }
  expect_same(*updated, fresh, keys);
  EXPECT_EQ(updated->find(model::Ecosystem::kPyPI, "requests"), nullptr);  // moved away
  ASSERT_NE(updated->find(model::Ecosystem::kCratesIo, "brand-new"), nullptr);
  EXPECT_GT(updated->updated_key_count(), 0U);

  // Round 2, chained on the updated index: the new advisory is corrected and an Alpine
  // not-affected statement's package gains a real advisory.
  version = db->status().value().db_version;
  ASSERT_TRUE(vulndb::import_paths(
      *db, {write("new.json", osv("GHSA-0000-0000-0001", "npm", "lodash", "4.18.0")),
            write("alpine.json", osv("GHSA-0000-0000-0003", "Alpine:v3.18", "openssl", "3.1.4-r0"))}));
  changes = db->changes_since(version).value();
  auto chained = updated->updated(*db, changes);
  ASSERT_TRUE(chained) << chained.error().message;
  fresh = MatchIndex::load(*db).value();
  for (const auto& key : keys_of(*db)) {
    keys.insert(key);
  }
  expect_same(*chained, fresh, keys);
  // The index it was updated from is untouched (pipelines still matching with it keep working).
  expect_same(*updated, *updated, keys);
  ASSERT_NE(updated->find(model::Ecosystem::kNpm, "lodash"), nullptr);
  EXPECT_NE(describe(updated->find(model::Ecosystem::kNpm, "lodash")),
            describe(chained->find(model::Ecosystem::kNpm, "lodash")));
}

}  // namespace
}  // namespace vigil::matcher
