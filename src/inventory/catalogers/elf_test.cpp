#include "inventory/catalogers/elf.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/elf_builder.hpp"

namespace vigil::inventory::lang {
namespace {

using testing::ElfBuilder;

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
      EXPECT_EQ(elf->section_data(".dep-v0"), std::optional<std::string_view>("payload"));
      EXPECT_EQ(elf->section_data(".text"), std::optional<std::string_view>("code"));
      EXPECT_FALSE(elf->section_data(".missing").has_value());
      EXPECT_EQ(elf->read_address(address + 3, 4), std::optional<std::string_view>("load"));
      EXPECT_FALSE(elf->read_address(ElfBuilder::kBase - 1, 2).has_value());
      EXPECT_FALSE(elf->read_address(address, uint64_t{1} << 40).has_value());
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

}  // namespace
}  // namespace vigil::inventory::lang
