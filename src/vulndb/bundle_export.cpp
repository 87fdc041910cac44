// `vigil db export`: the change feed names the records, a read transaction gives a consistent
// snapshot, the records stream through zstd into a temporary payload file (hashed as it is
// written), then manifest, signature and payload are packed into a tar renamed into place.
#include <archive.h>
#include <archive_entry.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>

#include "vulndb/bundle.hpp"
#include "vulndb/importers/vigil_bundle.hpp"
#include "vulndb/internal/bundle_format.hpp"
#include "vulndb/internal/codec.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

struct ArchiveWriteFree {
  void operator()(archive* handle) const { archive_write_free(handle); }
};
using WriterPtr = std::unique_ptr<archive, ArchiveWriteFree>;
struct EntryFree {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};

// Removes a temporary file unless released.
class TempFile {
 public:
  explicit TempFile(fs::path path) : path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

// A deferred read transaction: every query sees one snapshot even while another process imports.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(sql::Connection& db) : db_(db) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() {
    if (open_) {
      (void)db_.exec("ROLLBACK");
    }
  }
  Result<void> begin() {
    VIGIL_TRY(db_.exec("BEGIN"));
    open_ = true;
    return {};
  }

 private:
  sql::Connection& db_;
  bool open_ = false;
};

// The compressed payload: libarchive's raw format with the zstd filter, written through a
// callback that hashes and counts the compressed bytes on their way to the file.
class PayloadWriter {
 public:
  Result<void> open(const fs::path& path, int level) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) {
      return fail(Error::io("{}: cannot create: {}", path.string(), std::strerror(errno)));
    }
    writer_.reset(archive_write_new());
    const std::string level_text = std::to_string(level);
    archive* handle = writer_.get();
    if (archive_write_add_filter_zstd(handle) != ARCHIVE_OK ||
        archive_write_set_filter_option(handle, "zstd", "compression-level", level_text.c_str()) !=
            ARCHIVE_OK ||
        archive_write_set_format_raw(handle) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(handle, 1) != ARCHIVE_OK ||
        archive_write_open(handle, this, nullptr, &PayloadWriter::on_write, nullptr) !=
            ARCHIVE_OK) {
      return fail(Error::internal("cannot set up zstd compression: {}", error()));
    }
    std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), "records.jsonl");
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    if (archive_write_header(handle, entry.get()) != ARCHIVE_OK) {
      return fail(Error::internal("cannot start the payload: {}", error()));
    }
    return {};
  }

  ~PayloadWriter() {
    writer_.reset();
    if (file_ != nullptr) {
      std::fclose(file_);
    }
  }

  Result<void> line(std::string_view text) {
    buffer_.append(text);
    buffer_ += '\n';
    uncompressed_ += text.size() + 1;
    return buffer_.size() >= (1 << 20) ? flush() : Result<void>{};
  }

  // Flushes, finishes the zstd frame and closes the file; returns the payload digest.
  Result<std::string> finish() {
    VIGIL_TRY(flush());
    if (archive_write_close(writer_.get()) != ARCHIVE_OK || failed_) {
      return fail(Error::io("cannot finish the payload: {}", error()));
    }
    writer_.reset();
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) {
      return fail(Error::io("cannot close the payload file: {}", std::strerror(errno)));
    }
    return hash_.hex_digest();
  }

  uint64_t compressed_bytes() const { return compressed_; }
  uint64_t uncompressed_bytes() const { return uncompressed_; }

 private:
  static la_ssize_t on_write(archive* /*handle*/, void* client, const void* data, size_t size) {
    auto& self = *static_cast<PayloadWriter*>(client);
    if (std::fwrite(data, 1, size, self.file_) != size) {
      self.failed_ = true;
      return -1;
    }
    self.hash_.update(std::string_view(static_cast<const char*>(data), size));
    self.compressed_ += size;
    return static_cast<la_ssize_t>(size);
  }

  Result<void> flush() {
    if (buffer_.empty()) {
      return {};
    }
    const la_ssize_t wrote = archive_write_data(writer_.get(), buffer_.data(), buffer_.size());
    if (wrote < 0 || static_cast<size_t>(wrote) != buffer_.size() || failed_) {
      return fail(Error::io("cannot write the payload: {}", error()));
    }
    buffer_.clear();
    return {};
  }

  std::string error() const {
    const char* message = writer_ ? archive_error_string(writer_.get()) : nullptr;
    return message != nullptr ? message : std::strerror(errno);
  }

  WriterPtr writer_;
  std::FILE* file_ = nullptr;
  Sha256 hash_;
  std::string buffer_;
  uint64_t compressed_ = 0;
  uint64_t uncompressed_ = 0;
  bool failed_ = false;
};

