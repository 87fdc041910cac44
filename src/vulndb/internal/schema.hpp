// Internal: the SQLite schema of the vulnerability database (documented in docs/vulndb.md).
#pragma once

namespace vigil::vulndb::internal {

// Page size of newly created database files.
inline constexpr int kPageSize = 16384;

// Secondary indexes keyed by random text: an import into an empty database drops them inside its
// transaction and rebuilds them before COMMIT (same definitions as in kSchemaSql).
struct IndexDefinition {
  const char* name;
  const char* create;
};
inline constexpr IndexDefinition kBulkIndexes[] = {
    {"advisories_id", "CREATE INDEX IF NOT EXISTS advisories_id ON advisories(id)"},
    {"aliases_alias", "CREATE INDEX IF NOT EXISTS aliases_alias ON aliases(alias)"},
    {"affected_key", "CREATE INDEX IF NOT EXISTS affected_key ON affected(ecosystem, name)"},
};

// Forward migrations: kMigrations[v - 1] takes a schema-v database to v + 1.
inline constexpr const char* kMigrations[] = {
    // v1 -> v2: lookups by vulnerability id alone (the UNIQUE index leads with source).
    "CREATE INDEX IF NOT EXISTS advisories_id ON advisories(id);",
    // v2 -> v3: KEV removals in the change feed.
    "CREATE TABLE IF NOT EXISTS kev_removed(db_version INTEGER NOT NULL, cve_id TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS kev_removed_version ON kev_removed(db_version);",
};

inline constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisories(
  rowid INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '',
  published TEXT NOT NULL DEFAULT '',
  modified TEXT NOT NULL DEFAULT '',
  withdrawn TEXT NOT NULL DEFAULT '',
  severity_label TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  extra TEXT NOT NULL DEFAULT '{}',
  cpe_configurations TEXT NOT NULL DEFAULT '',
  raw TEXT NOT NULL DEFAULT '',
  content_hash TEXT NOT NULL,
  db_version INTEGER NOT NULL,
  UNIQUE(source, id));
CREATE INDEX IF NOT EXISTS advisories_id ON advisories(id);
CREATE TABLE IF NOT EXISTS aliases(
  advisory INTEGER NOT NULL REFERENCES advisories(rowid) ON DELETE CASCADE,
  alias TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS aliases_alias ON aliases(alias);
CREATE INDEX IF NOT EXISTS aliases_advisory ON aliases(advisory);
CREATE TABLE IF NOT EXISTS affected(
  advisory INTEGER NOT NULL REFERENCES advisories(rowid) ON DELETE CASCADE,
  ecosystem TEXT NOT NULL,
  release TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  purl TEXT NOT NULL DEFAULT '',
  ranges TEXT NOT NULL DEFAULT '[]',
  versions TEXT NOT NULL DEFAULT '[]',
  severity TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS affected_key ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected(advisory);
CREATE TABLE IF NOT EXISTS severities(
  advisory INTEGER NOT NULL REFERENCES advisories(rowid) ON DELETE CASCADE,
  type TEXT NOT NULL,
  vector TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  score REAL);
CREATE INDEX IF NOT EXISTS severities_advisory ON severities(advisory);
CREATE TABLE IF NOT EXISTS kev(
  cve_id TEXT PRIMARY KEY,
  vendor_project TEXT NOT NULL DEFAULT '',
  product TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  date_added TEXT NOT NULL DEFAULT '',
  due_date TEXT NOT NULL DEFAULT '',
  ransomware INTEGER NOT NULL DEFAULT 0,
  required_action TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  db_version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kev_removed(db_version INTEGER NOT NULL, cve_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kev_removed_version ON kev_removed(db_version);
CREATE TABLE IF NOT EXISTS epss(
  cve_id TEXT PRIMARY KEY,
  epss REAL NOT NULL,
  percentile REAL NOT NULL,
  score_date TEXT NOT NULL DEFAULT '',
  model_version TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS imports(
  db_version INTEGER PRIMARY KEY,
  imported_at TEXT NOT NULL,
  label TEXT NOT NULL,
  summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes(
  db_version INTEGER NOT NULL,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_version ON changes(db_version);
CREATE TABLE IF NOT EXISTS change_keys(
  db_version INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS change_keys_version ON change_keys(db_version);
)sql";

}  // namespace vigil::vulndb::internal
