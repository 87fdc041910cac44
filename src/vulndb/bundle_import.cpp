// Verifying and importing bundles. Verification reads the tar once: manifest and signature into
// memory, the payload only through SHA-256, so nothing is decompressed or parsed before the
// signature and digest hold. Import reads it a second time, decompressing and hashing again,
// and commits only if the bytes it parsed are the bytes that were verified.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <vector>

#include "vulndb/bundle.hpp"
#include "vulndb/importers/vigil_bundle.hpp"
#include "vulndb/internal/bundle_format.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

struct ArchiveReadFree {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ReaderPtr = std::unique_ptr<archive, ArchiveReadFree>;

constexpr size_t kChunk = 1 << 16;
constexpr size_t kFlushEvery = 2000;

Result<ReaderPtr> open_tar(const fs::path& path) {
  ReaderPtr reader(archive_read_new());
  // Bundles are plain tar: no decompression filter runs on unverified input.
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_filename(reader.get(), path.c_str(), kChunk) != ARCHIVE_OK) {
    return fail(Error::parse("{}: not a readable bundle: {}", path.string(),
                             archive_error_string(reader.get())));
  }
  return reader;
}

// Reads the current member, refusing more than `limit` bytes.
Result<std::string> read_member(archive* handle, const std::string& where, size_t limit) {
  std::string data;
  std::vector<char> buffer(kChunk);
  while (true) {
    const la_ssize_t got = archive_read_data(handle, buffer.data(), buffer.size());
    if (got < 0) {
      return fail(Error::parse("{}: corrupt: {}", where, archive_error_string(handle)));
    }
    if (got == 0) {
      return data;
    }
    if (data.size() + static_cast<size_t>(got) > limit) {
      return fail(Error::parse("{}: larger than {} bytes", where, limit));
    }
    data.append(buffer.data(), static_cast<size_t>(got));
  }
}

// Pulls the payload member's bytes out of the outer tar for the inner zstd reader, hashing
// every byte that passes.
struct PayloadSource {
  archive* outer = nullptr;
  Sha256 hash;
  uint64_t bytes = 0;
  std::vector<char> buffer = std::vector<char>(kChunk);
  bool failed = false;

  la_ssize_t pull() {
    const la_ssize_t got = archive_read_data(outer, buffer.data(), buffer.size());
    if (got < 0) {
      failed = true;
      return -1;
    }
    hash.update(std::string_view(buffer.data(), static_cast<size_t>(got)));
    bytes += static_cast<uint64_t>(got);
    return got;
  }

  static la_ssize_t on_read(archive* /*inner*/, void* client, const void** data) {
    auto& self = *static_cast<PayloadSource*>(client);
    *data = self.buffer.data();
    return self.pull();
  }
};

// Feeds complete lines of the decompressed payload to the parser and the session.
class LineFeeder {
 public:
  LineFeeder(Database::ImportSession& session, std::string name, const BundleImportOptions& options)
      : session_(session), name_(std::move(name)), options_(options) {}

  Result<void> add(std::string_view data) {
    pending_.append(data);
    const size_t last_newline = pending_.rfind('\n');
    if (last_newline == std::string::npos) {
      if (pending_.size() > options_.limits.max_file_bytes) {
        return fail(Error::invalid_argument("{}:{}: line longer than {} bytes", name_, line_,
                                            options_.limits.max_file_bytes));
      }
      return {};
    }
    VIGIL_TRY(consume(std::string_view(pending_).substr(0, last_newline + 1)));
    pending_.erase(0, last_newline + 1);
    return {};
  }

  Result<void> finish() {
    if (!pending_.empty()) {
      VIGIL_TRY(consume(pending_));
      pending_.clear();
    }
    if (!saw_header_) {
      return fail(Error::parse("{}: empty payload (no records header)", name_));
    }
    return flush();
  }

  const BundleLineCounts& counts() const { return counts_; }

 private:
  Result<void> consume(std::string_view lines) {
    if (!saw_header_) {
      const std::string_view first = lines.substr(0, lines.find('\n'));
      if (first != kBundleRecordsHeader) {
        return fail(
            Error::parse("{}:1: payload does not start with {}", name_, kBundleRecordsHeader));
      }
      saw_header_ = true;
    }
    VIGIL_TRY(parser_.parse(lines, name_, line_, batch_, counts_));
    line_ += static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n'));
    if (batch_.advisories.size() + batch_.kev.size() + batch_.epss.size() >= kFlushEvery) {
      return flush();
    }
    return {};
  }

  Result<void> flush() {
    records_ += batch_.advisories.size() + batch_.kev.size() + batch_.epss.size();
    VIGIL_TRY(session_.add(std::move(batch_)));
    batch_ = ImportBatch{};
    if (options_.progress) {
      options_.progress(records_);
    }
    return {};
  }

  Database::ImportSession& session_;
  std::string name_;
  const BundleImportOptions& options_;
  BundleRecordParser parser_;
  ImportBatch batch_;
  BundleLineCounts counts_;
  std::string pending_;
  size_t line_ = 1;
  size_t records_ = 0;
  bool saw_header_ = false;
};

