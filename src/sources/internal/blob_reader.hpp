// Streams a blob from disk as decompressed bytes (gzip, zstd or none, detected from the magic
// bytes), hashing the raw bytes (and optionally the decompressed ones) as they go by, and
// stopping at the configured expansion limits. Internal to the sources module.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sources/layer_index.hpp"

namespace vigil::sources::internal {

enum class Compression { kNone, kGzip, kZstd };

// Returns "none", "gzip" or "zstd".
std::string_view compression_name(Compression compression);

class BlobReader {
 public:
  virtual ~BlobReader() = default;

  // Opens the blob at `path`. `what` names it in messages ("layer sha256:ab12…"). `limits`
  // bound the decompressed size and the expansion ratio; `hash_expanded` also hashes the
  // decompressed stream (the OCI diff_id). Returns kNotFound / kIo when the file cannot be
  // opened.
  [[nodiscard]] static Result<std::unique_ptr<BlobReader>> open(const std::filesystem::path& path,
                                                                std::string what,
                                                                const ExtractLimits& limits,
                                                                bool hash_expanded);

  // Returns the next run of decompressed bytes, valid until the next call; empty at the end.
  // Returns kParse for a corrupt or truncated stream, kInvalidArgument when a limit is passed,
  // kIo on read errors. Every message starts with `what`.
  [[nodiscard]] virtual Result<std::string_view> next() = 0;

  // Consumes whatever is left (decompressing it, so the digests cover everything) and returns
  // the raw digest. Same errors as next().
  [[nodiscard]] virtual Result<std::string> finish() = 0;

  // The decompressed digest ("sha256:…"), after finish(); empty unless `hash_expanded`.
  virtual std::string expanded_digest() const = 0;

  virtual uint64_t raw_bytes() const = 0;
  virtual uint64_t expanded_bytes() const = 0;
  virtual Compression compression() const = 0;
};

// Returns the digest of the whole file at `path` (kIo / kNotFound when unreadable).
[[nodiscard]] Result<std::string> hash_file(const std::filesystem::path& path);

}  // namespace vigil::sources::internal
