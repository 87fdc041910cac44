#include "vulndb/internal/zip_reader.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace vigil::vulndb::internal {
namespace {

constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kCentralSignature = 0x02014b50;
constexpr uint32_t kLocalSignature = 0x04034b50;
constexpr size_t kEndSize = 22;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;
constexpr size_t kMaxComment = 0xFFFF;
// Spare capacity after each member's bytes: simdjson parses in place when a string has 64 bytes
// of padding, instead of copying the document.
constexpr size_t kPadding = 64;
// Deflate cannot expand data by more than ~1032:1; a larger declared size is a lie.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflate = 8;
constexpr uint16_t kHostUnix = 3;
constexpr uint32_t kTypeMask = 0170000;
constexpr uint32_t kTypeRegular = 0100000;

uint16_t u16(std::string_view data, size_t pos) {
  return static_cast<uint16_t>(static_cast<unsigned char>(data[pos]) |
                               (static_cast<unsigned char>(data[pos + 1]) << 8));
}

uint32_t u32(std::string_view data, size_t pos) {
  return static_cast<uint32_t>(u16(data, pos)) | (static_cast<uint32_t>(u16(data, pos + 2)) << 16);
}

struct Member {
  std::string name;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t size = 0;
  uint64_t local_offset = 0;
};

// Finds the end-of-central-directory record; npos when absent.
size_t find_end(std::string_view data) {
  if (data.size() < kEndSize) {
    return std::string_view::npos;
  }
  const size_t lowest =
      data.size() - kEndSize > kMaxComment ? data.size() - kEndSize - kMaxComment : 0;
  for (size_t pos = data.size() - kEndSize + 1; pos-- > lowest;) {
    if (u32(data, pos) == kEndSignature && pos + kEndSize + u16(data, pos + 20) == data.size()) {
      return pos;
    }
  }
  return std::string_view::npos;
}

// Reads the central directory; false when the archive needs libarchive (zip64, multi-disk,
// encryption, unusual methods, anything out of bounds).
bool read_directory(std::string_view data, std::vector<Member>& members) {
  const size_t end = find_end(data);
  if (end == std::string_view::npos) {
    return false;
  }
  const uint16_t disk = u16(data, end + 4);
  const uint16_t cd_disk = u16(data, end + 6);
  const uint16_t count_here = u16(data, end + 8);
  const uint16_t count = u16(data, end + 10);
  const uint32_t cd_size = u32(data, end + 12);
  const uint32_t cd_offset = u32(data, end + 16);
  if (disk != 0 || cd_disk != 0 || count_here != count || count == 0xFFFF ||
      cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF || uint64_t{cd_offset} + cd_size > end) {
    return false;
  }
  members.reserve(count);
  size_t pos = cd_offset;
  for (uint16_t idx = 0; idx < count; ++idx) {
    if (pos + kCentralSize > end || u32(data, pos) != kCentralSignature) {
      return false;
    }
    const uint16_t made_by = u16(data, pos + 4);
    const uint16_t flags = u16(data, pos + 8);
    Member member;
    member.method = u16(data, pos + 10);
    member.crc = u32(data, pos + 16);
    member.compressed = u32(data, pos + 20);
    member.size = u32(data, pos + 24);
    const size_t name_len = u16(data, pos + 28);
    const size_t extra_len = u16(data, pos + 30);
    const size_t comment_len = u16(data, pos + 32);
    const uint32_t attributes = u32(data, pos + 38);
    member.local_offset = u32(data, pos + 42);
    const size_t next = pos + kCentralSize + name_len + extra_len + comment_len;
    if (next > end || (flags & 1U) != 0 ||
        (member.method != kMethodStored && member.method != kMethodDeflate) ||
        member.compressed == 0xFFFFFFFF || member.size == 0xFFFFFFFF ||
        member.local_offset == 0xFFFFFFFF) {
      return false;
    }
    member.name.assign(data.substr(pos + kCentralSize, name_len));
    pos = next;
    const uint32_t type = attributes >> 16 & kTypeMask;
    const bool is_directory = !member.name.empty() && member.name.back() == '/';
    const bool special = (made_by >> 8) == kHostUnix && type != 0 && type != kTypeRegular;
    if (is_directory || special || member.name.empty()) {
      continue;  // directories, symlinks, devices: never visited (as with libarchive)
    }
    members.push_back(std::move(member));
  }
  // Stored order, as libarchive's seekable zip reader visits them.
  std::stable_sort(members.begin(), members.end(), [](const Member& lhs, const Member& rhs) {
    return lhs.local_offset < rhs.local_offset;
  });
  return true;
}

// The member's data span inside `data`; false when the local header is inconsistent.
bool member_data(std::string_view data, const Member& member, std::string_view& out) {
  if (member.local_offset + kLocalSize > data.size()) {
    return false;
  }
  const auto local = static_cast<size_t>(member.local_offset);
  if (u32(data, local) != kLocalSignature || u16(data, local + 8) != member.method) {
    return false;
  }
  const uint64_t start =
      uint64_t{local} + kLocalSize + u16(data, local + 26) + u16(data, local + 28);
  if (start > data.size() || member.compressed > data.size() - start) {
    return false;
  }
  out = data.substr(static_cast<size_t>(start), static_cast<size_t>(member.compressed));
  return true;
}

// One libdeflate decompressor reused for every member. libdeflate inflates a whole buffer of known
// size in one call (members declare theirs) and is about twice zlib's speed; its CRC-32 uses
// carry-less multiplication (several times zlib 1.2's table loop).
class Inflater {
 public:
  Inflater() = default;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() { libdeflate_free_decompressor(decompressor_); }

