// Bounded reading of zip archives (jars, wars, eggs) by ranges: the end-of-central-directory
// record and the central directory first, then only the entries asked for (stored or deflated;
// an archive using another method for one of those is read through libarchive instead).
// Internal to the inventory module.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sources/file_tree.hpp"

namespace vigil::inventory::lang {

// How much a scan may expand from one top-level archive, shared by its nested archives.
struct ZipBudget {
  uint64_t max_entry_bytes = uint64_t{256} << 20;  // one entry's uncompressed size
  uint64_t remaining_bytes = uint64_t{1} << 30;    // all entries read, nested ones included
};

struct ZipReadSummary {
  std::vector<std::string> skipped;  // selected entries not read (budget, encryption, CRC)
};

using ZipSelect = std::function<bool(std::string_view path)>;
using ZipConsume = std::function<void(std::string path, std::string content)>;

// Walks the regular-file entries of the zip archive `archive` in the order of their data in
// the file. For each entry whose path `select` accepts, reads its content (charged to
// `budget`) and passes it to `consume`; entries too large for the budget, encrypted or failing
// their CRC are listed in the summary instead. Data prepended to the archive (a launcher
// script) is allowed. Returns kParse when the archive is not a zip or is corrupt (entries
// consumed before the error stay consumed), kIo when it cannot be read. Thread-safe.
[[nodiscard]] Result<ZipReadSummary> read_zip(const sources::RandomAccessFile& archive,
                                              const ZipSelect& select, const ZipConsume& consume,
                                              ZipBudget& budget);

// The same over an archive held in memory.
[[nodiscard]] Result<ZipReadSummary> read_zip(std::string_view bytes, const ZipSelect& select,
                                              const ZipConsume& consume, ZipBudget& budget);

}  // namespace vigil::inventory::lang
