// A thin RAII wrapper over SQLite for the modules that keep data in it (vulndb, store):
// connections, prepared statements with typed binds, transactions that roll back unless committed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace vigil::sql {

class Statement;

// One SQLite connection. Not thread-safe: use one per thread.
class Connection {
 public:
  // Opens (creating if `create`) the database at `path` with WAL journaling, a busy timeout and
  // foreign keys on. Returns kIo naming the path on failure.
  [[nodiscard]] static Result<Connection> open(const std::filesystem::path& path, bool create,
                                               bool read_only = false);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements without results. Returns kIo with SQLite's message.
  [[nodiscard]] Result<void> exec(std::string_view sql);

  // Compiles `sql`. Returns kInternal with SQLite's message for invalid SQL.
  [[nodiscard]] Result<Statement> prepare(std::string_view sql);

  int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// A prepared statement. bind_* indices start at 1, column indices at 0.
class Statement {
 public:
  Statement() = default;  // an empty statement; assigning one finalises the previous
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);

  // Advances to the next row: true if a row is available, false when done; kIo on error.
  [[nodiscard]] Result<bool> step();
  // Runs a statement that returns no rows to completion, then resets it for reuse.
  [[nodiscard]] Result<void> run();
  // Resets the statement and clears its bindings for the next use.
  void reset();

  std::string_view column_text(int index) const;
  int64_t column_int(int index) const;
  double column_double(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class Connection;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction; rolls back in the destructor unless commit() succeeded.
// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed uncommitted. Begun while the connection
// is already inside a transaction (a caller grouping several writes, see Store::write_batch), it
// is a savepoint of that transaction instead: its commit releases the savepoint, its rollback
// undoes only its own changes, and the outer transaction decides what is durable.
class Transaction {
 public:
  [[nodiscard]] static Result<Transaction> begin(Connection& connection);
  Transaction(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  [[nodiscard]] Result<void> commit();

 private:
  Transaction(Connection* connection, bool nested) : connection_(connection), nested_(nested) {}
  Connection* connection_ = nullptr;
  bool nested_ = false;
};

}  // namespace vigil::sql
