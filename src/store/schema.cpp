#include "store/internal/schema.hpp"

#include <array>
#include <string_view>

namespace vigil::store::internal {

namespace {

// Migration N takes the schema from version N-1 to N. Append new steps; never edit old ones.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE organization (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  json TEXT NOT NULL
);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  role INTEGER NOT NULL,
  ec2 INTEGER NOT NULL, ecr INTEGER NOT NULL, lambda INTEGER NOT NULL,
  lambda_code INTEGER NOT NULL,
  relationship_status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE resources (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  details_json TEXT NOT NULL,
  details TEXT NOT NULL,
  ecr_image_pulled_at INTEGER,
  ecr_last_in_use_at INTEGER,
  ecr_in_use_count REAL,
  state TEXT NOT NULL,
  scan_mode TEXT NOT NULL,
  inventory_hash TEXT NOT NULL,
  inventory_reported_at INTEGER NOT NULL,
  last_scanned_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX resources_account_type ON resources (account_id, type);
CREATE TABLE inventories (
  resource_id TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE inventory_packages (
  resource_id TEXT NOT NULL REFERENCES inventories (resource_id) ON DELETE CASCADE,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, resource_id)
) WITHOUT ROWID;
CREATE INDEX inventory_packages_resource ON inventory_packages (resource_id);
CREATE TABLE coverage (
  resource_id TEXT NOT NULL,
  scan_type TEXT NOT NULL,
  account_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  status_code TEXT NOT NULL,
  reason TEXT NOT NULL,
  last_scanned_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (resource_id, scan_type)
);
CREATE INDEX coverage_account ON coverage (account_id);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  finding_type TEXT NOT NULL,
  region TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  status TEXT NOT NULL,
  suppression_reason TEXT NOT NULL,
  vulnerability_id TEXT NOT NULL,
  vulnerability_source TEXT NOT NULL,
  vendor_severity TEXT NOT NULL,
  title TEXT NOT NULL,
  inspector_score REAL NOT NULL,
  vigil_risk REAL NOT NULL,
  epss REAL,
  exploit_available TEXT NOT NULL,
  fix_available TEXT NOT NULL,
  fixed_in TEXT NOT NULL,
  first_observed_at INTEGER NOT NULL,
  last_observed_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  closed_at INTEGER NOT NULL,
  stale INTEGER NOT NULL,
  ec2_image_id TEXT NOT NULL,
  ecr_repository TEXT NOT NULL,
  ecr_registry TEXT NOT NULL,
  ecr_pushed_at INTEGER,
  ecr_last_in_use_at INTEGER,
  ecr_in_use_count REAL,
  lambda_function_name TEXT NOT NULL,
  lambda_runtime TEXT NOT NULL,
  lambda_last_modified_at INTEGER,
  layer TEXT NOT NULL,
  network_protocol TEXT NOT NULL,
  component_type TEXT NOT NULL,
  port_begin INTEGER,
  port_end INTEGER,
  details TEXT NOT NULL,
  network TEXT NOT NULL,
  related TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX findings_resource ON findings (resource_id, finding_type, status);
CREATE INDEX findings_severity ON findings (severity_rank, last_observed_at, arn);
CREATE INDEX findings_account_severity
  ON findings (account_id, severity_rank, last_observed_at, arn);
CREATE INDEX findings_last_observed ON findings (last_observed_at, arn);
CREATE INDEX findings_first_observed ON findings (first_observed_at, arn);
CREATE INDEX findings_vulnerability ON findings (vulnerability_id, arn);
CREATE INDEX findings_score ON findings (inspector_score, arn);
CREATE INDEX findings_status_account
  ON findings (status, account_id, severity_rank, exploit_available, fix_available);
CREATE INDEX findings_status_type
  ON findings (status, finding_type, severity_rank, exploit_available, fix_available);
CREATE INDEX findings_status_resource
  ON findings (status, resource_type, resource_id, severity_rank, finding_type);
CREATE INDEX findings_status_title
  ON findings (status, title, vulnerability_id, severity_rank);
CREATE TABLE finding_packages (
  finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  epoch INTEGER,
  release TEXT NOT NULL,
  architecture TEXT NOT NULL,
  source_layer_hash TEXT NOT NULL,
  source_lambda_layer_arn TEXT NOT NULL,
  file_path TEXT NOT NULL
);
CREATE INDEX finding_packages_finding ON finding_packages (finding_id, name);
CREATE INDEX finding_packages_name ON finding_packages (name, finding_id);
CREATE TABLE finding_tags (
  finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (finding_id, key)
) WITHOUT ROWID;
CREATE INDEX finding_tags_key ON finding_tags (key, value, finding_id);
CREATE TABLE finding_history (
  finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX finding_history_finding ON finding_history (finding_id, at);
CREATE TABLE filters (
  arn TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  action TEXT NOT NULL,
  criteria TEXT NOT NULL,
  criteria_json TEXT NOT NULL,
  description TEXT NOT NULL,
  reason TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX filters_owner ON filters (owner_id);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'failed')),
  error TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL
);
CREATE INDEX jobs_state ON jobs (state, id);
CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  account_id TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL
);
CREATE TABLE reports (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  account_id TEXT NOT NULL,
  format TEXT NOT NULL,
  status TEXT NOT NULL,
  error_code TEXT NOT NULL,
  error_message TEXT NOT NULL,
  request_json TEXT NOT NULL,
  destination TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";

// v2: the finding's package name as a column, so a partial re-scan finds the open findings of a
// few packages of one resource through an index instead of reading all of them.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE findings ADD COLUMN package_name TEXT NOT NULL DEFAULT '';
UPDATE findings SET package_name = COALESCE(
  (SELECT name FROM finding_packages WHERE finding_id = findings.id LIMIT 1), '');
CREATE INDEX findings_resource_package ON findings (resource_id, package_name, status);
)sql";

