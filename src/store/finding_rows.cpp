#include "store/internal/finding_rows.hpp"

#include <array>
#include <string>

#include "store/internal/codec.hpp"

namespace vigil::store::internal {

namespace {

// The findings columns written by write_finding(), in bind order.
constexpr std::array<std::string_view, 44> kWriteColumns = {"arn",
                                                            "account_id",
                                                            "resource_id",
                                                            "resource_type",
                                                            "finding_type",
                                                            "region",
                                                            "severity",
                                                            "severity_rank",
                                                            "status",
                                                            "suppression_reason",
                                                            "vulnerability_id",
                                                            "vulnerability_source",
                                                            "vendor_severity",
                                                            "title",
                                                            "inspector_score",
                                                            "vigil_risk",
                                                            "epss",
                                                            "exploit_available",
                                                            "fix_available",
                                                            "fixed_in",
                                                            "first_observed_at",
                                                            "last_observed_at",
                                                            "updated_at",
                                                            "closed_at",
                                                            "stale",
                                                            "ec2_image_id",
                                                            "ecr_repository",
                                                            "ecr_registry",
                                                            "ecr_pushed_at",
                                                            "ecr_last_in_use_at",
                                                            "ecr_in_use_count",
                                                            "lambda_function_name",
                                                            "lambda_runtime",
                                                            "lambda_last_modified_at",
                                                            "layer",
                                                            "network_protocol",
                                                            "component_type",
                                                            "port_begin",
                                                            "port_end",
                                                            "details",
                                                            "network",
                                                            "related",
                                                            "json",
                                                            "package_name"};
constexpr std::size_t kWriteCount = kWriteColumns.size();

const std::string& upsert_sql() {
  static const std::string kSql = [] {
    std::string names;
    std::string marks;
    std::string updates;
    for (std::size_t index = 0; index < kWriteCount; ++index) {
      const std::string_view name = kWriteColumns[index];
      names += index == 0 ? std::string(name) : ", " + std::string(name);
      marks += index == 0 ? "?" : ", ?";
      if (name != "arn") {
        updates += fmt::format("{}{} = excluded.{}", updates.empty() ? "" : ", ", name, name);
      }
    }
    return fmt::format(
        "INSERT INTO findings ({}) VALUES ({}) ON CONFLICT (arn) DO UPDATE SET {} "
        "RETURNING id",
        names, marks, updates);
  }();
  return kSql;
}

template <class T>
void bind_optional(sql::Statement& statement, int index, const std::optional<T>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind_null(index);
  }
}

}  // namespace

Result<StoredFinding> read_finding_row(const sql::Statement& row, int first) {
  VIGIL_ASSIGN_OR_RETURN(auto finding, finding_from_json(row.column_text(first)));
  const auto status = parse_finding_status(row.column_text(first + 1));
  if (!status) {
    return fail(Error::internal("finding {}: stored status '{}' is unknown", finding.finding.id,
                                row.column_text(first + 1)));
  }
  finding.finding.status = *status;
  finding.finding.suppression_reason = std::string(row.column_text(first + 2));
  finding.first_observed_at = row.column_int(first + 3);
  finding.last_observed_at = row.column_int(first + 4);
  finding.updated_at = row.column_int(first + 5);
  finding.closed_at = row.column_int(first + 6);
  finding.stale = row.column_int(first + 7) != 0;
  return finding;
}

Result<std::int64_t> write_finding(Conn& conn, const StoredFinding& stored,
                                   const FindingColumns& columns, std::string_view document) {
  const model::Finding& finding = stored.finding;
  VIGIL_ASSIGN_OR_RETURN(auto upsert, conn.statement(upsert_sql()));
  sql::Statement& s = *upsert;
  s.bind(1, finding.id)
      .bind(2, finding.account_id)
      .bind(3, finding.resource_id)
      .bind(4, stored.resource_type)
      .bind(5, stored.type)
      .bind(6, stored.region)
      .bind(7, columns.severity)
      .bind(8, static_cast<std::int64_t>(columns.severity_rank))
      .bind(9, model::finding_status_name(finding.status))
      .bind(10, finding.suppression_reason)
      .bind(11, finding.vulnerability_id)
      .bind(12, columns.vulnerability_source)
      .bind(13, finding.vendor_severity)
      .bind(14, columns.title)
      .bind(15, finding.inspector_score)
      .bind(16, finding.vigil_risk);
  bind_optional(s, 17, finding.epss);
  s.bind(18, columns.exploit_available)
      .bind(19, columns.fix_available)
      .bind(20, finding.fixed_in)
      .bind(21, stored.first_observed_at)
      .bind(22, stored.last_observed_at)
      .bind(23, stored.updated_at)
      .bind(24, stored.closed_at)
      .bind(25, static_cast<std::int64_t>(stored.stale ? 1 : 0))
      .bind(26, columns.ec2_image_id)
      .bind(27, columns.ecr_repository)
      .bind(28, columns.ecr_registry);
  bind_optional(s, 29, columns.ecr_pushed_at);
  bind_optional(s, 30, columns.ecr_last_in_use_at);
  bind_optional(s, 31, columns.ecr_in_use_count);
  s.bind(32, columns.lambda_function_name).bind(33, columns.lambda_runtime);
  bind_optional(s, 34, columns.lambda_last_modified_at);
  s.bind(35, columns.layer).bind(36, columns.network_protocol).bind(37, columns.component_type);
  bind_optional(s, 38, columns.port_begin);
  bind_optional(s, 39, columns.port_end);
  s.bind(40, columns.details)
      .bind(41, columns.network)
      .bind(42, columns.related)
      .bind(43, document)
      .bind(44, finding.package.name);
  VIGIL_ASSIGN_OR_RETURN(const bool returned, s.step());
  if (!returned) {
    return fail(Error::internal("finding {}: upsert returned no row id", finding.id));
  }
  const std::int64_t id = s.column_int(0);
  VIGIL_ASSIGN_OR_RETURN(const bool more, s.step());  // run to completion
  (void)more;

  VIGIL_ASSIGN_OR_RETURN(auto clear_packages,
                         conn.statement("DELETE FROM finding_packages WHERE finding_id = ?"));
  clear_packages->bind(1, id);
  VIGIL_TRY(clear_packages->run());
  VIGIL_ASSIGN_OR_RETURN(auto clear_tags,
                         conn.statement("DELETE FROM finding_tags WHERE finding_id = ?"));
  clear_tags->bind(1, id);
  VIGIL_TRY(clear_tags->run());

  VIGIL_ASSIGN_OR_RETURN(
      auto package_insert,
      conn.statement("INSERT INTO finding_packages (finding_id, name, version, epoch, release, "
                     "architecture, source_layer_hash, source_lambda_layer_arn, file_path) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const auto& package : columns.packages) {
    package_insert->bind(1, id).bind(2, package.name).bind(3, package.version);
    bind_optional(*package_insert, 4, package.epoch);
    package_insert->bind(5, package.release)
        .bind(6, package.architecture)
        .bind(7, package.source_layer_hash)
        .bind(8, package.source_lambda_layer_arn)
        .bind(9, package.file_path);
    VIGIL_TRY(package_insert->run());
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto tag_insert,
      conn.statement("INSERT INTO finding_tags (finding_id, key, value) VALUES (?, ?, ?)"));
  for (const auto& [key, value] : stored.resource_tags) {
    tag_insert->bind(1, id).bind(2, key).bind(3, value);
    VIGIL_TRY(tag_insert->run());
  }
  return id;
}

}  // namespace vigil::store::internal
