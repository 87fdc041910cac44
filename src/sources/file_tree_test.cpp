// The symlink, traversal and size-limit contract of FileTree, run against every implementation
// (MemoryFileTree and DirectoryFileTree over a temp dir) from one fixture description.
#include "sources/file_tree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

// Builds the same tree in memory or on disk.
class TreeBuilder {
 public:
  virtual ~TreeBuilder() = default;
  virtual void file(const std::string& path, const std::string& content) = 0;
  virtual void symlink(const std::string& path, const std::string& target) = 0;
  virtual void directory(const std::string& path) = 0;
  virtual const FileTree& tree() = 0;
};

class MemoryBuilder final : public TreeBuilder {
 public:
  void file(const std::string& path, const std::string& content) override {
    tree_.add_file(path, content);
  }
  void symlink(const std::string& path, const std::string& target) override {
    tree_.add_symlink(path, target);
  }
  void directory(const std::string& path) override { tree_.add_directory(path); }
  const FileTree& tree() override { return tree_; }

 private:
  MemoryFileTree tree_;
};

class DirectoryBuilder final : public TreeBuilder {
 public:
  void file(const std::string& path, const std::string& content) override {
    dir_.write(path, content);
  }
  void symlink(const std::string& path, const std::string& target) override {
    const auto full = dir_.path() / path;
    std::filesystem::create_directories(full.parent_path());
    std::filesystem::create_symlink(target, full);
  }
  void directory(const std::string& path) override {
    std::filesystem::create_directories(dir_.path() / path);
  }
  const FileTree& tree() override {
    if (!tree_) {
      auto opened = open_directory(dir_.path());
      if (!opened) {
        ADD_FAILURE() << opened.error().message;
        std::abort();
      }
      tree_ = std::move(*opened);
    }
    return *tree_;
  }
  const std::filesystem::path& root() const { return dir_.path(); }

 private:
  testing::TempDir dir_;
  std::unique_ptr<FileTree> tree_;
};

template <class Builder>
class FileTreeContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    b_.file("etc/passwd", "tree passwd\n");
    b_.file("usr/lib/os-release", "ID=test\n");
    b_.symlink("etc/os-release", "../usr/lib/os-release");
    b_.symlink("abs_passwd", "/etc/passwd");
    b_.symlink("abs_shadow", "/etc/shadow");
    b_.symlink("escape_shadow", "../../../../../../../../etc/shadow");
    b_.symlink("escape_passwd", "../../../../../../etc/passwd");
    b_.symlink("deep/er/escape", "../../../../../../../../../etc/passwd");
    b_.symlink("etc_link", "/etc");
    b_.symlink("root_link", "/");
    b_.symlink("loop_a", "loop_b");
    b_.symlink("loop_b", "loop_a");
    b_.symlink("self", "self");
    b_.symlink("loop_dir/x", "../loop_dir/x/y");
    b_.symlink("dangling", "/nonexistent/file");
    b_.symlink("empty_dir_link", "..");
    b_.file("usr/lib/sysimage/rpm/rpmdb.sqlite", "sqlite bytes");
    b_.symlink("var/lib/rpm", "../../usr/lib/sysimage/rpm");
    b_.file("big", std::string(1000, 'x'));
    b_.directory("empty");
  }

  Result<std::string> read(const std::string& path, uint64_t max = kDefaultMaxRead) {
    return b_.tree().read(path, max);
  }

  Builder b_;
};

using Implementations = ::testing::Types<MemoryBuilder, DirectoryBuilder>;
TYPED_TEST_SUITE(FileTreeContractTest, Implementations);

TYPED_TEST(FileTreeContractTest, ReadsPlainFilesAndRelativeLinks) {
  EXPECT_EQ(this->read("etc/passwd").value(), "tree passwd\n");
  EXPECT_EQ(this->read("/etc/passwd").value(), "tree passwd\n");
  EXPECT_EQ(this->read("etc/os-release").value(), "ID=test\n");
  EXPECT_EQ(this->read("var/lib/rpm/rpmdb.sqlite").value(), "sqlite bytes");
}

