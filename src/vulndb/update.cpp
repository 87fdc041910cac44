#include "vulndb/update.hpp"

#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "vulndb/signing.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kFlushEvery = 2000;
constexpr const char* kStateFile = ".fetch-state.json";

// What the last successful import of a feed saw; the next update sends its validators.
struct FeedState {
  std::string url;
  std::string file;
  std::string etag;
  std::string last_modified;
  std::string sha256;
};

FeedState read_state(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const auto doc = json::parse(in, nullptr, false);
  FeedState state;
  if (doc.is_object()) {
    // A damaged state file only costs a full download, so it is read forgivingly.
    const auto text = [&doc](const char* key) {
      const auto it = doc.find(key);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    state = {text("url"), text("file"), text("etag"), text("last_modified"), text("sha256")};
  }
  return state;
}

Result<void> write_state(const fs::path& path, const FeedState& state) {
  const auto temp = fs::path(path.string() + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << json{{"url", state.url},
                {"file", state.file},
                {"etag", state.etag},
                {"last_modified", state.last_modified},
                {"sha256", state.sha256}}
               .dump(2, ' ', false, json::error_handler_t::replace)
        << '\n';
    if (!out) {
      return fail(Error::io("{}: cannot write", temp.string()));
    }
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    return fail(Error::io("{}: {}", path.string(), ec.message()));
  }
  return {};
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.front() == '-') {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// The cache file name: the URL's last path segment, so the source reader still recognises
// archives and compressed files by their suffix ("all.zip", "nvdcve-2.0-2024.json.gz").
std::string cache_file_name(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const size_t slash = url.find_last_of('/');
  std::string_view last = slash == std::string_view::npos ? url : url.substr(slash + 1);
  std::string name;
  for (char c : last) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    name += ok ? c : '_';
  }
  while (!name.empty() && name.front() == '.') {
    name.erase(0, 1);
  }
  if (name.size() > 128) {
    name = name.substr(name.size() - 128);
  }
  return name.empty() ? std::string("feed") : name;
}

size_t record_count(const ImportBatch& batch) {
  return batch.advisories.size() + batch.kev.size() + batch.epss.size();
}

// The memory a batch's records hold, roughly: their text plus a fixed overhead per record.
uint64_t approximate_bytes(const ImportBatch& batch) {
  constexpr uint64_t kOverhead = 512;
  uint64_t bytes = (batch.kev.size() + batch.epss.size()) * kOverhead;
  for (const auto& advisory : batch.advisories) {
    bytes += kOverhead + advisory.raw.size() + advisory.details.size() + advisory.summary.size() +
             advisory.cpe_configurations.size() + advisory.affected.size() * kOverhead;
  }
  return bytes;
}

void append(ImportBatch& into, ImportBatch&& from) {
  into.advisories.insert(into.advisories.end(), std::make_move_iterator(from.advisories.begin()),
                         std::make_move_iterator(from.advisories.end()));
  into.kev.insert(into.kev.end(), std::make_move_iterator(from.kev.begin()),
                  std::make_move_iterator(from.kev.end()));
  into.epss.insert(into.epss.end(), std::make_move_iterator(from.epss.begin()),
                   std::make_move_iterator(from.epss.end()));
  into.diagnostics.insert(into.diagnostics.end(), std::make_move_iterator(from.diagnostics.begin()),
                          std::make_move_iterator(from.diagnostics.end()));
  into.records_skipped += from.records_skipped;
  into.files_read += from.files_read;
  into.files_ignored += from.files_ignored;
  into.kev_catalogue = into.kev_catalogue || from.kev_catalogue;
}

using Sink = std::function<Result<void>(ImportBatch&&)>;

// Reads every file of one feed through the importers and hands the records to `sink` in
// batches. Returns the first file-level error (naming the file).
Result<void> stage_feed(const fs::path& path, const std::string& kind,
                        const std::vector<std::unique_ptr<Importer>>& importers,
                        const ReadLimits& limits, const Sink& sink) {
  ImportBatch batch;
  VIGIL_TRY(read_source(path, limits, [&](SourceFile&& file) -> Result<void> {
    const Importer* importer = detect_importer(importers, file);
    if (importer == nullptr || (kind != "auto" && importer->name() != kind)) {
      ++batch.files_ignored;
      batch.diagnostics.push_back(
          {model::DiagnosticLevel::kInfo, file.name,
           importer == nullptr ? std::string("not a recognised vulnerability feed format; ignored")
                               : fmt::format("a {} file in a feed configured as {}; ignored",
                                             importer->name(), kind)});
      return {};
    }
    ++batch.files_read;
    VIGIL_TRY(importer->parse(file, batch));
    if (record_count(batch) >= kFlushEvery) {
      VIGIL_TRY(sink(std::move(batch)));
      batch = ImportBatch{};
    }
    return {};
  }));
  return sink(std::move(batch));
}

struct Pending {
  size_t report_index = 0;
  fs::path file;
  fs::path state_path;
  FeedState state;
};

}  // namespace

