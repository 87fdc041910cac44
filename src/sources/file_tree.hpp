// Read-only views of a filesystem that catalogers read from: a host directory, a merged image,
// an unpacked function bundle, or an in-memory tree for tests. Paths are relative to the tree
// root, '/'-separated, with no leading '/', and can never escape the root.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::sources {

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  std::string path;  // relative, '/'-separated
  FileType type = FileType::kRegular;
  // Bytes for regular files, target length for symlinks, 0 for directories. Permission bits
  // (07777). Both are 0 when unknown: see FileTree::walk.
  uint64_t size = 0;
  uint32_t mode = 0;
};

inline constexpr uint64_t kDefaultMaxRead = uint64_t{256} << 20;  // 256 MiB per file

// One regular file of a FileTree, opened for reads at any offset (FileTree::open_file): readers
// of large files (executables, archives) fetch the few parts they need instead of the whole
// file. Safe to use concurrently; must not outlive the tree that opened it.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  // Size in bytes and permission bits (07777) when the file was opened; the mode is 0 when the
  // tree cannot tell (FileTree's default open_file() through a symlink).
  virtual uint64_t size() const = 0;
  virtual uint32_t mode() const = 0;

  // Returns up to `length` bytes from `offset`: fewer when the range runs past size(), none
  // when `offset` is at or past it. kIo on read errors.
  [[nodiscard]] virtual Result<std::string> read_at(uint64_t offset, uint64_t length) const = 0;
};

// A RandomAccessFile over `content` held in memory (nested archives, tests).
std::unique_ptr<RandomAccessFile> memory_file(std::string content, uint32_t mode = 0644);

// Symlinks inside every FileTree behave as if the tree root were the process root (chroot): an
// absolute target restarts at the tree root, ".." never rises above it, and more than 40 links
// in one lookup is a loop. A malicious tree therefore can never make Vigil read a host file
// outside it, whatever its links say. All methods are const and safe to call concurrently.
class FileTree {
 public:
  virtual ~FileTree() = default;

  // Returns the content of the regular file at `path`, resolving symlinks inside the tree only.
  // Returns kNotFound (naming `path`) when absent, when a link loops or dangles, or when a
  // non-final component is not a directory; kInvalidArgument when it is not a regular file or
  // is larger than `max_bytes`; kIo on read errors (e.g. permission denied).
  [[nodiscard]] virtual Result<std::string> read(std::string_view path,
                                                 uint64_t max_bytes = kDefaultMaxRead) const = 0;

  // Opens the regular file at `path` for ranged reads, resolving symlinks and failing as read()
  // does (the size limit aside). The default reads the whole file with read() (at most
  // kDefaultMaxRead bytes) and serves ranges from memory; trees that can read part of a file
  // without the rest override it.
  [[nodiscard]] virtual Result<std::unique_ptr<RandomAccessFile>> open_file(
      std::string_view path) const;

  // Returns up to `length` bytes of the regular file at `path` from `offset`: fewer at the end
  // of the file, none from past it. Errors as read(). The default goes through open_file().
  [[nodiscard]] virtual Result<std::string> read_range(std::string_view path, uint64_t offset,
                                                       uint64_t length) const;

  // Returns information about `path` without following a final symlink (intermediate ones are
  // followed as above); `FileInfo::path` is the canonical in-tree path. nullopt when absent;
  // kIo when a directory on the way cannot be read.
  [[nodiscard]] virtual Result<std::optional<FileInfo>> stat(std::string_view path) const = 0;

  // Calls `visit` for every entry under the root (the root itself excluded), parents before
  // children, never following symlinks (a link to a directory is reported as kSymlink and not
  // entered). Returning false from `visit` for a directory skips its contents; the return value
  // is ignored for other entries. Unreadable subdirectories are skipped silently (they are still
  // visited themselves; callers may stat). Entries carry path and type; size and mode may be 0
  // (DirectoryFileTree leaves them so: a stat per file would triple the cost of walking a host
  // root), so stat() the few entries whose size matters. Returns kIo only when the root cannot
  // be listed.
  [[nodiscard]] virtual Result<void> walk(
      const std::function<bool(const FileInfo&)>& visit) const = 0;

  // The host filesystem path holding `path`'s content when the tree is backed by a host
  // directory (librpm needs one): intermediate and final symlinks are resolved inside the tree,
  // so the result has no symlink below the tree root. nullopt when `path` is absent or the tree
  // has no host backing. host_path("") is the root directory itself.
  virtual std::optional<std::filesystem::path> host_path(std::string_view path) const = 0;

  // Human-readable description for messages ("directory /srv/root").
  virtual std::string describe() const = 0;
};

// A tree over the host directory `root` (e.g. "/" for a live host, or an unpacked snapshot).
// The root directory is opened once; later lookups go through directory descriptors one
// component at a time (openat with O_NOFOLLOW), so links are resolved by Vigil, never by the
// kernel, even if the tree changes during the scan. (Opening a file whose path holds no link
// takes one openat2(2) confined below the root that refuses every link; any link, or any
// failure, sends the lookup the component-by-component way.) When `root` is the host's "/", walk() skips
// the virtual filesystems /proc, /sys and /dev (they hold no packages and /proc is unbounded);
// read() and stat() still reach them. Returns kNotFound if `root` is not a directory, kIo if it
// cannot be opened.
[[nodiscard]] Result<std::unique_ptr<FileTree>> open_directory(const std::filesystem::path& root);

// An in-memory tree for tests and for small unpacked bundles: path -> content; symlinks given
// as path -> target with `add_symlink`. Parent directories are created implicitly; adding an
// entry replaces one at the same path, and turns any file on its parent path into a directory.
// Not safe to modify while another thread reads it.
class MemoryFileTree final : public FileTree {
 public:
  MemoryFileTree() = default;
  MemoryFileTree(std::initializer_list<std::pair<const std::string, std::string>> files);

  // Each `path` is normalised with normalize_path(); the root itself cannot be replaced.
  void add_file(std::string path, std::string content, uint32_t mode = 0644);
  void add_symlink(std::string path, std::string target);
  void add_directory(std::string path, uint32_t mode = 0755);

  Result<std::string> read(std::string_view path,
                           uint64_t max_bytes = kDefaultMaxRead) const override;
  // Serves ranges from the stored content without copying the rest of it.
  Result<std::unique_ptr<RandomAccessFile>> open_file(std::string_view path) const override;
  Result<std::optional<FileInfo>> stat(std::string_view path) const override;
  Result<void> walk(const std::function<bool(const FileInfo&)>& visit) const override;
  std::optional<std::filesystem::path> host_path(std::string_view) const override {
    return std::nullopt;
  }
  std::string describe() const override { return "memory tree"; }

 private:
  friend class MemoryCursor;
  struct Entry {
    FileType type = FileType::kRegular;
    std::string data;  // content, or link target
    uint32_t mode = 0644;
  };
  void add_parents(const std::string& path);

  std::map<std::string, Entry, std::less<>> entries_;
};

// Normalises `path` lexically: strips leading '/', empty and '.' components, resolves '..'
// without ever rising above the root (".." at the root stays at the root). Symlinks are not
// consulted. normalize_path("/../../etc//passwd") == "etc/passwd"; "" and "/" give "".
std::string normalize_path(std::string_view path);

}  // namespace vigil::sources
