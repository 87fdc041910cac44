#include "inventory/catalogers/elf.hpp"

#include <utility>

namespace vigil::inventory::lang {
namespace {

constexpr uint32_t kSectionNoBits = 8;  // SHT_NOBITS: occupies no file space (.bss)
constexpr uint64_t kMaxSections = 65536;
constexpr uint64_t kHeaderBytes = 64;  // the 64-bit ELF header; the 32-bit one is 52

// True when [offset, offset + size) lies inside a file of `file_size` bytes.
bool inside(uint64_t file_size, uint64_t offset, uint64_t size) {
  return offset <= file_size && size <= file_size - offset;
}

// The index of the first of `count` table entries (`entry_size` apart, each needing `used`
// bytes, from `offset`) that does not fit in the file; `count` when all fit.
uint64_t first_outside(uint64_t file_size, uint64_t offset, uint64_t entry_size, uint64_t used,
                       uint64_t count) {
  for (uint64_t idx = 0; idx < count; ++idx) {
    if (!inside(file_size, offset, used)) {
      return idx;
    }
    offset += entry_size;  // entry_size < 2^16 and offset <= file_size: no overflow
  }
  return count;
}

}  // namespace

std::optional<std::string_view> slice(std::string_view bytes, uint64_t offset, uint64_t size) {
  if (offset > bytes.size() || size > bytes.size() - offset) {
    return std::nullopt;
  }
  return bytes.substr(static_cast<size_t>(offset), static_cast<size_t>(size));
}

bool ElfFile::has_magic(std::string_view bytes) {
  return bytes.starts_with(
      "\x7f"
      "ELF");
}

uint64_t ElfFile::read_uint(std::string_view data, size_t width) const {
  uint64_t value = 0;
  for (size_t idx = 0; idx < width && idx < data.size(); ++idx) {
    const size_t pos = big_endian_ ? idx : width - 1 - idx;
    value = (value << 8U) | static_cast<unsigned char>(data[pos]);
  }
  return value;
}

Result<std::optional<std::string>> ElfFile::read_file(uint64_t offset, uint64_t size) const {
  if (!inside(file_size_, offset, size)) {
    return std::optional<std::string>{};
  }
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, file_->read_at(offset, size));
  if (bytes.size() != size) {
    return std::optional<std::string>{};  // the file shrank since it was opened
  }
  return std::optional<std::string>(std::move(bytes));
}

Result<ElfFile> ElfFile::parse(std::string_view bytes) {
  std::shared_ptr<const sources::RandomAccessFile> file =
      sources::memory_file(std::string(bytes), 0);
  VIGIL_ASSIGN_OR_RETURN(ElfFile elf, parse(*file, bytes.substr(0, kHeaderBytes)));
  elf.owned_ = std::move(file);
  return elf;
}

