// DirectoryFileTree specifics beyond the shared contract in file_tree_test.cpp: opening,
// special files, the live-root walk and unreadable directories.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "sources/file_tree.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

TEST(OpenDirectoryTest, MissingOrNonDirectoryRootIsNotFound) {
  testing::TempDir dir;
  const auto file = dir.write("file", "x");
  for (const auto& root : {dir.path() / "missing", file}) {
    const auto tree = open_directory(root);
    ASSERT_FALSE(tree.has_value()) << root;
    EXPECT_EQ(tree.error().code, ErrorCode::kNotFound);
    EXPECT_NE(tree.error().message.find(root.string()), std::string::npos);
  }
}

TEST(OpenDirectoryTest, DescribesAndReportsItsRoot) {
  testing::TempDir dir;
  const auto tree = open_directory(dir.path().string() + "/");
  ASSERT_TRUE(tree.has_value());
  EXPECT_EQ((*tree)->describe(), "directory " + dir.path().string());
  EXPECT_EQ((*tree)->host_path(""), dir.path());
}

TEST(DirectoryFileTreeTest, FifoIsNotReadAndDoesNotBlock) {
  testing::TempDir dir;
  ASSERT_EQ(::mkfifo((dir.path() / "pipe").c_str(), 0600), 0);
  std::filesystem::create_symlink("pipe", dir.path() / "pipe_link");
  const auto tree = open_directory(dir.path()).value();
  for (const char* path : {"pipe", "pipe_link"}) {
    const auto result = tree->read(path);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  const auto info = tree->stat("pipe").value();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->type, FileType::kOther);
}

TEST(DirectoryFileTreeTest, LongLinkTargetsResolve) {
  testing::TempDir dir;
  dir.write("a/target", "found");
  std::string target;
  for (int step = 0; step < 200; ++step) {
    target += "./";
  }
  target += "a/target";
  std::filesystem::create_symlink(target, dir.path() / "long");
  const auto tree = open_directory(dir.path()).value();
  EXPECT_EQ(tree->read("long").value(), "found");
}

// Walks `root` and returns the sorted visited paths joined by ' ', or "error".
std::string walk_listing(const std::filesystem::path& root) {
  const auto tree = open_directory(root);
  if (!tree) {
    return "error";
  }
  std::set<std::string> seen;
  if (!(*tree)->walk([&](const FileInfo& info) {
        seen.insert(info.path);
        return true;
      })) {
    return "error";
  }
  std::string out;
  for (const auto& path : seen) {
    out += path + ' ';
  }
  return out;
}

TEST(DirectoryFileTreeTest, UnreadableDirectoryIsSkippedByWalk) {
  testing::TempDir dir;
  dir.write("open/file", "x");
  dir.write("closed/secret", "x");
  namespace fs = std::filesystem;
  fs::permissions(dir.path(),
                  fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir.path() / "open",
                  fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir.path() / "closed", fs::perms::none);
  const std::string want = "closed open open/file ";
  if (::geteuid() != 0) {
    EXPECT_EQ(walk_listing(dir.path()), want);
    return;
  }
  // Root reads everything: walk as `nobody` in a child process instead.
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      ::_exit(2);
    }
    const std::string listing = walk_listing(dir.path());
    const bool written = ::write(pipe_fds[1], listing.data(), listing.size()) ==
                         static_cast<ssize_t>(listing.size());
    ::_exit(written ? 0 : 3);
  }
  ::close(pipe_fds[1]);
  std::string listing;
  char buffer[256];
  ssize_t got = 0;
  while ((got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
    listing.append(buffer, static_cast<size_t>(got));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  EXPECT_EQ(listing, want);
}

TEST(DirectoryFileTreeTest, LiveRootWalkSkipsVirtualFilesystems) {
  const auto tree = open_directory("/").value();
  std::set<std::string> top;
  ASSERT_TRUE(tree->walk([&](const FileInfo& info) {
                    top.insert(info.path);
                    return false;  // top level only
                  })
                  .has_value());
  EXPECT_EQ(top.count("etc"), 1U);
  EXPECT_EQ(top.count("proc"), 0U);
  EXPECT_EQ(top.count("sys"), 0U);
  EXPECT_EQ(top.count("dev"), 0U);
  // read() still reaches them: the skip is a walk policy, not a hidden area.
  EXPECT_TRUE(tree->stat("proc").value().has_value());
}

TEST(DirectoryFileTreeTest, OtherRootsWalkTheirProcDirectory) {
  testing::TempDir dir;
  dir.write("proc/1/status", "x");
  const auto tree = open_directory(dir.path()).value();
  std::set<std::string> seen;
  ASSERT_TRUE(tree->walk([&](const FileInfo& info) {
                    seen.insert(info.path);
                    return true;
                  })
                  .has_value());
  EXPECT_EQ(seen.count("proc/1/status"), 1U);
}

}  // namespace
}  // namespace vigil::sources
