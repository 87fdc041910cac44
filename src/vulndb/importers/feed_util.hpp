// Internal helpers shared by the feed importers (nvd, kev, epss, alas, alpine-secdb): timestamp
// normalisation, CVE id checks and per-record diagnostics with a bounded count per file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vulndb/importer.hpp"

namespace vigil::vulndb::feed {

// Normalises a feed timestamp to RFC 3339 in UTC. Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM",
// "YYYY-MM-DD[T ]HH:MM:SS[.fff]" with an optional "Z" or "+hh:mm"/"+hhmm" offset (a missing
// zone means UTC, as NVD and ALAS write it), and a bare count of Unix seconds (older yum
// updateinfo). Returns nullopt for anything else. Allocates only the result.
std::optional<std::string> rfc3339(std::string_view text);

// True if the start of `content` declares a JSON Schema ("$schema"): schema files describing a
// feed (KEV's, NVD's) name the feed's keys but are not feed data.
bool is_json_schema(std::string_view content);

// True if `text` is exactly "CVE-<4 digits>-<4 or more digits>".
bool is_cve_id(std::string_view text);

// The `where` of a diagnostic: "file: record" or just "file" when `record` is empty.
std::string where(std::string_view file, std::string_view record);

// Records per-record problems of one file into a batch. After `kMaxPerFile` diagnostics the
// rest are only counted and one summary diagnostic is added by `finish()`, so a file of 360,000
// bad rows does not produce 360,000 messages. Not thread-safe; one per parse call.
class RecordLog {
 public:
  static constexpr size_t kMaxPerFile = 100;

  RecordLog(const SourceFile& file, ImportBatch& batch) : file_(file), batch_(batch) {}

  // Counts one skipped record and reports `message` naming `record` (id or "line N").
  void skip(std::string_view record, std::string_view message);
  // Reports a non-fatal note about `record` that was still imported.
  void info(std::string_view record, std::string_view message);
  // Adds the "N more" summary when diagnostics were suppressed.
  void finish();

 private:
  void add(model::DiagnosticLevel level, std::string_view record, std::string_view message);

  const SourceFile& file_;
  ImportBatch& batch_;
  size_t reported_ = 0;
  size_t suppressed_ = 0;
};

}  // namespace vigil::vulndb::feed
