#include "inventory/catalogers/elf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/elf_builder.hpp"

namespace vigil::inventory::lang {
namespace {

using testing::ElfBuilder;

// A file that records the ranges read from it, and can fail reads or shrink after opening.
class RecordingFile final : public sources::RandomAccessFile {
 public:
  explicit RecordingFile(std::string bytes) : bytes_(std::move(bytes)), size_(bytes_.size()) {}

  uint64_t size() const override { return size_; }
  uint32_t mode() const override { return 0755; }
  Result<std::string> read_at(uint64_t offset, uint64_t length) const override {
    reads.emplace_back(offset, length);
    if (fail_reads) {
      return fail(Error::io("read failed"));
    }
    if (offset >= bytes_.size()) {
      return std::string();
    }
    return bytes_.substr(static_cast<size_t>(offset),
                         static_cast<size_t>(std::min<uint64_t>(length, bytes_.size() - offset)));
  }

  uint64_t bytes_read() const {
    uint64_t total = 0;
    for (const auto& [offset, length] : reads) {
      total += std::min<uint64_t>(length, offset < size_ ? size_ - offset : 0);
    }
    return total;
  }

  mutable std::vector<std::pair<uint64_t, uint64_t>> reads;
  bool fail_reads = false;
  std::string bytes_;  // shrink it to simulate a file truncated after opening

