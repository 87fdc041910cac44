// A small, bounded ELF reader: enough of the headers to find a section by name and to map a
// virtual address to file bytes, reading only those parts of the file. Used for Go build info and
// cargo-auditable data. Internal to the inventory module.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sources/file_tree.hpp"

namespace vigil::inventory::lang {

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct ElfSegment {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t file_size = 0;
};

inline constexpr uint32_t kElfSegmentLoad = 1;   // PT_LOAD
inline constexpr uint32_t kElfSegmentWrite = 2;  // PF_W
inline constexpr uint32_t kElfSegmentRead = 4;   // PF_R

// A parsed ELF file, read by ranges: parsing fetches the ELF header, the program and section
// header tables and the section name table; section data is fetched only when asked for. Every
// offset and size comes from the (untrusted) file and is checked against its size first.
class ElfFile {
 public:
  // True if `bytes` starts with the ELF magic.
  static bool has_magic(std::string_view bytes);

  // Parses the ELF header, program headers and section headers of `file` (32/64-bit, either
  // byte order), which must outlive the result. `head`, when not empty, is the start of the
  // file already read by the caller (it saves reading the header again). Returns kParse for a
  // truncated or inconsistent header, kIo when the file cannot be read; section or segment
  // entries pointing outside the file are kept but never read.
  [[nodiscard]] static Result<ElfFile> parse(const sources::RandomAccessFile& file,
                                             std::string_view head = {});
  // The same over bytes in memory (copied).
  [[nodiscard]] static Result<ElfFile> parse(std::string_view bytes);

  bool is_64() const { return is_64_; }
  bool big_endian() const { return big_endian_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const std::vector<ElfSegment>& segments() const { return segments_; }

  // The file bytes of the first section named `name`; nullopt when absent, without file
  // content (SHT_NOBITS) or outside the file. kIo when the file cannot be read.
  [[nodiscard]] Result<std::optional<std::string>> section_data(std::string_view name) const;

  // `size` file bytes at virtual address `address`, from the PT_LOAD segment holding them;
  // nullopt when unmapped or not backed by the file. kIo when the file cannot be read.
  [[nodiscard]] Result<std::optional<std::string>> read_address(uint64_t address,
                                                                uint64_t size) const;

  // Reads an unsigned integer of `width` (1..8) bytes in the file's byte order from `data`.
  uint64_t read_uint(std::string_view data, size_t width) const;

 private:
  // File bytes [offset, offset + size); nullopt when not inside the file.
  Result<std::optional<std::string>> read_file(uint64_t offset, uint64_t size) const;

  std::shared_ptr<const sources::RandomAccessFile> owned_;  // for parse(bytes)
  const sources::RandomAccessFile* file_ = nullptr;
  uint64_t file_size_ = 0;
  bool is_64_ = false;
  bool big_endian_ = false;
  std::vector<ElfSection> sections_;
  std::vector<ElfSegment> segments_;
};

// Returns bytes[offset, offset + size) or nullopt when that range is not inside `bytes`.
std::optional<std::string_view> slice(std::string_view bytes, uint64_t offset, uint64_t size);

}  // namespace vigil::inventory::lang
