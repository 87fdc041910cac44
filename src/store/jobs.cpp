// SqliteStore: suppression filters, the persistent scan queue, access keys, report jobs and the
// small key/value meta table.
#include <algorithm>

#include "store/internal/codec.hpp"
#include "store/internal/criteria_sql.hpp"
#include "store/internal/sqlite_store.hpp"

namespace vigil::store::internal {

namespace {

constexpr std::string_view kFilterColumns =
    "arn, owner_id, name, action, criteria, criteria_json, description, reason, tags_json, "
    "created_at, updated_at";

Result<FilterRecord> read_filter(const sql::Statement& row) {
  FilterRecord filter;
  filter.arn = std::string(row.column_text(0));
  filter.owner_id = std::string(row.column_text(1));
  filter.name = std::string(row.column_text(2));
  filter.action = std::string(row.column_text(3));
  VIGIL_ASSIGN_OR_RETURN(filter.criteria, criteria_from_json(row.column_text(4)));
  filter.criteria_json = std::string(row.column_text(5));
  filter.description = std::string(row.column_text(6));
  filter.reason = std::string(row.column_text(7));
  VIGIL_ASSIGN_OR_RETURN(filter.tags, tags_from_json(row.column_text(8)));
  filter.created_at = row.column_int(9);
  filter.updated_at = row.column_int(10);
  return filter;
}

Job read_job(const sql::Statement& row) {
  Job job;
  job.id = row.column_int(0);
  job.kind = std::string(row.column_text(1));
  job.resource_id = std::string(row.column_text(2));
  job.payload = std::string(row.column_text(3));
  job.attempts = static_cast<int>(row.column_int(4));
  job.enqueued_at = row.column_int(5);
  return job;
}

constexpr std::string_view kReportColumns =
    "id, kind, account_id, format, status, error_code, error_message, request_json, destination, "
    "created_at, updated_at";

}  // namespace

Result<void> SqliteStore::put_filter(const FilterRecord& filter) {
  if (filter.arn.empty()) {
    return fail(Error::invalid_argument("filter arn is empty"));
  }
  // A filter the store could not evaluate is rejected now, not when it is applied.
  if (auto compiled = compile_finding_criteria(filter.criteria); !compiled) {
    return fail(compiled.error().with_context(fmt::format("filter {}", filter.arn)));
  }
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto upsert,
                         conn->statement(fmt::format("INSERT OR REPLACE INTO filters ({}) VALUES "
                                                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                                     kFilterColumns)));
  upsert->bind(1, filter.arn)
      .bind(2, filter.owner_id)
      .bind(3, filter.name)
      .bind(4, filter.action)
      .bind(5, criteria_to_json(filter.criteria))
      .bind(6, filter.criteria_json)
      .bind(7, filter.description)
      .bind(8, filter.reason)
      .bind(9, tags_to_json(filter.tags))
      .bind(10, filter.created_at)
      .bind(11, filter.updated_at);
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

Result<std::optional<FilterRecord>> SqliteStore::filter(const std::string& arn) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement(fmt::format(
                                         "SELECT {} FROM filters WHERE arn = ?", kFilterColumns)));
  query->bind(1, arn);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<FilterRecord>();
  }
  VIGIL_ASSIGN_OR_RETURN(auto filter, read_filter(*query));
  return std::optional<FilterRecord>(std::move(filter));
}

Result<std::vector<FilterRecord>> SqliteStore::filters(const std::string& owner_id) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query,
                         conn->statement(fmt::format("SELECT {} FROM filters WHERE ? = '' OR "
                                                     "owner_id = ? ORDER BY created_at, arn",
                                                     kFilterColumns)));
  query->bind(1, owner_id).bind(2, owner_id);
  std::vector<FilterRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
    if (!row) {
      break;
    }
    VIGIL_ASSIGN_OR_RETURN(auto filter, read_filter(*query));
    out.push_back(std::move(filter));
  }
  return out;
}

