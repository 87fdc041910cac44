// Small helpers around libarchive shared by the tar and zip indexers: an owning handle, entry
// names, and copying one entry's data out with a size cap. Internal to the sources module.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sources/layer_index.hpp"

namespace vigil::sources::internal {

// Owns an archive* opened for reading.
class ArchiveReader {
 public:
  ArchiveReader() : archive_(archive_read_new()) {}
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;
  ~ArchiveReader() {
    if (archive_ != nullptr) {
      archive_read_free(archive_);
    }
  }
  archive* get() const { return archive_; }

  // libarchive's message for the last error, or "unknown error".
  std::string error_text() const {
    const char* text = archive_error_string(archive_);
    return text != nullptr ? std::string(text) : std::string("unknown error");
  }

 private:
  archive* archive_;
};

// At most this many problems are listed per layer; a hostile layer with millions of bad entries
// must not turn them into millions of messages.
inline constexpr size_t kMaxProblems = 100;

// Records `text` in `index.problems` (up to kMaxProblems, then one line saying more were left
// out) and, when `incomplete`, marks the index incomplete.
inline void note_problem(LayerIndex& index, std::string text, bool incomplete = true) {
  if (incomplete) {
    index.complete = false;
  }
  if (index.problems.size() < kMaxProblems) {
    index.problems.push_back(std::move(text));
  } else if (index.problems.size() == kMaxProblems) {
    index.problems.push_back("further problems in this layer are not listed");
  }
}

// The entry's path name as stored (locale form, else UTF-8); nullopt when libarchive has none.
inline std::optional<std::string> entry_name(archive_entry* entry) {
  if (const char* name = archive_entry_pathname(entry); name != nullptr) {
    return std::string(name);
  }
  if (const char* name = archive_entry_pathname_utf8(entry); name != nullptr) {
    return std::string(name);
  }
  return std::nullopt;
}

// Calls `sink` with the current entry's data in chunks, at most `max_bytes` in total. Returns
// the byte count; kInvalidArgument when the entry holds more, kParse when libarchive fails
// (with its message, prefixed by `what`), or the first error `sink` returns.
[[nodiscard]] Result<uint64_t> copy_entry_data(
    const ArchiveReader& reader, uint64_t max_bytes, std::string_view what,
    const std::function<Result<void>(std::string_view)>& sink);

}  // namespace vigil::sources::internal
