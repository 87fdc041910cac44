#include "vulndb/database.hpp"

#include <sqlite3.h>

#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/sqlite.hpp"
#include "vulndb/internal/codec.hpp"
#include "vulndb/internal/schema.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb {

std::string_view change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded:
      return "added";
    case ChangeKind::kModified:
      return "modified";
    case ChangeKind::kWithdrawn:
      return "withdrawn";
  }
  return "modified";
}

namespace internal {

Result<void> create_file(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  const std::unique_ptr<sqlite3, int (*)(sqlite3*)> handle(raw, &sqlite3_close);
  if (rc != SQLITE_OK) {
    return fail(Error::io("{}: cannot create database: {}", file.string(),
                          raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 10000);
  // The page size is fixed by the file's first write, so it comes before journal_mode=WAL.
  // Another process creating the same file at the same time makes the schema statements no-ops
  // (IF NOT EXISTS, OR REPLACE) or waits on the lock.
  const std::string sql = fmt::format(
      "PRAGMA page_size={}; PRAGMA journal_mode=WAL; BEGIN IMMEDIATE; {} "
      "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '{}'); COMMIT;",
      kPageSize, kSchemaSql, kSchemaVersion);
  char* message = nullptr;
  if (sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    (void)sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail(Error::io("{}: cannot create database: {}", file.string(), text));
  }
  return {};
}

namespace {

ChangeKind parse_change_kind(std::string_view text) {
  if (text == "added") {
    return ChangeKind::kAdded;
  }
  if (text == "withdrawn") {
    return ChangeKind::kWithdrawn;
  }
  return ChangeKind::kModified;
}

}  // namespace

Result<std::string> SqliteDatabase::meta(std::string_view key) {
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db_.prepare("SELECT value FROM meta WHERE key = ?"));
  stmt.bind(1, key);
  VIGIL_ASSIGN_OR_RETURN(const bool row, stmt.step());
  return row ? std::string(stmt.column_text(0)) : std::string();
}

Result<int64_t> SqliteDatabase::db_version() {
  VIGIL_ASSIGN_OR_RETURN(const auto text, meta("db_version"));
  return text.empty() ? 0 : std::stoll(text);
}

Result<DbStatus> SqliteDatabase::status() {
  DbStatus status;
  VIGIL_ASSIGN_OR_RETURN(const auto schema, meta("schema_version"));
  status.schema_version = schema.empty() ? 0 : std::stoll(schema);
  VIGIL_ASSIGN_OR_RETURN(status.db_version, db_version());
  VIGIL_ASSIGN_OR_RETURN(status.last_import, meta("last_import"));
  VIGIL_ASSIGN_OR_RETURN(
      auto counts,
      db_.prepare("SELECT a.source, COALESCE(f.ecosystem, ''), COUNT(DISTINCT a.rowid) "
                  "FROM advisories a LEFT JOIN affected f ON f.advisory = a.rowid "
                  "WHERE a.withdrawn = '' GROUP BY 1, 2 ORDER BY 1, 2"));
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, counts.step());
    if (!row) {
      break;
    }
    status.counts.push_back({std::string(counts.column_text(0)), std::string(counts.column_text(1)),
                             counts.column_int(2)});
  }
  const auto scalar = [this](std::string_view sql) -> Result<int64_t> {
    VIGIL_ASSIGN_OR_RETURN(auto stmt, db_.prepare(sql));
    VIGIL_ASSIGN_OR_RETURN(const bool row, stmt.step());
    return row ? stmt.column_int(0) : 0;
  };
  VIGIL_ASSIGN_OR_RETURN(status.advisories, scalar("SELECT COUNT(*) FROM advisories"));
  VIGIL_ASSIGN_OR_RETURN(status.withdrawn,
                         scalar("SELECT COUNT(*) FROM advisories WHERE withdrawn <> ''"));
  VIGIL_ASSIGN_OR_RETURN(status.kev, scalar("SELECT COUNT(*) FROM kev"));
  VIGIL_ASSIGN_OR_RETURN(status.epss, scalar("SELECT COUNT(*) FROM epss"));
  VIGIL_ASSIGN_OR_RETURN(auto date, db_.prepare("SELECT MAX(score_date) FROM epss"));
  VIGIL_ASSIGN_OR_RETURN(const bool has_date, date.step());
  if (has_date) {
    status.epss_date = std::string(date.column_text(0));
  }
  return status;
}

