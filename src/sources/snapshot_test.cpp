// Tar and ext4 snapshots of samples/rootfs (plus symlinks) read back exactly like the directory.
#include "sources/snapshot.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

namespace fs = std::filesystem;

// A copy of samples/rootfs with an absolute symlink, a relative one, one escaping the root and
// a loop, so link resolution is covered too.
fs::path make_root(const testing::TempDir& dir) {
  const fs::path root = dir.path() / "root";
  fs::copy(fs::path(VIGIL_SOURCE_DIR) / "samples" / "rootfs", root, fs::copy_options::recursive);
  fs::create_symlink("/etc/os-release", root / "os-release-abs");
  fs::create_symlink("etc/os-release", root / "os-release-rel");
  fs::create_symlink("../../../../etc/os-release", root / "srv" / "escape");
  fs::create_symlink("loop-b", root / "loop-a");
  fs::create_symlink("loop-a", root / "loop-b");
  return root;
}

// Writes `root` as a tar with libarchive, compressed by `filter` (ARCHIVE_FILTER_*).
fs::path write_tar(const fs::path& root, const fs::path& out, int filter) {
  archive* writer = archive_write_new();
  archive_write_set_format_pax_restricted(writer);
  archive_write_add_filter(writer, filter);
  EXPECT_EQ(archive_write_open_filename(writer, out.c_str()), ARCHIVE_OK);
  for (const auto& item : fs::recursive_directory_iterator(root)) {
    archive_entry* entry = archive_entry_new();
    const std::string name = item.path().lexically_relative(root).string();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_perm(entry, 0644);
    std::string content;
    const fs::file_status status = item.symlink_status();
    if (fs::is_symlink(status)) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, fs::read_symlink(item.path()).c_str());
    } else if (fs::is_directory(status)) {
      archive_entry_set_filetype(entry, AE_IFDIR);
      archive_entry_set_perm(entry, 0755);
    } else {
      std::ifstream in(item.path(), std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    }
    archive_write_header(writer, entry);
    if (!content.empty()) {
      archive_write_data(writer, content.data(), content.size());
    }
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return out;
}

// Every walked path → (type, content of regular files).
std::map<std::string, std::pair<FileType, std::string>> contents(const FileTree& tree) {
  std::map<std::string, std::pair<FileType, std::string>> out;
  EXPECT_TRUE(tree.walk([&](const FileInfo& info) {
    std::string data;
    if (info.type == FileType::kRegular) {
      data = tree.read(info.path).value_or("<unreadable>");
    }
    out[info.path] = {info.type, data};
    return true;
  }));
  out.erase("lost+found");  // mke2fs adds it
  return out;
}

