// Zip archives read by ranges (APPNOTE.TXT 4.3): the end-of-central-directory record (and its
// zip64 form), the central directory, then each wanted entry's local header and data. Every
// offset and size comes from the (untrusted) archive and is checked against its size first.
#include "inventory/catalogers/zip_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <utility>

namespace vigil::inventory::lang {
namespace {

constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint32_t kCentralSignature = 0x02014b50;
constexpr uint32_t kLocalSignature = 0x04034b50;
constexpr uint64_t kEndSize = 22;
constexpr uint64_t kZip64EndSize = 56;
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint64_t kCentralSize = 46;
constexpr uint64_t kLocalSize = 30;
constexpr uint64_t kMaxComment = 0xFFFF;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflated = 8;
constexpr uint16_t kFlagEncrypted = 0x1;
constexpr unsigned kMadeByUnix = 3;
constexpr uint32_t kDosDirectory = 0x10;
constexpr size_t kInflateChunk = size_t{256} << 10;

uint64_t le(std::string_view data, size_t offset, size_t width) {
  uint64_t value = 0;
  for (size_t idx = width; idx > 0; --idx) {
    value = (value << 8U) | static_cast<unsigned char>(data[offset + idx - 1]);
  }
  return value;
}

// A RandomAccessFile viewing bytes owned by the caller.
class ViewFile final : public sources::RandomAccessFile {
 public:
  explicit ViewFile(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  uint32_t mode() const override { return 0; }
  Result<std::string> read_at(uint64_t offset, uint64_t length) const override {
    if (offset >= bytes_.size()) {
      return std::string();
    }
    return std::string(
        bytes_.substr(static_cast<size_t>(offset),
                      static_cast<size_t>(std::min<uint64_t>(length, bytes_.size() - offset))));
  }

 private:
  std::string_view bytes_;
};

struct CentralEntry {
  std::string_view name;  // into the central directory's bytes
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t local_offset = 0;
  bool regular = true;
};

// Reads exactly [offset, offset + length) of `file`, or kParse naming `what` when the range is
// not inside it.
Result<std::string> read_exact(const sources::RandomAccessFile& file, uint64_t offset,
                               uint64_t length, std::string_view what) {
  const uint64_t size = file.size();
  if (offset > size || length > size - offset) {
    return fail(Error::parse("corrupt zip archive: {} lies outside the archive", what));
  }
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, file.read_at(offset, length));
  if (bytes.size() != length) {
    return fail(Error::parse("corrupt zip archive: {} is truncated", what));
  }
  return bytes;
}

// Where the central directory is and how many entries it claims.
struct Directory {
  uint64_t start = 0;  // in the file, prepended data accounted for
  uint64_t size = 0;
  uint64_t entries = 0;
  uint64_t shift = 0;  // bytes prepended to the archive: add to the recorded offsets
};

Result<Directory> find_directory(const sources::RandomAccessFile& file) {
  const uint64_t size = file.size();
  if (size < kEndSize) {
    return fail(Error::parse("not a readable zip archive: {} bytes is too short", size));
  }
  // Usually there is no archive comment: the record is the last 22 bytes.
  VIGIL_ASSIGN_OR_RETURN(std::string tail, read_exact(file, size - kEndSize, kEndSize, "end"));
  uint64_t tail_start = size - kEndSize;
  std::optional<uint64_t> found;
  if (le(tail, 0, 4) == kEndSignature && le(tail, 20, 2) == 0) {
    found = 0;
  } else {
    const uint64_t length = std::min(size, kEndSize + kMaxComment);
    tail_start = size - length;
    VIGIL_ASSIGN_OR_RETURN(tail, read_exact(file, tail_start, length, "end"));
    for (uint64_t pos = length - kEndSize + 1; pos-- > 0;) {
      if (le(tail, static_cast<size_t>(pos), 4) == kEndSignature &&
          pos + kEndSize + le(tail, static_cast<size_t>(pos) + 20, 2) <= length) {
        found = pos;
        break;
      }
    }
  }
  if (!found) {
    return fail(Error::parse("not a readable zip archive: no end of central directory record"));
  }
  const std::string_view end = std::string_view(tail).substr(static_cast<size_t>(*found));
  const uint64_t end_offset = tail_start + *found;
  Directory dir;
  dir.entries = le(end, 10, 2);
  dir.size = le(end, 12, 4);
  uint64_t recorded_start = le(end, 16, 4);
  uint64_t directory_end = end_offset;  // the directory ends where the next record starts
  if ((dir.entries == 0xFFFF || dir.size == 0xFFFFFFFF || recorded_start == 0xFFFFFFFF) &&
      end_offset >= kZip64LocatorSize) {
    VIGIL_ASSIGN_OR_RETURN(
        const std::string locator,
        read_exact(file, end_offset - kZip64LocatorSize, kZip64LocatorSize, "zip64 locator"));
    if (le(locator, 0, 4) == kZip64LocatorSignature) {
      // The zip64 record sits right before the locator; its recorded offset may be shifted.
      if (end_offset - kZip64LocatorSize < kZip64EndSize) {
        return fail(Error::parse("corrupt zip archive: zip64 end record outside the archive"));
      }
      const uint64_t record_offset = end_offset - kZip64LocatorSize - kZip64EndSize;
      VIGIL_ASSIGN_OR_RETURN(const std::string record,
                             read_exact(file, record_offset, kZip64EndSize, "zip64 end record"));
      if (le(record, 0, 4) != kZip64EndSignature) {
        return fail(Error::parse("corrupt zip archive: bad zip64 end of central directory"));
      }
      dir.entries = le(record, 32, 8);
      dir.size = le(record, 40, 8);
      recorded_start = le(record, 48, 8);
      directory_end = record_offset;
    }
  }
  if (dir.size > directory_end) {
    return fail(Error::parse("corrupt zip archive: central directory of {} bytes", dir.size));
  }
  dir.start = directory_end - dir.size;
  if (recorded_start > dir.start) {
    return fail(Error::parse("corrupt zip archive: central directory offset {} past {}",
                             recorded_start, dir.start));
  }
  dir.shift = dir.start - recorded_start;
  return dir;
}

// Applies the zip64 extended information extra field (0x0001) to the fields saturated at
// 0xFFFFFFFF, in APPNOTE order.
void apply_zip64_extra(std::string_view extra, CentralEntry& entry) {
  while (extra.size() >= 4) {
    const uint64_t id = le(extra, 0, 2);
    const auto length = static_cast<size_t>(le(extra, 2, 2));
    if (length > extra.size() - 4) {
      return;
    }
    std::string_view data = extra.substr(4, length);
    extra.remove_prefix(4 + length);
    if (id != 0x0001) {
      continue;
    }
    for (uint64_t* field : {&entry.uncompressed, &entry.compressed, &entry.local_offset}) {
      if (*field == 0xFFFFFFFF && data.size() >= 8) {
        *field = le(data, 0, 8);
        data.remove_prefix(8);
      }
    }
    return;
  }
}

// The entries of the central directory, whose bytes are read into `bytes` (their names view it).
Result<std::vector<CentralEntry>> read_directory(const sources::RandomAccessFile& file,
                                                 const Directory& dir, std::string& bytes) {
  VIGIL_ASSIGN_OR_RETURN(bytes, read_exact(file, dir.start, dir.size, "central directory"));
  std::vector<CentralEntry> entries;
  std::string_view rest = bytes;
  while (entries.size() < dir.entries && rest.size() >= kCentralSize) {
    if (le(rest, 0, 4) != kCentralSignature) {
      return fail(Error::parse("corrupt zip archive: invalid central directory signature"));
    }
    const uint64_t made_by = le(rest, 4, 2);
    const auto name_length = static_cast<size_t>(le(rest, 28, 2));
    const auto extra_length = static_cast<size_t>(le(rest, 30, 2));
    const auto comment_length = static_cast<size_t>(le(rest, 32, 2));
    const size_t record = kCentralSize + name_length + extra_length + comment_length;
    if (record > rest.size()) {
      return fail(Error::parse("corrupt zip archive: truncated central directory"));
    }
    CentralEntry entry;
    entry.flags = static_cast<uint16_t>(le(rest, 8, 2));
    entry.method = static_cast<uint16_t>(le(rest, 10, 2));
    entry.crc = static_cast<uint32_t>(le(rest, 16, 4));
    entry.compressed = le(rest, 20, 4);
    entry.uncompressed = le(rest, 24, 4);
    entry.local_offset = le(rest, 42, 4);
    const auto external = static_cast<uint32_t>(le(rest, 38, 4));
    entry.name = rest.substr(kCentralSize, name_length);
    apply_zip64_extra(rest.substr(kCentralSize + name_length, extra_length), entry);
    // As libarchive decides an entry's type: a trailing '/' is a directory; Unix-made entries
    // carry st_mode in the high half of the external attributes; DOS ones a directory bit.
    const auto unix_mode = static_cast<mode_t>(external >> 16U);
    if (entry.name.empty() || entry.name.back() == '/') {
      entry.regular = false;
    } else if ((made_by >> 8U) == kMadeByUnix && (unix_mode & S_IFMT) != 0) {
      entry.regular = S_ISREG(unix_mode);
    } else if ((made_by >> 8U) != kMadeByUnix && (external & kDosDirectory) != 0) {
      entry.regular = false;
    }
    entries.push_back(std::move(entry));
    rest.remove_prefix(record);
  }
  // Entries in the order of their data (as libarchive reads them); one entry per offset. Most
  // archives list them in that order already.
  const auto by_offset = [](const auto& lhs, const auto& rhs) {
    return lhs.local_offset < rhs.local_offset;
  };
  if (!std::is_sorted(entries.begin(), entries.end(), by_offset)) {
    std::stable_sort(entries.begin(), entries.end(), by_offset);
  }
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const auto& lhs, const auto& rhs) {
                              return lhs.local_offset == rhs.local_offset;
                            }),
                entries.end());
  return entries;
}