Result<sql::Statement*> SqliteDatabase::cached(const char* sql) {
  if (const auto it = statements_.find(sql); it != statements_.end()) {
    it->second.reset();
    return &it->second;
  }
  VIGIL_ASSIGN_OR_RETURN(auto statement, db_.prepare(sql));
  return &statements_.emplace(sql, std::move(statement)).first->second;
}

Result<std::optional<model::Advisory>> SqliteDatabase::advisory(std::string_view source,
                                                                std::string_view id) {
  VIGIL_ASSIGN_OR_RETURN(sql::Statement * raw,
                         cached("SELECT rowid FROM advisories WHERE source = ? AND id = ?"));
  Lease find(*raw);
  find->bind(1, source).bind(2, id);
  VIGIL_ASSIGN_OR_RETURN(const bool row, find->step());
  if (!row) {
    return std::optional<model::Advisory>();
  }
  const int64_t rowid = find->column_int(0);
  find->reset();
  VIGIL_ASSIGN_OR_RETURN(auto advisory, load_advisory(rowid));
  return std::optional<model::Advisory>(std::move(advisory));
}

Result<model::Advisory> SqliteDatabase::load_advisory(int64_t rowid) {
  VIGIL_ASSIGN_OR_RETURN(
      sql::Statement * raw,
      cached("SELECT source, id, summary, details, published, modified, withdrawn, "
             "severity_label, status, extra, cpe_configurations, raw FROM advisories "
             "WHERE rowid = ?"));
  Lease stmt(*raw);
  stmt->bind(1, rowid);
  VIGIL_ASSIGN_OR_RETURN(const bool row, stmt->step());
  if (!row) {
    return fail(Error::not_found("advisory row {}", rowid));
  }
  model::Advisory advisory;
  advisory.source = std::string(stmt->column_text(0));
  advisory.id = std::string(stmt->column_text(1));
  advisory.summary = std::string(stmt->column_text(2));
  advisory.details = std::string(stmt->column_text(3));
  advisory.published = std::string(stmt->column_text(4));
  advisory.modified = std::string(stmt->column_text(5));
  advisory.withdrawn = std::string(stmt->column_text(6));
  advisory.severity_label = std::string(stmt->column_text(7));
  advisory.status = std::string(stmt->column_text(8));
  decode_extra(stmt->column_text(9), advisory);
  advisory.cpe_configurations = std::string(stmt->column_text(10));
  advisory.raw = std::string(stmt->column_text(11));

  VIGIL_ASSIGN_OR_RETURN(raw, cached("SELECT alias FROM aliases WHERE advisory = ?"));
  Lease aliases(*raw);
  aliases->bind(1, rowid);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, aliases->step());
    if (!more) {
      break;
    }
    advisory.aliases.emplace_back(aliases->column_text(0));
  }
  VIGIL_ASSIGN_OR_RETURN(
      raw, cached("SELECT type, vector, source, score FROM severities WHERE advisory = ?"));
  Lease severities(*raw);
  severities->bind(1, rowid);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, severities->step());
    if (!more) {
      break;
    }
    model::SeverityVector vector{std::string(severities->column_text(0)),
                                 std::string(severities->column_text(1)),
                                 std::string(severities->column_text(2)), std::nullopt};
    if (!severities->column_is_null(3)) {
      vector.base_score = severities->column_double(3);
    }
    advisory.severities.push_back(std::move(vector));
  }
  VIGIL_ASSIGN_OR_RETURN(
      raw, cached("SELECT ecosystem, release, name, purl, ranges, versions, severity FROM affected "
                  "WHERE advisory = ?"));
  Lease affected(*raw);
  affected->bind(1, rowid);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, affected->step());
    if (!more) {
      break;
    }
    VIGIL_ASSIGN_OR_RETURN(auto package, read_affected(*affected));
    advisory.affected.push_back(std::move(package));
  }
  return advisory;
}

