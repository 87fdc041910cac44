// The write path of the SQLite vulnerability database: one transaction per import, upserts by
// (source, id), unchanged records detected by content hash, and the change feed.
#include <nlohmann/json.hpp>
#include <set>

#include "vulndb/internal/codec.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb::internal {
namespace {

class SqliteImportSession final : public Database::ImportSession {
 public:
  SqliteImportSession(SqliteDatabase& database, sql::Transaction transaction, int64_t version)
      : database_(database), transaction_(std::move(transaction)), version_(version) {}

  Result<void> prepare() {
    auto& db = database_.connection();
    // A large page cache keeps the whole transaction in memory until COMMIT writes it once.
    VIGIL_TRY(db.exec("PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY"));
    VIGIL_ASSIGN_OR_RETURN(find_, db.prepare("SELECT rowid, content_hash, withdrawn FROM "
                                             "advisories WHERE source = ? AND id = ?"));
    VIGIL_ASSIGN_OR_RETURN(old_keys_, db.prepare("SELECT DISTINCT ecosystem, name FROM affected "
                                                 "WHERE advisory = ?"));
    VIGIL_ASSIGN_OR_RETURN(delete_, db.prepare("DELETE FROM advisories WHERE rowid = ?"));
    VIGIL_ASSIGN_OR_RETURN(
        insert_, db.prepare("INSERT INTO advisories(source, id, summary, details, published, "
                            "modified, withdrawn, severity_label, status, extra, "
                            "cpe_configurations, raw, content_hash, db_version) "
                            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    VIGIL_ASSIGN_OR_RETURN(alias_, db.prepare("INSERT INTO aliases(advisory, alias) VALUES(?,?)"));
    VIGIL_ASSIGN_OR_RETURN(
        affected_, db.prepare("INSERT INTO affected(advisory, ecosystem, release, name, purl, "
                              "ranges, versions, severity) VALUES(?,?,?,?,?,?,?,?)"));
    VIGIL_ASSIGN_OR_RETURN(severity_, db.prepare("INSERT INTO severities(advisory, type, vector, "
                                                 "source, score) VALUES(?,?,?,?,?)"));
    VIGIL_ASSIGN_OR_RETURN(change_, db.prepare("INSERT INTO changes(db_version, source, id, kind) "
                                               "VALUES(?,?,?,?)"));
    VIGIL_ASSIGN_OR_RETURN(
        kev_find_, db.prepare("SELECT 1 FROM kev WHERE cve_id = ?"));
    VIGIL_ASSIGN_OR_RETURN(
        kev_, db.prepare("INSERT INTO kev(cve_id, vendor_project, product, name, date_added, "
                         "due_date, ransomware, required_action, notes, db_version) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(cve_id) DO UPDATE SET "
                         "vendor_project=excluded.vendor_project, product=excluded.product, "
                         "name=excluded.name, date_added=excluded.date_added, "
                         "due_date=excluded.due_date, ransomware=excluded.ransomware, "
                         "required_action=excluded.required_action, notes=excluded.notes"));
    VIGIL_ASSIGN_OR_RETURN(
        epss_, db.prepare("INSERT OR REPLACE INTO epss(cve_id, epss, percentile, score_date, "
                          "model_version) VALUES(?,?,?,?,?)"));
    return {};
  }

  Result<void> add(ImportBatch&& batch) override {
    for (auto& advisory : batch.advisories) {
      VIGIL_TRY(write_advisory(advisory));
    }
    for (const auto& entry : batch.kev) {
      VIGIL_TRY(write_kev(entry));
    }
    for (const auto& score : batch.epss) {
      epss_.bind(1, score.cve_id)
          .bind(2, score.epss)
          .bind(3, score.percentile)
          .bind(4, score.score_date)
          .bind(5, score.model_version);
      VIGIL_TRY(epss_.run());
    }
    summary_.epss += batch.epss.size();
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
    const bool changed = summary_.added + summary_.modified + summary_.withdrawn + summary_.kev +
                             summary_.epss >
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
    VIGIL_TRY(transaction_.commit());
    return std::move(summary_);
  }

 private:
  Result<void> write_advisory(model::Advisory& advisory) {
    const std::string hash = content_hash(advisory);
    find_.bind(1, advisory.source).bind(2, advisory.id);
    VIGIL_ASSIGN_OR_RETURN(const bool exists, find_.step());
    int64_t old_rowid = 0;
    bool was_withdrawn = false;
    if (exists) {
      old_rowid = find_.column_int(0);
      was_withdrawn = !find_.column_text(2).empty();
      if (find_.column_text(1) == hash) {
        find_.reset();
        ++summary_.unchanged;
        return {};
      }
    }
    find_.reset();
    ChangeKind kind = ChangeKind::kAdded;
    if (exists) {
      kind = ChangeKind::kModified;
      old_keys_.bind(1, old_rowid);
      while (true) {
        VIGIL_ASSIGN_OR_RETURN(const bool more, old_keys_.step());
        if (!more) {
          break;
        }
        keys_.insert({std::string(old_keys_.column_text(0)), std::string(old_keys_.column_text(1))});
      }
      old_keys_.reset();
      delete_.bind(1, old_rowid);
      VIGIL_TRY(delete_.run());
    }
    if (!advisory.withdrawn.empty() && !was_withdrawn) {
      kind = ChangeKind::kWithdrawn;
    }
    insert_.bind(1, advisory.source)
        .bind(2, advisory.id)
        .bind(3, advisory.summary)
        .bind(4, advisory.details)
        .bind(5, advisory.published)
        .bind(6, advisory.modified)
        .bind(7, advisory.withdrawn)
        .bind(8, advisory.severity_label)
        .bind(9, advisory.status)
        .bind(10, encode_extra(advisory))
        .bind(11, advisory.cpe_configurations)
        .bind(12, advisory.raw)
        .bind(13, hash)
        .bind(14, version_);
    VIGIL_TRY(insert_.run());
    const int64_t rowid = database_.connection().last_insert_rowid();
    for (const auto& alias : advisory.aliases) {
      alias_.bind(1, rowid).bind(2, alias);
      VIGIL_TRY(alias_.run());
    }
    for (const auto& package : advisory.affected) {
      const std::string ecosystem(model::ecosystem_name(package.ecosystem.ecosystem));
      affected_.bind(1, rowid)
          .bind(2, ecosystem)
          .bind(3, package.ecosystem.release)
          .bind(4, package.name)
          .bind(5, package.purl)
          .bind(6, encode_ranges(package.ranges))
          .bind(7, encode_strings(package.versions))
          .bind(8, package.severity);
      VIGIL_TRY(affected_.run());
      keys_.insert({ecosystem, package.name});
    }
    for (const auto& vector : advisory.severities) {
      severity_.bind(1, rowid).bind(2, vector.type).bind(3, vector.vector).bind(4, vector.source);
      if (vector.base_score) {
        severity_.bind(5, *vector.base_score);
      } else {
        severity_.bind_null(5);
      }
      VIGIL_TRY(severity_.run());
    }
    change_.bind(1, version_)
        .bind(2, advisory.source)
        .bind(3, advisory.id)
        .bind(4, change_kind_name(kind));
    VIGIL_TRY(change_.run());
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

  Result<void> write_kev(const model::KevEntry& entry) {
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

  void release_statements() {
    for (auto* stmt : {&find_, &old_keys_, &delete_, &insert_, &alias_, &affected_, &severity_,
                       &change_, &kev_find_, &kev_, &epss_}) {
      *stmt = sql::Statement();
    }
  }

  SqliteDatabase& database_;
  sql::Transaction transaction_;
  int64_t version_;
  ImportSummary summary_;
  std::set<ChangedKey> keys_;
  sql::Statement find_, old_keys_, delete_, insert_, alias_, affected_, severity_, change_,
      kev_find_, kev_, epss_;
};

}  // namespace

Result<std::unique_ptr<Database::ImportSession>> SqliteDatabase::begin_import() {
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(db_));
  VIGIL_ASSIGN_OR_RETURN(const int64_t current, db_version());
  auto session = std::make_unique<SqliteImportSession>(*this, std::move(transaction), current + 1);
  VIGIL_TRY(session->prepare());
  return std::unique_ptr<Database::ImportSession>(std::move(session));
}

}  // namespace vigil::vulndb::internal
