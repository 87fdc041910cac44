#include "inventory/catalogers/binary.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/elf_builder.hpp"

namespace vigil::inventory {
namespace {

using sources::MemoryFileTree;
using testing::ElfBuilder;
using Strings = std::vector<std::string>;

std::string varint(size_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string go_binary(const std::string& version, const std::string& modinfo) {
  // cmd/go frames the module info with two 16-byte sentinels; only their length matters here.
  const std::string framed =
      modinfo.empty() ? "" : std::string(16, 'S') + modinfo + std::string(16, 'E');
  std::string blob = std::string("\xff Go buildinf:") + '\x08' + '\x02' + std::string(16, '\0');
  blob += varint(version.size()) + version + varint(framed.size()) + framed;
  ElfBuilder builder;
  builder.add_section(".text", std::string(64, '\x90'));
  builder.add_section(".go.buildinfo", blob);
  return builder.build();
}

std::string rust_binary(const std::string& json) {
  uLongf size = compressBound(static_cast<uLong>(json.size()));
  std::string compressed(size, '\0');
  compress(reinterpret_cast<Bytef*>(compressed.data()), &size,
           reinterpret_cast<const Bytef*>(json.data()), static_cast<uLong>(json.size()));
  compressed.resize(size);
  ElfBuilder builder;
  builder.add_section(".text", std::string(64, '\x90'));
  builder.add_section(".dep-v0", compressed);
  return builder.build();
}

TEST(BinaryCatalogerTest, WantsFilesWhereExecutablesLive) {
  const BinaryCataloger cataloger;
  const std::vector<std::pair<std::string, bool>> cases = {
      {"usr/bin/skopeo", true},
      {"usr/local/bin/terraform", true},
      {"usr/lib/go-1.19/bin/go", true},
      {"usr/lib/cni/bridge", true},
      {"usr/libexec/docker/cli-plugins/docker-compose", true},
      {"sbin/ldconfig", true},
      {"opt/app/server", true},
      {"var/task/bootstrap", true},
      {"var/task/handler", true},
      {"manager", true},
      {"srv/tool/bootstrap", true},
      {"opt/app/config.yaml", false},
      {"manager.json", false},
      {"usr/share/doc/skopeo/copyright", false},
      {"usr/lib/x86_64-linux-gnu/libc.so.6", false},
      {"etc/passwd", false},
  };
  for (const auto& [path, want] : cases) {
    EXPECT_EQ(cataloger.wants(path), want) << path;
  }
}

TEST(BinaryCatalogerTest, ReportsGoModulesAndStdlib) {
  MemoryFileTree tree;
  tree.add_file(
      "usr/bin/app",
      go_binary("go1.21.5",
                "path\texample.com/app\nmod\texample.com/app\tv1.2.0\th1:x=\n"
                "dep\tgithub.com/google/uuid\tv1.3.0\th1:y=\n"
                "dep\tgolang.org/x/net\tv0.1.0\th1:z=\n=>\tgolang.org/x/net\tv0.17.0\th1:w=\n"),
      0755);
  model::Inventory inventory;
  BinaryCataloger{}.catalog(tree, Strings{"usr/bin/app"}, inventory);
  EXPECT_TRUE(inventory.diagnostics.empty());
  ASSERT_EQ(inventory.packages.size(), 4U);
  Strings purls;
  for (const auto& package : inventory.packages) {
    EXPECT_EQ(package.ecosystem, model::Ecosystem::kGo);
    EXPECT_EQ(package.locations, Strings{"usr/bin/app"});
    purls.push_back(package.purl);
  }
  EXPECT_EQ(purls, (Strings{"pkg:golang/example.com/app@v1.2.0",
                            "pkg:golang/github.com/google/uuid@v1.3.0",
                            "pkg:golang/golang.org/x/net@v0.17.0", "pkg:golang/stdlib@go1.21.5"}));
  EXPECT_EQ(inventory.packages[3].name, "stdlib");
  EXPECT_EQ(inventory.packages[3].version, "go1.21.5");
}

TEST(BinaryCatalogerTest, ReportsCargoAuditableCrates) {
  MemoryFileTree tree;
  tree.add_file("usr/local/bin/rg",
                rust_binary(R"({"packages":[{"name":"ripgrep","version":"13.0.0","source":"local"},
                    {"name":"regex","version":"1.7.1","source":"crates.io"}]})"),
                0755);
  model::Inventory inventory;
  BinaryCataloger{}.catalog(tree, Strings{"usr/local/bin/rg"}, inventory);
  EXPECT_TRUE(inventory.diagnostics.empty());
  ASSERT_EQ(inventory.packages.size(), 1U);
  EXPECT_EQ(inventory.packages[0].ecosystem, model::Ecosystem::kCratesIo);
  EXPECT_EQ(inventory.packages[0].purl, "pkg:cargo/regex@1.7.1");
}

TEST(BinaryCatalogerTest, SkipsNonExecutablesAndReportsDamage) {
  const std::string go = go_binary("go1.20", "");
  std::string damaged_rust = rust_binary("{}");
  MemoryFileTree tree;
  tree.add_file("opt/a/not-executable", go, 0644);
  tree.add_file("opt/a/script", "#!/bin/sh\necho hello, this script is long enough to be read\n",
                0755);
  tree.add_file("opt/a/tiny",
                "\x7f"
                "ELF",
                0755);
  tree.add_file("opt/a/broken-elf",
                "\x7f"
                "ELF" +
                    std::string(100, '\x07'),
                0755);
  tree.add_file("opt/a/bad-rust", damaged_rust, 0755);
  tree.add_file("opt/a/gopath-build", go, 0755);
  model::Inventory inventory;
  BinaryCataloger{}.catalog(
      tree,
      Strings{"opt/a/not-executable", "opt/a/script", "opt/a/tiny", "opt/a/broken-elf",
              "opt/a/bad-rust", "opt/a/gopath-build", "opt/a/absent"},
      inventory);
  ASSERT_EQ(inventory.packages.size(), 1U);
  EXPECT_EQ(inventory.packages[0].purl, "pkg:golang/stdlib@go1.20");
  EXPECT_EQ(inventory.packages[0].locations, Strings{"opt/a/gopath-build"});
  ASSERT_EQ(inventory.diagnostics.size(), 2U);
  EXPECT_EQ(inventory.diagnostics[0].where, "opt/a/broken-elf");
  EXPECT_EQ(inventory.diagnostics[1].where, "opt/a/bad-rust");
}

// A tree counting the bytes read through open_file()/read_range()/read().
class BinaryCountingTree final : public sources::FileTree {
 public:
  explicit BinaryCountingTree(const MemoryFileTree& inner) : inner_(inner) {}