Result<bool> SqliteStore::delete_filter(const std::string& arn) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto remove, conn->statement("DELETE FROM filters WHERE arn = ?"));
  remove->bind(1, arn);
  VIGIL_TRY(remove->run());
  const bool removed = conn->connection().changes() > 0;
  VIGIL_TRY(transaction.commit());
  return removed;
}

namespace {

Result<void> insert_job(Conn& conn, const Job& job) {
  if (job.kind.empty()) {
    return fail(Error::invalid_argument("job kind is empty"));
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto insert,
      conn.statement("INSERT INTO jobs (kind, resource_id, payload, attempts, enqueued_at, "
                     "state, error, claimed_at, finished_at) "
                     "VALUES (?, ?, ?, ?, ?, 'queued', '', 0, 0)"));
  insert->bind(1, job.kind)
      .bind(2, job.resource_id)
      .bind(3, job.payload)
      .bind(4, static_cast<std::int64_t>(job.attempts))
      .bind(5, job.enqueued_at != 0 ? job.enqueued_at : now_ms());
  return insert->run();
}

}  // namespace

Result<std::int64_t> SqliteStore::enqueue(const Job& job) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_TRY(insert_job(*conn, job));
  const std::int64_t id = conn->connection().last_insert_rowid();
  VIGIL_TRY(transaction.commit());
  return id;
}

Result<void> SqliteStore::enqueue_all(const std::vector<Job>& jobs) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  for (const auto& job : jobs) {
    VIGIL_TRY(insert_job(*conn, job));
  }
  return transaction.commit();
}

Result<std::optional<Job>> SqliteStore::claim_next() {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(
      auto claim,
      conn->statement("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                      "claimed_at = ? WHERE id = (SELECT id FROM jobs WHERE state = 'queued' "
                      "ORDER BY id LIMIT 1) RETURNING id, kind, resource_id, payload, attempts, "
                      "enqueued_at"));
  claim->bind(1, now_ms());
  VIGIL_ASSIGN_OR_RETURN(const bool found, claim->step());
  std::optional<Job> job;
  if (found) {
    job = read_job(*claim);
    VIGIL_ASSIGN_OR_RETURN(const bool more, claim->step());
    (void)more;
  }
  VIGIL_TRY(transaction.commit());
  return job;
}

Result<std::vector<Job>> SqliteStore::claim_jobs(const std::string& kind, std::size_t max) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(
      auto claim,
      conn->statement("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                      "claimed_at = ? WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' "
                      "AND kind = ? ORDER BY id LIMIT ?) RETURNING id, kind, resource_id, "
                      "payload, attempts, enqueued_at"));
  claim->bind(1, now_ms()).bind(2, kind).bind(3, static_cast<std::int64_t>(max));
  std::vector<Job> jobs;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool found, claim->step());
    if (!found) {
      break;
    }
    jobs.push_back(read_job(*claim));
  }
  VIGIL_TRY(transaction.commit());
  std::sort(jobs.begin(), jobs.end(), [](const Job& lhs, const Job& rhs) { return lhs.id < rhs.id; });
  return jobs;
}

Result<void> SqliteStore::complete(std::int64_t job_id, bool ok, const std::string& error) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  if (ok) {
    VIGIL_ASSIGN_OR_RETURN(auto remove, conn->statement("DELETE FROM jobs WHERE id = ?"));
    remove->bind(1, job_id);
    VIGIL_TRY(remove->run());
  } else {
    VIGIL_ASSIGN_OR_RETURN(auto mark,
                           conn->statement("UPDATE jobs SET state = 'failed', error = ?, "
                                           "finished_at = ? WHERE id = ?"));
    mark->bind(1, error).bind(2, now_ms()).bind(3, job_id);
    VIGIL_TRY(mark->run());
  }
  if (conn->connection().changes() == 0) {
    return fail(Error::not_found("job {} does not exist", job_id));
  }
  return transaction.commit();
}

