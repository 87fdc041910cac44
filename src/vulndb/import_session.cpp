// The write path of the SQLite vulnerability database: one transaction per import, upserts by
// (source, id), unchanged records detected by content hash, and the change feed.
//
// Speed (docs/vulndb.md, "Import performance"): statements are prepared once and bind text
// without copying; encodings go to reused buffers. Advisory rows are buffered and written by
// multi-row INSERTs like their children, each under the rowid SQLite would choose (one more than
// the largest), so records this session wrote are found in an in-memory map (written_), and
// only others by SELECT. On a database with no advisories yet (the bulk path) nothing can
// pre-exist, so the map alone answers, and the three indexes keyed by random text (ids, aliases,
// package keys) are dropped inside the transaction and rebuilt before COMMIT (one sort instead
// of a B-tree insertion per row). Both paths make the same decisions: the map answers exactly
// what the SELECT would, and the differential test in import_bulk_test checks rows and feed.
// When its connection is the file's only one, the bulk path also writes through a rollback
// journal instead of the WAL, with foreign key checks off (begin_import explains both).
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_set>

#include "vulndb/internal/batch_insert.hpp"
#include "vulndb/internal/codec.hpp"
#include "vulndb/internal/fast_statement.hpp"
#include "vulndb/internal/flat_key_map.hpp"
#include "vulndb/internal/schema.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb::internal {
namespace {

// Back to the journal mode and synchronous level every vulndb connection runs with.
void restore_wal(sql::Connection& db) {
  (void)db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
}

// Connection settings an import into an empty database changes for its duration (begin_import).
struct SessionSettings {
  bool rollback_journal = false;  // left WAL for journal_mode=DELETE
  bool foreign_keys_off = false;  // foreign_keys=OFF: child rows are deleted by hand
};

// Restores what `settings` changed; outside any transaction (both pragmas need that).
void restore(sql::Connection& db, SessionSettings& settings) {
  if (settings.foreign_keys_off) {
    (void)db.exec("PRAGMA foreign_keys=ON");
    settings.foreign_keys_off = false;
  }
  if (settings.rollback_journal) {
    restore_wal(db);
    settings.rollback_journal = false;
  }
}

// Switches `db` from WAL to a rollback journal; false (still WAL) when another connection has the
// database open or anything else prevents it.
bool leave_wal(sql::Connection& db) {
  auto pragma = db.prepare("PRAGMA journal_mode=DELETE");
  if (!pragma) {
    return false;
  }
  const auto row = pragma->step();
  const bool left = row && *row && pragma->column_text(0) == "delete";
  pragma->reset();
  if (left && !db.exec("PRAGMA synchronous=FULL")) {
    restore_wal(db);
    return false;
  }
  return left;
}

// ChangedKey ordering with lookups by views (no temporary strings per affected package).
struct KeyLess {
  using is_transparent = void;
  using View = std::pair<std::string_view, std::string_view>;
  static View view(const ChangedKey& key) { return {key.ecosystem, key.name}; }
  static View view(const View& key) { return key; }
  template <typename L, typename R>
  bool operator()(const L& lhs, const R& rhs) const {
    return view(lhs) < view(rhs);
  }
};

// What the database holds for one (source, id) written earlier in a bulk session.
struct Written {
  int64_t rowid = 0;
  ContentHash hash{};
  bool withdrawn = false;
};

class SqliteImportSession final : public Database::ImportSession {
 public:
  SqliteImportSession(SqliteDatabase& database, sql::Transaction transaction, int64_t version,
                      SessionSettings settings)
      : database_(database),
        transaction_(std::move(transaction)),
        version_(version),
        settings_(settings) {}
  SqliteImportSession(const SqliteImportSession&) = delete;
  SqliteImportSession& operator=(const SqliteImportSession&) = delete;

  ~SqliteImportSession() override {
    release_statements();
    transaction_.reset();  // rolls back unless committed
    restore(database_.connection(), settings_);
  }