constexpr std::array<std::string_view, kSchemaVersion> kMigrations = {kV1, kV2};

Result<int> current_version(sql::Connection& connection) {
  // Touching sqlite_master is what first reads the file: a non-database fails here.
  VIGIL_ASSIGN_OR_RETURN(
      auto probe, connection.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                     "AND name = 'schema_version'"));
  VIGIL_ASSIGN_OR_RETURN(const bool has_row, probe.step());
  if (!has_row || probe.column_int(0) == 0) {
    return 0;
  }
  VIGIL_ASSIGN_OR_RETURN(auto query, connection.prepare("SELECT max(version) FROM schema_version"));
  VIGIL_ASSIGN_OR_RETURN(const bool has_version, query.step());
  if (!has_version || query.column_is_null(0)) {
    return 0;
  }
  return static_cast<int>(query.column_int(0));
}

}  // namespace

Result<int> migrate(sql::Connection& connection) {
  VIGIL_ASSIGN_OR_RETURN(int version, current_version(connection));
  if (version > kSchemaVersion) {
    return fail(Error::unsupported(
        "store schema version {} is newer than this build supports ({}); upgrade vigil", version,
        kSchemaVersion));
  }
  while (version < kSchemaVersion) {
    VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(connection));
    // Re-read inside the write lock: another process may have migrated meanwhile.
    VIGIL_ASSIGN_OR_RETURN(version, current_version(connection));
    if (version >= kSchemaVersion) {
      break;
    }
    if (version == 0) {
      VIGIL_TRY(
          connection.exec("CREATE TABLE IF NOT EXISTS schema_version ("
                          "version INTEGER NOT NULL, applied_at INTEGER NOT NULL)"));
    }
    const auto step = kMigrations[static_cast<std::size_t>(version)];
    auto applied = connection.exec(step);
    if (!applied) {
      return fail(applied.error().with_context(fmt::format("migration to v{}", version + 1)));
    }
    VIGIL_ASSIGN_OR_RETURN(
        auto record,
        connection.prepare("INSERT INTO schema_version (version, applied_at) VALUES "
                           "(?, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))"));
    record.bind(1, static_cast<int64_t>(version + 1));
    VIGIL_TRY(record.run());
    VIGIL_TRY(transaction.commit());
    ++version;
  }
  return version;
}

}  // namespace vigil::store::internal
