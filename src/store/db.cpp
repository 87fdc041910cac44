#include "store/internal/db.hpp"

#include <sqlite3.h>

#include <utility>

namespace vigil::store::internal {

namespace {

constexpr std::size_t kMaxCachedStatements = 256;

// core/sqlite.hpp already sets WAL, synchronous=NORMAL, a busy timeout and foreign keys.
// A larger page cache keeps a 5,000-finding reconcile from spilling to the WAL mid-transaction;
// memory-mapped reads speed up the large listing and aggregation scans.
// journal_size_limit truncates the WAL after a checkpoint so one huge transaction does not leave
// a WAL file of its size behind. Checkpoints every 8,192 pages (32 MiB) instead of SQLite's 1,000:
// a re-match round rewrites the same hot index pages many times, and each checkpoint copies a
// page once however often it was written (and pays the one fsync of synchronous=NORMAL). Once
// the store is open they run on the checkpointer thread (Database::start_checkpointer); the
// wal_autocheckpoint here covers the writer until then.
constexpr std::string_view kTuning =
    "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 268435456; "
    "PRAGMA journal_size_limit = 67108864; PRAGMA wal_autocheckpoint = 8192;";

Result<sql::Connection> open_connection(const std::filesystem::path& path) {
  auto connection = sql::Connection::open(path, true);
  if (connection) {
    auto tuned = connection->exec(kTuning);
    if (!tuned) {
      connection = fail(tuned.error());
    }
  }
  if (!connection) {
    return fail(
        Error{connection.error().code,
              fmt::format("{}: cannot open store: {}", path.string(), connection.error().message)});
  }
  return connection;
}

}  // namespace

void bind_values(sql::Statement& statement, const std::vector<Value>& values, int first) {
  int index = first;
  for (const auto& value : values) {
    std::visit(
        [&](const auto& held) {
          using T = std::decay_t<decltype(held)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            statement.bind_null(index);
          } else if constexpr (std::is_same_v<T, std::string>) {
            statement.bind(index, std::string_view(held));
          } else {
            statement.bind(index, held);
          }
        },
        value);
    ++index;
  }
}

Borrowed::Borrowed(Borrowed&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)) {}

Borrowed::~Borrowed() {
  if (statement_ != nullptr) {
    statement_->reset();
  }
}

Result<Borrowed> Conn::statement(std::string_view sql) {
  const std::string key(sql);
  auto found = cache_.find(key);
  if (found == cache_.end()) {
    VIGIL_ASSIGN_OR_RETURN(auto prepared, connection_.prepare(sql));
    found = cache_.emplace(key, std::make_unique<sql::Statement>(std::move(prepared))).first;
  }
  return Borrowed(found->second.get());
}

void Conn::trim() {
  if (cache_.size() > kMaxCachedStatements) {
    cache_.clear();
  }
}

ReadLease::~ReadLease() {
  if (conn_ && database_ != nullptr) {
    database_->give_back(std::move(conn_));
  }
}

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path) {
  VIGIL_ASSIGN_OR_RETURN(auto writer, open_connection(path));
  std::unique_ptr<Database> database(new Database(path, std::move(writer)));
  // Without a second connection the writer keeps checkpointing itself (wal_autocheckpoint).
  if (auto checkpointer = open_connection(path); checkpointer) {
    database->start_checkpointer(std::move(*checkpointer));
  }
  return database;
}

void Database::start_checkpointer(sql::Connection connection) {
  checkpointer_ = std::jthread([this, connection = std::move(connection)](std::stop_token stop) {
    while (true) {
      {
        std::unique_lock lock(checkpoint_mutex_);
        if (!checkpoint_cv_.wait(lock, stop, [this] { return checkpoint_due_; })) {
          return;  // stopping
        }
        checkpoint_due_ = false;
      }
      // A failure (a busy checkpoint lock) is retried at the next commit's signal.
      (void)sqlite3_wal_checkpoint_v2(connection.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                      nullptr, nullptr);
      ++background_checkpoints_;
    }
  });
  // Replaces SQLite's own autocheckpoint hook on the writer.
  sqlite3_wal_hook(writer_.connection().handle(), &Database::on_wal_commit, this);
}

int Database::on_wal_commit(void* self, sqlite3* db, const char* name, int pages) {
  auto* database = static_cast<Database*>(self);
  if (pages >= kWriterCheckpointPages) {
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kCheckpointPages) {
    {
      std::lock_guard lock(database->checkpoint_mutex_);
      database->checkpoint_due_ = true;
    }
    database->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

WriteLease Database::writer() {
  if (batch_thread_.load() == std::this_thread::get_id()) {
    return WriteLease(std::unique_lock<std::mutex>(), &writer_);
  }
  std::unique_lock lock(write_mutex_);
  writer_.trim();
  return WriteLease(std::move(lock), &writer_);
}

Result<void> Database::batch(const std::function<Result<void>()>& body) {
  if (batch_thread_.load() == std::this_thread::get_id()) {
    return body();
  }
  std::unique_lock lock(write_mutex_);
  writer_.trim();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(writer_.connection()));
  batch_thread_.store(std::this_thread::get_id());
  auto result = body();
  batch_thread_.store(std::thread::id());
  if (!result) {
    return result;  // the transaction rolls back
  }
  return transaction.commit();
}

Result<ReadLease> Database::reader() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_readers_.empty()) {
      auto conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      conn->trim();
      return ReadLease(this, std::move(conn));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto connection, open_connection(path_));
  return ReadLease(this, std::make_unique<Conn>(std::move(connection)));
}

void Database::give_back(std::unique_ptr<Conn> conn) {
  std::lock_guard lock(pool_mutex_);
  if (idle_readers_.size() < kMaxIdleReaders) {
    idle_readers_.push_back(std::move(conn));
  }
}

}  // namespace vigil::store::internal