Result<model::AffectedPackage> SqliteDatabase::read_affected(const sql::Statement& stmt) {
  model::AffectedPackage package;
  VIGIL_ASSIGN_OR_RETURN(package.ecosystem, model::parse_ecosystem(stmt.column_text(0)));
  package.ecosystem.release = std::string(stmt.column_text(1));
  package.name = std::string(stmt.column_text(2));
  package.purl = std::string(stmt.column_text(3));
  VIGIL_ASSIGN_OR_RETURN(package.ranges, decode_ranges(stmt.column_text(4)));
  package.versions = decode_strings(stmt.column_text(5));
  package.severity = std::string(stmt.column_text(6));
  return package;
}

Result<std::vector<model::Advisory>> SqliteDatabase::lookup(std::string_view id) {
  std::set<std::string> names{std::string(id)};
  std::set<int64_t> rowids;
  // Two rounds of closure: id -> records -> their aliases -> records sharing them.
  for (int round = 0; round < 2; ++round) {
    VIGIL_ASSIGN_OR_RETURN(auto by_id, db_.prepare("SELECT rowid FROM advisories WHERE id = ?"));
    VIGIL_ASSIGN_OR_RETURN(auto by_alias,
                           db_.prepare("SELECT advisory FROM aliases WHERE alias = ?"));
    for (const auto& name : names) {
      for (auto* stmt : {&by_id, &by_alias}) {
        stmt->bind(1, name);
        while (true) {
          VIGIL_ASSIGN_OR_RETURN(const bool more, stmt->step());
          if (!more) {
            break;
          }
          rowids.insert(stmt->column_int(0));
        }
        stmt->reset();
      }
    }
    VIGIL_ASSIGN_OR_RETURN(
        auto aliases,
        db_.prepare("SELECT a.id, x.alias FROM advisories a LEFT JOIN aliases x ON x.advisory = "
                    "a.rowid WHERE a.rowid = ?"));
    for (int64_t rowid : rowids) {
      aliases.bind(1, rowid);
      while (true) {
        VIGIL_ASSIGN_OR_RETURN(const bool more, aliases.step());
        if (!more) {
          break;
        }
        names.emplace(aliases.column_text(0));
        if (!aliases.column_is_null(1)) {
          names.emplace(aliases.column_text(1));
        }
      }
      aliases.reset();
    }
  }
  std::vector<model::Advisory> out;
  for (int64_t rowid : rowids) {
    VIGIL_ASSIGN_OR_RETURN(auto advisory, load_advisory(rowid));
    out.push_back(std::move(advisory));
  }
  return out;
}

Result<std::optional<model::KevEntry>> SqliteDatabase::kev(std::string_view cve_id) {
  VIGIL_ASSIGN_OR_RETURN(sql::Statement * raw,
                         cached("SELECT vendor_project, product, name, date_added, due_date, "
                                "ransomware, required_action, notes FROM kev WHERE cve_id = ?"));
  Lease lease(*raw);
  sql::Statement& stmt = *lease;
  stmt.bind(1, cve_id);
  VIGIL_ASSIGN_OR_RETURN(const bool row, stmt.step());
  if (!row) {
    return std::optional<model::KevEntry>();
  }
  model::KevEntry entry{std::string(cve_id),
                        std::string(stmt.column_text(0)),
                        std::string(stmt.column_text(1)),
                        std::string(stmt.column_text(2)),
                        std::string(stmt.column_text(3)),
                        std::string(stmt.column_text(4)),
                        stmt.column_int(5) != 0,
                        std::string(stmt.column_text(6)),
                        std::string(stmt.column_text(7))};
  return std::optional<model::KevEntry>(std::move(entry));
}