  Result<void> prepare(bool allow_bulk) {
    auto& db = database_.connection();
    // A large page cache keeps the whole transaction in memory until COMMIT writes it once.
    VIGIL_TRY(db.exec("PRAGMA cache_size=-524288"));
    // No statement journals: a statement that may abort half-way (a NOT NULL or UNIQUE conflict
    // with OR ABORT, an immediate foreign-key check) makes SQLite copy every page it touches
    // into a sub-journal first. Foreign keys are checked at COMMIT instead (the pragma lasts
    // until the transaction ends) and the inserts say OR ROLLBACK: any conflict fails the whole
    // import, which is what an error does anyway.
    VIGIL_TRY(db.exec("PRAGMA defer_foreign_keys=ON"));
    // Debian builds SQLite with SECURE_DELETE: every cell moved or freed while B-tree pages are
    // rebalanced is overwritten with zeros (hundreds of MB of memset per OSV import). Advisories
    // are public and need no forensic erasure; the setting is per connection.
    VIGIL_TRY(db.exec("PRAGMA secure_delete=OFF"));
    if (allow_bulk) {
      VIGIL_ASSIGN_OR_RETURN(auto any, db.prepare("SELECT EXISTS(SELECT 1 FROM advisories)"));
      VIGIL_ASSIGN_OR_RETURN(const bool row, any.step());
      bulk_ = row && any.column_int(0) == 0;
    }
    if (bulk_) {
      for (const auto& index : kBulkIndexes) {
        VIGIL_TRY(db.exec(fmt::format("DROP INDEX IF EXISTS {}", index.name)));
      }
      // Bulk writes are appends: a small cache spills finished pages (to the WAL, or to the
      // database file past its old end when the session left WAL: invisible to readers either
      // way) and recycles their buffers instead of touching ~25 MB of fresh memory (measured:
      // less CPU, 20 MB less RSS, in both journal modes).
      VIGIL_TRY(db.exec("PRAGMA cache_size=-8192"));
    }
    const auto make = [&db](FastStatement& into, std::string_view sql) -> Result<void> {
      VIGIL_ASSIGN_OR_RETURN(into, FastStatement::prepare(db, sql));
      return {};
    };
    VIGIL_TRY(make(find_,
                   "SELECT rowid, content_hash, withdrawn FROM advisories WHERE source = ? "
                   "AND id = ?"));
    VIGIL_TRY(make(old_keys_, "SELECT DISTINCT ecosystem, name FROM affected WHERE advisory = ?"));
    VIGIL_TRY(make(delete_, "DELETE FROM advisories WHERE rowid = ?"));
    VIGIL_TRY(make(delete_aliases_, "DELETE FROM aliases WHERE advisory = ?"));
    VIGIL_TRY(make(delete_affected_, "DELETE FROM affected WHERE advisory = ?"));
    VIGIL_TRY(make(delete_severities_, "DELETE FROM severities WHERE advisory = ?"));
    VIGIL_TRY(make(next_rowid_query_, "SELECT coalesce(max(rowid), 0) + 1 FROM advisories"));
    VIGIL_TRY(read_next_rowid());
    VIGIL_TRY(make(kev_find_, "SELECT 1 FROM kev WHERE cve_id = ?"));
    VIGIL_TRY(make(kev_,
                   "INSERT INTO kev(cve_id, vendor_project, product, name, date_added, "
                   "due_date, ransomware, required_action, notes, db_version) "
                   "VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(cve_id) DO UPDATE SET "
                   "vendor_project=excluded.vendor_project, product=excluded.product, "
                   "name=excluded.name, date_added=excluded.date_added, "
                   "due_date=excluded.due_date, ransomware=excluded.ransomware, "
                   "required_action=excluded.required_action, notes=excluded.notes"));
    // Only new or different scores are written (and counted): re-importing the same EPSS file
    // changes nothing and does not bump the database version.
    VIGIL_TRY(make(epss_,
                   "INSERT INTO epss(cve_id, epss, percentile, score_date, model_version) "
                   "VALUES(?,?,?,?,?) ON CONFLICT(cve_id) DO UPDATE SET "
                   "epss=excluded.epss, percentile=excluded.percentile, "
                   "score_date=excluded.score_date, model_version=excluded.model_version "
                   "WHERE epss.epss IS NOT excluded.epss OR "
                   "epss.percentile IS NOT excluded.percentile OR "
                   "epss.score_date IS NOT excluded.score_date OR "
                   "epss.model_version IS NOT excluded.model_version"));
    return {};
  }

