// The SQLite wrapper's transactions: commit, rollback on destruction, and nesting as savepoints.
#include "core/sqlite.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <unistd.h>

namespace vigil::sql {
namespace {

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("vigil-sqlite-test-" + std::to_string(getpid()) + ".db");
    std::filesystem::remove(path_);
    auto opened = Connection::open(path_, true);
    ASSERT_TRUE(opened) << opened.error().message;
    connection_.emplace(std::move(*opened));
    ASSERT_TRUE(connection_->exec("CREATE TABLE t (v INTEGER)"));
  }
  void TearDown() override {
    connection_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix);
    }
  }
  std::int64_t count() {
    auto query = connection_->prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(query);
    EXPECT_TRUE(query->step().value_or(false));
    return query->column_int(0);
  }

  std::filesystem::path path_;
  std::optional<Connection> connection_;
};

TEST_F(TransactionTest, CommitsAndRollsBackWhenDestroyed) {
  {
    auto transaction = Transaction::begin(*connection_);
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(connection_->exec("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(transaction->commit());
    EXPECT_FALSE(transaction->commit());  // finished
  }
  {
    auto transaction = Transaction::begin(*connection_);
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(connection_->exec("INSERT INTO t VALUES (2)"));
  }
  EXPECT_EQ(count(), 1);
}

TEST_F(TransactionTest, NestedTransactionsAreSavepointsOfTheOuterOne) {
  auto outer = Transaction::begin(*connection_);
  ASSERT_TRUE(outer);
  {
    auto committed = Transaction::begin(*connection_);
    ASSERT_TRUE(committed) << committed.error().message;
    ASSERT_TRUE(connection_->exec("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(committed->commit());
  }
  {
    auto abandoned = Transaction::begin(*connection_);
    ASSERT_TRUE(abandoned);
    ASSERT_TRUE(connection_->exec("INSERT INTO t VALUES (2)"));
  }  // rolls back its own insert only
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(sqlite3_get_autocommit(connection_->handle()), 0);  // the outer one is still open
  ASSERT_TRUE(outer->commit());
  EXPECT_EQ(count(), 1);

  // An outer rollback undoes what nested transactions "committed".
  {
    auto rolled_back = Transaction::begin(*connection_);
    ASSERT_TRUE(rolled_back);
    auto nested = Transaction::begin(*connection_);
    ASSERT_TRUE(nested);
    ASSERT_TRUE(connection_->exec("INSERT INTO t VALUES (3)"));
    ASSERT_TRUE(nested->commit());
  }
  EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace vigil::sql