  Result<void> inflate_into(std::string_view input, std::string& out, const std::string& name) {
    if (decompressor_ == nullptr) {
      decompressor_ = libdeflate_alloc_decompressor();
      if (decompressor_ == nullptr) {
        return fail(Error::internal("{}: cannot allocate a deflate decompressor", name));
      }
    }
    size_t produced = 0;
    const libdeflate_result rc = libdeflate_deflate_decompress(
        decompressor_, input.data(), input.size(), out.data(), out.size(), &produced);
    if (rc != LIBDEFLATE_SUCCESS || produced != out.size()) {
      const bool shorter =
          rc == LIBDEFLATE_SHORT_OUTPUT || (rc == LIBDEFLATE_SUCCESS && produced < out.size());
      return fail(Error::parse("{}: corrupt data: deflate stream {} its declared size", name,
                               shorter ? "is shorter than" : "does not end at"));
    }
    return {};
  }

 private:
  libdeflate_decompressor* decompressor_ = nullptr;
};

}  // namespace

Result<ZipOutcome> read_zip(std::string_view display, std::string_view data,
                            const ReadLimits& limits,
                            const std::function<Result<void>(SourceFile&&)>& visit) {
  std::vector<Member> members;
  if (!read_directory(data, members)) {
    return ZipOutcome::kNotHandled;
  }
  std::vector<std::string_view> spans(members.size());
  for (size_t idx = 0; idx < members.size(); ++idx) {
    const Member& member = members[idx];
    if (!member_data(data, member, spans[idx]) ||
        (member.method == kMethodStored && member.size != member.compressed) ||
        (member.method == kMethodDeflate &&
         member.size > member.compressed * kMaxDeflateRatio + kPadding)) {
      return ZipOutcome::kNotHandled;
    }
  }
  if (members.size() > limits.max_files) {
    return fail(Error::invalid_argument("{}: more than {} files", display, limits.max_files));
  }
  uint64_t total = 0;
  Inflater inflater;
  // One name and one content buffer for all members: a visitor that leaves the file's strings in
  // place (the import does; it parses and moves on) hands them back with their capacity, so
  // members cost neither an allocation nor a zero-fill of their size each. A visitor that moves
  // them out leaves empty strings and the next member allocates anew.
  SourceFile file;
  for (size_t idx = 0; idx < members.size(); ++idx) {
    Member& member = members[idx];
    std::string& name = file.name;
    name.clear();
    name.reserve(display.size() + 1 + member.name.size());
    name.append(display).append(1, ':').append(member.name);
    if (member.size > limits.max_file_bytes) {
      return fail(Error::invalid_argument("{}: decompressed size exceeds the {}-byte limit", name,
                                          limits.max_file_bytes));
    }
    total += member.size;
    if (total > limits.max_total_bytes) {
      return fail(Error::invalid_argument("{}: source exceeds the {}-byte total limit", name,
                                          limits.max_total_bytes));
    }
    std::string& content = file.content;
    content.reserve(static_cast<size_t>(member.size) + kPadding);
    if (member.method == kMethodStored) {
      content.assign(spans[idx]);
    } else {
      // Shrinking or regrowing within the old size writes nothing; inflate overwrites it all.
      content.resize(static_cast<size_t>(member.size));
      VIGIL_TRY(inflater.inflate_into(spans[idx], content, name));
    }
    if (libdeflate_crc32(0, content.data(), content.size()) != member.crc) {
      return fail(Error::parse("{}: corrupt data: CRC-32 mismatch", name));
    }
    VIGIL_TRY(visit(std::move(file)));
  }
  return ZipOutcome::kDone;
}

}  // namespace vigil::vulndb::internal
