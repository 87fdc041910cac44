// Internal: a direct reader for plain zip archives (OSV's all.zip and per-ecosystem zips), used by
// source_reader before libarchive. It inflates each member straight into a buffer of its declared
// size (no 64 KiB block copies, no per-entry time conversion), checks CRC-32, and leaves every
// archive it does not fully understand (zip64, encryption, methods other than stored/deflate,
// inconsistent headers) to libarchive by returning kNotHandled.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "vulndb/source_reader.hpp"

namespace vigil::vulndb::internal {

enum class ZipOutcome { kDone, kNotHandled };

// Calls `visit` for every regular member of the zip archive `data`, in stored order, with
// SourceFile::name = "<display>:<member name>". Returns kNotHandled (having called `visit` for
// nothing) when the archive needs libarchive. Returns kParse for corrupt member data (bad deflate
// stream, size or CRC mismatch), kInvalidArgument when a limit is exceeded, or the first error
// `visit` returns. Member contents carry spare capacity so JSON parsers need not copy them.
[[nodiscard]] Result<ZipOutcome> read_zip(std::string_view display, std::string_view data,
                                          const ReadLimits& limits,
                                          const std::function<Result<void>(SourceFile&&)>& visit);

}  // namespace vigil::vulndb::internal