Result<std::optional<model::EpssScore>> SqliteDatabase::epss(std::string_view cve_id) {
  VIGIL_ASSIGN_OR_RETURN(
      sql::Statement * raw,
      cached("SELECT epss, percentile, score_date, model_version FROM epss WHERE cve_id = ?"));
  Lease lease(*raw);
  sql::Statement& stmt = *lease;
  stmt.bind(1, cve_id);
  VIGIL_ASSIGN_OR_RETURN(const bool row, stmt.step());
  if (!row) {
    return std::optional<model::EpssScore>();
  }
  return std::optional<model::EpssScore>(
      model::EpssScore{std::string(cve_id), stmt.column_double(0), stmt.column_double(1),
                       std::string(stmt.column_text(2)), std::string(stmt.column_text(3))});
}

Result<ChangeSet> SqliteDatabase::changes_since(int64_t version) {
  ChangeSet changes;
  changes.from_version = version;
  VIGIL_ASSIGN_OR_RETURN(changes.to_version, db_version());
  VIGIL_ASSIGN_OR_RETURN(auto advisories,
                         db_.prepare("SELECT db_version, source, id, kind FROM changes WHERE "
                                     "db_version > ? ORDER BY db_version, rowid"));
  advisories.bind(1, version);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, advisories.step());
    if (!more) {
      break;
    }
    changes.advisories.push_back({advisories.column_int(0), std::string(advisories.column_text(1)),
                                  std::string(advisories.column_text(2)),
                                  parse_change_kind(advisories.column_text(3))});
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto keys,
      db_.prepare("SELECT DISTINCT ecosystem, name FROM change_keys WHERE db_version > ? "
                  "ORDER BY 1, 2"));
  keys.bind(1, version);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, keys.step());
    if (!more) {
      break;
    }
    changes.keys.push_back({std::string(keys.column_text(0)), std::string(keys.column_text(1))});
  }
  VIGIL_ASSIGN_OR_RETURN(auto kev,
                         db_.prepare("SELECT cve_id FROM kev WHERE db_version > ? ORDER BY 1"));
  kev.bind(1, version);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, kev.step());
    if (!more) {
      break;
    }
    changes.kev_added.emplace_back(kev.column_text(0));
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto removed,
      db_.prepare("SELECT DISTINCT cve_id FROM kev_removed WHERE db_version > ? AND cve_id NOT IN "
                  "(SELECT cve_id FROM kev) ORDER BY 1"));
  removed.bind(1, version);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, removed.step());
    if (!more) {
      break;
    }
    changes.kev_removed.emplace_back(removed.column_text(0));
  }
  VIGIL_ASSIGN_OR_RETURN(auto epss, db_.prepare("SELECT COUNT(*) FROM imports WHERE db_version > ? "
                                                "AND summary LIKE '%\"epss\":%' AND summary NOT "
                                                "LIKE '%\"epss\":0%'"));
  epss.bind(1, version);
  VIGIL_ASSIGN_OR_RETURN(const bool epss_row, epss.step());
  changes.epss_changed = epss_row && epss.column_int(0) > 0;
  return changes;
}

