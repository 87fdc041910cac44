// Internal: the SQLite implementation of vulndb::Database.
#pragma once

#include <map>
#include <string_view>

#include "core/sqlite.hpp"
#include "vulndb/database.hpp"

namespace vigil::vulndb::internal {

// Creates a new database file with one connection of its own: 16 KiB pages (advisory rows, raw
// record + details, average ~2.5 KB and left most of a 4 KiB page empty), WAL, and the schema
// with its version in one transaction. The page size must be set before the file's first write;
// sql::Connection::open switches to WAL at once, which used to need a VACUUM to change it, and
// the schema took a commit per statement (~15 fsyncs, 0.15 s, before an import began).
[[nodiscard]] Result<void> create_file(const std::filesystem::path& file);

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(sql::Connection connection) : db_(std::move(connection)) {}

  Result<std::unique_ptr<ImportSession>> begin_import() override;
  Result<DbStatus> status() override;
  Result<std::vector<model::Advisory>> lookup(std::string_view id) override;
  Result<std::optional<model::Advisory>> advisory(std::string_view source,
                                                  std::string_view id) override;
  Result<std::optional<model::KevEntry>> kev(std::string_view cve_id) override;
  Result<std::optional<model::EpssScore>> epss(std::string_view cve_id) override;
  Result<ChangeSet> changes_since(int64_t version) override;
  Result<void> for_each_affected(const std::function<void(const AffectedRow&)>& visit,
                                 const std::vector<ChangedKey>* only) override;

  // Lets imports into an empty database take the bulk path (the default). Tests turn it off to
  // compare the two paths.
  void set_bulk_import(bool allowed) { bulk_import_allowed_ = allowed; }

  Result<std::string> meta(std::string_view key);
  Result<int64_t> db_version();
  sql::Connection& connection() { return db_; }

 private:
  // A cached prepared statement, reset (bindings cleared) when the lease ends so no read
  // snapshot outlives the call. Leases of one statement must not nest.
  class Lease {
   public:
    explicit Lease(sql::Statement& statement) : statement_(statement) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { statement_.reset(); }
    sql::Statement& operator*() { return statement_; }
    sql::Statement* operator->() { return &statement_; }

   private:
    sql::Statement& statement_;
  };
  // Prepares `sql` once per connection; `sql` must be a string literal (its address is the key).
  Result<sql::Statement*> cached(const char* sql);

  Result<model::Advisory> load_advisory(int64_t rowid);
  static Result<model::AffectedPackage> read_affected(const sql::Statement& stmt);

  sql::Connection db_;
  bool bulk_import_allowed_ = true;
  std::map<const char*, sql::Statement> statements_;
};

}  // namespace vigil::vulndb::internal
