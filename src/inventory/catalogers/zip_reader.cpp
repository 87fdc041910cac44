#include "inventory/catalogers/zip_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

namespace vigil::inventory::lang {
namespace {

struct ArchiveCloser {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

std::string archive_message(archive* handle) {
  const char* message = archive_error_string(handle);
  return message != nullptr ? std::string(message) : std::string("unknown libarchive error");
}

enum class EntryOutcome { kRead, kTooLarge, kFailed, kFatal };

// Reads the current entry's data into `out`, stopping once `limit` would be exceeded.
EntryOutcome read_entry(archive* handle, uint64_t limit, std::string& out) {
  std::array<char, 64 * 1024> buffer{};
  while (true) {
    const la_ssize_t got = archive_read_data(handle, buffer.data(), buffer.size());
    if (got == 0) {
      return EntryOutcome::kRead;
    }
    if (got < 0) {
      return got == ARCHIVE_FATAL ? EntryOutcome::kFatal : EntryOutcome::kFailed;
    }
    const auto count = static_cast<size_t>(got);
    if (out.size() + count > limit) {
      return EntryOutcome::kTooLarge;
    }
    out.append(buffer.data(), count);
  }
}

}  // namespace

Result<ZipReadSummary> read_zip(
    std::string_view bytes, const std::function<bool(std::string_view path)>& select,
    const std::function<void(std::string path, std::string content)>& consume, ZipBudget& budget) {
  ArchivePtr handle(archive_read_new());
  if (!handle) {
    return fail(Error::internal("libarchive: cannot allocate a reader"));
  }
  archive_read_support_format_zip(handle.get());
  if (archive_read_open_memory(handle.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return fail(Error::parse("not a readable zip archive: {}", archive_message(handle.get())));
  }
  ZipReadSummary summary;
  while (true) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(handle.get(), &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status == ARCHIVE_FATAL || entry == nullptr) {
      return fail(Error::parse("corrupt zip archive: {}", archive_message(handle.get())));
    }
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      continue;  // ARCHIVE_RETRY / ARCHIVE_FAILED: this entry is unusable, the next may be fine
    }
    if (archive_entry_filetype(entry) != AE_IFREG) {
      continue;
    }
    const char* raw_path = archive_entry_pathname(entry);
    if (raw_path == nullptr) {
      continue;
    }
    std::string path(raw_path);
    if (!select(path)) {
      continue;
    }
    const uint64_t limit = std::min(budget.max_entry_bytes, budget.remaining_bytes);
    if (archive_entry_size_is_set(entry) != 0 && archive_entry_size(entry) >= 0 &&
        static_cast<uint64_t>(archive_entry_size(entry)) > limit) {
      summary.skipped.push_back(fmt::format("{} (larger than the size limit)", path));
      continue;
    }
    std::string content;
    switch (read_entry(handle.get(), limit, content)) {
      case EntryOutcome::kRead:
        budget.remaining_bytes -= content.size();
        consume(std::move(path), std::move(content));
        break;
      case EntryOutcome::kTooLarge:
        budget.remaining_bytes -= std::min<uint64_t>(budget.remaining_bytes, content.size());
        summary.skipped.push_back(fmt::format("{} (larger than the size limit)", path));
        break;
      case EntryOutcome::kFailed:
        summary.skipped.push_back(fmt::format("{} ({})", path, archive_message(handle.get())));
        break;
      case EntryOutcome::kFatal:
        return fail(
            Error::parse("corrupt zip archive at {}: {}", path, archive_message(handle.get())));
    }
  }
  return summary;
}

}  // namespace vigil::inventory::lang
