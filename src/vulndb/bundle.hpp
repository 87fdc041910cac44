// Signed database bundles: `vigil db export` writes the records of a database (all of them, or
// those changed after a version) into one file that another Vigil verifies and imports offline.
//
// A bundle is a plain tar with three members, in this order:
//   vigil-bundle/manifest.json       format version, origin database, from/to versions, record
//                                    counts, creation time, SHA-256 and sizes of the payload
//   vigil-bundle/signature.json      optional: {"algorithm":"ed25519","key_id","signature"}; an
//                                    Ed25519 signature over "vigil-bundle-signature-v1\n" +
//                                    manifest bytes + "\n" + payload SHA-256 (hex)
//   vigil-bundle/records.jsonl.zst   zstd-compressed Vigil bundle records (see
//                                    importers/vigil_bundle.hpp), re-imported through importers
// The signature and digest are checked before anything is decompressed or parsed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "vulndb/database.hpp"
#include "vulndb/signing.hpp"

namespace vigil::vulndb {

inline constexpr int64_t kBundleFormatVersion = 1;

struct BundleManifest {
  int64_t format_version = kBundleFormatVersion;
  std::string origin;        // identifier of the exporting database
  int64_t from_version = 0;  // exclusive; 0 for a full bundle
  int64_t to_version = 0;    // inclusive: the exporting database's version
  int64_t schema_version = 0;
  std::string created;    // RFC 3339
  size_t advisories = 0;  // advisory records, including withdrawn ones
  size_t osv = 0;         // ... of which are raw OSV lines
  size_t withdrawn = 0;
  size_t kev = 0;
  size_t epss = 0;
  std::string payload_sha256;  // of the compressed payload member, hex
  uint64_t payload_bytes = 0;
  uint64_t payload_uncompressed_bytes = 0;

  bool is_delta() const { return from_version > 0; }
  friend bool operator==(const BundleManifest&, const BundleManifest&) = default;
};

struct ExportOptions {
  int64_t since = 0;                // export records changed after this version; 0 = all
  const PrivateKey* key = nullptr;  // sign with this key; nullptr writes an unsigned bundle
  int compression_level = 9;        // zstd level
};

struct ExportResult {
  BundleManifest manifest;
  uint64_t bundle_bytes = 0;
  std::string key_id;  // "" when unsigned
};

// Writes a bundle of `database` to `out` (atomically: a temporary file renamed into place).
// Withdrawn records are included with their withdrawal date. Returns kInvalidArgument when
// `since` is negative or beyond the database version, kIo when `out` cannot be written.
// Records the database's origin id in its meta table the first time it is exported.
[[nodiscard]] Result<ExportResult> export_bundle(Database& database,
                                                 const std::filesystem::path& out,
                                                 const ExportOptions& options = {});

// True if `path` starts like a bundle (a tar whose first member is vigil-bundle/manifest.json).
// Cheap: reads one 512-byte block; false for unreadable files.
bool is_bundle_file(const std::filesystem::path& path);

struct VerifiedBundle {
  std::filesystem::path path;
  BundleManifest manifest;
  bool is_signed = false;
  std::string key_id;               // from the signature ("" when unsigned)
  bool signature_verified = false;  // true when a trusted key verified it
};

// Reads the bundle at `path` and checks it, touching no database. With `trusted_keys`, an
// unsigned bundle or one whose signature none of the keys verifies is refused
// (kInvalidArgument, message saying which). Without keys any signature is left unchecked
// (`signature_verified` false). Always checks the payload against the manifest's SHA-256.
// Returns kParse for a file that is not a well-formed bundle or has an unsupported format.
[[nodiscard]] Result<VerifiedBundle> verify_bundle(const std::filesystem::path& path,
                                                   const std::vector<PublicKey>& trusted_keys);

// Which bundle a database last applied: origin "" and version 0 when none.
struct AppliedBundle {
  std::string origin;
  int64_t version = 0;
};
[[nodiscard]] Result<AppliedBundle> applied_bundle(Database& database);

// Whether `manifest` may be applied on top of `applied`: a delta needs the same origin at a
// version >= its `from_version`, and no bundle may take the origin backwards. Returns
// kConflict explaining the gap unless `force`.
[[nodiscard]] Result<void> check_bundle_applies(const BundleManifest& manifest,
                                                const AppliedBundle& applied, bool force);

struct BundleImportOptions {
  bool force = false;  // skip check_bundle_applies
  ReadLimits limits;   // max_file_bytes bounds one line, max_total_bytes the payload
  std::function<void(size_t)> progress;  // records read so far
};

// Imports a verified bundle in one transaction and records it as the database's applied
// bundle. The payload is hashed again while it is read and nothing is committed unless it
// still matches the verified digest and the manifest's record counts.
[[nodiscard]] Result<ImportSummary> import_bundle(Database& database, const VerifiedBundle& bundle,
                                                  const BundleImportOptions& options = {});

}  // namespace vigil::vulndb
