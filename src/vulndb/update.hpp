// `vigil db update`: fetch the configured feeds conditionally into the database's cache and
// import every changed one in a single transaction. A failing feed never blocks the others.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "vulndb/database.hpp"
#include "vulndb/fetcher.hpp"

namespace vigil::vulndb {

// One configured feed. `name` keys the cache directory and state (letters, digits, '.', '_',
// '-'); `kind` is "auto" (detect every file by content) or an importer name ("osv", "nvd",
// "kev", ...) that every imported file must match; other files are ignored with a diagnostic.
struct FeedSource {
  std::string name;
  std::string url;
  std::string kind = "auto";
};

// Parses a sources file: a JSON array of {"name", "url", "kind"?} objects (or an object whose
// "sources" member is that array). Returns kNotFound when `path` does not exist and kParse,
// naming the entry, for malformed JSON, a bad or duplicate name, a missing url or an unknown kind.
[[nodiscard]] Result<std::vector<FeedSource>> load_feed_sources(const std::filesystem::path& path);

enum class SourceOutcome {
  kFetched,      // new content was downloaded and imported
  kUnchanged,    // downloaded, but byte-identical to what was imported last time
  kNotModified,  // the server (or mirror file) reported the cached copy current
  kFailed,       // download or import failed; `error` says why, the database has none of it
};
std::string_view source_outcome_name(SourceOutcome outcome);

struct SourceReport {
  std::string name;
  std::string url;
  SourceOutcome outcome = SourceOutcome::kFailed;
  uint64_t bytes = 0;   // size of the downloaded file (0 when not downloaded)
  size_t records = 0;   // records the feed's files produced (kFetched only)
  std::string error;    // kFailed only
  std::string warning;  // e.g. the feed state could not be saved (the next run downloads again)
};

struct UpdateReport {
  std::vector<SourceReport> sources;  // in configuration order
  // The import of every kFetched source, as one transaction; nullopt when nothing was fetched.
  std::optional<ImportSummary> import;
  bool any_failed() const;
};

struct UpdateOptions {
  ReadLimits limits;
  // Roughly how many bytes of parsed records a feed may hold in memory while it is checked; a
  // bigger feed is read twice (once to check it, once to import it) so a bad file never leaves
  // half a feed in the transaction.
  uint64_t max_buffered_bytes = uint64_t{256} << 20;
};

// Updates `database` (whose directory is `db_dir`) from `sources`: each feed is fetched with
// `fetcher` into `<db_dir>/cache/<name>/` using the validators remembered from the last
// successful import, then every feed with new content is imported in ONE transaction. Feed
// state is saved only after that transaction commits, so a failed run is simply retried.
// Per-feed failures are reported in the result; returns an error only when the database
// itself fails (nothing is then imported and no state is saved).
[[nodiscard]] Result<UpdateReport> update_feeds(Database& database,
                                                const std::filesystem::path& db_dir,
                                                const std::vector<FeedSource>& sources,
                                                Fetcher& fetcher,
                                                const UpdateOptions& options = {});

}  // namespace vigil::vulndb