  Result<void> add(ImportBatch&& batch) override {
    for (auto& advisory : batch.advisories) {
      VIGIL_TRY(write_advisory(advisory));
    }
    // The buffered rows point into `batch`: written before it goes.
    VIGIL_TRY(flush_rows());
    for (const auto& entry : batch.kev) {
      VIGIL_TRY(write_kev(entry));
    }
    kev_catalogue_ = kev_catalogue_ || batch.kev_catalogue;
    for (const auto& score : batch.epss) {
      epss_.bind(1, score.cve_id)
          .bind(2, score.epss)
          .bind(3, score.percentile)
          .bind(4, score.score_date)
          .bind(5, score.model_version);
      VIGIL_TRY(epss_.run());
      summary_.epss += static_cast<size_t>(database_.connection().changes());
    }
    summary_.skipped += batch.records_skipped;
    summary_.files += batch.files_read;
    summary_.files_ignored += batch.files_ignored;
    for (auto& diagnostic : batch.diagnostics) {
      summary_.diagnostics.push_back(std::move(diagnostic));
    }
    return {};
  }

  Result<ImportSummary> commit(std::string_view label) override {
    auto& db = database_.connection();
    // Every advisory row went in under the rowid SQLite would have chosen; a mismatch here
    // would mean children name the wrong row: the import fails instead.
    const int64_t expected_next = next_rowid_;
    VIGIL_TRY(read_next_rowid());
    if (next_rowid_ != expected_next) {
      return fail(Error::internal("import wrote advisory rows up to {} but the table ends at {}",
                                  expected_next - 1, next_rowid_ - 1));
    }
    if (bulk_) {
      for (const auto& index : kBulkIndexes) {
        VIGIL_TRY(db.exec(index.create));
      }
    }
    VIGIL_TRY(drop_kev_not_seen());
    const bool changed = summary_.added + summary_.modified + summary_.withdrawn + summary_.kev +
                             summary_.kev_removed + summary_.epss >
                         0;
    if (changed) {
      VIGIL_ASSIGN_OR_RETURN(auto keys, db.prepare("INSERT INTO change_keys(db_version, ecosystem, "
                                                   "name) VALUES(?,?,?)"));
      for (const auto& key : keys_) {
        keys.bind(1, version_).bind(2, key.ecosystem).bind(3, key.name);
        VIGIL_TRY(keys.run());
      }
      const nlohmann::json summary{{"added", summary_.added},
                                   {"modified", summary_.modified},
                                   {"unchanged", summary_.unchanged},
                                   {"withdrawn", summary_.withdrawn},
                                   {"kev", summary_.kev},
                                   {"kev_removed", summary_.kev_removed},
                                   {"epss", summary_.epss},
                                   {"skipped", summary_.skipped}};
      VIGIL_ASSIGN_OR_RETURN(auto imports, db.prepare("INSERT INTO imports(db_version, "
                                                      "imported_at, label, summary) "
                                                      "VALUES(?,?,?,?)"));
      imports.bind(1, version_).bind(2, now_rfc3339()).bind(3, label).bind(4, summary.dump());
      VIGIL_TRY(imports.run());
      VIGIL_ASSIGN_OR_RETURN(auto meta, db.prepare("INSERT OR REPLACE INTO meta(key, value) "
                                                   "VALUES(?, ?)"));
      meta.bind(1, "db_version").bind(2, std::to_string(version_));
      VIGIL_TRY(meta.run());
      meta.bind(1, "last_import").bind(2, now_rfc3339());
      VIGIL_TRY(meta.run());
      summary_.db_version = version_;
    } else {
      summary_.db_version = version_ - 1;
    }
    // Statements must be finalised before COMMIT can release every lock cleanly.
    release_statements();
    VIGIL_TRY(transaction_->commit());
    transaction_.reset();
    restore(db, settings_);
    return std::move(summary_);
  }

 private:
  struct Existing {
    bool found = false;
    int64_t rowid = 0;
    bool same_hash = false;
    bool withdrawn = false;
  };

  // What the database holds for (source, id): the row this session wrote for it if any (its
  // advisory rows are buffered, so a SELECT might not see them yet), else, unless the database
  // had no advisories when the session began (the bulk path), the row a SELECT finds.
  Result<Existing> find_existing(const model::Advisory& advisory, const ContentHash& hash) {
    Existing existing;
    key_buffer_.assign(advisory.source).append(1, '\0').append(advisory.id);
    if (const Written* written = written_.find(key_buffer_); written != nullptr) {
      existing = {true, written->rowid, written->hash == hash, written->withdrawn};
      return existing;
    }
    if (bulk_) {
      return existing;
    }
    find_.bind(1, advisory.source).bind(2, advisory.id);
    VIGIL_ASSIGN_OR_RETURN(const bool row, find_.step());
    if (row) {
      existing = {true, find_.column_int(0),
                  find_.column_text(1) == std::string_view(hash.data(), hash.size()),
                  !find_.column_text(2).empty()};
    }
    find_.reset();
    return existing;
  }

