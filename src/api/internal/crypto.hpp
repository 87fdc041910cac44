// Cryptographic and encoding primitives the API module needs (SigV4 HMACs, key sealing,
// opaque tokens), as thin wrappers over OpenSSL. Internal to src/api.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::api::internal {

// Returns the raw 32-byte SHA-256 of `data`.
std::string sha256(std::string_view data);
// Returns the lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Returns the raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Returns `bytes` as lower-case hex.
std::string to_hex(std::string_view bytes);
// Compares two strings in time independent of where they differ (lengths may leak).
bool constant_time_equals(std::string_view lhs, std::string_view rhs);
// Returns `count` bytes from the OS CSPRNG; kInternal when OpenSSL's RNG fails.
[[nodiscard]] Result<std::string> random_bytes(std::size_t count);

// Base64url without padding (RFC 4648 §5), for opaque pagination tokens.
std::string base64url_encode(std::string_view bytes);
// Decodes base64url (padding optional); kInvalidArgument on any other character.
[[nodiscard]] Result<std::string> base64url_decode(std::string_view text);

// AES-256-GCM: returns nonce(12) || ciphertext || tag(16). `key` must be 32 bytes.
[[nodiscard]] Result<std::string> aes_gcm_seal(std::string_view key, std::string_view plaintext,
                                               std::string_view associated_data);
// Inverse of aes_gcm_seal; kInvalidArgument when the tag does not verify (wrong key, tampering).
[[nodiscard]] Result<std::string> aes_gcm_open(std::string_view key, std::string_view sealed,
                                               std::string_view associated_data);

}  // namespace vigil::api::internal
