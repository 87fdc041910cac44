// The vulnerability database: one directory holding a SQLite file (schema in docs/vulndb.md)
// with advisories normalised for matching, the raw source records, KEV and EPSS, and a change
// feed. Every import is one transaction: readers see the old database or the new, never half.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "model/advisory.hpp"
#include "model/diagnostic.hpp"
#include "vulndb/importer.hpp"

namespace vigil::vulndb {

inline constexpr int64_t kSchemaVersion = 3;

enum class ChangeKind { kAdded, kModified, kWithdrawn };
std::string_view change_kind_name(ChangeKind kind);

struct ImportSummary {
  int64_t db_version = 0;  // the version this import produced (unchanged if nothing changed)
  size_t added = 0;
  size_t modified = 0;
  size_t unchanged = 0;
  size_t withdrawn = 0;
  size_t kev = 0;          // CVEs newly in KEV
  size_t kev_removed = 0;  // CVEs no longer in the imported KEV catalogue (dropped)
  size_t epss = 0;         // EPSS scores new or different from the stored ones
  size_t skipped = 0;      // malformed records
  size_t files = 0;
  size_t files_ignored = 0;
  std::vector<model::Diagnostic> diagnostics;
};

struct SourceStatus {
  std::string source;
  std::string ecosystem;  // "" for sources without ecosystems (nvd, kev, epss)
  int64_t records = 0;
};

struct DbStatus {
  int64_t schema_version = 0;
  int64_t db_version = 0;
  std::string last_import;  // RFC 3339, "" when never imported
  std::vector<SourceStatus> counts;
  int64_t advisories = 0;
  int64_t withdrawn = 0;
  int64_t kev = 0;
  int64_t epss = 0;
  std::string epss_date;
};

struct ChangedAdvisory {
  int64_t db_version = 0;
  std::string source;
  std::string id;
  ChangeKind kind = ChangeKind::kAdded;
};

// A package key the change touched: the matcher re-evaluates only these.
struct ChangedKey {
  std::string ecosystem;  // OSV spelling
  std::string name;

  friend bool operator==(const ChangedKey&, const ChangedKey&) = default;
  friend auto operator<=>(const ChangedKey&, const ChangedKey&) = default;
};

struct ChangeSet {
  int64_t from_version = 0;  // exclusive
  int64_t to_version = 0;    // inclusive
  std::vector<ChangedAdvisory> advisories;
  std::vector<ChangedKey> keys;
  std::vector<std::string> kev_added;    // CVE ids newly in KEV
  std::vector<std::string> kev_removed;  // CVE ids dropped from KEV (and not re-added since)
  bool epss_changed = false;             // some EPSS score was added or changed
};

// One affected package entry of one advisory, as the matcher index loads it.
struct AffectedRow {
  const model::Advisory* advisory = nullptr;  // id, aliases, severities (no raw, no details)
  const model::AffectedPackage* package = nullptr;
};

class Database {
 public:
  // Opens the database in `dir`, creating the directory and schema when `create` is true.
  // Returns kNotFound when it does not exist and `create` is false, kUnsupported for a newer
  // schema, kIo for an unreadable file. A Database is not thread-safe; open one per thread.
  [[nodiscard]] static Result<std::unique_ptr<Database>> open(const std::filesystem::path& dir,
                                                              bool create);
  virtual ~Database() = default;

  // Starts an import transaction. Records added with `add` become visible at `commit`, all at
  // once; destroying the session without commit leaves the database untouched.
  class ImportSession {
   public:
    virtual ~ImportSession() = default;
    // Writes `batch` (advisories upserted by source+id; identical content counts as unchanged).
    [[nodiscard]] virtual Result<void> add(ImportBatch&& batch) = 0;
    // Records the change feed and the new database version, then commits.
    [[nodiscard]] virtual Result<ImportSummary> commit(std::string_view label) = 0;
  };
  [[nodiscard]] virtual Result<std::unique_ptr<ImportSession>> begin_import() = 0;

  [[nodiscard]] virtual Result<DbStatus> status() = 0;

  // Every record whose id or alias is `id`, and every record that shares an alias with those
  // (so "CVE-2023-4863" finds the NVD record, GHSA/OSV records and distro advisories).
  [[nodiscard]] virtual Result<std::vector<model::Advisory>> lookup(std::string_view id) = 0;

  // The one record `id` of `source` ("nvd", "osv", ...), if present.
  [[nodiscard]] virtual Result<std::optional<model::Advisory>> advisory(std::string_view source,
                                                                        std::string_view id) = 0;

  [[nodiscard]] virtual Result<std::optional<model::KevEntry>> kev(std::string_view cve_id) = 0;
  [[nodiscard]] virtual Result<std::optional<model::EpssScore>> epss(std::string_view cve_id) = 0;

  // The changes made by imports after `version` (exclusive) up to the current version.
  [[nodiscard]] virtual Result<ChangeSet> changes_since(int64_t version) = 0;

  // Calls `visit` for every affected package of every non-withdrawn advisory, optionally only
  // those whose key is in `only` (for incremental re-matching).
  [[nodiscard]] virtual Result<void> for_each_affected(
      const std::function<void(const AffectedRow&)>& visit,
      const std::vector<ChangedKey>* only = nullptr) = 0;
};

// Reads every path in `sources` with the default importers and imports them in one transaction.
// Files no importer recognises are counted and reported as info diagnostics. A file-level error
// aborts the import and leaves the database untouched (the error names the file).
[[nodiscard]] Result<ImportSummary> import_paths(Database& database,
                                                 const std::vector<std::filesystem::path>& sources,
                                                 const ReadLimits& limits = {},
                                                 const std::function<void(size_t)>& progress = {});

}  // namespace vigil::vulndb