  // Most packages repeat (several records per package): a hash lookup of "ecosystem\0name"
  // answers "already recorded" without the ordered set's string comparisons (2% of an OSV
  // import); only a new key pays for the ordered insert (which orders change_keys' rows).
  void add_key(std::string_view ecosystem, std::string_view name) {
    key_scratch_.assign(ecosystem).append(1, '\0').append(name);
    if (!keys_seen_.insert(key_scratch_, true)) {
      return;
    }
    keys_.insert(ChangedKey{std::string(ecosystem), std::string(name)});
  }

  Result<void> write_advisory(model::Advisory& advisory) {
    const ContentHash hash = content_hash_digits(advisory);
    VIGIL_ASSIGN_OR_RETURN(const Existing existing, find_existing(advisory, hash));
    if (existing.found && existing.same_hash) {
      ++summary_.unchanged;
      return {};
    }
    ChangeKind kind = ChangeKind::kAdded;
    if (existing.found) {
      // The old row's children may still be buffered: written first, so that reading its keys
      // and the cascading delete see them.
      VIGIL_TRY(flush_rows());
      kind = ChangeKind::kModified;
      old_keys_.bind(1, existing.rowid);
      while (true) {
        VIGIL_ASSIGN_OR_RETURN(const bool more, old_keys_.step());
        if (!more) {
          break;
        }
        add_key(old_keys_.column_text(0), old_keys_.column_text(1));
      }
      old_keys_.reset();
      if (settings_.foreign_keys_off) {
        // No ON DELETE CASCADE without foreign keys: the children go first, by hand.
        for (auto* children : {&delete_aliases_, &delete_affected_, &delete_severities_}) {
          children->bind(1, existing.rowid);
          VIGIL_TRY(children->run());
        }
      }
      delete_.bind(1, existing.rowid);
      VIGIL_TRY(delete_.run());
      VIGIL_TRY(read_next_rowid());
    }
    if (!advisory.withdrawn.empty() && !existing.withdrawn) {
      kind = ChangeKind::kWithdrawn;
    }
    auto& db = database_.connection();
    using Row = BatchInsert;
    // Advisory rows are buffered like the child rows (one multi-row INSERT per 64 advisories
    // instead of a statement each). A row names the rowid SQLite would give it, one more than
    // the largest (next_rowid_), so that children and written_ can use it before it is written.
    std::string& extra = pooled();
    append_extra(extra, advisory);
    std::string& digits = pooled();
    digits.assign(hash.data(), hash.size());
    const int64_t rowid = next_rowid_++;
    VIGIL_TRY(advisories_.add(
        db, Row::integer(rowid), Row::text(advisory.source), Row::text(advisory.id),
        Row::text(advisory.summary), Row::text(advisory.details), Row::text(advisory.published),
        Row::text(advisory.modified), Row::text(advisory.withdrawn),
        Row::text(advisory.severity_label), Row::text(advisory.status), Row::text(extra),
        Row::text(advisory.cpe_configurations), Row::text(advisory.raw), Row::text(digits),
        Row::integer(version_)));
    written_.assign(key_buffer_, Written{rowid, hash, !advisory.withdrawn.empty()});
    for (const auto& alias : advisory.aliases) {
      VIGIL_TRY(aliases_.add(db, Row::integer(rowid), Row::text(alias)));
    }
    for (const auto& package : advisory.affected) {
      const std::string_view ecosystem = model::ecosystem_name(package.ecosystem.ecosystem);
      std::string& ranges = pooled();
      append_ranges(ranges, package.ranges);
      std::string& versions = pooled();
      append_strings(versions, package.versions);
      VIGIL_TRY(affected_.add(db, Row::integer(rowid), Row::text(ecosystem),
                              Row::text(package.ecosystem.release), Row::text(package.name),
                              Row::text(package.purl), Row::text(ranges), Row::text(versions),
                              Row::text(package.severity)));
      add_key(ecosystem, package.name);
    }
    for (const auto& vector : advisory.severities) {
      VIGIL_TRY(severities_.add(db, Row::integer(rowid), Row::text(vector.type),
                                Row::text(vector.vector), Row::text(vector.source),
                                Row::real(vector.base_score)));
    }
    VIGIL_TRY(changes_.add(db, Row::integer(version_), Row::text(advisory.source),
                           Row::text(advisory.id), Row::text(change_kind_name(kind))));
    switch (kind) {
      case ChangeKind::kAdded:
        ++summary_.added;
        break;
      case ChangeKind::kModified:
        ++summary_.modified;
        break;
      case ChangeKind::kWithdrawn:
        ++summary_.withdrawn;
        break;
    }
    return {};
  }

