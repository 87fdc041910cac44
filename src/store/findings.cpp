// SqliteStore: the finding lifecycle outside reconcile (reconcile.cpp): open ids, close, stale,
// suppression, lookups and history.
#include <set>
#include <unordered_set>

#include "store/internal/codec.hpp"
#include "store/internal/criteria_sql.hpp"
#include "store/internal/finding_columns.hpp"
#include "store/internal/finding_lifecycle.hpp"
#include "store/internal/finding_rows.hpp"
#include "store/internal/sqlite_store.hpp"
#include "store/sqlite_store.hpp"

namespace vigil::store::internal {

Result<void> add_history(Conn& conn, std::int64_t finding_id, Timestamp at,
                         std::string_view event) {
  VIGIL_ASSIGN_OR_RETURN(auto insert, conn.statement("INSERT INTO finding_history "
                                                     "(finding_id, at, event) VALUES (?, ?, ?)"));
  insert->bind(1, finding_id).bind(2, at).bind(3, event);
  return insert->run();
}

Result<void> set_stale_mark(Conn& conn, std::int64_t id, bool stale) {
  VIGIL_ASSIGN_OR_RETURN(auto update, conn.statement("UPDATE findings SET stale = ? WHERE id = ?"));
  update->bind(1, static_cast<std::int64_t>(stale ? 1 : 0)).bind(2, id);
  return update->run();
}

Result<std::vector<std::pair<std::int64_t, std::string>>> open_findings(
    Conn& conn, const std::string& resource_id, const std::string& finding_type,
    const std::set<std::string>* names) {
  std::vector<std::pair<std::int64_t, std::string>> rows;
  const auto collect = [&](sql::Statement& query) -> Result<void> {
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool row, query.step());
      if (!row) {
        return {};
      }
      rows.emplace_back(query.column_int(0), std::string(query.column_text(1)));
    }
  };
  if (names == nullptr) {
    VIGIL_ASSIGN_OR_RETURN(auto query,
                           conn.statement("SELECT id, arn FROM findings WHERE resource_id = ? AND "
                                          "(? = '' OR finding_type = ?) AND status <> 'CLOSED'"));
    query->bind(1, resource_id).bind(2, finding_type).bind(3, finding_type);
    VIGIL_TRY(collect(*query));
    return rows;
  }
  // One index range per package name (findings_resource_package): only those rows are read.
  VIGIL_ASSIGN_OR_RETURN(auto query,
                         conn.statement("SELECT id, arn FROM findings WHERE resource_id = ? AND "
                                        "package_name = ? AND status <> 'CLOSED' AND "
                                        "(? = '' OR finding_type = ?)"));
  for (const auto& name : *names) {
    query->bind(1, resource_id).bind(2, name).bind(3, finding_type).bind(4, finding_type);
    VIGIL_TRY(collect(*query));
    query->reset();
  }
  return rows;
}

Result<void> close_missing(Conn& conn, std::vector<std::pair<std::int64_t, std::string>> open,
                           const std::unordered_set<std::string>& keep, Timestamp now,
                           ReconcileSummary& summary) {
  VIGIL_ASSIGN_OR_RETURN(auto close,
                         conn.statement("UPDATE findings SET status = 'CLOSED', closed_at = ?, "
                                        "updated_at = ? WHERE id = ?"));
  for (auto& [id, arn] : open) {
    if (keep.count(arn) != 0) {
      continue;
    }
    if (id == 0) {
      VIGIL_ASSIGN_OR_RETURN(
          auto find, conn.statement("SELECT id FROM findings WHERE arn = ? AND status <> 'CLOSED'"));
      find->bind(1, arn);
      VIGIL_ASSIGN_OR_RETURN(const bool found, find->step());
      if (!found) {
        continue;  // closed (or gone) already
      }
      id = find->column_int(0);
    }
    close->bind(1, now).bind(2, now).bind(3, id);
    VIGIL_TRY(close->run());
    VIGIL_TRY(add_history(conn, id, now, "CLOSED"));
    summary.changed_ids.push_back(std::move(arn));
    ++summary.closed;
  }
  return {};
}

Result<std::set<std::string>> SqliteStore::open_finding_ids(
    const std::string& resource_id, const std::string& finding_type,
    const std::set<std::string>& package_names) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(const auto rows,
                         open_findings(*conn, resource_id, finding_type, &package_names));
  std::set<std::string> ids;
  for (const auto& row : rows) {
    ids.insert(row.second);
  }
  return ids;
}