Result<std::size_t> SqliteStore::requeue_running() {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto requeue, conn->statement("UPDATE jobs SET state = 'queued' "
                                                       "WHERE state = 'running'"));
  VIGIL_TRY(requeue->run());
  const auto changed = static_cast<std::size_t>(conn->connection().changes());
  VIGIL_TRY(transaction.commit());
  return changed;
}

Result<std::size_t> SqliteStore::pending_jobs() {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query,
                         conn->statement("SELECT count(*) FROM jobs WHERE state = 'queued'"));
  VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
  return row ? static_cast<std::size_t>(query->column_int(0)) : 0;
}

Result<void> SqliteStore::put_key(const AccessKey& key) {
  if (key.access_key_id.empty()) {
    return fail(Error::invalid_argument("access key id is empty"));
  }
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(
      auto upsert,
      conn->statement("INSERT OR REPLACE INTO access_keys (access_key_id, secret, account_id, "
                      "role, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?)"));
  upsert->bind(1, key.access_key_id)
      .bind(2, key.secret)
      .bind(3, key.account_id)
      .bind(4, key.role)
      .bind(5, key.created_at)
      .bind(6, static_cast<std::int64_t>(key.disabled ? 1 : 0));
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

Result<std::optional<AccessKey>> SqliteStore::key(const std::string& access_key_id) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(
      auto query, conn->statement("SELECT access_key_id, secret, account_id, role, created_at, "
                                  "disabled FROM access_keys WHERE access_key_id = ?"));
  query->bind(1, access_key_id);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<AccessKey>();
  }
  AccessKey key;
  key.access_key_id = std::string(query->column_text(0));
  key.secret = std::string(query->column_text(1));
  key.account_id = std::string(query->column_text(2));
  key.role = std::string(query->column_text(3));
  key.created_at = query->column_int(4);
  key.disabled = query->column_int(5) != 0;
  return std::optional<AccessKey>(std::move(key));
}

Result<void> SqliteStore::put_report(const ReportRecord& report) {
  if (report.id.empty()) {
    return fail(Error::invalid_argument("report id is empty"));
  }
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto upsert,
                         conn->statement(fmt::format("INSERT OR REPLACE INTO reports ({}) VALUES "
                                                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                                     kReportColumns)));
  upsert->bind(1, report.id)
      .bind(2, report.kind)
      .bind(3, report.account_id)
      .bind(4, report.format)
      .bind(5, report.status)
      .bind(6, report.error_code)
      .bind(7, report.error_message)
      .bind(8, report.request_json)
      .bind(9, report.destination)
      .bind(10, report.created_at)
      .bind(11, report.updated_at);
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

Result<std::optional<ReportRecord>> SqliteStore::report(const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement(fmt::format(
                                         "SELECT {} FROM reports WHERE id = ?", kReportColumns)));
  query->bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<ReportRecord>();
  }
  ReportRecord report;
  report.id = std::string(query->column_text(0));
  report.kind = std::string(query->column_text(1));
  report.account_id = std::string(query->column_text(2));
  report.format = std::string(query->column_text(3));
  report.status = std::string(query->column_text(4));
  report.error_code = std::string(query->column_text(5));
  report.error_message = std::string(query->column_text(6));
  report.request_json = std::string(query->column_text(7));
  report.destination = std::string(query->column_text(8));
  report.created_at = query->column_int(9);
  report.updated_at = query->column_int(10);
  return std::optional<ReportRecord>(std::move(report));
}

Result<std::optional<std::string>> SqliteStore::meta(const std::string& key) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement("SELECT value FROM meta WHERE key = ?"));
  query->bind(1, key);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::string(query->column_text(0)));
}

Result<void> SqliteStore::put_meta(const std::string& key, const std::string& value) {
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(auto upsert,
                         conn->statement("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
  upsert->bind(1, key).bind(2, value);
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

}  // namespace vigil::store::internal