// Loads whole advisories by (source, id) with prepared statements. OSV records that will be
// written as their raw JSON only need the head row.
class RecordReader {
 public:
  Result<void> prepare(sql::Connection& db) {
    VIGIL_ASSIGN_OR_RETURN(
        head_, db.prepare("SELECT rowid, summary, details, published, modified, withdrawn, "
                          "severity_label, status, extra, cpe_configurations, raw FROM "
                          "advisories WHERE source = ? AND id = ?"));
    VIGIL_ASSIGN_OR_RETURN(
        aliases_, db.prepare("SELECT alias FROM aliases WHERE advisory = ? ORDER BY rowid"));
    VIGIL_ASSIGN_OR_RETURN(severities_, db.prepare("SELECT type, vector, source, score FROM "
                                                   "severities WHERE advisory = ? ORDER BY rowid"));
    VIGIL_ASSIGN_OR_RETURN(
        affected_, db.prepare("SELECT ecosystem, release, name, purl, ranges, versions, severity "
                              "FROM affected WHERE advisory = ? ORDER BY rowid"));
    return {};
  }

  // Returns nullopt when the record is gone (it cannot be: records are never deleted).
  Result<std::optional<model::Advisory>> load(const std::string& source, const std::string& id,
                                              bool& raw_only) {
    head_.bind(1, source).bind(2, id);
    VIGIL_ASSIGN_OR_RETURN(const bool found, head_.step());
    if (!found) {
      head_.reset();
      return std::optional<model::Advisory>();
    }
    model::Advisory advisory;
    advisory.source = source;
    advisory.id = id;
    const int64_t rowid = head_.column_int(0);
    advisory.summary = std::string(head_.column_text(1));
    advisory.details = std::string(head_.column_text(2));
    advisory.published = std::string(head_.column_text(3));
    advisory.modified = std::string(head_.column_text(4));
    advisory.withdrawn = std::string(head_.column_text(5));
    advisory.severity_label = std::string(head_.column_text(6));
    advisory.status = std::string(head_.column_text(7));
    internal::decode_extra(head_.column_text(8), advisory);
    advisory.cpe_configurations = std::string(head_.column_text(9));
    advisory.raw = std::string(head_.column_text(10));
    head_.reset();
    // Minified OSV JSON never holds a raw newline; anything else is exported field by field.
    raw_only = source == "osv" && !advisory.raw.empty() &&
               advisory.raw.find_first_of("\r\n") == std::string::npos;
    if (raw_only) {
      return std::optional<model::Advisory>(std::move(advisory));
    }
    aliases_.bind(1, rowid);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool more, aliases_.step());
      if (!more) {
        break;
      }
      advisory.aliases.emplace_back(aliases_.column_text(0));
    }
    aliases_.reset();
    severities_.bind(1, rowid);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool more, severities_.step());
      if (!more) {
        break;
      }
      model::SeverityVector vector{std::string(severities_.column_text(0)),
                                   std::string(severities_.column_text(1)),
                                   std::string(severities_.column_text(2)), std::nullopt};
      if (!severities_.column_is_null(3)) {
        vector.base_score = severities_.column_double(3);
      }
      advisory.severities.push_back(std::move(vector));
    }
    severities_.reset();
    affected_.bind(1, rowid);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool more, affected_.step());
      if (!more) {
        break;
      }
      model::AffectedPackage package;
      auto ecosystem = model::parse_ecosystem(affected_.column_text(0));
      if (!ecosystem) {
        affected_.reset();
        return fail(ecosystem.error().with_context(fmt::format("{} {}", source, id)));
      }
      package.ecosystem = std::move(ecosystem).value();
      package.ecosystem.release = std::string(affected_.column_text(1));
      package.name = std::string(affected_.column_text(2));
      package.purl = std::string(affected_.column_text(3));
      auto ranges = internal::decode_ranges(affected_.column_text(4));
      if (!ranges) {
        affected_.reset();
        return fail(ranges.error().with_context(fmt::format("{} {}", source, id)));
      }
      package.ranges = std::move(ranges).value();
      package.versions = internal::decode_strings(affected_.column_text(5));
      package.severity = std::string(affected_.column_text(6));
      advisory.affected.push_back(std::move(package));
    }
    affected_.reset();
    return std::optional<model::Advisory>(std::move(advisory));
  }

 private:
  sql::Statement head_, aliases_, severities_, affected_;
};

