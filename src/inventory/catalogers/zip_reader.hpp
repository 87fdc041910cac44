// Bounded reading of zip archives held in memory (jars, wars, eggs) through libarchive.
// Internal to the inventory module.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::inventory::lang {

// How much a scan may expand from one top-level archive, shared by its nested archives.
struct ZipBudget {
  uint64_t max_entry_bytes = uint64_t{256} << 20;  // one entry's uncompressed size
  uint64_t remaining_bytes = uint64_t{1} << 30;    // all entries read, nested ones included
};

struct ZipReadSummary {
  std::vector<std::string> skipped;  // selected entries not read because of the budget
};

// Walks the regular-file entries of the zip archive `bytes`. For each entry whose path
// `select` accepts, reads its content (charged to `budget`) and passes it to `consume`;
// entries too large for the budget are listed in the summary instead. Returns kParse with
// libarchive's message when the archive is not a zip or is corrupt; entries consumed before
// the error stay consumed. Thread-safe (no shared state).
[[nodiscard]] Result<ZipReadSummary> read_zip(
    std::string_view bytes, const std::function<bool(std::string_view path)>& select,
    const std::function<void(std::string path, std::string content)>& consume, ZipBudget& budget);

}  // namespace vigil::inventory::lang