std::string_view source_outcome_name(SourceOutcome outcome) {
  switch (outcome) {
    case SourceOutcome::kFetched:
      return "fetched";
    case SourceOutcome::kUnchanged:
      return "unchanged";
    case SourceOutcome::kNotModified:
      return "not-modified";
    case SourceOutcome::kFailed:
      return "failed";
  }
  return "failed";
}

bool UpdateReport::any_failed() const {
  for (const auto& source : sources) {
    if (source.outcome == SourceOutcome::kFailed) {
      return true;
    }
  }
  return false;
}

Result<std::vector<FeedSource>> load_feed_sources(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return fail(
        Error::not_found("{}: no feed sources configured (write a JSON array of "
                         "{{\"name\", \"url\", \"kind\"}} objects there)",
                         path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  auto doc = json::parse(in, nullptr, false);
  if (doc.is_discarded()) {
    return fail(Error::parse("{}: invalid JSON", path.string()));
  }
  if (doc.is_object() && doc.contains("sources")) {
    doc = doc["sources"];
  }
  if (!doc.is_array()) {
    return fail(Error::parse("{}: expected a JSON array of sources", path.string()));
  }
  std::set<std::string> kinds{"auto"};
  for (const auto& importer : default_importers()) {
    kinds.emplace(importer->name());
  }
  std::vector<FeedSource> sources;
  std::set<std::string> names;
  for (size_t idx = 0; idx < doc.size(); ++idx) {
    const auto& item = doc[idx];
    const auto where = fmt::format("{}: source #{}", path.string(), idx + 1);
    if (!item.is_object()) {
      return fail(Error::parse("{}: not an object", where));
    }
    const auto text = [&item](const char* key) {
      const auto it = item.find(key);
      return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    FeedSource source{text("name"), text("url"), text("kind")};
    if (source.kind.empty()) {
      source.kind = "auto";
    }
    if (!valid_name(source.name)) {
      return fail(
          Error::parse("{}: name '{}' must be 1-64 letters, digits, '.', '_' or '-' "
                       "(not starting with '.' or '-')",
                       where, source.name));
    }
    if (!names.insert(source.name).second) {
      return fail(Error::parse("{}: duplicate name '{}'", where, source.name));
    }
    if (source.url.empty()) {
      return fail(Error::parse("{} ({}): missing \"url\"", where, source.name));
    }
    if (!kinds.contains(source.kind)) {
      return fail(Error::parse("{} ({}): unknown kind '{}' (expected one of: {})", where,
                               source.name, source.kind, fmt::join(kinds, ", ")));
    }
    sources.push_back(std::move(source));
  }
  return sources;
}

Result<UpdateReport> update_feeds(Database& database, const fs::path& db_dir,
                                  const std::vector<FeedSource>& sources, Fetcher& fetcher,
                                  const UpdateOptions& options) {
  UpdateReport report;
  std::vector<Pending> pending;
  std::vector<Pending> unchanged;
  for (const auto& source : sources) {
    report.sources.push_back({source.name, source.url, SourceOutcome::kFailed, 0, 0, "", ""});
    auto& entry = report.sources.back();
    const fs::path cache_dir = db_dir / "cache" / source.name;
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec) {
      entry.error = fmt::format("{}: cannot create: {}", cache_dir.string(), ec.message());
      continue;
    }
    const auto state_path = cache_dir / kStateFile;
    const FeedState previous = read_state(state_path);
    const std::string file_name = cache_file_name(source.url);
    const fs::path dest = cache_dir / file_name;
    Conditional conditional;
    if (previous.url == source.url && previous.file == file_name && fs::exists(dest, ec)) {
      conditional = {previous.etag, previous.last_modified};
    }
    auto fetched = fetcher.fetch(source.url, conditional, dest);
    if (!fetched) {
      entry.error = fetched.error().message;
      continue;
    }
    if (fetched->status == FetchStatus::kNotModified) {
      entry.outcome = SourceOutcome::kNotModified;
      continue;
    }
    entry.bytes = fetched->bytes;
    auto digest = sha256_file(dest);
    if (!digest) {
      entry.error = digest.error().message;
      continue;
    }
    Pending item{report.sources.size() - 1, dest, state_path,
                 FeedState{source.url, file_name, fetched->etag, fetched->last_modified, *digest}};
    // Servers without validators send the whole feed every time; identical bytes need no import.
    if (previous.url == source.url && previous.sha256 == *digest) {
      entry.outcome = SourceOutcome::kUnchanged;
      unchanged.push_back(std::move(item));
      continue;
    }
    pending.push_back(std::move(item));
  }

  if (!pending.empty()) {
    const auto importers = default_importers();
    VIGIL_ASSIGN_OR_RETURN(auto session, database.begin_import());
    std::vector<std::string> labels;
    for (auto it = pending.begin(); it != pending.end();) {
      auto& entry = report.sources[it->report_index];
      const auto& kind = sources[it->report_index].kind;
      ImportBatch buffered;
      size_t records = 0;
      uint64_t bytes = 0;
      bool overflow = false;
      // First pass: check the whole feed parses, keeping it in memory if it is small enough.
      auto checked = stage_feed(it->file, kind, importers, options.limits,
                                [&](ImportBatch&& batch) -> Result<void> {
                                  records += record_count(batch);
                                  bytes += approximate_bytes(batch);
                                  overflow = overflow || bytes > options.max_buffered_bytes;
                                  if (overflow) {
                                    buffered = ImportBatch{};
                                  } else {
                                    append(buffered, std::move(batch));
                                  }
                                  return {};
                                });
      if (!checked) {
        entry.error = fmt::format("import: {}", checked.error().message);
        it = pending.erase(it);
        continue;
      }
      if (!overflow) {
        VIGIL_TRY(session->add(std::move(buffered)));
      } else {
        // The feed parsed once, so a failure now means the cached file changed underneath us:
        // abandon the whole transaction rather than commit half a feed.
        VIGIL_TRY(
            stage_feed(it->file, kind, importers, options.limits, [&session](ImportBatch&& batch) {
              return session->add(std::move(batch));
            }).map_error([&entry](const Error& error) {
              return error.with_context(fmt::format("feed {}", entry.name));
            }));
      }
      entry.outcome = SourceOutcome::kFetched;
      entry.records = records;
      labels.push_back(entry.name);
      ++it;
    }
    if (!labels.empty()) {
      VIGIL_ASSIGN_OR_RETURN(auto summary,
                             session->commit(fmt::format("update {}", fmt::join(labels, " "))));
      report.import = std::move(summary);
    }
  }
  // Only now is the content in the database: remember the validators for the next run. A
  // failure to save them costs one redundant download, never a missed update.
  for (const auto* list : {&pending, &unchanged}) {
    for (const auto& item : *list) {
      if (auto saved = write_state(item.state_path, item.state); !saved) {
        report.sources[item.report_index].warning = saved.error().message;
      }
    }
  }
  return report;
}

}  // namespace vigil::vulndb