void expect_same_view(const FileTree& tree, const FileTree& expected) {
  EXPECT_EQ(contents(tree), contents(expected)) << tree.describe();
  EXPECT_EQ(tree.read("os-release-abs").value_or("?"), expected.read("etc/os-release").value());
  EXPECT_EQ(tree.read("os-release-rel").value_or("?"), expected.read("etc/os-release").value());
  EXPECT_EQ(tree.read("srv/escape").value_or("?"), expected.read("etc/os-release").value());
  const auto loop = tree.read("loop-a");
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().code, ErrorCode::kNotFound);
  const auto info = tree.stat("os-release-abs");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->type, FileType::kSymlink);
  EXPECT_FALSE(tree.stat("no/such/file").value().has_value());
  EXPECT_EQ(tree.read("etc").error().code, ErrorCode::kInvalidArgument);
  // Ranged reads see the same bytes, through links too, and nothing past the end.
  const std::string os_release = expected.read("etc/os-release").value();
  ASSERT_GT(os_release.size(), 4U);
  for (const char* path : {"etc/os-release", "os-release-abs", "srv/escape"}) {
    EXPECT_EQ(tree.read_range(path, 2, 3).value_or("?"), os_release.substr(2, 3)) << path;
    EXPECT_EQ(tree.read_range(path, os_release.size() - 1, 10).value_or("?"),
              os_release.substr(os_release.size() - 1))
        << path;
    EXPECT_EQ(tree.read_range(path, os_release.size() + 1, 10).value_or("?"), "") << path;
    const auto file = tree.open_file(path);
    ASSERT_TRUE(file) << path << ": " << file.error().message;
    EXPECT_EQ((*file)->size(), os_release.size());
    EXPECT_EQ((*file)->read_at(0, os_release.size()).value_or("?"), os_release);
  }
  EXPECT_EQ(tree.read_range("loop-a", 0, 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(tree.read_range("etc", 0, 1).error().code, ErrorCode::kInvalidArgument);
}

TEST(SnapshotTest, TarsInEveryCompressionReadLikeTheDirectory) {
  testing::TempDir dir;
  const fs::path root = make_root(dir);
  const auto expected = open_directory(root);
  ASSERT_TRUE(expected);
  const std::map<std::string, int> filters = {{"tar", ARCHIVE_FILTER_NONE},
                                              {"tar.gz", ARCHIVE_FILTER_GZIP},
                                              {"tar.zst", ARCHIVE_FILTER_ZSTD},
                                              {"tar.xz", ARCHIVE_FILTER_XZ},
                                              {"tar.bz2", ARCHIVE_FILTER_BZIP2}};
  for (const auto& [suffix, filter] : filters) {
    const fs::path tar = write_tar(root, dir.path() / ("root." + suffix), filter);
    SnapshotOptions options;
    options.wanted = [](std::string_view path) { return path == "etc/os-release"; };
    const auto tree = open_root_filesystem(tar, options);
    ASSERT_TRUE(tree) << suffix << ": " << tree.error().message;
    expect_same_view(**tree, **expected);
  }
}

TEST(SnapshotTest, Ext4ImageReadsLikeTheDirectory) {
  testing::TempDir dir;
  const fs::path root = make_root(dir);
  const fs::path image = dir.path() / "root.img";
  const std::string command = "mke2fs -q -F -t ext4 -d '" + root.string() + "' '" +
                              image.string() + "' 64M >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    GTEST_SKIP() << "mke2fs (e2fsprogs) is not available";
  }
  ASSERT_TRUE(looks_like_ext4(image));
  const auto tree = open_root_filesystem(image, {});
  ASSERT_TRUE(tree) << tree.error().message;
  const auto expected = open_directory(root);
  ASSERT_TRUE(expected);
  expect_same_view(**tree, **expected);
  EXPECT_EQ((*tree)->read("etc/os-release", 3).error().code, ErrorCode::kInvalidArgument);
}

TEST(SnapshotTest, CorruptInputsAreTypedErrors) {
  testing::TempDir dir;
  const fs::path garbage = dir.write("garbage.tar", std::string(5000, 'x'));
  const auto tar = open_root_filesystem(garbage, {});
  ASSERT_FALSE(tar);
  EXPECT_EQ(tar.error().code, ErrorCode::kParse) << tar.error().message;

  // An ext4 magic with nothing behind it.
  std::string fake(4096, '\0');
  fake[1080] = '\x53';
  fake[1081] = '\xEF';
  const fs::path image = dir.write("fake.img", fake);
  const auto ext4 = open_root_filesystem(image, {});
  ASSERT_FALSE(ext4);
  EXPECT_EQ(ext4.error().code, ErrorCode::kParse);

  EXPECT_EQ(open_root_filesystem(dir.path() / "missing", {}).error().code, ErrorCode::kNotFound);
}

TEST(SnapshotTest, XzBombIsRefused) {
  testing::TempDir dir;
  const fs::path root = dir.path() / "bomb";
  fs::create_directories(root);
  dir.write("bomb/zeros", std::string(size_t{4} << 20, '\0'));
  const fs::path tar = write_tar(root, dir.path() / "bomb.tar.xz", ARCHIVE_FILTER_XZ);
  SnapshotOptions options;
  options.limits.max_expanded_bytes = 1 << 20;
  const auto tree = open_tar_snapshot(tar, options);
  ASSERT_FALSE(tree);
  EXPECT_EQ(tree.error().code, ErrorCode::kInvalidArgument) << tree.error().message;
}

}  // namespace
}  // namespace vigil::sources