 private:
  uint64_t size_;
};

TEST(ElfFileTest, FindsSectionsAndMapsAddresses) {
  for (const bool is_64 : {true, false}) {
    for (const bool big_endian : {false, true}) {
      ElfBuilder builder(is_64, big_endian);
      builder.add_section(".text", "code");
      const uint64_t address = builder.next_address();
      builder.add_section(".dep-v0", "payload");
      const std::string file = builder.build();
      const auto elf = ElfFile::parse(file);
      ASSERT_TRUE(elf.has_value()) << elf.error().message;
      EXPECT_EQ(elf->is_64(), is_64);
      EXPECT_EQ(elf->big_endian(), big_endian);
      EXPECT_EQ(elf->section_data(".dep-v0").value(), std::optional<std::string>("payload"));
      EXPECT_EQ(elf->section_data(".text").value(), std::optional<std::string>("code"));
      EXPECT_FALSE(elf->section_data(".missing").value().has_value());
      EXPECT_EQ(elf->read_address(address + 3, 4).value(), std::optional<std::string>("load"));
      EXPECT_FALSE(elf->read_address(ElfBuilder::kBase - 1, 2).value().has_value());
      EXPECT_FALSE(elf->read_address(address, uint64_t{1} << 40).value().has_value());
    }
  }
}

TEST(ElfFileTest, RejectsTruncatedAndInconsistentHeaders) {
  ElfBuilder builder;
  builder.add_section(".text", "code");
  const std::string file = builder.build();
  EXPECT_FALSE(ElfFile::parse("").has_value());
  EXPECT_FALSE(ElfFile::parse("\x7f"
                              "ELF")
                   .has_value());
  EXPECT_FALSE(ElfFile::parse(file.substr(0, 60)).has_value());
  // Every truncation either parses (headers intact) or fails cleanly; none may crash.
  for (size_t size = 0; size < file.size(); ++size) {
    (void)ElfFile::parse(file.substr(0, size));
  }
  std::string bad_class = file;
  bad_class[4] = 7;
  EXPECT_FALSE(ElfFile::parse(bad_class).has_value());
  std::string far_sections = file;
  far_sections.replace(0x28, 8, std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8));
  EXPECT_FALSE(ElfFile::parse(far_sections).has_value());
  std::string far_segments = file;
  far_segments.replace(0x20, 8, std::string("\xf0\xff\xff\xff\xff\xff\xff\xff", 8));
  EXPECT_FALSE(ElfFile::parse(far_segments).has_value());
  EXPECT_EQ(slice("abc", 1, 2), std::optional<std::string_view>("bc"));
  EXPECT_FALSE(slice("abc", 2, UINT64_MAX).has_value());
  EXPECT_FALSE(slice("abc", 4, 0).has_value());
}

TEST(ElfFileTest, ReadsOnlyHeadersAndTheSectionsAskedFor) {
  ElfBuilder builder;
  builder.add_section(".text", std::string(size_t{4} << 20, '\x90'));  // 4 MiB never read
  builder.add_section(".dep-v0", "payload");
  const RecordingFile file(builder.build());
  const auto elf = ElfFile::parse(file);
  ASSERT_TRUE(elf.has_value()) << elf.error().message;
  // ELF header, program headers, section headers, section names: a few hundred bytes.
  EXPECT_EQ(file.reads.size(), 4U);
  EXPECT_LT(file.bytes_read(), 1024U);
  file.reads.clear();
  EXPECT_EQ(elf->section_data(".dep-v0").value(), std::optional<std::string>("payload"));
  ASSERT_EQ(file.reads.size(), 1U);
  EXPECT_EQ(file.reads[0].second, 7U);
  // A header the caller already read is not read again.
  file.reads.clear();
  const std::string head = file.bytes_.substr(0, 64);
  ASSERT_TRUE(ElfFile::parse(file, head).has_value());
  EXPECT_EQ(file.reads.size(), 3U);
  for (const auto& [offset, length] : file.reads) {
    EXPECT_NE(offset, 0U);
  }
}

TEST(ElfFileTest, NotElfCostsOneHeaderRead) {
  const RecordingFile file(std::string(size_t{1} << 20, 'x'));
  EXPECT_FALSE(ElfFile::parse(file).has_value());
  ASSERT_EQ(file.reads.size(), 1U);
  EXPECT_LE(file.reads[0].second, 64U);
}

// Offsets, counts and sizes in the headers are attacker-controlled: every one past the file, or
// absurd, must give a clean error or an absent section without reading beyond the file.
TEST(ElfFileTest, HostileHeadersNeverReadOutsideTheFile) {
  ElfBuilder builder;
  builder.add_section(".text", "code");
  builder.add_section(".go.buildinfo", "data");
  const std::string file = builder.build();
  const auto word = [&](std::string bytes, size_t offset, uint64_t value, size_t width) {
    for (size_t idx = 0; idx < width; ++idx) {
      bytes[offset + idx] = static_cast<char>((value >> (8 * idx)) & 0xFFU);
    }
    return bytes;
  };
  const uint64_t shoff = ElfFile::parse(file)->sections().empty() ? 0 : [&] {
    uint64_t value = 0;
    for (size_t idx = 0; idx < 8; ++idx) {
      value |= static_cast<uint64_t>(static_cast<unsigned char>(file[0x28 + idx])) << (8 * idx);
    }
    return value;
  }();
  ASSERT_NE(shoff, 0U);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"section count past the file", word(file, 0x3C, 0xFFFF, 2)},
      {"section entry size huge", word(file, 0x3A, 0xFFFF, 2)},
      {"section table at the last byte", word(file, 0x28, file.size() - 1, 8)},
      {"program header count past the file", word(file, 0x38, 0xFFFF, 2)},
      {"program entry size huge", word(word(file, 0x36, 0xFFFF, 2), 0x38, 2, 2)},
      {"program table at the end", word(file, 0x20, file.size(), 8)},
      {"extended section count absurd", word(word(file, 0x3C, 0, 2), shoff + 32, 1U << 30, 8)},
  };
  for (const auto& [what, bytes] : cases) {
    const RecordingFile hostile(bytes);
    const auto elf = ElfFile::parse(hostile);
    EXPECT_FALSE(elf.has_value()) << what;
    for (const auto& [offset, length] : hostile.reads) {
      EXPECT_LE(offset + length, bytes.size()) << what;
    }
  }
  // Section contents and the name table out of the file: absent, not an error, nothing read.
  const size_t shentsize = 64;
  for (const size_t field : {size_t{24}, size_t{32}}) {  // sh_offset, sh_size
    const uint64_t absurd = uint64_t{1} << 62;
    std::string bytes = file;
    for (size_t idx = 0; idx < 4; ++idx) {  // every section (strtab last) pointing away
      bytes = word(bytes, shoff + idx * shentsize + field, absurd, 8);
    }
    const RecordingFile hostile(bytes);
    const auto elf = ElfFile::parse(hostile);
    ASSERT_TRUE(elf.has_value()) << elf.error().message;
    EXPECT_FALSE(elf->section_data(".go.buildinfo").value().has_value());
    for (const auto& [offset, length] : hostile.reads) {
      EXPECT_LE(offset + length, bytes.size());
    }
  }
  // Truncated at every length, through the ranged reader: parses or fails, never crashes.
  for (size_t size = 0; size < file.size(); ++size) {
    const RecordingFile truncated(file.substr(0, size));
    if (const auto elf = ElfFile::parse(truncated)) {
      (void)elf->section_data(".go.buildinfo");
    }
  }
}

TEST(ElfFileTest, ReadErrorsAndShrunkFilesAreReported) {
  ElfBuilder builder;
  builder.add_section(".dep-v0", "payload");
  RecordingFile file(builder.build());
  file.fail_reads = true;
  const auto failed = ElfFile::parse(file);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  file.fail_reads = false;
  const auto elf = ElfFile::parse(file);
  ASSERT_TRUE(elf.has_value());
  file.fail_reads = true;
  EXPECT_FALSE(elf->section_data(".dep-v0").has_value());
  file.fail_reads = false;
  file.bytes_.resize(100);  // truncated after opening: the section is gone, not garbage
  EXPECT_FALSE(elf->section_data(".dep-v0").value().has_value());
}

}  // namespace
}  // namespace vigil::inventory::lang