TYPED_TEST(FileTreeContractTest, DotDotInTheRequestStaysInside) {
  EXPECT_EQ(this->read("../../etc/passwd").value(), "tree passwd\n");
  EXPECT_EQ(this->read("usr/../../../etc/passwd").value(), "tree passwd\n");
  const auto shadow = this->read("../../../../etc/shadow");
  ASSERT_FALSE(shadow.has_value());
  EXPECT_EQ(shadow.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(FileTreeContractTest, AbsoluteLinksAreReRootedAtTheTree) {
  EXPECT_EQ(this->read("abs_passwd").value(), "tree passwd\n");
  EXPECT_EQ(this->read("etc_link/passwd").value(), "tree passwd\n");
  EXPECT_EQ(this->read("root_link/root_link/etc/passwd").value(), "tree passwd\n");
  // The host has /etc/shadow; the tree does not, so it must not be found.
  const auto shadow = this->read("abs_shadow");
  ASSERT_FALSE(shadow.has_value());
  EXPECT_EQ(shadow.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(this->read("etc_link/shadow").has_value());
}

TYPED_TEST(FileTreeContractTest, LinksEscapingThroughDotDotStayInside) {
  EXPECT_EQ(this->read("escape_passwd").value(), "tree passwd\n");
  EXPECT_EQ(this->read("deep/er/escape").value(), "tree passwd\n");
  EXPECT_EQ(this->read("empty_dir_link/empty_dir_link/etc/passwd").value(), "tree passwd\n");
  const auto shadow = this->read("escape_shadow");
  ASSERT_FALSE(shadow.has_value());
  EXPECT_EQ(shadow.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(FileTreeContractTest, LoopsAreNotFoundNotHangs) {
  for (const char* path : {"loop_a", "self", "loop_dir/x", "loop_a/file", "self/self"}) {
    const auto result = this->read(path);
    ASSERT_FALSE(result.has_value()) << path;
    EXPECT_EQ(result.error().code, ErrorCode::kNotFound) << path;
    EXPECT_NE(result.error().message.find(path), std::string::npos) << result.error().message;
  }
  EXPECT_NE(this->read("loop_a").error().message.find("too many levels"), std::string::npos);
}

TYPED_TEST(FileTreeContractTest, LinkChainsAreCappedAtForty) {
  for (int hop = 0; hop < 41; ++hop) {
    this->b_.symlink("chain/" + std::to_string(hop), std::to_string(hop + 1));
  }
  this->b_.file("chain/41", "end");
  EXPECT_EQ(this->read("chain/1").value(), "end");  // 40 links
  const auto too_long = this->read("chain/0");      // 41 links
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(FileTreeContractTest, MissingAndNonDirectoryComponentsAreNotFound) {
  for (const char* path : {"nope", "etc/nope", "etc/passwd/x", "dangling", "big/x"}) {
    const auto result = this->read(path);
    ASSERT_FALSE(result.has_value()) << path;
    EXPECT_EQ(result.error().code, ErrorCode::kNotFound) << path;
  }
}

TYPED_TEST(FileTreeContractTest, NulBytesNeverTruncateAName) {
  const auto result = this->read(std::string("etc/passwd\0.txt", 15));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(this->b_.tree().stat(std::string("etc\0", 4)).value().has_value());
}

TYPED_TEST(FileTreeContractTest, DirectoriesAreNotReadable) {
  for (const char* path : {"", "etc", "etc_link", "empty", "root_link"}) {
    const auto result = this->read(path);
    ASSERT_FALSE(result.has_value()) << path;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << path;
  }
}

TYPED_TEST(FileTreeContractTest, SizeLimitIsEnforced) {
  EXPECT_EQ(this->read("big", 1000).value().size(), 1000U);
  const auto over = this->read("big", 999);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(over.error().message.find("big"), std::string::npos);
  EXPECT_FALSE(this->read("big", 0).has_value());
}

TYPED_TEST(FileTreeContractTest, StatDoesNotFollowTheFinalLink) {
  const auto& tree = this->b_.tree();
  const auto link = tree.stat("abs_passwd").value();
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->type, FileType::kSymlink);
  EXPECT_EQ(link->size, std::string("/etc/passwd").size());

  const auto through = tree.stat("etc_link/passwd").value();
  ASSERT_TRUE(through.has_value());
  EXPECT_EQ(through->type, FileType::kRegular);
  EXPECT_EQ(through->path, "etc/passwd");
  EXPECT_EQ(through->size, 12U);

  const auto root = tree.stat("/").value();
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->type, FileType::kDirectory);
  EXPECT_EQ(root->path, "");

  const auto dir = tree.stat("usr/lib/..").value();
  ASSERT_TRUE(dir.has_value());
  EXPECT_EQ(dir->type, FileType::kDirectory);
  EXPECT_EQ(dir->path, "usr");

  EXPECT_FALSE(tree.stat("nope").value().has_value());
  EXPECT_FALSE(tree.stat("loop_a/x").value().has_value());
  const auto loop = tree.stat("loop_a").value();  // the link itself exists
  ASSERT_TRUE(loop.has_value());
  EXPECT_EQ(loop->type, FileType::kSymlink);
}

TYPED_TEST(FileTreeContractTest, WalkVisitsParentsFirstAndNeverFollowsLinks) {
  std::vector<FileInfo> seen;
  ASSERT_TRUE(this->b_.tree()
                  .walk([&](const FileInfo& info) {
                    seen.push_back(info);
                    return info.path != "deep";
                  })
                  .has_value());
  std::map<std::string, FileType> types;
  for (size_t idx = 0; idx < seen.size(); ++idx) {
    const auto& info = seen[idx];
    types[info.path] = info.type;
    const auto slash = info.path.rfind('/');
    if (slash != std::string::npos) {
      const std::string parent = info.path.substr(0, slash);
      EXPECT_EQ(types.count(parent), 1U) << info.path << " before its parent";
    }
  }
  EXPECT_EQ(types["etc/passwd"], FileType::kRegular);
  EXPECT_EQ(types["etc_link"], FileType::kSymlink);
  EXPECT_EQ(types["var/lib/rpm"], FileType::kSymlink);
  EXPECT_EQ(types["usr/lib/sysimage/rpm/rpmdb.sqlite"], FileType::kRegular);
  EXPECT_EQ(types["empty"], FileType::kDirectory);
  EXPECT_EQ(types["deep"], FileType::kDirectory);
  EXPECT_EQ(types.count("deep/er"), 0U) << "contents of a skipped directory";
  EXPECT_EQ(types.count("etc_link/passwd"), 0U) << "walk followed a directory link";
  EXPECT_EQ(types.count("var/lib/rpm/rpmdb.sqlite"), 0U) << "walk followed a directory link";
  EXPECT_EQ(types.count(""), 0U) << "the root itself is not visited";
  for (const auto& info : seen) {
    if (info.path == "big" && info.size != 0) {
      EXPECT_EQ(info.size, 1000U) << "size is either unknown (0) or right";
    }
  }
}

TYPED_TEST(FileTreeContractTest, HostPathResolvesInsideTheRootOrIsAbsent) {
  const auto& tree = this->b_.tree();
  if constexpr (std::is_same_v<TypeParam, MemoryBuilder>) {
    EXPECT_FALSE(tree.host_path("etc/passwd").has_value());
  } else {
    const auto& root = this->b_.root();
    EXPECT_EQ(tree.host_path("abs_passwd"), root / "etc/passwd");
    EXPECT_EQ(tree.host_path("var/lib/rpm"), root / "usr/lib/sysimage/rpm");
    EXPECT_EQ(tree.host_path("escape_passwd"), root / "etc/passwd");
    EXPECT_EQ(tree.host_path(""), root);
    EXPECT_FALSE(tree.host_path("abs_shadow").has_value());
    EXPECT_FALSE(tree.host_path("loop_a").has_value());
  }
}

TYPED_TEST(FileTreeContractTest, ReadRangeReturnsTheRequestedBytes) {
  this->b_.file("digits", "0123456789");
  const FileTree& tree = this->b_.tree();
  EXPECT_EQ(tree.read_range("digits", 0, 4).value(), "0123");
  EXPECT_EQ(tree.read_range("digits", 3, 2).value(), "34");
  EXPECT_EQ(tree.read_range("digits", 8, 100).value(), "89");  // runs past the end: shortened
  EXPECT_EQ(tree.read_range("digits", 10, 5).value(), "");     // at the end
  EXPECT_EQ(tree.read_range("digits", 11, 5).value(), "");     // past it
  EXPECT_EQ(tree.read_range("digits", UINT64_MAX, UINT64_MAX).value(), "");
  EXPECT_EQ(tree.read_range("digits", 2, 0).value(), "");
  EXPECT_EQ(tree.read_range("big", 990, UINT64_MAX).value(), std::string(10, 'x'));
}

TYPED_TEST(FileTreeContractTest, ReadRangeResolvesLinksInsideTheTree) {
  const FileTree& tree = this->b_.tree();
  EXPECT_EQ(tree.read_range("etc/os-release", 3, 4).value(), "test");
  EXPECT_EQ(tree.read_range("abs_passwd", 5, 6).value(), "passwd");
  EXPECT_EQ(tree.read_range("escape_passwd", 0, 4).value(), "tree");
  EXPECT_EQ(tree.read_range("root_link/etc_link/passwd", 0, 4).value(), "tree");
  EXPECT_EQ(tree.read_range("var/lib/rpm/rpmdb.sqlite", 7, 5).value(), "bytes");
  // The host has /etc/shadow; the tree does not.
  for (const char* path : {"abs_shadow", "escape_shadow", "loop_a", "dangling", "missing"}) {
    const auto got = tree.read_range(path, 0, 10);
    ASSERT_FALSE(got.has_value()) << path;
    EXPECT_EQ(got.error().code, ErrorCode::kNotFound) << path;
  }
  for (const char* path : {"etc", "etc_link", "empty"}) {
    const auto got = tree.read_range(path, 0, 10);
    ASSERT_FALSE(got.has_value()) << path;
    EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument) << path;
  }
}

TYPED_TEST(FileTreeContractTest, OpenFileReportsSizeAndModeAndReadsAnyRange) {
  const FileTree& tree = this->b_.tree();
  const auto file = tree.open_file("etc/os-release");  // through a relative link
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ((*file)->size(), 8U);
  EXPECT_NE((*file)->mode() & 0400, 0U);
  EXPECT_EQ((*file)->read_at(5, 3).value(), "st\n");
  EXPECT_EQ((*file)->read_at(0, 2).value(), "ID");  // any order
  EXPECT_EQ((*file)->read_at(8, 1).value(), "");
  EXPECT_EQ(tree.open_file("etc").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.open_file("abs_shadow").error().code, ErrorCode::kNotFound);
}

// A tree implementing only the required methods: FileTree's default open_file()/read_range().
class MinimalTree final : public FileTree {
 public:
  explicit MinimalTree(const MemoryFileTree& inner) : inner_(inner) {}
  Result<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    ++reads;
    return inner_.read(path, max_bytes);
  }
  Result<std::optional<FileInfo>> stat(std::string_view path) const override {
    return inner_.stat(path);
  }
  Result<void> walk(const std::function<bool(const FileInfo&)>& visit) const override {
    return inner_.walk(visit);
  }
  std::optional<std::filesystem::path> host_path(std::string_view) const override {
    return std::nullopt;
  }
  std::string describe() const override { return "minimal"; }
  mutable int reads = 0;

 private:
  const MemoryFileTree& inner_;
};

TEST(FileTreeDefaultsTest, RangesComeFromAWholeRead) {
  MemoryFileTree inner;
  inner.add_file("bin/tool", "0123456789", 0755);
  inner.add_symlink("link", "/bin/tool");
  inner.add_symlink("out", "../../../../etc/passwd");
  const MinimalTree tree(inner);
  EXPECT_EQ(tree.read_range("bin/tool", 2, 3).value(), "234");
  EXPECT_EQ(tree.read_range("link", 8, 10).value(), "89");
  EXPECT_EQ(tree.read_range("link", 20, 1).value(), "");
  EXPECT_EQ(tree.read_range("out", 0, 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(tree.read_range("bin", 0, 1).error().code, ErrorCode::kInvalidArgument);
  const auto file = tree.open_file("bin/tool");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ((*file)->mode(), 0755U);
  EXPECT_EQ((*file)->size(), 10U);
  EXPECT_EQ((*tree.open_file("link"))->mode(), 0U);  // unknown through a link
  const int before = tree.reads;
  EXPECT_EQ((*file)->read_at(9, 1).value(), "9");
  EXPECT_EQ(tree.reads, before);  // served from what open_file() read
}

TEST(MemoryFileTest, HoldsItsContent) {
  const auto file = memory_file("abcdef", 0600);
  EXPECT_EQ(file->size(), 6U);
  EXPECT_EQ(file->mode(), 0600U);
  EXPECT_EQ(file->read_at(4, 10).value(), "ef");
  EXPECT_EQ(file->read_at(6, 1).value(), "");
  EXPECT_EQ(file->read_at(UINT64_MAX, 1).value(), "");
}

}  // namespace
}  // namespace vigil::sources