Result<void> SqliteDatabase::for_each_affected(const std::function<void(const AffectedRow&)>& visit,
                                               const std::vector<ChangedKey>* only) {
  std::set<ChangedKey> wanted;
  if (only != nullptr) {
    wanted.insert(only->begin(), only->end());
  }
  std::unordered_map<int64_t, model::Advisory> advisories;
  VIGIL_ASSIGN_OR_RETURN(auto heads,
                         db_.prepare("SELECT rowid, source, id, summary, published, modified, "
                                     "severity_label, status FROM advisories WHERE withdrawn = ''"));
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, heads.step());
    if (!more) {
      break;
    }
    model::Advisory advisory;
    advisory.source = std::string(heads.column_text(1));
    advisory.id = std::string(heads.column_text(2));
    advisory.summary = std::string(heads.column_text(3));
    advisory.published = std::string(heads.column_text(4));
    advisory.modified = std::string(heads.column_text(5));
    advisory.severity_label = std::string(heads.column_text(6));
    advisory.status = std::string(heads.column_text(7));  // "not-affected" is never matchable
    advisories.emplace(heads.column_int(0), std::move(advisory));
  }
  VIGIL_ASSIGN_OR_RETURN(auto aliases, db_.prepare("SELECT advisory, alias FROM aliases"));
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, aliases.step());
    if (!more) {
      break;
    }
    if (auto it = advisories.find(aliases.column_int(0)); it != advisories.end()) {
      it->second.aliases.emplace_back(aliases.column_text(1));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto severities, db_.prepare("SELECT advisory, type, vector, source, score FROM severities"));
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, severities.step());
    if (!more) {
      break;
    }
    if (auto it = advisories.find(severities.column_int(0)); it != advisories.end()) {
      model::SeverityVector vector{std::string(severities.column_text(1)),
                                   std::string(severities.column_text(2)),
                                   std::string(severities.column_text(3)), std::nullopt};
      if (!severities.column_is_null(4)) {
        vector.base_score = severities.column_double(4);
      }
      it->second.severities.push_back(std::move(vector));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto affected,
                         db_.prepare("SELECT advisory, ecosystem, release, name, purl, ranges, "
                                     "versions, severity FROM affected"));
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, affected.step());
    if (!more) {
      break;
    }
    const auto it = advisories.find(affected.column_int(0));
    if (it == advisories.end()) {
      continue;  // withdrawn
    }
    if (only != nullptr && !wanted.contains(ChangedKey{std::string(affected.column_text(1)),
                                                       std::string(affected.column_text(3))})) {
      continue;
    }
    model::AffectedPackage package;
    auto ecosystem = model::parse_ecosystem(affected.column_text(1));
    if (!ecosystem) {
      continue;
    }
    package.ecosystem = *ecosystem;
    package.ecosystem.release = std::string(affected.column_text(2));
    package.name = std::string(affected.column_text(3));
    package.purl = std::string(affected.column_text(4));
    VIGIL_ASSIGN_OR_RETURN(package.ranges, decode_ranges(affected.column_text(5)));
    package.versions = decode_strings(affected.column_text(6));
    package.severity = std::string(affected.column_text(7));
    visit(AffectedRow{&it->second, &package});
  }
  return {};
}

}  // namespace internal

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& dir, bool create) {
  std::error_code ec;
  const auto file = dir / "vigil-vulndb.sqlite";
  const bool fresh = !std::filesystem::exists(file, ec);
  if (fresh) {
    if (!create) {
      return fail(Error::not_found("{}: no vulnerability database (run `vigil db import` first)",
                                   dir.string()));
    }
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return fail(Error::io("{}: cannot create directory: {}", dir.string(), ec.message()));
    }
    VIGIL_TRY(internal::create_file(file));
  }
  VIGIL_ASSIGN_OR_RETURN(auto connection, sql::Connection::open(file, create));
  VIGIL_TRY(connection.exec(
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"));
  auto database = std::make_unique<internal::SqliteDatabase>(std::move(connection));
  VIGIL_ASSIGN_OR_RETURN(const auto schema, database->meta("schema_version"));
  if (!schema.empty() && std::stoll(schema) > kSchemaVersion) {
    return fail(Error::unsupported("{}: database schema {} is newer than this vigil ({})",
                                   file.string(), schema, kSchemaVersion));
  }
  if (schema.empty()) {
    VIGIL_TRY(database->connection().exec(internal::kSchemaSql));
    VIGIL_TRY(database->connection().exec(fmt::format(
        "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '{}')", kSchemaVersion)));
  } else {
    // Migrate forward, one version per transaction.
    for (int64_t version = std::stoll(schema); version < kSchemaVersion; ++version) {
      VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(database->connection()));
      VIGIL_TRY(database->connection().exec(internal::kMigrations[version - 1]));
      VIGIL_TRY(database->connection().exec(fmt::format(
          "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '{}')", version + 1)));
      VIGIL_TRY(transaction.commit());
    }
  }
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace vigil::vulndb