  class File final : public sources::RandomAccessFile {
   public:
    File(std::unique_ptr<sources::RandomAccessFile> inner, uint64_t& bytes)
        : inner_(std::move(inner)), bytes_(bytes) {}
    uint64_t size() const override { return inner_->size(); }
    uint32_t mode() const override { return inner_->mode(); }
    Result<std::string> read_at(uint64_t offset, uint64_t length) const override {
      auto got = inner_->read_at(offset, length);
      if (got) {
        bytes_ += got->size();
      }
      return got;
    }

   private:
    std::unique_ptr<sources::RandomAccessFile> inner_;
    uint64_t& bytes_;
  };

  Result<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    auto got = inner_.read(path, max_bytes);
    if (got) {
      bytes += got->size();
    }
    return got;
  }
  Result<std::unique_ptr<sources::RandomAccessFile>> open_file(
      std::string_view path) const override {
    VIGIL_ASSIGN_OR_RETURN(auto file, inner_.open_file(path));
    return std::unique_ptr<sources::RandomAccessFile>(
        std::make_unique<File>(std::move(file), bytes));
  }
  Result<std::optional<sources::FileInfo>> stat(std::string_view path) const override {
    return inner_.stat(path);
  }
  Result<void> walk(const std::function<bool(const sources::FileInfo&)>& visit) const override {
    return inner_.walk(visit);
  }
  std::optional<std::filesystem::path> host_path(std::string_view) const override {
    return std::nullopt;
  }
  std::string describe() const override { return "counting"; }

  mutable uint64_t bytes = 0;

 private:
  const MemoryFileTree& inner_;
};

TEST(BinaryCatalogerTest, ReadsHeadersAndWantedSectionsOnly) {
  ElfBuilder builder;
  builder.add_section(".text", std::string(size_t{2} << 20, '\x90'));
  const std::string plain_elf = builder.build();
  const std::string go = go_binary("go1.22.1", "path\tx\nmod\texample.com/x\tv1.0.0\th1:x=\n");
  MemoryFileTree inner;
  inner.add_file("usr/bin/script", "#!/bin/sh\n" + std::string(size_t{1} << 20, '#'), 0755);
  inner.add_file("usr/bin/c-program", plain_elf, 0755);
  inner.add_file("usr/bin/go-program", go, 0755);
  const BinaryCountingTree tree(inner);
  model::Inventory inventory;
  BinaryCataloger{}.catalog(tree, Strings{"usr/bin/script"}, inventory);
  EXPECT_LE(tree.bytes, 64U);  // not ELF: the magic is all that is read
  tree.bytes = 0;
  BinaryCataloger{}.catalog(tree, Strings{"usr/bin/c-program"}, inventory);
  EXPECT_LT(tree.bytes, 2048U);  // of 2 MiB
  tree.bytes = 0;
  BinaryCataloger{}.catalog(tree, Strings{"usr/bin/go-program"}, inventory);
  EXPECT_LT(tree.bytes, 4096U);
  EXPECT_TRUE(inventory.diagnostics.empty());
  Strings purls;
  for (const auto& package : inventory.packages) {
    purls.push_back(package.purl);
  }
  EXPECT_EQ(purls, (Strings{"pkg:golang/example.com/x@v1.0.0", "pkg:golang/stdlib@go1.22.1"}));
}

}  // namespace
}  // namespace vigil::inventory
