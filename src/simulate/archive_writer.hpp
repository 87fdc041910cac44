// Deterministic archives for the simulator: tar and zip built in memory with libarchive (fixed
// mtimes, owners and modes, entries in the order given), gzip with a zero header time, and
// whole-file writes. The same entries always give the same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::simulate {

inline constexpr int64_t kArchiveMtime = 1700000000;  // 2023-11-14T22:13:20Z

struct ArchiveEntry {
  std::string path;     // '/'-separated, relative; a trailing '/' makes a directory
  std::string content;  // file content
  unsigned mode = 0644;
};

// A pax tar of `entries`. kInternal if libarchive refuses an entry.
[[nodiscard]] Result<std::string> make_tar(const std::vector<ArchiveEntry>& entries);

// A zip (deflate) of `entries`. kInternal if libarchive refuses an entry.
[[nodiscard]] Result<std::string> make_zip(const std::vector<ArchiveEntry>& entries);

// gzip of `data` (level 6, header mtime 0, no name). kInternal on a zlib failure.
[[nodiscard]] Result<std::string> gzip_compress(std::string_view data);

// Writes `content` to `path`, creating parent directories. kIo naming the path on failure.
[[nodiscard]] Result<void> write_file(const std::filesystem::path& path, std::string_view content);

// Base64 (RFC 4648, padded) of `data`.
std::string base64(std::string_view data);

// The raw 32-byte SHA-256 of `data`.
std::string sha256_raw(std::string_view data);

}  // namespace vigil::simulate
