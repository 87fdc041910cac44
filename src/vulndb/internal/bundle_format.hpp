// Internal: the pieces of the bundle format shared by export and import (member names, the
// manifest encoding, the signed message and the meta keys a database keeps about bundles).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "vulndb/bundle.hpp"

namespace vigil::vulndb::internal {

inline constexpr std::string_view kManifestMember = "vigil-bundle/manifest.json";
inline constexpr std::string_view kSignatureMember = "vigil-bundle/signature.json";
inline constexpr std::string_view kPayloadMember = "vigil-bundle/records.jsonl.zst";
inline constexpr std::string_view kSignatureDomain = "vigil-bundle-signature-v1\n";

inline constexpr size_t kMaxManifestBytes = 1 << 20;
inline constexpr size_t kMaxSignatureBytes = 16 << 10;

// meta-table keys
inline constexpr std::string_view kMetaDatabaseId = "database_id";
inline constexpr std::string_view kMetaBundleOrigin = "bundle_origin";
inline constexpr std::string_view kMetaBundleVersion = "bundle_version";

// The bytes an Ed25519 bundle signature covers.
std::string signed_message(std::string_view manifest_bytes, std::string_view payload_sha256);

std::string encode_manifest(const BundleManifest& manifest);
// Returns kParse for malformed JSON, missing fields or an unsupported format version.
[[nodiscard]] Result<BundleManifest> decode_manifest(std::string_view text);

std::string encode_signature(std::string_view key_id, std::string_view signature);
struct DecodedSignature {
  std::string key_id;
  std::string signature;  // raw bytes
};
[[nodiscard]] Result<DecodedSignature> decode_signature(std::string_view text);

}  // namespace vigil::vulndb::internal