enum class EntryOutcome { kRead, kTooLarge, kFailed };

struct EntryResult {
  EntryOutcome outcome = EntryOutcome::kRead;
  std::string content;
  std::string problem;  // for kFailed
};

// Reads and decompresses one entry, producing at most `limit` bytes. kParse when the archive is
// corrupt there (the caller stops: later offsets cannot be trusted either).
Result<EntryResult> read_entry(const sources::RandomAccessFile& file, const CentralEntry& entry,
                               uint64_t shift, uint64_t limit) {
  EntryResult result;
  if ((entry.flags & kFlagEncrypted) != 0) {
    result.outcome = EntryOutcome::kFailed;
    result.problem = "encrypted entries are not supported";
    return result;
  }
  const uint64_t size = file.size();
  if (entry.local_offset > size - std::min(size, shift)) {
    return fail(
        Error::parse("corrupt zip archive at {}: local header outside the archive", entry.name));
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string local,
                         read_exact(file, entry.local_offset + shift, kLocalSize, "local header"));
  if (le(local, 0, 4) != kLocalSignature) {
    return fail(Error::parse("corrupt zip archive at {}: bad local file header", entry.name));
  }
  const uint64_t data_offset =
      entry.local_offset + shift + kLocalSize + le(local, 26, 2) + le(local, 28, 2);
  if (data_offset > size || entry.compressed > size - data_offset) {
    return fail(Error::parse("corrupt zip archive at {}: truncated entry data", entry.name));
  }
  if (entry.method == kMethodStored) {
    if (entry.compressed > limit) {
      result.outcome = EntryOutcome::kTooLarge;
      return result;
    }
    VIGIL_ASSIGN_OR_RETURN(result.content,
                           read_exact(file, data_offset, entry.compressed, entry.name));
  } else {
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
      return fail(Error::internal("zlib: cannot initialise inflate"));
    }
    const std::unique_ptr<z_stream, int (*)(z_streamp)> guard(&stream, inflateEnd);
    std::string output(static_cast<size_t>(std::min<uint64_t>(limit, kInflateChunk)), '\0');
    std::string input;
    size_t produced = 0;
    uint64_t consumed = 0;
    while (true) {
      if (stream.avail_in == 0 && consumed < entry.compressed) {
        const uint64_t want = std::min<uint64_t>(entry.compressed - consumed, kInflateChunk);
        VIGIL_ASSIGN_OR_RETURN(input, read_exact(file, data_offset + consumed, want, entry.name));
        consumed += want;
        stream.next_in = reinterpret_cast<Bytef*>(input.data());
        stream.avail_in = static_cast<uInt>(input.size());
      }
      char probe = 0;
      if (produced == output.size() && output.size() < limit) {
        output.resize(static_cast<size_t>(std::min<uint64_t>(limit, output.size() * 2)));
      }
      if (produced < output.size()) {
        stream.next_out = reinterpret_cast<Bytef*>(output.data() + produced);
        stream.avail_out = static_cast<uInt>(output.size() - produced);
      } else {
        // At the limit: one more byte of output means the entry is over it.
        stream.next_out = reinterpret_cast<Bytef*>(&probe);
        stream.avail_out = 1;
      }
      const bool probing = produced == output.size();
      const int status = inflate(&stream, Z_NO_FLUSH);
      if (probing) {
        if (stream.avail_out == 0) {
          output.resize(produced);
          result.outcome = EntryOutcome::kTooLarge;
          result.content = std::move(output);
          return result;
        }
      } else {
        produced = output.size() - stream.avail_out;
      }
      if (status == Z_STREAM_END) {
        break;
      }
      if (status == Z_BUF_ERROR && stream.avail_in == 0 && consumed == entry.compressed) {
        return fail(
            Error::parse("corrupt zip archive at {}: truncated compressed data", entry.name));
      }
      if (status != Z_OK && status != Z_BUF_ERROR) {
        return fail(Error::parse("corrupt zip archive at {}: ZIP decompression failed ({})",
                                 entry.name, stream.msg != nullptr ? stream.msg : "zlib"));
      }
    }
    output.resize(produced);
    result.content = std::move(output);
  }
  const auto crc = static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(result.content.data()), result.content.size()));
  if (crc != entry.crc) {
    result.outcome = EntryOutcome::kFailed;
    result.problem = fmt::format("ZIP bad CRC: {:#x} should be {:#x}", crc, entry.crc);
    result.content.clear();
  }
  return result;
}

