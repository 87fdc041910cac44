// Ed25519 keys and SHA-256 digests for signed database bundles (OpenSSL EVP underneath; no
// OpenSSL type appears here). Keys are PEM files: PKCS#8 private keys and SPKI public keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::vulndb {

// An incremental SHA-256. Not thread-safe; one per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view data);
  // The digest of everything passed to `update`, as 64 lower-case hex digits. Ends the stream:
  // call it once.
  std::string hex_digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// The SHA-256 of the file at `path`. Returns kIo when it cannot be read.
[[nodiscard]] Result<std::string> sha256_file(const std::filesystem::path& path);

// An Ed25519 public key. Cheap to copy (shared, immutable); thread-safe.
class PublicKey {
 public:
  // Parses a PEM "PUBLIC KEY" (SubjectPublicKeyInfo). Returns kParse for anything that is not
  // an Ed25519 public key; `name` is used in messages.
  [[nodiscard]] static Result<PublicKey> from_pem(std::string_view pem, std::string_view name);
  // Reads and parses the PEM file at `path`; kIo when unreadable.
  [[nodiscard]] static Result<PublicKey> load(const std::filesystem::path& path);

  // A short stable identifier: the first 16 hex digits of SHA-256 over the raw 32-byte key.
  const std::string& id() const;
  // Where the key came from (file path or name given to from_pem), for messages.
  const std::string& origin() const;

  // True if `signature` (64 raw bytes) is this key's Ed25519 signature of `message`.
  bool verify(std::string_view message, std::string_view signature) const;

  struct Impl;

 private:
  explicit PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// An Ed25519 private key. Cheap to copy (shared, immutable); thread-safe.
class PrivateKey {
 public:
  // Reads a PEM "PRIVATE KEY" (unencrypted PKCS#8). Returns kIo when unreadable, kParse when
  // it is not an Ed25519 private key.
  [[nodiscard]] static Result<PrivateKey> load(const std::filesystem::path& path);

  // The 64-byte Ed25519 signature of `message`. Returns kInternal if OpenSSL fails.
  [[nodiscard]] Result<std::string> sign(std::string_view message) const;
  // The matching public key.
  const PublicKey& public_key() const;

  struct Impl;

 private:
  explicit PrivateKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Generates a new Ed25519 key pair and writes the private key to `private_path` (PEM, created
// with mode 0600) and the public key to `public_path` (PEM, 0644). Refuses (kConflict) to
// overwrite either file. Returns the public key's id.
[[nodiscard]] Result<std::string> generate_key_pair(const std::filesystem::path& private_path,
                                                    const std::filesystem::path& public_path);

// The trusted public keys: every file in `explicit_paths`, then every `*.pem` file in
// `trusted_dir` (sorted by name; the directory may be absent). Returns the first error of a
// file that cannot be read or parsed: a misconfigured key is never silently skipped.
[[nodiscard]] Result<std::vector<PublicKey>> load_trusted_keys(
    const std::vector<std::filesystem::path>& explicit_paths,
    const std::filesystem::path& trusted_dir);

// Standard base64 (RFC 4648, with padding) of `data`, and its inverse. `base64_decode` returns
// kParse for malformed input.
std::string base64_encode(std::string_view data);
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

}  // namespace vigil::vulndb