// Positions `outer` at the payload member.
Result<void> seek_payload(archive* outer, const std::string& where) {
  archive_entry* entry = nullptr;
  while (true) {
    const int rc = archive_read_next_header(outer, &entry);
    if (rc == ARCHIVE_EOF) {
      return fail(Error::parse("{}: no payload member", where));
    }
    if (rc != ARCHIVE_OK) {
      return fail(Error::parse("{}: corrupt: {}", where, archive_error_string(outer)));
    }
    const char* name = archive_entry_pathname(entry);
    if (name != nullptr && name == internal::kPayloadMember) {
      return {};
    }
    archive_read_data_skip(outer);
  }
}

Result<void> stream_payload(const VerifiedBundle& bundle, LineFeeder& feeder,
                            const BundleImportOptions& options) {
  const auto where = bundle.path.string();
  VIGIL_ASSIGN_OR_RETURN(auto outer, open_tar(bundle.path));
  VIGIL_TRY(seek_payload(outer.get(), where));
  PayloadSource source;
  source.outer = outer.get();
  ReaderPtr inner(archive_read_new());
  archive_read_support_filter_zstd(inner.get());
  archive_read_support_format_raw(inner.get());
  archive_entry* entry = nullptr;
  if (archive_read_open(inner.get(), &source, nullptr, &PayloadSource::on_read, nullptr) !=
          ARCHIVE_OK ||
      archive_read_next_header(inner.get(), &entry) != ARCHIVE_OK) {
    return fail(
        Error::parse("{}: payload is not readable: {}", where, archive_error_string(inner.get())));
  }
  const uint64_t limit =
      std::min(bundle.manifest.payload_uncompressed_bytes, options.limits.max_total_bytes);
  uint64_t total = 0;
  std::vector<char> buffer(kChunk);
  while (true) {
    const la_ssize_t got = archive_read_data(inner.get(), buffer.data(), buffer.size());
    if (got < 0 || source.failed) {
      return fail(
          Error::parse("{}: corrupt payload: {}", where, archive_error_string(inner.get())));
    }
    if (got == 0) {
      break;
    }
    total += static_cast<uint64_t>(got);
    if (total > limit) {
      return fail(
          Error::parse("{}: payload decompresses to more than the {} bytes its manifest "
                       "states",
                       where, limit));
    }
    VIGIL_TRY(feeder.add(std::string_view(buffer.data(), static_cast<size_t>(got))));
  }
  VIGIL_TRY(feeder.finish());
  // Hash whatever the decompressor did not need, so the digest covers the whole member.
  while (true) {
    const la_ssize_t got = source.pull();
    if (got < 0) {
      return fail(
          Error::parse("{}: corrupt payload: {}", where, archive_error_string(outer.get())));
    }
    if (got == 0) {
      break;
    }
  }
  if (source.bytes != bundle.manifest.payload_bytes ||
      source.hash.hex_digest() != bundle.manifest.payload_sha256) {
    return fail(
        Error::conflict("{}: the bundle changed after it was verified; nothing imported", where));
  }
  if (total != bundle.manifest.payload_uncompressed_bytes) {
    return fail(Error::parse("{}: payload holds {} bytes, its manifest states {}", where, total,
                             bundle.manifest.payload_uncompressed_bytes));
  }
  return {};
}

Result<void> record_applied(internal::SqliteDatabase& db, const BundleManifest& manifest,
                            const AppliedBundle& applied) {
  const int64_t version = applied.origin == manifest.origin
                              ? std::max(applied.version, manifest.to_version)
                              : manifest.to_version;
  VIGIL_ASSIGN_OR_RETURN(auto stmt, db.connection().prepare("INSERT OR REPLACE INTO meta(key, "
                                                            "value) VALUES(?, ?)"));
  stmt.bind(1, internal::kMetaBundleOrigin).bind(2, manifest.origin);
  VIGIL_TRY(stmt.run());
  stmt.bind(1, internal::kMetaBundleVersion).bind(2, std::to_string(version));
  return stmt.run();
}

}  // namespace

