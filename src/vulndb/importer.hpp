// Vulnerability-intelligence importers: each recognises one feed format by content and turns a
// file into model records. Malformed records become diagnostics; a malformed file is an error.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/advisory.hpp"
#include "model/diagnostic.hpp"
#include "vulndb/source_reader.hpp"

namespace vigil::vulndb {

// What importers produce from one or more files; the database stores it in one transaction.
struct ImportBatch {
  std::vector<model::Advisory> advisories;
  std::vector<model::KevEntry> kev;
  std::vector<model::EpssScore> epss;
  std::vector<model::Diagnostic> diagnostics;
  size_t records_skipped = 0;  // malformed records (each has a diagnostic)
  size_t files_read = 0;
  size_t files_ignored = 0;  // files no importer recognised (LICENSE, README, ...)
  // True when a complete KEV catalogue (every row valid) was parsed into this batch: the import
  // then drops stored KEV entries that no KEV entry of the import lists. Bundles never set it.
  bool kev_catalogue = false;
};

class Importer {
 public:
  virtual ~Importer() = default;

  // Stable short name, stored as the records' source: "osv", "nvd", "alas", "alpine-secdb",
  // "kev", "epss".
  virtual std::string_view name() const = 0;

  // True if `file` looks like this importer's format (by content, with the name as a hint).
  // Cheap: looks at a prefix of the content only.
  virtual bool detects(const SourceFile& file) const = 0;

  // Parses `file` and appends to `batch`. Per-record problems are appended to
  // `batch.diagnostics` (naming the file and record id) and counted in `batch.records_skipped`.
  // Returns kParse naming the file when the file as a whole is not of the format.
  [[nodiscard]] virtual Result<void> parse(const SourceFile& file, ImportBatch& batch) const = 0;
};

// The importers Vigil ships, in detection order (most specific first).
std::vector<std::unique_ptr<Importer>> default_importers();

// Returns the first importer in `importers` that detects `file`, or nullptr.
const Importer* detect_importer(const std::vector<std::unique_ptr<Importer>>& importers,
                                const SourceFile& file);

}  // namespace vigil::vulndb