  // The rowid SQLite gives the next advisory row: one more than the largest (none is ever at
  // the maximum), 1 in an empty table. Read again after the bulk path deletes a row.
  Result<void> read_next_rowid() {
    VIGIL_ASSIGN_OR_RETURN(const bool row, next_rowid_query_.step());
    next_rowid_ = row ? next_rowid_query_.column_int(0) : 1;
    next_rowid_query_.reset();
    return {};
  }

  // A KEV file is the whole catalogue: when this import read a complete one (not a bundle's
  // additions), entries no KEV entry of the import lists leave the database and enter the feed.
  Result<void> drop_kev_not_seen() {
    if (!kev_catalogue_ || kev_seen_.empty()) {
      return {};
    }
    auto& db = database_.connection();
    VIGIL_ASSIGN_OR_RETURN(auto all, db.prepare("SELECT cve_id FROM kev"));
    std::vector<std::string> gone;
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool more, all.step());
      if (!more) {
        break;
      }
      if (kev_seen_.count(std::string(all.column_text(0))) == 0) {
        gone.emplace_back(all.column_text(0));
      }
    }
    all.reset();
    VIGIL_ASSIGN_OR_RETURN(auto remove, db.prepare("DELETE FROM kev WHERE cve_id = ?"));
    VIGIL_ASSIGN_OR_RETURN(auto record,
                           db.prepare("INSERT INTO kev_removed(db_version, cve_id) VALUES(?,?)"));
    for (const auto& cve_id : gone) {
      remove.bind(1, cve_id);
      VIGIL_TRY(remove.run());
      record.bind(1, version_).bind(2, cve_id);
      VIGIL_TRY(record.run());
    }
    summary_.kev_removed = gone.size();
    return {};
  }

  Result<void> write_kev(const model::KevEntry& entry) {
    kev_seen_.insert(entry.cve_id);
    kev_find_.bind(1, entry.cve_id);
    VIGIL_ASSIGN_OR_RETURN(const bool exists, kev_find_.step());
    kev_find_.reset();
    kev_.bind(1, entry.cve_id)
        .bind(2, entry.vendor_project)
        .bind(3, entry.product)
        .bind(4, entry.name)
        .bind(5, entry.date_added)
        .bind(6, entry.due_date)
        .bind(7, int64_t{entry.known_ransomware_use ? 1 : 0})
        .bind(8, entry.required_action)
        .bind(9, entry.notes)
        .bind(10, version_);
    VIGIL_TRY(kev_.run());
    if (!exists) {
      ++summary_.kev;
    }
    return {};
  }

  // A cleared string from the pool (a deque: elements never move, so views stay valid) that
  // lives until the next flush_rows().
  std::string& pooled() {
    if (pool_used_ == pool_.size()) {
      pool_.emplace_back();
    }
    std::string& text = pool_[pool_used_++];
    text.clear();
    return text;
  }

  Result<void> flush_rows() {
    auto& db = database_.connection();
    for (auto* rows : {&advisories_, &aliases_, &affected_, &severities_, &changes_}) {
      VIGIL_TRY(rows->flush(db));
    }
    pool_used_ = 0;
    return {};
  }

  void release_statements() {
    for (auto* stmt : {&next_rowid_query_, &find_, &old_keys_, &delete_, &delete_aliases_, &delete_affected_,
                       &delete_severities_, &kev_find_, &kev_, &epss_}) {
      *stmt = FastStatement();
    }
    for (auto* rows : {&advisories_, &aliases_, &affected_, &severities_, &changes_}) {
      rows->release();
    }
  }

  SqliteDatabase& database_;
  std::optional<sql::Transaction> transaction_;
  int64_t version_;
  SessionSettings settings_;  // what begin_import changed on the connection for this session
  bool bulk_ = false;
  ImportSummary summary_;
  std::set<ChangedKey, KeyLess> keys_;
  FlatKeyMap<bool> keys_seen_;  // keys_ as "ecosystem\0name"
  std::string key_scratch_;
  std::unordered_set<std::string> kev_seen_;          // CVE ids of KEV entries this import read
  bool kev_catalogue_ = false;                        // some batch held a complete KEV catalogue
  FlatKeyMap<Written> written_;  // advisory rows this session wrote: "source\0id" -> row
  std::string key_buffer_;
  std::deque<std::string> pool_;  // encoded ranges/versions of buffered rows
  size_t pool_used_ = 0;
  FastStatement find_, old_keys_, delete_, delete_aliases_, delete_affected_, delete_severities_,
      kev_find_, kev_, epss_;
  int64_t next_rowid_ = 1;  // bulk path: the rowid of the next advisory row
  FastStatement next_rowid_query_;
  BatchInsert advisories_{
      "INSERT OR ROLLBACK INTO advisories(rowid, source, id, summary, details, published, "
      "modified, withdrawn, severity_label, status, extra, cpe_configurations, raw, "
      "content_hash, db_version)",
      15};
  BatchInsert aliases_{"INSERT OR ROLLBACK INTO aliases(advisory, alias)", 2};
  BatchInsert affected_{
      "INSERT OR ROLLBACK INTO affected(advisory, ecosystem, release, name, "
      "purl, ranges, versions, severity)",
      8};
  BatchInsert severities_{
      "INSERT OR ROLLBACK INTO severities(advisory, type, vector, source, "
      "score)",
      5};
  BatchInsert changes_{"INSERT OR ROLLBACK INTO changes(db_version, source, id, kind)", 4};
};

}  // namespace