Result<VerifiedBundle> verify_bundle(const fs::path& path,
                                     const std::vector<PublicKey>& trusted_keys) {
  const auto where = path.string();
  VIGIL_ASSIGN_OR_RETURN(auto reader, open_tar(path));
  std::optional<std::string> manifest_text;
  std::optional<std::string> signature_text;
  bool saw_payload = false;
  Sha256 payload_hash;
  uint64_t payload_bytes = 0;
  archive_entry* entry = nullptr;
  while (true) {
    const int rc = archive_read_next_header(reader.get(), &entry);
    if (rc == ARCHIVE_EOF) {
      break;
    }
    if (rc != ARCHIVE_OK) {
      return fail(Error::parse("{}: not a well-formed bundle: {}", where,
                               archive_error_string(reader.get())));
    }
    const std::string name =
        archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
    if (archive_entry_filetype(entry) != AE_IFREG) {
      return fail(Error::parse("{}: member '{}' is not a regular file", where, name));
    }
    const auto member = fmt::format("{}:{}", where, name);
    if (name == internal::kManifestMember && !manifest_text) {
      VIGIL_ASSIGN_OR_RETURN(manifest_text,
                             read_member(reader.get(), member, internal::kMaxManifestBytes));
    } else if (name == internal::kSignatureMember && !signature_text) {
      VIGIL_ASSIGN_OR_RETURN(signature_text,
                             read_member(reader.get(), member, internal::kMaxSignatureBytes));
    } else if (name == internal::kPayloadMember && !saw_payload) {
      saw_payload = true;
      std::vector<char> buffer(kChunk);
      while (true) {
        const la_ssize_t got = archive_read_data(reader.get(), buffer.data(), buffer.size());
        if (got < 0) {
          return fail(Error::parse("{}: corrupt: {}", member, archive_error_string(reader.get())));
        }
        if (got == 0) {
          break;
        }
        payload_hash.update(std::string_view(buffer.data(), static_cast<size_t>(got)));
        payload_bytes += static_cast<uint64_t>(got);
      }
    } else {
      return fail(Error::parse("{}: unexpected or repeated member '{}'", where, name));
    }
  }
  if (!manifest_text || !saw_payload) {
    return fail(Error::parse("{}: not a vigil bundle (missing {})", where,
                             manifest_text ? internal::kPayloadMember : internal::kManifestMember));
  }
  const std::string payload_sha256 = payload_hash.hex_digest();

  VerifiedBundle verified;
  verified.path = path;
  std::optional<internal::DecodedSignature> signature;
  if (signature_text) {
    auto decoded = internal::decode_signature(*signature_text);
    if (!decoded) {
      return fail(decoded.error().with_context(where));
    }
    signature = std::move(decoded).value();
    verified.is_signed = true;
    verified.key_id = signature->key_id;
  }
  if (!trusted_keys.empty()) {
    if (!signature) {
      return fail(Error::invalid_argument(
          "{}: bundle is unsigned, but {} trusted key(s) are configured; refusing it", where,
          trusted_keys.size()));
    }
    const std::string message = internal::signed_message(*manifest_text, payload_sha256);
    const auto signer = std::find_if(
        trusted_keys.begin(), trusted_keys.end(),
        [&](const PublicKey& key) { return key.verify(message, signature->signature); });
    if (signer == trusted_keys.end()) {
      const bool known =
          std::any_of(trusted_keys.begin(), trusted_keys.end(),
                      [&](const PublicKey& key) { return key.id() == signature->key_id; });
      if (known) {
        return fail(Error::invalid_argument(
            "{}: signature verification FAILED for trusted key {}: the bundle was modified or "
            "is corrupt; refusing it",
            where, signature->key_id));
      }
      return fail(Error::invalid_argument(
          "{}: signature verification FAILED: signed by key {}, which is not among the {} "
          "trusted key(s); refusing it",
          where, signature->key_id, trusted_keys.size()));
    }
    verified.key_id = signer->id();
    verified.signature_verified = true;
  }
  auto manifest = internal::decode_manifest(*manifest_text);
  if (!manifest) {
    return fail(manifest.error().with_context(where));
  }
  verified.manifest = std::move(manifest).value();
  if (verified.manifest.payload_sha256 != payload_sha256 ||
      verified.manifest.payload_bytes != payload_bytes) {
    return fail(
        Error::parse("{}: payload does not match the manifest's SHA-256 (corrupt or "
                     "modified bundle)",
                     where));
  }
  return verified;
}

Result<ImportSummary> import_bundle(Database& database, const VerifiedBundle& bundle,
                                    const BundleImportOptions& options) {
  auto* db = dynamic_cast<internal::SqliteDatabase*>(&database);
  if (db == nullptr) {
    return fail(Error::unsupported("bundles need the SQLite vulnerability database"));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto applied, applied_bundle(database));
  VIGIL_TRY(check_bundle_applies(bundle.manifest, applied, options.force)
                .map_error([&bundle](const Error& error) {
                  return error.with_context(bundle.path.string());
                }));
  VIGIL_ASSIGN_OR_RETURN(auto session, database.begin_import());
  LineFeeder feeder(*session, fmt::format("{}:records.jsonl", bundle.path.filename().string()),
                    options);
  VIGIL_TRY(stream_payload(bundle, feeder, options));
  const auto& counts = feeder.counts();
  const auto& manifest = bundle.manifest;
  if (counts.osv != manifest.osv || counts.osv + counts.advisories != manifest.advisories ||
      counts.kev != manifest.kev || counts.epss != manifest.epss) {
    return fail(
        Error::parse("{}: payload record counts (advisories {}, KEV {}, EPSS {}) differ "
                     "from the manifest's ({}, {}, {})",
                     bundle.path.string(), counts.osv + counts.advisories, counts.kev, counts.epss,
                     manifest.advisories, manifest.kev, manifest.epss));
  }
  // Same connection, same open transaction: the applied-bundle marker commits with the records.
  VIGIL_TRY(record_applied(*db, manifest, applied));
  return session->commit(fmt::format("bundle {} ({} versions {}..{})",
                                     bundle.path.filename().string(), manifest.origin,
                                     manifest.from_version, manifest.to_version));
}

}  // namespace vigil::vulndb