Result<void> SqliteStore::write_batch(const std::function<Result<void>()>& body) {
  return database_->batch(body);
}

Result<ReconcileSummary> SqliteStore::close_findings(const std::string& resource_id,
                                                     Timestamp now) {
  ReconcileSummary summary;
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto open, open_findings(*conn, resource_id, "", nullptr));
  VIGIL_TRY(close_missing(*conn, std::move(open), {}, now, summary));
  VIGIL_TRY(transaction.commit());
  return summary;
}

Result<void> SqliteStore::set_stale(const std::string& resource_id, bool stale) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto update, conn->statement("UPDATE findings SET stale = ? "
                                                      "WHERE resource_id = ? AND stale <> ?"));
  const std::int64_t flag = stale ? 1 : 0;
  update->bind(1, flag).bind(2, resource_id).bind(3, flag);
  VIGIL_TRY(update->run());
  return transaction.commit();
}

Result<std::optional<StoredFinding>> SqliteStore::finding(const std::string& arn) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query,
                         conn->statement(fmt::format("SELECT {} FROM findings AS f WHERE f.arn = ?",
                                                     kFindingReadColumns)));
  query->bind(1, arn);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<StoredFinding>();
  }
  VIGIL_ASSIGN_OR_RETURN(auto stored, read_finding_row(*query));
  return std::optional<StoredFinding>(std::move(stored));
}

Result<std::vector<std::pair<Timestamp, std::string>>> SqliteStore::finding_history(
    const std::string& arn) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(
      auto query, conn->statement("SELECT h.at, h.event FROM finding_history AS h JOIN findings "
                                  "AS f ON f.id = h.finding_id WHERE f.arn = ? "
                                  "ORDER BY h.at, h.rowid"));
  query->bind(1, arn);
  std::vector<std::pair<Timestamp, std::string>> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
    if (!row) {
      break;
    }
    out.emplace_back(query->column_int(0), std::string(query->column_text(1)));
  }
  return out;
}

Result<std::vector<std::string>> SqliteStore::set_suppressed(const Criteria& criteria,
                                                             bool suppressed,
                                                             const std::string& reason,
                                                             Timestamp now) {
  VIGIL_ASSIGN_OR_RETURN(auto condition, compile_finding_criteria(criteria));
  condition.and_with(suppressed ? "f.status = 'ACTIVE'" : "f.status = 'SUPPRESSED'");
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  std::vector<std::pair<std::int64_t, std::string>> matched;
  {
    VIGIL_ASSIGN_OR_RETURN(auto query,
                           conn->statement(fmt::format("SELECT f.id, f.arn FROM findings AS f "
                                                       "WHERE {} ORDER BY f.id",
                                                       condition.sql)));
    bind_values(*query, condition.values);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
      if (!row) {
        break;
      }
      matched.emplace_back(query->column_int(0), std::string(query->column_text(1)));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto update,
                         conn->statement("UPDATE findings SET status = ?, suppression_reason = ?, "
                                         "updated_at = ? WHERE id = ?"));
  const std::string event = suppressed ? fmt::format("SUPPRESSED: {}", reason) : "UNSUPPRESSED";
  std::vector<std::string> changed;
  changed.reserve(matched.size());
  for (auto& [id, arn] : matched) {
    update->bind(1, std::string_view(suppressed ? "SUPPRESSED" : "ACTIVE"))
        .bind(2, suppressed ? reason : std::string())
        .bind(3, now)
        .bind(4, id);
    VIGIL_TRY(update->run());
    VIGIL_TRY(add_history(*conn, id, now, event));
    changed.push_back(std::move(arn));
  }
  VIGIL_TRY(transaction.commit());
  return changed;
}

Result<void> SqliteStore::insert_findings(const std::function<Result<bool>(StoredFinding&)>& next) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  StoredFinding stored;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool more, next(stored));
    if (!more) {
      break;
    }
    VIGIL_ASSIGN_OR_RETURN(const auto columns, derive_columns(stored));
    VIGIL_TRY(write_finding(*conn, stored, columns, finding_to_json(stored)));
  }
  return transaction.commit();
}

}  // namespace vigil::store::internal

namespace vigil::store {

Result<void> bulk_insert_findings(Store& store,
                                  const std::function<Result<bool>(StoredFinding&)>& next) {
  auto* sqlite = dynamic_cast<internal::SqliteStore*>(&store);
  if (sqlite == nullptr) {
    return fail(Error::unsupported("bulk_insert_findings needs the SQLite store"));
  }
  return sqlite->insert_findings(next);
}

}  // namespace vigil::store
