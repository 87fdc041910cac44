// The bundle manifest and signature encodings, the file sniff and the "may this bundle be
// applied here" rule.
#include <fstream>
#include <nlohmann/json.hpp>

#include "vulndb/bundle.hpp"
#include "vulndb/internal/bundle_format.hpp"
#include "vulndb/internal/sqlite_database.hpp"

namespace vigil::vulndb {
namespace internal {
namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

// Reads an unsigned count; the manifest is signed, but a bug must still not wrap around.
Result<uint64_t> count_at(const json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_unsigned()) {
    return fail(
        Error::parse("bundle manifest: '{}' is missing or not a non-negative integer", key));
  }
  return it->get<uint64_t>();
}

Result<std::string> text_at(const json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    return fail(Error::parse("bundle manifest: '{}' is missing or not a string", key));
  }
  return it->get<std::string>();
}

// The string at `key`, or "" when absent or not a string (json::value would throw then).
std::string string_or_empty(const json& obj, const char* key) {
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string signed_message(std::string_view manifest_bytes, std::string_view payload_sha256) {
  std::string message(kSignatureDomain);
  message.append(manifest_bytes);
  message += '\n';
  message.append(payload_sha256);
  return message;
}

std::string encode_manifest(const BundleManifest& manifest) {
  const ordered doc{
      {"format", "vigil-bundle"},
      {"format_version", manifest.format_version},
      {"origin", manifest.origin},
      {"kind", manifest.is_delta() ? "delta" : "full"},
      {"from_version", manifest.from_version},
      {"to_version", manifest.to_version},
      {"schema_version", manifest.schema_version},
      {"created", manifest.created},
      {"records", ordered{{"advisories", manifest.advisories},
                          {"osv", manifest.osv},
                          {"withdrawn", manifest.withdrawn},
                          {"kev", manifest.kev},
                          {"epss", manifest.epss}}},
      {"payload", ordered{{"name", std::string(kPayloadMember)},
                          {"compression", "zstd"},
                          {"sha256", manifest.payload_sha256},
                          {"bytes", manifest.payload_bytes},
                          {"uncompressed_bytes", manifest.payload_uncompressed_bytes}}}};
  return doc.dump(2) + "\n";
}

Result<BundleManifest> decode_manifest(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || string_or_empty(doc, "format") != "vigil-bundle") {
    return fail(Error::parse("bundle manifest: not a vigil-bundle manifest"));
  }
  BundleManifest manifest;
  VIGIL_ASSIGN_OR_RETURN(const auto format_version, count_at(doc, "format_version"));
  if (format_version != static_cast<uint64_t>(kBundleFormatVersion)) {
    return fail(Error::parse("bundle format version {} is not supported (this vigil reads {})",
                             format_version, kBundleFormatVersion));
  }
  manifest.format_version = kBundleFormatVersion;
  VIGIL_ASSIGN_OR_RETURN(manifest.origin, text_at(doc, "origin"));
  VIGIL_ASSIGN_OR_RETURN(manifest.created, text_at(doc, "created"));
  VIGIL_ASSIGN_OR_RETURN(const auto from, count_at(doc, "from_version"));
  VIGIL_ASSIGN_OR_RETURN(const auto to, count_at(doc, "to_version"));
  VIGIL_ASSIGN_OR_RETURN(const auto schema, count_at(doc, "schema_version"));
  constexpr uint64_t kMaxVersion = uint64_t{1} << 62;
  if (from > to || to > kMaxVersion || schema > kMaxVersion) {
    return fail(
        Error::parse("bundle manifest: versions {}..{} are out of order or range", from, to));
  }
  manifest.from_version = static_cast<int64_t>(from);
  manifest.to_version = static_cast<int64_t>(to);
  manifest.schema_version = static_cast<int64_t>(schema);
  const auto records = doc.find("records");
  const auto payload = doc.find("payload");
  if (records == doc.end() || !records->is_object() || payload == doc.end() ||
      !payload->is_object()) {
    return fail(Error::parse("bundle manifest: 'records' or 'payload' is missing"));
  }
  VIGIL_ASSIGN_OR_RETURN(manifest.advisories, count_at(*records, "advisories"));
  VIGIL_ASSIGN_OR_RETURN(manifest.osv, count_at(*records, "osv"));
  VIGIL_ASSIGN_OR_RETURN(manifest.withdrawn, count_at(*records, "withdrawn"));
  VIGIL_ASSIGN_OR_RETURN(manifest.kev, count_at(*records, "kev"));
  VIGIL_ASSIGN_OR_RETURN(manifest.epss, count_at(*records, "epss"));
  if (manifest.osv > manifest.advisories || manifest.withdrawn > manifest.advisories) {
    return fail(Error::parse("bundle manifest: record counts are inconsistent"));
  }
  if (string_or_empty(*payload, "compression") != "zstd" ||
      string_or_empty(*payload, "name") != std::string(kPayloadMember)) {
    return fail(
        Error::parse("bundle manifest: unsupported payload (expected zstd {})", kPayloadMember));
  }
  VIGIL_ASSIGN_OR_RETURN(manifest.payload_sha256, text_at(*payload, "sha256"));
  VIGIL_ASSIGN_OR_RETURN(manifest.payload_bytes, count_at(*payload, "bytes"));
  VIGIL_ASSIGN_OR_RETURN(manifest.payload_uncompressed_bytes,
                         count_at(*payload, "uncompressed_bytes"));
  return manifest;
}