// The exporting database's origin id, created on first export: 128 random bits in hex.
Result<std::string> database_id(internal::SqliteDatabase& db) {
  VIGIL_ASSIGN_OR_RETURN(auto id, db.meta(internal::kMetaDatabaseId));
  if (!id.empty()) {
    return id;
  }
  std::random_device random;
  for (int word = 0; word < 4; ++word) {
    id += fmt::format("{:08x}", random());
  }
  VIGIL_ASSIGN_OR_RETURN(auto stmt,
                         db.connection().prepare("INSERT OR IGNORE INTO meta(key, value) "
                                                 "VALUES(?, ?)"));
  stmt.bind(1, internal::kMetaDatabaseId).bind(2, id);
  VIGIL_TRY(stmt.run());
  return db.meta(internal::kMetaDatabaseId);
}

Result<void> write_records(internal::SqliteDatabase& db, const ChangeSet& changes, bool full,
                           PayloadWriter& payload, BundleManifest& manifest) {
  auto& connection = db.connection();
  VIGIL_TRY(payload.line(kBundleRecordsHeader));
  // One line per record, in (source, id) order so equal databases give equal payloads.
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& change : changes.advisories) {
    keys.emplace(change.source, change.id);
  }
  RecordReader reader;
  VIGIL_TRY(reader.prepare(connection));
  for (const auto& [source, id] : keys) {
    bool raw_only = false;
    VIGIL_ASSIGN_OR_RETURN(const auto advisory, reader.load(source, id, raw_only));
    if (!advisory) {
      continue;
    }
    VIGIL_TRY(payload.line(raw_only ? advisory->raw : encode_bundle_advisory(*advisory)));
    ++manifest.advisories;
    if (raw_only) {
      ++manifest.osv;
    }
    if (!advisory->withdrawn.empty()) {
      ++manifest.withdrawn;
    }
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto kev, connection.prepare("SELECT vendor_project, product, name, date_added, due_date, "
                                   "ransomware, required_action, notes FROM kev WHERE cve_id = ?"));
  for (const auto& cve_id : changes.kev_added) {
    kev.bind(1, cve_id);
    VIGIL_ASSIGN_OR_RETURN(const bool found, kev.step());
    if (found) {
      VIGIL_TRY(payload.line(encode_bundle_kev(
          {cve_id, std::string(kev.column_text(0)), std::string(kev.column_text(1)),
           std::string(kev.column_text(2)), std::string(kev.column_text(3)),
           std::string(kev.column_text(4)), kev.column_int(5) != 0, std::string(kev.column_text(6)),
           std::string(kev.column_text(7))})));
      ++manifest.kev;
    }
    kev.reset();
  }
  // EPSS rows carry no version: a delta after an EPSS import ships the whole (small) table.
  if (full || changes.epss_changed) {
    VIGIL_ASSIGN_OR_RETURN(auto epss, connection.prepare("SELECT cve_id, epss, percentile, "
                                                         "score_date, model_version FROM epss "
                                                         "ORDER BY cve_id"));
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool more, epss.step());
      if (!more) {
        break;
      }
      VIGIL_TRY(payload.line(encode_bundle_epss(
          {std::string(epss.column_text(0)), epss.column_double(1), epss.column_double(2),
           std::string(epss.column_text(3)), std::string(epss.column_text(4))})));
      ++manifest.epss;
    }
  }
  return {};
}

Result<void> add_member(archive* handle, std::string_view name, uint64_t size) {
  std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), std::string(name).c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(entry.get(), std::time(nullptr), 0);
  if (archive_write_header(handle, entry.get()) != ARCHIVE_OK) {
    return fail(Error::io("cannot write bundle member {}: {}", name, archive_error_string(handle)));
  }
  return {};
}

