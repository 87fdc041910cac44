#include "core/sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace vigil::sql {

Result<Connection> Connection::open(const std::filesystem::path& path, bool create, bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create && !read_only) {
    flags |= SQLITE_OPEN_CREATE;
  }
  flags |= SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return fail(Error::io("{}: cannot open database: {}", path.string(), message));
  }
  sqlite3_busy_timeout(db, 10000);
  Connection connection(db);
  if (!read_only) {
    VIGIL_TRY(connection.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  }
  VIGIL_TRY(connection.exec("PRAGMA foreign_keys=ON;"));
  return connection;
}

Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

Result<void> Connection::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return fail(Error::io("sqlite: {}", error));
  }
  return {};
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return fail(Error::internal("sqlite: {}: {}", sqlite3_errmsg(db_), sql));
  }
  return Statement(stmt, db_);
}

int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return fail(Error::io("sqlite: {}", sqlite3_errmsg(db_)));
}

Result<void> Statement::run() {
  auto stepped = step();
  reset();
  if (!stepped) {
    return fail(stepped.error());
  }
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  if (text == nullptr) {
    return {};
  }
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
}

int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }
bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

Result<Transaction> Transaction::begin(Connection& connection) {
  if (sqlite3_get_autocommit(connection.handle()) == 0) {
    VIGIL_TRY(connection.exec("SAVEPOINT vigil_nested"));
    return Transaction(&connection, true);
  }
  VIGIL_TRY(connection.exec("BEGIN IMMEDIATE"));
  return Transaction(&connection, false);
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), nested_(other.nested_) {}

Transaction::~Transaction() {
  if (connection_ == nullptr) {
    return;
  }
  if (nested_) {
    (void)connection_->exec("ROLLBACK TO vigil_nested");
    (void)connection_->exec("RELEASE vigil_nested");
  } else {
    (void)connection_->exec("ROLLBACK");
  }
}

Result<void> Transaction::commit() {
  if (connection_ == nullptr) {
    return fail(Error::internal("transaction already finished"));
  }
  VIGIL_TRY(connection_->exec(nested_ ? "RELEASE vigil_nested" : "COMMIT"));
  connection_ = nullptr;
  return {};
}

}  // namespace vigil::sql
