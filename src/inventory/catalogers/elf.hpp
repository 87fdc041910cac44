// A small, bounded ELF reader: enough of the headers to find a section by name and to map a
// virtual address to file bytes. Used for Go build info and cargo-auditable data. Internal to
// the inventory module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

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

// A parsed ELF file. Holds a view of the bytes it was parsed from: they must outlive it.
class ElfFile {
 public:
  // True if `bytes` starts with the ELF magic.
  static bool has_magic(std::string_view bytes);

  // Parses the ELF header, program headers and section headers of `bytes` (32/64-bit, either
  // byte order). Returns kParse for a truncated or inconsistent header; section or segment
  // entries pointing outside the file are kept but never read.
  [[nodiscard]] static Result<ElfFile> parse(std::string_view bytes);

  bool is_64() const { return is_64_; }
  bool big_endian() const { return big_endian_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const std::vector<ElfSegment>& segments() const { return segments_; }

  // The file bytes of the first section named `name`; nullopt when absent, without file
  // content (SHT_NOBITS) or outside the file.
  std::optional<std::string_view> section_data(std::string_view name) const;

  // `size` file bytes at virtual address `address`, from the PT_LOAD segment holding them;
  // nullopt when unmapped or not backed by the file.
  std::optional<std::string_view> read_address(uint64_t address, uint64_t size) const;

  // Reads an unsigned integer of `width` (1..8) bytes in the file's byte order from `data`.
  uint64_t read_uint(std::string_view data, size_t width) const;

 private:
  std::string_view bytes_;
  bool is_64_ = false;
  bool big_endian_ = false;
  std::vector<ElfSection> sections_;
  std::vector<ElfSegment> segments_;
};

// Returns bytes[offset, offset + size) or nullopt when that range is not inside `bytes`.
std::optional<std::string_view> slice(std::string_view bytes, uint64_t offset, uint64_t size);

}  // namespace vigil::inventory::lang