Result<void> write_data(archive* handle, std::string_view data) {
  const la_ssize_t wrote = archive_write_data(handle, data.data(), data.size());
  if (wrote < 0 || static_cast<size_t>(wrote) != data.size()) {
    return fail(Error::io("cannot write bundle data: {}", archive_error_string(handle)));
  }
  return {};
}

Result<void> write_tar(const fs::path& path, const std::string& manifest,
                       const std::string& signature, const fs::path& payload,
                       uint64_t payload_bytes) {
  WriterPtr writer(archive_write_new());
  archive* handle = writer.get();
  if (archive_write_set_format_ustar(handle) != ARCHIVE_OK ||
      archive_write_open_filename(handle, path.c_str()) != ARCHIVE_OK) {
    return fail(Error::io("{}: cannot create: {}", path.string(), archive_error_string(handle)));
  }
  VIGIL_TRY(add_member(handle, internal::kManifestMember, manifest.size()));
  VIGIL_TRY(write_data(handle, manifest));
  if (!signature.empty()) {
    VIGIL_TRY(add_member(handle, internal::kSignatureMember, signature.size()));
    VIGIL_TRY(write_data(handle, signature));
  }
  VIGIL_TRY(add_member(handle, internal::kPayloadMember, payload_bytes));
  std::ifstream in(payload, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  uint64_t copied = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<size_t>(in.gcount());
    VIGIL_TRY(write_data(handle, std::string_view(buffer.data(), got)));
    copied += got;
  }
  if (copied != payload_bytes) {
    return fail(Error::io("{}: payload changed while it was packed", payload.string()));
  }
  if (archive_write_close(handle) != ARCHIVE_OK) {
    return fail(Error::io("{}: {}", path.string(), archive_error_string(handle)));
  }
  return {};
}

}  // namespace

Result<ExportResult> export_bundle(Database& database, const fs::path& out,
                                   const ExportOptions& options) {
  auto* db = dynamic_cast<internal::SqliteDatabase*>(&database);
  if (db == nullptr) {
    return fail(Error::unsupported("bundles need the SQLite vulnerability database"));
  }
  if (options.since < 0) {
    return fail(Error::invalid_argument("--since {} is negative", options.since));
  }
  BundleManifest manifest;
  VIGIL_ASSIGN_OR_RETURN(manifest.origin, database_id(*db));
  ReadSnapshot snapshot(db->connection());
  VIGIL_TRY(snapshot.begin());
  VIGIL_ASSIGN_OR_RETURN(const auto changes, database.changes_since(options.since));
  if (options.since > changes.to_version) {
    return fail(Error::invalid_argument("--since {} is beyond the database version {}",
                                        options.since, changes.to_version));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto schema, db->meta("schema_version"));
  manifest.from_version = options.since;
  manifest.to_version = changes.to_version;
  manifest.schema_version = schema.empty() ? 0 : std::strtoll(schema.c_str(), nullptr, 10);
  manifest.created = internal::now_rfc3339();

  TempFile payload_file(fs::path(out.string() + ".payload.tmp"));
  PayloadWriter payload;
  VIGIL_TRY(payload.open(payload_file.path(), options.compression_level));
  VIGIL_TRY(write_records(*db, changes, options.since == 0, payload, manifest));
  VIGIL_ASSIGN_OR_RETURN(manifest.payload_sha256, payload.finish());
  manifest.payload_bytes = payload.compressed_bytes();
  manifest.payload_uncompressed_bytes = payload.uncompressed_bytes();

  ExportResult result;
  const std::string manifest_text = internal::encode_manifest(manifest);
  std::string signature_text;
  if (options.key != nullptr) {
    VIGIL_ASSIGN_OR_RETURN(const auto signature, options.key->sign(internal::signed_message(
                                                     manifest_text, manifest.payload_sha256)));
    result.key_id = options.key->public_key().id();
    signature_text = internal::encode_signature(result.key_id, signature);
  }
  TempFile bundle_file(fs::path(out.string() + ".tmp"));
  VIGIL_TRY(write_tar(bundle_file.path(), manifest_text, signature_text, payload_file.path(),
                      manifest.payload_bytes));
  std::error_code ec;
  fs::rename(bundle_file.path(), out, ec);
  if (ec) {
    return fail(Error::io("{}: {}", out.string(), ec.message()));
  }
  bundle_file.release();
  result.bundle_bytes = fs::file_size(out, ec);
  result.manifest = std::move(manifest);
  return result;
}

}  // namespace vigil::vulndb