Result<ElfFile> ElfFile::parse(const sources::RandomAccessFile& file, std::string_view head) {
  ElfFile elf;
  elf.file_ = &file;
  elf.file_size_ = file.size();
  std::string header_bytes;
  if (head.size() < kHeaderBytes && head.size() < elf.file_size_) {
    VIGIL_ASSIGN_OR_RETURN(header_bytes, file.read_at(0, kHeaderBytes));
    head = header_bytes;
  }
  const std::string_view bytes = head.substr(0, kHeaderBytes);
  if (!has_magic(bytes) || bytes.size() < 52) {
    return fail(Error::parse("not an ELF file"));
  }
  const auto elf_class = static_cast<unsigned char>(bytes[4]);
  const auto data = static_cast<unsigned char>(bytes[5]);
  if ((elf_class != 1 && elf_class != 2) || (data != 1 && data != 2)) {
    return fail(Error::parse("unknown ELF class {} or byte order {}", elf_class, data));
  }
  elf.is_64_ = elf_class == 2;
  elf.big_endian_ = data == 2;
  if (elf.is_64_ && bytes.size() < 64) {
    return fail(Error::parse("truncated ELF header"));
  }
  const auto field = [&](size_t offset, size_t width) {
    return elf.read_uint(bytes.substr(offset, width), width);
  };
  const uint64_t size = elf.file_size_;
  const uint64_t phoff = elf.is_64_ ? field(0x20, 8) : field(0x1C, 4);
  const uint64_t shoff = elf.is_64_ ? field(0x28, 8) : field(0x20, 4);
  const uint64_t phentsize = field(elf.is_64_ ? 0x36 : 0x2A, 2);
  const uint64_t phnum = field(elf.is_64_ ? 0x38 : 0x2C, 2);
  const uint64_t shentsize = field(elf.is_64_ ? 0x3A : 0x2E, 2);
  uint64_t shnum = field(elf.is_64_ ? 0x3C : 0x30, 2);
  uint64_t shstrndx = field(elf.is_64_ ? 0x3E : 0x32, 2);
  const uint64_t min_phentsize = elf.is_64_ ? 56 : 32;
  const uint64_t min_shentsize = elf.is_64_ ? 64 : 40;

  if (phnum > 0) {
    if (phoff > size || phentsize < min_phentsize) {
      return fail(
          Error::parse("ELF program headers at {} with entries of {} bytes", phoff, phentsize));
    }
    const uint64_t outside = first_outside(size, phoff, phentsize, min_phentsize, phnum);
    if (outside < phnum) {
      return fail(Error::parse("ELF program header {} is outside the file", outside));
    }
    // The whole table in one read: it fits in the file (checked above), phnum <= 65535.
    VIGIL_ASSIGN_OR_RETURN(const auto table,
                           elf.read_file(phoff, (phnum - 1) * phentsize + min_phentsize));
    if (!table) {
      return fail(Error::parse("ELF program headers are outside the file"));
    }
    elf.segments_.reserve(static_cast<size_t>(phnum));
    for (uint64_t idx = 0; idx < phnum; ++idx) {
      const std::string_view entry =
          std::string_view(*table).substr(static_cast<size_t>(idx * phentsize));
      const auto at = [&](size_t offset, size_t width) {
        return elf.read_uint(entry.substr(offset, width), width);
      };
      ElfSegment segment;
      segment.type = static_cast<uint32_t>(at(0, 4));
      segment.flags = static_cast<uint32_t>(elf.is_64_ ? at(4, 4) : at(24, 4));
      segment.offset = elf.is_64_ ? at(8, 8) : at(4, 4);
      segment.vaddr = elf.is_64_ ? at(16, 8) : at(8, 4);
      segment.file_size = elf.is_64_ ? at(32, 8) : at(16, 4);
      elf.segments_.push_back(segment);
    }
  }
  if (shoff == 0) {
    return elf;  // no section headers (stripped): segments only
  }
  if (shoff > size || shentsize < min_shentsize) {
    return fail(
        Error::parse("ELF section headers at {} with entries of {} bytes", shoff, shentsize));
  }
  struct RawSection {
    ElfSection section;
    uint64_t name_offset = 0;
    uint64_t link = 0;
  };
  const auto decode_section = [&](std::string_view entry) {
    const auto at = [&](size_t offset, size_t width) {
      return elf.read_uint(entry.substr(offset, width), width);
    };
    RawSection raw;
    raw.name_offset = at(0, 4);
    raw.section.type = static_cast<uint32_t>(at(4, 4));
    raw.section.address = elf.is_64_ ? at(16, 8) : at(12, 4);
    raw.section.offset = elf.is_64_ ? at(24, 8) : at(16, 4);
    raw.section.size = elf.is_64_ ? at(32, 8) : at(20, 4);
    raw.link = elf.is_64_ ? at(40, 4) : at(24, 4);
    return raw;
  };
  if (!inside(size, shoff, min_shentsize)) {
    return fail(Error::parse("ELF section headers are outside the file"));
  }
  if (shnum == 0 || shstrndx == 0xFFFF) {
    // ELF extended numbering: values too large for the header live in section 0.
    VIGIL_ASSIGN_OR_RETURN(const auto first_entry, elf.read_file(shoff, min_shentsize));
    if (!first_entry) {
      return fail(Error::parse("ELF section headers are outside the file"));
    }
    const RawSection first = decode_section(*first_entry);
    if (shnum == 0) {
      shnum = first.section.size;
    }
    if (shstrndx == 0xFFFF) {
      shstrndx = first.link;
    }
  }
  if (shnum > kMaxSections) {
    return fail(Error::parse("ELF file claims {} sections", shnum));
  }
  if (shnum == 0) {
    return elf;
  }
  const uint64_t outside = first_outside(size, shoff, shentsize, min_shentsize, shnum);
  if (outside < shnum) {
    return fail(Error::parse("ELF section header {} is outside the file", outside));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto table,
                         elf.read_file(shoff, (shnum - 1) * shentsize + min_shentsize));
  if (!table) {
    return fail(Error::parse("ELF section headers are outside the file"));
  }
  std::vector<uint64_t> name_offsets;
  name_offsets.reserve(static_cast<size_t>(shnum));
  elf.sections_.reserve(static_cast<size_t>(shnum));
  for (uint64_t idx = 0; idx < shnum; ++idx) {
    RawSection raw =
        decode_section(std::string_view(*table).substr(static_cast<size_t>(idx * shentsize)));
    name_offsets.push_back(raw.name_offset);
    elf.sections_.push_back(std::move(raw.section));
  }
  if (shstrndx < elf.sections_.size()) {
    const auto& strtab = elf.sections_[static_cast<size_t>(shstrndx)];
    VIGIL_ASSIGN_OR_RETURN(const auto names, elf.read_file(strtab.offset, strtab.size));
    if (names) {
      const std::string_view view = *names;
      for (size_t idx = 0; idx < elf.sections_.size(); ++idx) {
        if (name_offsets[idx] < view.size()) {
          const std::string_view rest = view.substr(static_cast<size_t>(name_offsets[idx]));
          elf.sections_[idx].name = std::string(rest.substr(0, rest.find('\0')));
        }
      }
    }
  }
  return elf;
}

Result<std::optional<std::string>> ElfFile::section_data(std::string_view name) const {
  for (const auto& section : sections_) {
    if (section.name == name) {
      if (section.type == kSectionNoBits) {
        return std::optional<std::string>{};
      }
      return read_file(section.offset, section.size);
    }
  }
  return std::optional<std::string>{};
}

Result<std::optional<std::string>> ElfFile::read_address(uint64_t address, uint64_t size) const {
  for (const auto& segment : segments_) {
    if (segment.type != kElfSegmentLoad || address < segment.vaddr) {
      continue;
    }
    const uint64_t delta = address - segment.vaddr;
    if (delta > segment.file_size || size > segment.file_size - delta) {
      continue;
    }
    if (segment.offset > UINT64_MAX - delta) {
      return std::optional<std::string>{};
    }
    return read_file(segment.offset + delta, size);
  }
  return std::optional<std::string>{};
}

}  // namespace vigil::inventory::lang