std::string encode_signature(std::string_view key_id, std::string_view signature) {
  return ordered{
             {"algorithm", "ed25519"}, {"key_id", key_id}, {"signature", base64_encode(signature)}}
             .dump(2) +
         "\n";
}

Result<DecodedSignature> decode_signature(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) {
    return fail(Error::parse("bundle signature: not a JSON object"));
  }
  if (string_or_empty(doc, "algorithm") != "ed25519") {
    return fail(Error::parse("bundle signature: algorithm '{}' is not supported (ed25519 only)",
                             string_or_empty(doc, "algorithm")));
  }
  DecodedSignature decoded;
  VIGIL_ASSIGN_OR_RETURN(decoded.key_id, text_at(doc, "key_id"));
  VIGIL_ASSIGN_OR_RETURN(const auto encoded, text_at(doc, "signature"));
  auto raw = base64_decode(encoded);
  if (!raw) {
    return fail(raw.error().with_context("bundle signature"));
  }
  decoded.signature = std::move(raw).value();
  return decoded;
}

}  // namespace internal

bool is_bundle_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char header[512];
  if (!in.read(header, sizeof(header))) {
    return false;
  }
  // ustar: NUL-terminated name at offset 0 and the magic "ustar" at offset 257 (POSIX.1-1988).
  const std::string_view name(header, internal::kManifestMember.size() + 1);
  return name.substr(0, internal::kManifestMember.size()) == internal::kManifestMember &&
         name.back() == '\0' && std::string_view(header + 257, 5) == "ustar";
}

Result<AppliedBundle> applied_bundle(Database& database) {
  auto* sqlite = dynamic_cast<internal::SqliteDatabase*>(&database);
  if (sqlite == nullptr) {
    return fail(Error::unsupported("bundles need the SQLite vulnerability database"));
  }
  AppliedBundle applied;
  VIGIL_ASSIGN_OR_RETURN(applied.origin, sqlite->meta(internal::kMetaBundleOrigin));
  VIGIL_ASSIGN_OR_RETURN(const auto version, sqlite->meta(internal::kMetaBundleVersion));
  if (!version.empty()) {
    char* end = nullptr;
    applied.version = std::strtoll(version.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || applied.version < 0) {
      return fail(Error::parse("database meta {} is not a version: '{}'",
                               internal::kMetaBundleVersion, version));
    }
  }
  return applied;
}

Result<void> check_bundle_applies(const BundleManifest& manifest, const AppliedBundle& applied,
                                  bool force) {
  if (force) {
    return {};
  }
  if (manifest.is_delta()) {
    if (applied.origin.empty()) {
      return fail(Error::conflict(
          "delta bundle (versions {}..{} of database {}) needs that database's version {}, but "
          "no bundle has been applied here; import a full bundle first (or use --force)",
          manifest.from_version + 1, manifest.to_version, manifest.origin, manifest.from_version));
    }
    if (applied.origin != manifest.origin) {
      return fail(Error::conflict(
          "delta bundle comes from database {}, but this database follows {}; import a full "
          "bundle of {} first (or use --force)",
          manifest.origin, applied.origin, manifest.origin));
    }
    if (applied.version < manifest.from_version) {
      return fail(Error::conflict(
          "this database is at version {} of {}, older than the delta's base version {}; apply "
          "the missing deltas or a full bundle first (or use --force)",
          applied.version, manifest.origin, manifest.from_version));
    }
  }
  if (applied.origin == manifest.origin && manifest.to_version < applied.version) {
    return fail(
        Error::conflict("bundle (version {} of {}) is older than the version {} already "
                        "applied; importing it would roll records back (use --force)",
                        manifest.to_version, manifest.origin, applied.version));
  }
  return {};
}

}  // namespace vigil::vulndb
