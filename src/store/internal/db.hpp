// The SQLite plumbing of the store: one writer connection guarded by a mutex, a pool of reader
// connections (WAL lets them read while the writer writes), and per-connection caches of
// prepared statements. Internal to the store module.
#pragma once

#include <cstdint>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "core/sqlite.hpp"

namespace vigil::store::internal {

// One bound SQL parameter.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// Binds `values` to `statement` starting at parameter `first`.
void bind_values(sql::Statement& statement, const std::vector<Value>& values, int first = 1);

// A statement borrowed from a connection's cache; reset (and its bindings cleared) when the
// borrow ends, so the next user finds it clean.
class Borrowed {
 public:
  explicit Borrowed(sql::Statement* statement) : statement_(statement) {}
  Borrowed(Borrowed&& other) noexcept;
  Borrowed& operator=(Borrowed&&) = delete;
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  ~Borrowed();
  sql::Statement& operator*() const { return *statement_; }
  sql::Statement* operator->() const { return statement_; }

 private:
  sql::Statement* statement_;
};

// A connection plus its prepared-statement cache. Used by one thread at a time.
class Conn {
 public:
  explicit Conn(sql::Connection connection) : connection_(std::move(connection)) {}
  sql::Connection& connection() { return connection_; }
  // Returns the cached statement for `sql`, compiling it on first use.
  [[nodiscard]] Result<Borrowed> statement(std::string_view sql);
  // Drops the cache when it grew past its bound (dynamic criteria SQL); only call when no
  // statement is borrowed.
  void trim();

 private:
  sql::Connection connection_;
  std::unordered_map<std::string, std::unique_ptr<sql::Statement>> cache_;
};

class Database;

// Exclusive use of the writer connection for the lease's lifetime.
class WriteLease {
 public:
  WriteLease(std::unique_lock<std::mutex> lock, Conn* conn) : lock_(std::move(lock)), conn_(conn) {}
  Conn& operator*() const { return *conn_; }
  Conn* operator->() const { return conn_; }

 private:
  std::unique_lock<std::mutex> lock_;
  Conn* conn_;
};

// A reader connection taken from the pool and returned to it when the lease ends.
class ReadLease {
 public:
  ReadLease(Database* database, std::unique_ptr<Conn> conn)
      : database_(database), conn_(std::move(conn)) {}
  ReadLease(ReadLease&& other) noexcept = default;
  ReadLease& operator=(ReadLease&&) = delete;
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  ~ReadLease();
  Conn& operator*() const { return *conn_; }
  Conn* operator->() const { return conn_.get(); }

 private:
  Database* database_;
  std::unique_ptr<Conn> conn_;
};

// The store's database file and its connections. Thread-safe.
class Database {
 public:
  // Opens (creating) `path`. Returns kIo naming the path when it cannot be opened or is not a
  // SQLite database.
  [[nodiscard]] static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path);

  // The writer; every mutating call (and every read that must see its own transaction) uses it.
  // On the thread running batch(), the batch's writer (no second lock).
  WriteLease writer();
  // Runs `body` holding the writer, inside one transaction: the writes `body` makes on this
  // thread (their own transactions nest as savepoints) commit together, or not at all when
  // `body` fails. Readers see none of them before the commit. A batch inside a batch is `body`.
  [[nodiscard]] Result<void> batch(const std::function<Result<void>()>& body);
  // A reader connection (opened on demand; at most kMaxIdleReaders kept open when idle).
  [[nodiscard]] Result<ReadLease> reader();

  // WAL pages after which a commit wakes the checkpointer, and after which the writer
  // checkpoints itself (a checkpointer that cannot keep up).
  static constexpr int kCheckpointPages = 8192;  // 32 MiB
  static constexpr int kWriterCheckpointPages = 8 * kCheckpointPages;
  // Checkpoints the checkpointer thread has run (for tests).
  std::uint64_t background_checkpoints() const { return background_checkpoints_.load(); }

 private:
  friend class ReadLease;
  static constexpr std::size_t kMaxIdleReaders = 8;
  explicit Database(std::filesystem::path path, sql::Connection writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}
  void give_back(std::unique_ptr<Conn> conn);
  // Checkpoints run on their own thread and connection (PASSIVE: they block neither readers
  // nor the writer), so a commit never pays for copying the WAL into the database while the
  // writer is held. The writer's commit hook only wakes the thread.
  void start_checkpointer(sql::Connection connection);
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);

  std::filesystem::path path_;
  std::mutex write_mutex_;
  std::atomic<std::thread::id> batch_thread_{};
  Conn writer_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Conn>> idle_readers_;
  std::mutex checkpoint_mutex_;
  std::condition_variable_any checkpoint_cv_;
  bool checkpoint_due_ = false;
  std::atomic<std::uint64_t> background_checkpoints_{0};
  std::jthread checkpointer_;  // last: stopped and joined before the connections close
};

}  // namespace vigil::store::internal
