// Test support: builds small ELF files (32/64-bit, either byte order) with named sections and
// one read-write PT_LOAD segment mapping the whole file at kBase, so a section's virtual address
// is kBase + its file offset.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil::testing {

class ElfBuilder {
 public:
  static constexpr uint64_t kBase = 0x400000;

  explicit ElfBuilder(bool is_64 = true, bool big_endian = false)
      : is_64_(is_64), big_endian_(big_endian) {
    body_.assign(header_size() + phdr_size(), '\0');
    align();
  }

  // The virtual address the next add_section() content will start at.
  uint64_t next_address() const { return kBase + body_.size(); }

  void add_section(const std::string& name, const std::string& content) {
    sections_.push_back({name, body_.size(), content.size()});
    body_ += content;
    align();
  }

  // Appends `value` as a `width`-byte integer in the file's byte order to `out`.
  std::string word(uint64_t value, size_t width) const {
    std::string out(width, '\0');
    for (size_t idx = 0; idx < width; ++idx) {
      const size_t pos = big_endian_ ? width - 1 - idx : idx;
      out[pos] = static_cast<char>((value >> (8 * idx)) & 0xFFU);
    }
    return out;
  }
  std::string ptr(uint64_t value) const { return word(value, is_64_ ? 8 : 4); }

  // Returns the file; `with_sections` false leaves out the section headers (a stripped file).
  std::string build(bool with_sections = true) const {
    std::string out = body_;
    std::string names(1, '\0');
    std::vector<uint64_t> name_offsets;
    for (const auto& section : sections_) {
      name_offsets.push_back(names.size());
      names += section.name + '\0';
    }
    const uint64_t strtab_name = names.size();
    names += std::string(".shstrtab") + '\0';
    const uint64_t strtab_offset = out.size();
    out += names;
    while (out.size() % 8 != 0) {
      out.push_back('\0');
    }
    const uint64_t shoff = with_sections ? out.size() : 0;
    const uint64_t shnum = with_sections ? sections_.size() + 2 : 0;
    if (with_sections) {
      out += section_header(0, 0, 0, 0, 0);
      for (size_t idx = 0; idx < sections_.size(); ++idx) {
        out += section_header(name_offsets[idx], 1, kBase + sections_[idx].offset,
                              sections_[idx].offset, sections_[idx].size);
      }
      out += section_header(strtab_name, 3, 0, strtab_offset, names.size());
    }
    std::string header =
        "\x7f"
        "ELF";
    header += static_cast<char>(is_64_ ? 2 : 1);
    header += static_cast<char>(big_endian_ ? 2 : 1);
    header += '\x01';
    header.resize(16, '\0');
    header += word(2, 2) + word(62, 2) + word(1, 4);  // ET_EXEC, EM_X86_64, EV_CURRENT
    header += ptr(kBase) + ptr(header_size()) + ptr(shoff) + word(0, 4);
    header += word(header_size(), 2) + word(phdr_size(), 2) + word(1, 2);
    header += word(is_64_ ? 64 : 40, 2) + word(shnum, 2) + word(with_sections ? shnum - 1 : 0, 2);
    std::string phdr;
    if (is_64_) {
      phdr = word(1, 4) + word(6, 4) + word(0, 8) + word(kBase, 8) + word(kBase, 8) +
             word(out.size(), 8) + word(out.size(), 8) + word(0x1000, 8);
    } else {
      phdr = word(1, 4) + word(0, 4) + word(kBase, 4) + word(kBase, 4) + word(out.size(), 4) +
             word(out.size(), 4) + word(6, 4) + word(0x1000, 4);
    }
    out.replace(0, header.size(), header);
    out.replace(header_size(), phdr.size(), phdr);
    return out;
  }

 private:
  struct Section {
    std::string name;
    uint64_t offset;
    uint64_t size;
  };
  size_t header_size() const { return is_64_ ? 64 : 52; }
  size_t phdr_size() const { return is_64_ ? 56 : 32; }
  void align() {
    while (body_.size() % 16 != 0) {
      body_.push_back('\0');
    }
  }
  std::string section_header(uint64_t name, uint32_t type, uint64_t addr, uint64_t offset,
                             uint64_t size) const {
    if (is_64_) {
      return word(name, 4) + word(type, 4) + word(0, 8) + word(addr, 8) + word(offset, 8) +
             word(size, 8) + word(0, 4) + word(0, 4) + word(1, 8) + word(0, 8);
    }
    return word(name, 4) + word(type, 4) + word(0, 4) + word(addr, 4) + word(offset, 4) +
           word(size, 4) + word(0, 4) + word(0, 4) + word(1, 4) + word(0, 4);
  }

  bool is_64_;
  bool big_endian_;
  std::string body_;
  std::vector<Section> sections_;
};

}  // namespace vigil::testing
