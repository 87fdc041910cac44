// Layout of the build info blob, as written by cmd/link and read by debug/buildinfo:
//   [0,14)  "\xff Go buildinf:"   [14] pointer size   [15] flags (bit 0 big endian, bit 1 inline)
//   inline (Go >= 1.18): at 32, uvarint length + bytes for the Go version, then for the modinfo.
//   pointers (older): at 16 and 16+ptrsize, addresses of Go string headers {data, len}.
// The modinfo string is framed by two 16-byte sentinels (cmd/go/internal/modload infoStart/End).
#include "inventory/catalogers/go_buildinfo.hpp"

#include <utility>

#include "core/strings.hpp"
#include "inventory/catalogers/lang_util.hpp"

namespace vigil::inventory::lang {
namespace {

constexpr std::string_view kMagic = "\xff Go buildinf:";
constexpr size_t kHeaderSize = 32;
constexpr size_t kAlign = 16;
constexpr size_t kSearchWindow = 64 * 1024;
constexpr uint64_t kMaxStringBytes = uint64_t{16} << 20;
constexpr unsigned kFlagBigEndian = 0x1;
constexpr unsigned kFlagInline = 0x2;

uint64_t read_uint(std::string_view data, size_t width, bool big_endian) {
  uint64_t value = 0;
  for (size_t idx = 0; idx < width && idx < data.size(); ++idx) {
    const size_t pos = big_endian ? idx : width - 1 - idx;
    value = (value << 8U) | static_cast<unsigned char>(data[pos]);
  }
  return value;
}

// encoding/binary.Uvarint: at most 10 bytes, the 10th holding only the top bit.
Result<std::string_view> read_varint_string(std::string_view& data) {
  uint64_t length = 0;
  unsigned shift = 0;
  size_t used = 0;
  while (true) {
    if (used >= data.size() || used >= 10) {
      return fail(Error::parse("Go build info: bad string length"));
    }
    const auto byte = static_cast<unsigned char>(data[used++]);
    if (used == 10 && byte > 1) {
      return fail(Error::parse("Go build info: string length overflows"));
    }
    length |= static_cast<uint64_t>(byte & 0x7FU) << shift;
    if ((byte & 0x80U) == 0) {
      break;
    }
    shift += 7;
  }
  data.remove_prefix(used);
  if (length > data.size() || length > kMaxStringBytes) {
    return fail(Error::parse("Go build info: string of {} bytes runs past the section", length));
  }
  const std::string_view out = data.substr(0, static_cast<size_t>(length));
  data.remove_prefix(static_cast<size_t>(length));
  return out;
}

Result<std::string> read_pointer_string(const ElfFile& elf, uint64_t address, size_t ptr_size,
                                        bool big_endian) {
  VIGIL_ASSIGN_OR_RETURN(const auto header, elf.read_address(address, 2 * ptr_size));
  if (!header) {
    return fail(Error::parse("Go build info: string header at {:#x} is not in the file", address));
  }
  const std::string_view fields = *header;
  const uint64_t data_address = read_uint(fields, ptr_size, big_endian);
  const uint64_t length = read_uint(fields.substr(ptr_size), ptr_size, big_endian);
  if (length > kMaxStringBytes) {
    return fail(Error::parse("Go build info: string of {} bytes", length));
  }
  VIGIL_ASSIGN_OR_RETURN(auto data, elf.read_address(data_address, length));
  if (!data) {
    return fail(Error::parse("Go build info: string at {:#x} is not in the file", data_address));
  }
  return std::move(*data);
}

// The bytes searched for the blob: the .go.buildinfo section (a few hundred bytes to a few
// KiB: the header and, since Go 1.18, the strings), else the first writable segment.
Result<std::optional<std::string>> search_region(const ElfFile& elf) {
  VIGIL_ASSIGN_OR_RETURN(auto section, elf.section_data(".go.buildinfo"));
  if (section) {
    return section;
  }
  if (!elf.sections().empty()) {
    return std::optional<std::string>{};  // sections without .go.buildinfo: not Go >= 1.13
  }
  for (const auto& segment : elf.segments()) {
    constexpr uint32_t kReadWrite = kElfSegmentRead | kElfSegmentWrite;
    if (segment.type == kElfSegmentLoad && (segment.flags & kReadWrite) == kReadWrite) {
      return elf.read_address(segment.vaddr, segment.file_size);
    }
  }
  return std::optional<std::string>{};
}

}  // namespace

GoBuildInfo parse_modinfo(std::string_view text) {
  GoBuildInfo info;
  // The module a "=>" line replaces: -1 none, -2 the main module, else an index into deps.
  long last = -1;
  for_each_line(text, [&](std::string_view line) {
    const auto fields = split(line, '\t');
    const std::string_view kind = fields[0];
    const std::string_view path = fields.size() > 1 ? fields[1] : std::string_view{};
    const std::string_view version = fields.size() > 2 ? fields[2] : std::string_view{};
    if (kind == "go" && !path.empty()) {
      info.go_version = std::string(path);
    } else if (kind == "path") {
      info.main_path = std::string(path);
    } else if (kind == "mod" && !path.empty()) {
      info.main = GoModule{std::string(path), std::string(version)};
      last = -2;
    } else if (kind == "dep" && !path.empty()) {
      info.deps.push_back(GoModule{std::string(path), std::string(version)});
      last = static_cast<long>(info.deps.size()) - 1;
    } else if (kind == "=>") {
      // A local directory replacement prints "(devel)" (or nothing) as its version.
      if (!path.empty() && !version.empty() && version != "(devel)" && last != -1) {
        GoModule& target = last == -2 ? *info.main : info.deps[static_cast<size_t>(last)];
        target = GoModule{std::string(path), std::string(version)};
      }
      last = -1;
    }
    return true;
  });
  return info;
}

Result<std::optional<GoBuildInfo>> read_go_buildinfo(const ElfFile& elf) {
  VIGIL_ASSIGN_OR_RETURN(const auto region_bytes, search_region(elf));
  if (!region_bytes) {
    return std::optional<GoBuildInfo>{};
  }
  const std::string_view region = *region_bytes;
  const std::string_view window = region.substr(0, kSearchWindow);
  size_t pos = window.find(kMagic);
  while (pos != std::string_view::npos &&
         (pos % kAlign != 0 || region.size() - pos < kHeaderSize)) {
    pos = window.find(kMagic, pos + 1);
  }
  if (pos == std::string_view::npos) {
    return std::optional<GoBuildInfo>{};
  }
  const std::string_view header = region.substr(pos, kHeaderSize);
  const auto ptr_size = static_cast<size_t>(static_cast<unsigned char>(header[14]));
  const auto flags = static_cast<unsigned char>(header[15]);
  const bool big_endian = (flags & kFlagBigEndian) != 0;
  std::string_view version;
  std::string_view modinfo;
  std::string version_bytes;  // the pointer format's strings, read from elsewhere in the file
  std::string modinfo_bytes;
  if ((flags & kFlagInline) != 0) {
    std::string_view rest = region.substr(pos + kHeaderSize);
    VIGIL_ASSIGN_OR_RETURN(version, read_varint_string(rest));
    VIGIL_ASSIGN_OR_RETURN(modinfo, read_varint_string(rest));
  } else {
    if (ptr_size != 4 && ptr_size != 8) {
      return fail(Error::parse("Go build info: pointer size {}", ptr_size));
    }
    const uint64_t version_address = read_uint(header.substr(16), ptr_size, big_endian);
    const uint64_t modinfo_address = read_uint(header.substr(16 + ptr_size), ptr_size, big_endian);
    VIGIL_ASSIGN_OR_RETURN(version_bytes,
                           read_pointer_string(elf, version_address, ptr_size, big_endian));
    VIGIL_ASSIGN_OR_RETURN(modinfo_bytes,
                           read_pointer_string(elf, modinfo_address, ptr_size, big_endian));
    version = version_bytes;
    modinfo = modinfo_bytes;
  }
  // Without the framing the text is not module info (e.g. a build without modules).
  if (modinfo.size() >= 33 && modinfo[modinfo.size() - 17] == '\n') {
    modinfo = modinfo.substr(16, modinfo.size() - 32);
  } else {
    modinfo = {};
  }
  GoBuildInfo info = parse_modinfo(modinfo);
  if (!version.empty()) {
    info.go_version = std::string(version);
  }
  return std::optional<GoBuildInfo>{std::move(info)};
}

}  // namespace vigil::inventory::lang
