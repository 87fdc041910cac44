// SqliteStore: coverage rows (one per resource and scan type), listing and statistics.
#include <array>

#include "store/internal/criteria_sql.hpp"
#include "store/internal/cursor.hpp"
#include "store/internal/sqlite_store.hpp"

namespace vigil::store::internal {

namespace {

constexpr std::string_view kCoverageTag = "coverage";
constexpr std::size_t kDefaultLimit = 100;
constexpr std::string_view kFrom = "coverage AS c LEFT JOIN resources AS r ON r.id = c.resource_id";

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kGroups{{
    {"SCAN_STATUS_CODE", "c.status_code"},
    {"SCAN_STATUS_REASON", "c.reason"},
    {"ACCOUNT_ID", "c.account_id"},
    {"RESOURCE_TYPE", "c.resource_type"},
    {"ECR_REPOSITORY_NAME", "json_extract(r.details, '$.repositoryName')"},
}};

}  // namespace

Result<void> SqliteStore::put_coverage(const CoverageRecord& row) {
  if (row.resource_id.empty() || row.scan_type.empty()) {
    return fail(Error::invalid_argument("coverage row needs a resource id and a scan type"));
  }
  auto conn = database_->writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  VIGIL_ASSIGN_OR_RETURN(
      auto upsert,
      conn->statement("INSERT OR REPLACE INTO coverage (resource_id, scan_type, account_id, "
                      "resource_type, status_code, reason, last_scanned_at, updated_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  upsert->bind(1, row.resource_id)
      .bind(2, row.scan_type)
      .bind(3, row.account_id)
      .bind(4, row.resource_type)
      .bind(5, row.status_code)
      .bind(6, row.reason)
      .bind(7, row.last_scanned_at)
      .bind(8, row.updated_at);
  VIGIL_TRY(upsert->run());
  return transaction.commit();
}

Result<Page<CoverageRecord>> SqliteStore::list_coverage(
    const Criteria& criteria, const std::vector<std::string>& account_scope, std::size_t limit,
    const std::string& cursor) {
  VIGIL_ASSIGN_OR_RETURN(auto condition, compile_coverage_criteria(criteria));
  restrict_to_accounts(condition, "c.account_id", account_scope);
  if (!cursor.empty()) {
    VIGIL_ASSIGN_OR_RETURN(auto after, decode_cursor(cursor, kCoverageTag, 2));
    condition.and_with("(c.resource_id, c.scan_type) > (?, ?)", std::move(after));
  }
  const std::size_t page_size = limit == 0 ? kDefaultLimit : limit;
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(
      auto query,
      conn->statement(fmt::format("SELECT c.resource_id, c.scan_type, c.account_id, "
                                  "c.resource_type, c.status_code, c.reason, c.last_scanned_at, "
                                  "c.updated_at FROM {} WHERE {} "
                                  "ORDER BY c.resource_id, c.scan_type LIMIT ?",
                                  kFrom, condition.sql)));
  bind_values(*query, condition.values);
  query->bind(static_cast<int>(condition.values.size()) + 1,
              static_cast<std::int64_t>(std::min<std::size_t>(page_size, INT64_MAX - 1) + 1));
  Page<CoverageRecord> page;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
    if (!row) {
      break;
    }
    if (page.items.size() == page_size) {
      const auto& last = page.items.back();
      page.next_cursor = encode_cursor(kCoverageTag, {last.resource_id, last.scan_type});
      break;
    }
    CoverageRecord record;
    record.resource_id = std::string(query->column_text(0));
    record.scan_type = std::string(query->column_text(1));
    record.account_id = std::string(query->column_text(2));
    record.resource_type = std::string(query->column_text(3));
    record.status_code = std::string(query->column_text(4));
    record.reason = std::string(query->column_text(5));
    record.last_scanned_at = query->column_int(6);
    record.updated_at = query->column_int(7);
    page.items.push_back(std::move(record));
  }
  return page;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqliteStore::coverage_statistics(
    const Criteria& criteria, const std::vector<std::string>& account_scope,
    const std::string& group_by) {
  std::string_view group_expr;
  if (!group_by.empty()) {
    for (const auto& [name, expr] : kGroups) {
      if (name == group_by) {
        group_expr = expr;
      }
    }
    if (group_expr.empty()) {
      return fail(Error::invalid_argument("unknown coverage group key '{}'", group_by));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto condition, compile_coverage_criteria(criteria));
  restrict_to_accounts(condition, "c.account_id", account_scope);
  const std::string sql =
      group_expr.empty()
          ? fmt::format("SELECT '', count(*) FROM {} WHERE {}", kFrom, condition.sql)
          : fmt::format(
                "SELECT {0} AS g, count(*) AS n FROM {1} WHERE {2} AND {0} IS NOT NULL "
                "GROUP BY g ORDER BY n DESC, g",
                group_expr, kFrom, condition.sql);
  VIGIL_ASSIGN_OR_RETURN(auto conn, database_->reader());
  VIGIL_ASSIGN_OR_RETURN(auto query, conn->statement(sql));
  bind_values(*query, condition.values);
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
    if (!row) {
      break;
    }
    out.emplace_back(std::string(query->column_text(0)), query->column_int(1));
  }
  return out;
}

}  // namespace vigil::store::internal
