// Content digests for image blobs and function bundles: streaming SHA-256 and the
// "sha256:<hex>" form OCI descriptors use (image-spec descriptor.md, "Digests").
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::sources {

// A streaming SHA-256 (OpenSSL EVP). Feed bytes with update(), then call finish() once.
// Not thread-safe; movable, not copyable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }

  // Returns "sha256:" + 64 lower-case hex digits. Further update()/finish() calls start over.
  std::string finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Returns the "sha256:<hex>" digest of `data`.
std::string sha256_digest(std::string_view data);

// Checks that `digest` is "sha256:" followed by exactly 64 lower-case hex digits. Returns
// kUnsupported for another registered algorithm ("sha512:...") and kParse for anything else;
// both messages quote the digest (truncated to 100 characters).
[[nodiscard]] Result<void> check_sha256_digest(std::string_view digest);

// The 64 hex digits of a digest that passed check_sha256_digest().
inline std::string_view digest_hex(std::string_view digest) { return digest.substr(7); }

}  // namespace vigil::sources
