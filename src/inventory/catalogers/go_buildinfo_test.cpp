#include "inventory/catalogers/go_buildinfo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/elf_builder.hpp"

namespace vigil::inventory::lang {
namespace {

using testing::ElfBuilder;

const std::string kMagic = "\xff Go buildinf:";
// cmd/go frames the module info with two 16-byte sentinels.
const std::string kStart(16, 'S');
const std::string kEnd(16, 'E');

const std::string kModinfo =
    "path\texample.com/app/cmd/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgithub.com/google/uuid\tv1.3.0\th1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=\n"
    "dep\tgolang.org/x/net\tv0.0.0-20220722155237-a158d28d115b\th1:abc=\n"
    "=>\tgolang.org/x/net\tv0.17.0\th1:def=\n"
    "dep\tgithub.com/old/lib\tv1.0.0\n"
    "=>\tgithub.com/fork/lib\tv1.0.1-fork\th1:ghi=\n"
    "dep\texample.com/local\tv0.1.0\n"
    "=>\t../local\t(devel)\t\n"
    "build\t-compiler=gc\n"
    "build\tGOOS=linux\n";

std::string go_varint(size_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string framed(const std::string& modinfo) { return kStart + modinfo + kEnd; }

std::string inline_blob(const std::string& version, const std::string& modinfo) {
  std::string blob = kMagic + '\x08' + '\x02' + std::string(16, '\0');
  return blob + go_varint(version.size()) + version + go_varint(modinfo.size()) + modinfo;
}

// The pre-1.18 layout: pointers to Go string headers, all inside the section at `address`.
std::string pointer_blob(const ElfBuilder& elf, uint64_t address, const std::string& version,
                         const std::string& modinfo, bool big_endian) {
  const size_t ptr_size = elf.ptr(0).size();
  const uint64_t version_header = address + 32;
  const uint64_t modinfo_header = version_header + 2 * ptr_size;
  const uint64_t version_data = modinfo_header + 2 * ptr_size;
  const uint64_t modinfo_data = version_data + version.size();
  std::string blob = kMagic + static_cast<char>(ptr_size) + static_cast<char>(big_endian ? 1 : 0);
  blob += elf.ptr(version_header) + elf.ptr(modinfo_header);
  blob.resize(32, '\0');
  blob += elf.ptr(version_data) + elf.ptr(version.size());
  blob += elf.ptr(modinfo_data) + elf.ptr(modinfo.size());
  return blob + version + modinfo;
}

GoBuildInfo expected_info() {
  GoBuildInfo info;
  info.go_version = "go1.21.5";
  info.main_path = "example.com/app/cmd/app";
  info.main = GoModule{"example.com/app", "(devel)"};
  info.deps = {{"github.com/google/uuid", "v1.3.0"},
               {"golang.org/x/net", "v0.17.0"},
               {"github.com/fork/lib", "v1.0.1-fork"},
               {"example.com/local", "v0.1.0"}};
  return info;
}

GoBuildInfo decode(const std::string& file) {
  const auto elf = ElfFile::parse(file);
  EXPECT_TRUE(elf.has_value()) << elf.error().message;
  const auto info = read_go_buildinfo(*elf);
  EXPECT_TRUE(info.has_value()) << info.error().message;
  EXPECT_TRUE(info->has_value());
  return info->value_or(GoBuildInfo{});
}

TEST(GoModinfoTest, ParsesModulesAndAppliesReplacements) {
  GoBuildInfo want = expected_info();
  want.go_version.clear();
  EXPECT_EQ(parse_modinfo(kModinfo), want);
  const auto gopath = parse_modinfo("path\tgithub.com/containers/skopeo/cmd/skopeo\nbuild\tx\n");
  EXPECT_EQ(gopath.main_path, "github.com/containers/skopeo/cmd/skopeo");
  EXPECT_FALSE(gopath.main.has_value());
  EXPECT_TRUE(gopath.deps.empty());
  EXPECT_TRUE(parse_modinfo("=>\tx\tv1\n\t\t\ndep\n").deps.empty());
}

TEST(GoBuildInfoTest, ReadsInlineFormatFromTheSection) {
  ElfBuilder builder;
  builder.add_section(".text", std::string(100, '\x90'));
  builder.add_section(".go.buildinfo", inline_blob("go1.21.5", framed(kModinfo)));
  EXPECT_EQ(decode(builder.build()), expected_info());
}

TEST(GoBuildInfoTest, ReadsInlineFormatFromAStrippedFile) {
  ElfBuilder builder;
  builder.add_section(".data", std::string(48, 'x') + kMagic.substr(0, 5));
  builder.add_section(".go.buildinfo", inline_blob("go1.21.5", framed(kModinfo)));
  EXPECT_EQ(decode(builder.build(/*with_sections=*/false)), expected_info());
}

TEST(GoBuildInfoTest, ReadsPointerFormatBothWidthsAndByteOrders) {
  for (const bool is_64 : {true, false}) {
    for (const bool big_endian : {false, true}) {
      ElfBuilder builder(is_64, big_endian);
      const uint64_t address = builder.next_address();
      builder.add_section(".go.buildinfo",
                          pointer_blob(builder, address, "go1.16.5", framed(kModinfo), big_endian));
      GoBuildInfo want = expected_info();
      want.go_version = "go1.16.5";
      EXPECT_EQ(decode(builder.build()), want) << is_64 << big_endian;
    }
  }
}

TEST(GoBuildInfoTest, UnframedModinfoGivesOnlyTheToolchain) {
  ElfBuilder builder;
  builder.add_section(".go.buildinfo", inline_blob("go1.19.8", ""));
  GoBuildInfo want;
  want.go_version = "go1.19.8";
  EXPECT_EQ(decode(builder.build()), want);
}

TEST(GoBuildInfoTest, NonGoProgramsHaveNoBuildInfo) {
  ElfBuilder builder;
  builder.add_section(".data", "\xff Go buildinf: in a C program's data section");
  const std::string file = builder.build();
  const auto elf = ElfFile::parse(file);
  ASSERT_TRUE(elf.has_value());
  const auto info = read_go_buildinfo(*elf);
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->has_value());
}

TEST(GoBuildInfoTest, DamagedBlobsAreErrors) {
  std::vector<std::string> blobs;
  blobs.push_back(kMagic + "\x08\x02" + std::string(16, '\0') + "\xff\xff\xff\x7f" + "go1");
  blobs.push_back(kMagic + "\x08\x02" + std::string(16, '\0') + std::string(10, '\xff') + "\x01");
  blobs.push_back(kMagic + "\x03\x00" + std::string(16, '\0'));
  {
    ElfBuilder probe;
    blobs.push_back(kMagic + "\x08\x00" + probe.ptr(0x10) + probe.ptr(0x20));  // unmapped
  }
  for (const auto& blob : blobs) {
    ElfBuilder builder;
    builder.add_section(".go.buildinfo", blob + std::string(32, '\0'));
    const std::string file = builder.build();
    const auto elf = ElfFile::parse(file);
    ASSERT_TRUE(elf.has_value());
    EXPECT_FALSE(read_go_buildinfo(*elf).has_value());
  }
}

TEST(GoModTest, ReadsRequiresWithReplacements) {
  const std::string text = R"(module example.com/app

go 1.21

require github.com/google/uuid v1.3.0

require (
	golang.org/x/net v0.0.0-20220722155237-a158d28d115b // indirect
	"github.com/old/lib" v1.0.0
	example.com/local v0.1.0
	github.com/pinned/only v1.0.0
)

exclude github.com/bad/mod v0.1.0

replace golang.org/x/net => golang.org/x/net v0.17.0

replace (
	github.com/old/lib v1.0.0 => github.com/fork/lib v1.0.1-fork
	example.com/local => ../local
	github.com/pinned/only v0.9.0 => github.com/pinned/only v0.9.1
)

retract [v1.0.0, v1.0.5]
)";
  const auto modules = parse_go_mod(text);
  ASSERT_TRUE(modules.has_value()) << modules.error().message;
  EXPECT_EQ(*modules, (std::vector<GoModule>{{"github.com/google/uuid", "v1.3.0"},
                                             {"golang.org/x/net", "v0.17.0"},
                                             {"github.com/fork/lib", "v1.0.1-fork"},
                                             {"example.com/local", "v0.1.0"},
                                             {"github.com/pinned/only", "v1.0.0"}}));
}

TEST(GoModTest, RejectsMalformedFiles) {
  EXPECT_FALSE(parse_go_mod("module x\nrequire (\n\ta v1\n").has_value());
  EXPECT_FALSE(parse_go_mod("require github.com/a/b\n").has_value());
  EXPECT_FALSE(parse_go_mod("replace a v1 b v2\n").has_value());
  EXPECT_FALSE(parse_go_mod("replace a v1 =>\n").has_value());
  const auto empty = parse_go_mod("module x\n\ngo 1.21\n");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace vigil::inventory::lang