// ---- libarchive, for archives using a compression method read_entry() does not handle ----

struct ArchiveCloser {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

std::string archive_message(archive* handle) {
  const char* message = archive_error_string(handle);
  return message != nullptr ? std::string(message) : std::string("unknown libarchive error");
}

enum class ArchiveOutcome { kRead, kTooLarge, kFailed, kFatal };

ArchiveOutcome archive_entry_data(archive* handle, uint64_t limit, std::string& out) {
  std::array<char, 64 * 1024> buffer{};
  while (true) {
    const la_ssize_t got = archive_read_data(handle, buffer.data(), buffer.size());
    if (got == 0) {
      return ArchiveOutcome::kRead;
    }
    if (got < 0) {
      return got == ARCHIVE_FATAL ? ArchiveOutcome::kFatal : ArchiveOutcome::kFailed;
    }
    const auto count = static_cast<size_t>(got);
    if (out.size() + count > limit) {
      return ArchiveOutcome::kTooLarge;
    }
    out.append(buffer.data(), count);
  }
}

Result<ZipReadSummary> read_zip_libarchive(std::string_view bytes, const ZipSelect& select,
                                           const ZipConsume& consume, ZipBudget& budget) {
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
    switch (archive_entry_data(handle.get(), limit, content)) {
      case ArchiveOutcome::kRead:
        budget.remaining_bytes -= content.size();
        consume(std::move(path), std::move(content));
        break;
      case ArchiveOutcome::kTooLarge:
        budget.remaining_bytes -= std::min<uint64_t>(budget.remaining_bytes, content.size());
        summary.skipped.push_back(fmt::format("{} (larger than the size limit)", path));
        break;
      case ArchiveOutcome::kFailed:
        summary.skipped.push_back(fmt::format("{} ({})", path, archive_message(handle.get())));
        break;
      case ArchiveOutcome::kFatal:
        return fail(
            Error::parse("corrupt zip archive at {}: {}", path, archive_message(handle.get())));
    }
  }
  return summary;
}

}  // namespace

