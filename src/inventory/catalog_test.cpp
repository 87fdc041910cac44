#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {
namespace {

// Forwards to a MemoryFileTree and counts walks.
class CountingTree final : public sources::FileTree {
 public:
  explicit CountingTree(sources::MemoryFileTree tree) : tree_(std::move(tree)) {}
  Result<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    return tree_.read(path, max_bytes);
  }
  Result<std::optional<sources::FileInfo>> stat(std::string_view path) const override {
    return tree_.stat(path);
  }
  Result<void> walk(const std::function<bool(const sources::FileInfo&)>& visit) const override {
    ++walks;
    return tree_.walk(visit);
  }
  std::optional<std::filesystem::path> host_path(std::string_view) const override {
    return std::nullopt;
  }
  std::string describe() const override { return "counting tree"; }

  mutable int walks = 0;

 private:
  sources::MemoryFileTree tree_;
};

// Wants files with a suffix and emits one Debian package per file, without a purl.
class SuffixCataloger final : public Cataloger {
 public:
  SuffixCataloger(std::string suffix, std::vector<std::string>& seen, bool throws = false)
      : suffix_(std::move(suffix)), seen_(seen), throws_(throws) {}
  std::string_view name() const override { return "suffix"; }
  bool wants(std::string_view path) const override { return path.ends_with(suffix_); }
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override {
    for (const auto& path : paths) {
      seen_.push_back(path);
      model::Package package;
      package.ecosystem = model::Ecosystem::kDebian;
      package.name = std::string(tree.read(path).value_or("unreadable"));
      package.version = "1.0-1";
      package.arch = "amd64";
      package.locations.push_back(path);
      inventory.packages.push_back(package);
    }
    if (throws_) {
      throw std::runtime_error("boom");
    }
  }

 private:
  std::string suffix_;
  std::vector<std::string>& seen_;
  bool throws_;
};

sources::MemoryFileTree debian_tree() {
  sources::MemoryFileTree tree;
  tree.add_file("usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n");
  tree.add_symlink("etc/os-release", "../usr/lib/os-release");
  return tree;
}

TEST(CatalogTest, WalksOnceAndHandsEachCatalogerItsFiles) {
  auto memory = debian_tree();
  memory.add_file("a/one.x", "one");
  memory.add_file("b/two.x", "two");
  memory.add_file("b/three.y", "three");
  memory.add_symlink("c/link.x", "../a/one.x");  // not a regular file: not offered
  CountingTree tree(std::move(memory));
  std::vector<std::string> seen_x;
  std::vector<std::string> seen_y;
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(std::make_unique<SuffixCataloger>(".x", seen_x));
  catalogers.push_back(std::make_unique<SuffixCataloger>(".y", seen_y));
  const auto inventory = catalog(tree, catalogers);
  EXPECT_EQ(tree.walks, 1);
  EXPECT_EQ(seen_x, (std::vector<std::string>{"a/one.x", "b/two.x"}));
  EXPECT_EQ(seen_y, (std::vector<std::string>{"b/three.y"}));
  EXPECT_EQ(inventory.target, "counting tree");
  EXPECT_EQ(inventory.os.id, "debian");
  EXPECT_TRUE(inventory.os.kernel_release.empty());
  ASSERT_EQ(inventory.packages.size(), 3U);
  // The framework fills what the cataloger left: distro release and purl.
  EXPECT_EQ(inventory.packages[0].distro_release, "12");
  EXPECT_EQ(inventory.packages[0].purl, "pkg:deb/debian/one@1.0-1?arch=amd64&distro=debian-12");
  EXPECT_TRUE(inventory.complete);
  EXPECT_TRUE(inventory.diagnostics.empty());
}

TEST(CatalogTest, ThrowingCatalogerIsContained) {
  auto memory = debian_tree();
  memory.add_file("f.x", "kept");
  memory.add_file("f.y", "other");
  std::vector<std::string> seen;
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(std::make_unique<SuffixCataloger>(".x", seen, true));
  catalogers.push_back(std::make_unique<SuffixCataloger>(".y", seen));
  const auto inventory = catalog(memory, catalogers);
  EXPECT_FALSE(inventory.complete);
  ASSERT_EQ(inventory.packages.size(), 2U);
  ASSERT_EQ(inventory.diagnostics.size(), 1U);
  EXPECT_NE(inventory.diagnostics[0].message.find("boom"), std::string::npos);
}

TEST(CatalogTest, DefaultCatalogersOnADebianTree) {
  auto tree = debian_tree();
  tree.add_file("var/lib/dpkg/status",
                "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\n"
                "Source: openssl (3.0.11-1~deb12u2)\nVersion: 3.0.11-1~deb12u2\n\n"
                "Package: broken\nStatus: install ok installed\nArchitecture: amd64\n"
                "Version: not:a:version!\n");
  const auto inventory = catalog(tree, default_catalogers());
  ASSERT_EQ(inventory.packages.size(), 2U);
  const auto& ssl = inventory.packages[0];
  EXPECT_EQ(ssl.ecosystem, model::Ecosystem::kDebian);
  EXPECT_EQ(ssl.distro_release, "12");
  EXPECT_EQ(ssl.source_name, "openssl");
  EXPECT_EQ(ssl.locations, std::vector<std::string>{"var/lib/dpkg/status"});
  EXPECT_EQ(ssl.purl, "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12");
  // The unparseable version is kept but flagged: the matcher will report it unmatched.
  ASSERT_EQ(inventory.diagnostics.size(), 1U);
  EXPECT_NE(inventory.diagnostics[0].message.find("not:a:version!"), std::string::npos);
  EXPECT_TRUE(inventory.complete);
}

TEST(CatalogTest, DefaultCatalogersListEveryOsCataloger) {
  std::vector<std::string> names;
  for (const auto& cataloger : default_catalogers()) {
    names.emplace_back(cataloger->name());
  }
  // OS catalogers first, in this order; language catalogers may follow.
  ASSERT_GE(names.size(), 3U);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 3),
            (std::vector<std::string>{"dpkg", "apk", "rpm"}));
}

TEST(CatalogTest, EmptyTreeHasUnknownOsAndNoPackages) {
  const sources::MemoryFileTree tree;
  const auto inventory = catalog(tree, default_catalogers());
  EXPECT_TRUE(inventory.packages.empty());
  EXPECT_TRUE(inventory.os.id.empty());
  ASSERT_EQ(inventory.diagnostics.size(), 1U);
  EXPECT_TRUE(inventory.complete);
}

}  // namespace
}  // namespace vigil::inventory