Result<std::unique_ptr<Database::ImportSession>> SqliteDatabase::begin_import() {
  // An import into a database without advisories writes nearly every page new. In WAL mode each
  // is written twice (to the WAL, then by the checkpoint into the database file) and read back
  // once; with a rollback journal it is written once, and pages beyond the file's old end need
  // no journal copy. So such an import runs in journal_mode=DELETE, when this connection is the
  // only one (SQLite refuses to leave WAL otherwise, at once, and the import stays in WAL). It is
  // still one transaction: readers see the old database or the new one, and a crash leaves a hot
  // journal that restores the old. synchronous=FULL while outside WAL (NORMAL is safe there only
  // in WAL mode); WAL and NORMAL come back when the session ends, and Database::open sets WAL
  // should a crash leave the file in rollback mode.
  //
  // Such an import also runs with foreign_keys=OFF: every child row it writes names the advisory
  // row inserted just before it, so the per-row parent lookups SQLite makes even for deferred
  // keys check nothing (measured ~3% of the import), and the one delete it can make (a record
  // met twice in one import) removes the children itself instead of by cascade. Both pragmas
  // take effect only outside a transaction, hence here, before BEGIN.
  //
  // Sorts (index rebuilds) in memory. Set outside the transaction: SQLite refuses to change it
  // inside one once the connection has used temporary storage (an integrity_check, a GROUP BY).
  VIGIL_TRY(db_.exec("PRAGMA temp_store=MEMORY"));
  SessionSettings settings;
  if (bulk_import_allowed_) {
    VIGIL_ASSIGN_OR_RETURN(auto any, db_.prepare("SELECT EXISTS(SELECT 1 FROM advisories)"));
    VIGIL_ASSIGN_OR_RETURN(const bool row, any.step());
    const bool empty = row && any.column_int(0) == 0;
    any.reset();
    if (empty) {
      settings.rollback_journal = leave_wal(db_);
      if (auto off = db_.exec("PRAGMA foreign_keys=OFF"); !off) {
        restore(db_, settings);
        return fail(std::move(off).error());
      }
      settings.foreign_keys_off = true;
    }
  }
  auto transaction = sql::Transaction::begin(db_);
  if (!transaction) {
    restore(db_, settings);
    return fail(std::move(transaction).error());
  }
  // From here the session owns the settings: its destructor restores them on every path.
  int64_t current = 0;
  if (auto version = db_version(); version) {
    current = *version;
  } else {
    { const sql::Transaction rollback = std::move(transaction).value(); }
    restore(db_, settings);
    return fail(std::move(version).error());
  }
  auto session = std::make_unique<SqliteImportSession>(*this, std::move(transaction).value(),
                                                       current + 1, settings);
  VIGIL_TRY(session->prepare(bulk_import_allowed_));
  return std::unique_ptr<Database::ImportSession>(std::move(session));
}

}  // namespace vigil::vulndb::internal