Result<ZipReadSummary> read_zip(const sources::RandomAccessFile& archive, const ZipSelect& select,
                                const ZipConsume& consume, ZipBudget& budget) {
  VIGIL_ASSIGN_OR_RETURN(const Directory dir, find_directory(archive));
  std::string directory_bytes;
  VIGIL_ASSIGN_OR_RETURN(const std::vector<CentralEntry> entries,
                         read_directory(archive, dir, directory_bytes));
  std::vector<const CentralEntry*> wanted;
  bool other_method = false;
  for (const auto& entry : entries) {
    if (entry.regular && select(entry.name)) {
      wanted.push_back(&entry);
      other_method =
          other_method || (entry.method != kMethodStored && entry.method != kMethodDeflated &&
                           (entry.flags & kFlagEncrypted) == 0);
    }
  }
  if (other_method) {
    // bzip2, lzma, xz, zstd...: rare in archives; libarchive reads them from the whole file.
    if (archive.size() > sources::kDefaultMaxRead) {
      return fail(Error::parse("zip archive of {} bytes uses an unusual compression method",
                               archive.size()));
    }
    VIGIL_ASSIGN_OR_RETURN(const std::string bytes, archive.read_at(0, archive.size()));
    return read_zip_libarchive(bytes, select, consume, budget);
  }
  ZipReadSummary summary;
  for (const CentralEntry* entry : wanted) {
    const uint64_t limit = std::min(budget.max_entry_bytes, budget.remaining_bytes);
    if (entry->uncompressed > limit) {
      summary.skipped.push_back(fmt::format("{} (larger than the size limit)", entry->name));
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(EntryResult read, read_entry(archive, *entry, dir.shift, limit));
    switch (read.outcome) {
      case EntryOutcome::kRead:
        budget.remaining_bytes -= read.content.size();
        consume(std::string(entry->name), std::move(read.content));
        break;
      case EntryOutcome::kTooLarge:
        budget.remaining_bytes -= std::min<uint64_t>(budget.remaining_bytes, read.content.size());
        summary.skipped.push_back(fmt::format("{} (larger than the size limit)", entry->name));
        break;
      case EntryOutcome::kFailed:
        summary.skipped.push_back(fmt::format("{} ({})", entry->name, read.problem));
        break;
    }
  }
  return summary;
}

Result<ZipReadSummary> read_zip(std::string_view bytes, const ZipSelect& select,
                                const ZipConsume& consume, ZipBudget& budget) {
  const ViewFile file(bytes);
  return read_zip(file, select, consume, budget);
}

}  // namespace vigil::inventory::lang
