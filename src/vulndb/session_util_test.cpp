// The import session's helpers: FlatKeyMap (its bookkeeping maps) and BatchInsert (multi-row
// INSERTs of every remainder size).
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "vulndb/internal/batch_insert.hpp"
#include "vulndb/internal/flat_key_map.hpp"

namespace vigil::vulndb::internal {
namespace {

TEST(FlatKeyMapTest, FindsWhatWasAssignedAcrossGrowth) {
  FlatKeyMap<int> map;
  EXPECT_EQ(map.find("x"), nullptr);
  for (int idx = 0; idx < 5000; ++idx) {
    map.assign("osv" + std::string(1, '\0') + "GHSA-" + std::to_string(idx), idx);
  }
  EXPECT_EQ(map.size(), 5000U);
  for (int idx = 0; idx < 5000; ++idx) {
    const int* value = map.find("osv" + std::string(1, '\0') + "GHSA-" + std::to_string(idx));
    ASSERT_NE(value, nullptr) << idx;
    EXPECT_EQ(*value, idx);
  }
  EXPECT_EQ(map.find("osv" + std::string(1, '\0') + "GHSA-5000"), nullptr);
  EXPECT_EQ(map.find("osvGHSA-1"), nullptr);  // the separator is part of the key
  EXPECT_EQ(map.find(""), nullptr);
}

TEST(FlatKeyMapTest, AssignReplacesAndInsertKeeps) {
  FlatKeyMap<int> map;
  map.assign("a", 1);
  map.assign("a", 2);
  EXPECT_EQ(map.size(), 1U);
  EXPECT_EQ(*map.find("a"), 2);
  EXPECT_FALSE(map.insert("a", 3));
  EXPECT_EQ(*map.find("a"), 2);
  EXPECT_TRUE(map.insert("b", 4));
  EXPECT_TRUE(map.insert("", 5));  // the empty key is a key like any other
  EXPECT_EQ(*map.find(""), 5);
  EXPECT_EQ(map.size(), 3U);
}

TEST(BatchInsertTest, StatementRowsArePowersOfTwoUpToTheMaximum) {
  EXPECT_EQ(BatchInsert::statement_rows(1), 1U);
  EXPECT_EQ(BatchInsert::statement_rows(3), 2U);
  EXPECT_EQ(BatchInsert::statement_rows(63), 32U);
  EXPECT_EQ(BatchInsert::statement_rows(64), 64U);
  EXPECT_EQ(BatchInsert::statement_rows(1000), BatchInsert::kRowsPerStatement);
}

// Every count of buffered rows is written completely and in order.
TEST(BatchInsertTest, WritesEveryRemainderInOrder) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("vigil-batch-insert-" + std::to_string(getpid()) + ".sqlite");
  std::filesystem::remove(file);
  {
    auto db = sql::Connection::open(file, true).value();
    ASSERT_TRUE(db.exec("CREATE TABLE t(n INTEGER NOT NULL, s TEXT NOT NULL)"));
    BatchInsert rows("INSERT INTO t(n, s)", 2);
    // Bound text is not copied until flush(): a deque keeps every added string where it is.
    std::deque<std::string> texts;
    int next = 0;
    for (const int count : {1, 2, 3, 63, 64, 65, 130}) {
      for (int idx = 0; idx < count; ++idx, ++next) {
        texts.push_back("row" + std::to_string(next));
        ASSERT_TRUE(rows.add(db, BatchInsert::integer(next), BatchInsert::text(texts.back())));
      }
      ASSERT_TRUE(rows.flush(db));
      EXPECT_TRUE(rows.empty());
    }
    rows.release();
    auto query = db.prepare("SELECT n, s FROM t ORDER BY rowid").value();
    int expected = 0;
    while (query.step().value()) {
      EXPECT_EQ(query.column_int(0), expected);
      EXPECT_EQ(query.column_text(1), "row" + std::to_string(expected));
      ++expected;
    }
    EXPECT_EQ(expected, next);
  }
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + "-wal");
  std::filesystem::remove(file.string() + "-shm");
}

}  // namespace
}  // namespace vigil::vulndb::internal
