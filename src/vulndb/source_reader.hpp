// Expands an import SOURCE (a file, a directory, or an archive such as OSV's all.zip or a
// .tar.gz/.json.gz feed) into the files it holds, with bounds against hostile archives.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/result.hpp"

namespace vigil::vulndb {

// One file ready for an importer: `name` is the path shown in messages ("all.zip:GO-2022-0001.json").
struct SourceFile {
  std::string name;
  std::string content;
};

struct ReadLimits {
  uint64_t max_file_bytes = uint64_t{1} << 30;    // one decompressed file
  uint64_t max_total_bytes = uint64_t{16} << 30;  // everything read from one source
  uint64_t max_files = 5'000'000;
  uint64_t max_ratio = 1000;  // decompressed/compressed size, for single compressed files
};

// Calls `visit` for every regular file under `path`, in a stable order (directories sorted by
// name; archives in stored order). Archives (.zip, .tar, .tar.gz, .tgz, .tar.xz, .tar.bz2,
// .tar.zst) are expanded one level; a single .gz, .bz2, .xz or .zst file is decompressed and
// keeps its name without the suffix. Symlinks are not followed. Returns kIo for an unreadable
// path, kParse for a corrupt archive, kInvalidArgument when a limit is exceeded, or the first
// error `visit` returns.
[[nodiscard]] Result<void> read_source(const std::filesystem::path& path, const ReadLimits& limits,
                                       const std::function<Result<void>(SourceFile&&)>& visit);

// Decompresses `data` if it starts with a gzip, bzip2, xz or zstd signature; otherwise returns
// it unchanged. `name` is used in messages. Bounded by `limits.max_file_bytes`.
[[nodiscard]] Result<std::string> maybe_decompress(std::string data, const std::string& name,
                                                   const ReadLimits& limits);

}  // namespace vigil::vulndb
