// Internal: a prepared statement for the import write path whose text binds do not copy.
// sql::Statement binds with SQLITE_TRANSIENT (a malloc + memcpy per value, ~20 MB for an OSV
// import); here the caller guarantees every bound buffer outlives the next step()/reset().
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string_view>
#include <utility>

#include "core/result.hpp"
#include "core/sqlite.hpp"

namespace vigil::vulndb::internal {

class FastStatement {
 public:
  FastStatement() = default;
  FastStatement(FastStatement&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}
  FastStatement& operator=(FastStatement&& other) noexcept {
    if (this != &other) {
      sqlite3_finalize(stmt_);
      stmt_ = std::exchange(other.stmt_, nullptr);
      db_ = other.db_;
    }
    return *this;
  }
  FastStatement(const FastStatement&) = delete;
  FastStatement& operator=(const FastStatement&) = delete;
  ~FastStatement() { sqlite3_finalize(stmt_); }

  // Returns kInternal with SQLite's message for invalid SQL.
  [[nodiscard]] static Result<FastStatement> prepare(sql::Connection& connection,
                                                     std::string_view sql) {
    FastStatement statement;
    statement.db_ = connection.handle();
    if (sqlite3_prepare_v3(statement.db_, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &statement.stmt_, nullptr) != SQLITE_OK) {
      return fail(Error::internal("sqlite: {}: {}", sqlite3_errmsg(statement.db_), sql));
    }
    return statement;
  }

  // `text` must stay alive and unchanged until the statement is stepped and reset.
  FastStatement& bind(int index, std::string_view text) {
    sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(), SQLITE_STATIC,
                        SQLITE_UTF8);
    return *this;
  }
  FastStatement& bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  FastStatement& bind(int index, double value) {
    sqlite3_bind_double(stmt_, index, value);
    return *this;
  }
  FastStatement& bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }

  // True for a row, false when done; kIo with SQLite's message on error.
  [[nodiscard]] Result<bool> step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return fail(Error::io("sqlite: {}", sqlite3_errmsg(db_)));
  }
  // Runs to completion, resets and clears the bindings (no pointer outlives the call).
  [[nodiscard]] Result<void> run() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      return fail(Error::io("sqlite: {}", sqlite3_errmsg(db_)));
    }
    return {};
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string_view column_text(int index) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
    return text == nullptr
               ? std::string_view()
               : std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
  }
  int64_t column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
  double column_double(int index) const { return sqlite3_column_double(stmt_, index); }
  bool column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

}  // namespace vigil::vulndb::internal
