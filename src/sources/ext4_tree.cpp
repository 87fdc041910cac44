// Raw ext2/3/4 images read through libext2fs, read-only, without mounting. Lookups walk one
// component at a time with Vigil's own symlink resolution (chroot semantics, 40 hops), so a
// hostile image can neither escape nor loop.
extern "C" {
#include <et/com_err.h>  // a C header without extern "C" guards
}
#include <ext2fs/ext2fs.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sources/snapshot.hpp"

namespace vigil::sources {
namespace {

constexpr int kMaxLinkHops = 40;
constexpr uint64_t kMaxLinkTarget = 4096;
constexpr size_t kMaxPath = 4096;

std::string ext2_error(errcode_t code) { return error_message(code); }

FileType type_of(const ext2_inode& inode) {
  if (LINUX_S_ISREG(inode.i_mode)) {
    return FileType::kRegular;
  }
  if (LINUX_S_ISDIR(inode.i_mode)) {
    return FileType::kDirectory;
  }
  if (LINUX_S_ISLNK(inode.i_mode)) {
    return FileType::kSymlink;
  }
  return FileType::kOther;
}

uint64_t size_of(const ext2_inode& inode) { return EXT2_I_SIZE(&inode); }

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    if (end > start) {
      parts.emplace_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
  return parts;
}

class Ext4FileTree final : public FileTree {
 public:
  Ext4FileTree(ext2_filsys fs, std::string description, uint64_t max_entries)
      : fs_(fs), description_(std::move(description)), max_entries_(max_entries) {}
  ~Ext4FileTree() override { ext2fs_close_free(&fs_); }
  Ext4FileTree(const Ext4FileTree&) = delete;
  Ext4FileTree& operator=(const Ext4FileTree&) = delete;

  Result<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    const std::lock_guard lock(mutex_);
    VIGIL_ASSIGN_OR_RETURN(const auto found, resolve(path, true));
    if (!found) {
      return fail(Error::not_found("{}: {}: no such file", description_, path));
    }
    if (type_of(found->inode) != FileType::kRegular) {
      return fail(Error::invalid_argument("{}: {}: not a regular file", description_, path));
    }
    if (size_of(found->inode) > max_bytes) {
      return fail(Error::invalid_argument("{}: {}: {} bytes exceeds the {} byte limit",
                                          description_, path, size_of(found->inode), max_bytes));
    }
    return read_inode(found->ino, size_of(found->inode), path);
  }

  // Defined below Ext4File: reads go to the extents holding the range, not the whole file.
  Result<std::unique_ptr<RandomAccessFile>> open_file(std::string_view path) const override;

  // Up to `length` bytes of inode `ino` (of `size` bytes) from `offset`.
  Result<std::string> read_inode_range(ext2_ino_t ino, uint64_t size, uint64_t offset,
                                       uint64_t length, std::string_view path) const {
    const std::lock_guard lock(mutex_);
    if (offset >= size) {
      return std::string();
    }
    ext2_file_t file = nullptr;
    errcode_t code = ext2fs_file_open(fs_, ino, 0, &file);
    if (code != 0) {
      return fail(Error::io("{}: {}: {}", description_, path, ext2_error(code)));
    }
    std::string content(static_cast<size_t>(std::min(length, size - offset)), '\0');
    size_t done = 0;
    code = ext2fs_file_llseek(file, offset, EXT2_SEEK_SET, nullptr);
    while (code == 0 && done < content.size()) {
      unsigned int got = 0;
      const auto want =
          static_cast<unsigned int>(std::min<size_t>(content.size() - done, 1U << 20));
      code = ext2fs_file_read(file, content.data() + done, want, &got);
      if (got == 0) {
        break;
      }
      done += got;
    }
    ext2fs_file_close(file);
    if (code != 0) {
      return fail(Error::io("{}: {}: {}", description_, path, ext2_error(code)));
    }
    content.resize(done);  // a corrupt extent tree may end early
    return content;
  }

  Result<std::optional<FileInfo>> stat(std::string_view path) const override {
    const std::lock_guard lock(mutex_);
    VIGIL_ASSIGN_OR_RETURN(const auto found, resolve(path, false));
    if (!found) {
      return std::optional<FileInfo>();
    }
    return std::optional<FileInfo>(info_of(found->path, found->inode));
  }

  Result<void> walk(const std::function<bool(const FileInfo&)>& visit) const override {
    const std::lock_guard lock(mutex_);
    std::unordered_set<ext2_ino_t> visited{EXT2_ROOT_INO};
    std::vector<std::pair<ext2_ino_t, std::string>> pending{{EXT2_ROOT_INO, ""}};
    uint64_t entries = 0;
    while (!pending.empty()) {
      auto [dir, prefix] = std::move(pending.back());
      pending.pop_back();
      auto children = list(dir);
      if (!children) {
        if (dir == EXT2_ROOT_INO) {
          return fail(children.error());
        }
        continue;  // unreadable subdirectory: skipped, as FileTree::walk promises
      }
      std::vector<std::pair<ext2_ino_t, std::string>> subdirs;
      for (const auto& [ino, name] : *children) {
        if (++entries > max_entries_) {
          return {};  // a hostile image with endless entries: stop, do not hang
        }
        ext2_inode inode{};
        if (ext2fs_read_inode(fs_, ino, &inode) != 0) {
          continue;
        }
        std::string path = prefix.empty() ? name : prefix + "/" + name;
        if (path.size() > kMaxPath) {
          continue;
        }
        const FileInfo info = info_of(path, inode);
        const bool enter = visit(info);
        // A directory reached twice (a corrupt image with a hard-linked directory) is a loop.
        if (info.type == FileType::kDirectory && enter && visited.insert(ino).second) {
          subdirs.emplace_back(ino, std::move(path));
        }
      }
      // Depth first, children in name order: parents are always visited before children.
      for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) {
        pending.push_back(std::move(*it));
      }
    }
    return {};
  }

  std::optional<std::filesystem::path> host_path(std::string_view) const override {
    return std::nullopt;
  }
  std::string describe() const override { return description_; }

 private:
  struct Found {
    ext2_ino_t ino = 0;
    ext2_inode inode{};
    std::string path;  // canonical
  };

  static FileInfo info_of(std::string path, const ext2_inode& inode) {
    FileInfo info;
    info.path = std::move(path);
    info.type = type_of(inode);
    info.size = info.type == FileType::kDirectory ? 0 : size_of(inode);
    info.mode = static_cast<uint32_t>(inode.i_mode) & 07777U;
    return info;
  }

  // The entries of directory `dir` except "." and "..", sorted by name.
  Result<std::vector<std::pair<ext2_ino_t, std::string>>> list(ext2_ino_t dir) const {
    std::vector<std::pair<ext2_ino_t, std::string>> entries;
    const auto callback = [](ext2_ino_t, int, ext2_dir_entry* dirent, int, int, char*,
                             void* priv) -> int {
      auto* out = static_cast<std::vector<std::pair<ext2_ino_t, std::string>>*>(priv);
      const auto length = static_cast<size_t>(ext2fs_dirent_name_len(dirent));
      const std::string name(dirent->name, length);
      if (dirent->inode != 0 && name != "." && name != ".." && !name.empty() &&
          name.find('/') == std::string::npos && name.find('\0') == std::string::npos) {
        out->emplace_back(dirent->inode, name);
      }
      return 0;
    };
    const errcode_t code = ext2fs_dir_iterate2(fs_, dir, 0, nullptr, callback, &entries);
    if (code != 0) {
      return fail(Error::io("{}: directory inode {}: {}", description_, dir, ext2_error(code)));
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& lhs, const auto& rhs) { return lhs.second < rhs.second; });
    return entries;
  }

  Result<std::string> read_inode(ext2_ino_t ino, uint64_t size, std::string_view path) const {
    ext2_file_t file = nullptr;
    errcode_t code = ext2fs_file_open(fs_, ino, 0, &file);
    if (code != 0) {
      return fail(Error::io("{}: {}: {}", description_, path, ext2_error(code)));
    }
    std::string content(static_cast<size_t>(size), '\0');
    size_t done = 0;
    while (done < content.size()) {
      unsigned int got = 0;
      const auto want = static_cast<unsigned int>(std::min<size_t>(content.size() - done, 1U << 20));
      code = ext2fs_file_read(file, content.data() + done, want, &got);
      if (code != 0 || got == 0) {
        break;
      }
      done += got;
    }
    ext2fs_file_close(file);
    if (code != 0) {
      return fail(Error::io("{}: {}: {}", description_, path, ext2_error(code)));
    }
    content.resize(done);  // a corrupt extent tree may end early
    return content;
  }

  Result<std::string> link_target(ext2_ino_t ino, const ext2_inode& inode,
                                  std::string_view path) const {
    const uint64_t size = size_of(inode);
    if (size == 0 || size > kMaxLinkTarget) {
      return fail(Error::not_found("{}: {}: symlink target of {} bytes", description_, path,
                                   size));
    }
    if (ext2fs_is_fast_symlink(const_cast<ext2_inode*>(&inode)) != 0) {
      const auto* bytes = reinterpret_cast<const char*>(inode.i_block);
      const size_t length = std::min<size_t>(static_cast<size_t>(size), sizeof(inode.i_block));
      return std::string(bytes, strnlen(bytes, length));
    }
    return read_inode(ino, size, path);
  }

  // Resolves `path` inside the image (chroot semantics); nullopt when absent or dangling.
  Result<std::optional<Found>> resolve(std::string_view path, bool follow_final) const {
    std::deque<std::string> pending;
    for (auto& part : split_path(path)) {
      pending.push_back(std::move(part));
    }
    std::vector<std::pair<ext2_ino_t, std::string>> stack;  // canonical components
    Found current;
    current.ino = EXT2_ROOT_INO;
    if (const errcode_t code = ext2fs_read_inode(fs_, current.ino, &current.inode); code != 0) {
      return fail(Error::io("{}: root inode: {}", description_, ext2_error(code)));
    }
    int hops = 0;
    while (!pending.empty()) {
      std::string name = std::move(pending.front());
      pending.pop_front();
      if (name == ".") {
        continue;
      }
      if (name == "..") {
        if (!stack.empty()) {
          stack.pop_back();
        }
        current.ino = stack.empty() ? EXT2_ROOT_INO : stack.back().first;
        if (ext2fs_read_inode(fs_, current.ino, &current.inode) != 0) {
          return std::optional<Found>();
        }
        continue;
      }
      if (type_of(current.inode) != FileType::kDirectory) {
        return std::optional<Found>();
      }
      ext2_ino_t ino = 0;
      if (ext2fs_lookup(fs_, current.ino, name.c_str(), static_cast<int>(name.size()), nullptr,
                        &ino) != 0) {
        return std::optional<Found>();
      }
      ext2_inode inode{};
      if (ext2fs_read_inode(fs_, ino, &inode) != 0) {
        return std::optional<Found>();
      }
      if (type_of(inode) == FileType::kSymlink && (!pending.empty() || follow_final)) {
        if (++hops > kMaxLinkHops) {
          return std::optional<Found>();  // a loop
        }
        auto target = link_target(ino, inode, name);
        if (!target) {
          return std::optional<Found>();
        }
        if (target->starts_with('/')) {
          stack.clear();
          current.ino = EXT2_ROOT_INO;
          if (ext2fs_read_inode(fs_, current.ino, &current.inode) != 0) {
            return std::optional<Found>();
          }
        }
        auto parts = split_path(*target);
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
          pending.push_front(std::move(*it));
        }
        continue;
      }
      stack.emplace_back(ino, std::move(name));
      current.ino = ino;
      current.inode = inode;
    }
    std::string canonical;
    for (const auto& [ino, name] : stack) {
      canonical += canonical.empty() ? name : "/" + name;
    }
    current.path = std::move(canonical);
    return std::optional<Found>(std::move(current));
  }

  // Recursive: walk() calls `visit`, which may read() or stat() the same tree.
  mutable std::recursive_mutex mutex_;
  mutable ext2_filsys fs_;
  std::string description_;
  uint64_t max_entries_;
};

// An inode of an Ext4FileTree, read by range.
class Ext4File final : public RandomAccessFile {
 public:
  Ext4File(const Ext4FileTree& tree, ext2_ino_t ino, uint64_t size, uint32_t mode, std::string path)
      : tree_(tree), ino_(ino), size_(size), mode_(mode), path_(std::move(path)) {}

  uint64_t size() const override { return size_; }
  uint32_t mode() const override { return mode_; }
  Result<std::string> read_at(uint64_t offset, uint64_t length) const override {
    return tree_.read_inode_range(ino_, size_, offset, length, path_);
  }

 private:
  const Ext4FileTree& tree_;
  ext2_ino_t ino_;
  uint64_t size_;
  uint32_t mode_;
  std::string path_;
};

Result<std::unique_ptr<RandomAccessFile>> Ext4FileTree::open_file(std::string_view path) const {
  const std::lock_guard lock(mutex_);
  VIGIL_ASSIGN_OR_RETURN(const auto found, resolve(path, true));
  if (!found) {
    return fail(Error::not_found("{}: {}: no such file", description_, path));
  }
  if (type_of(found->inode) != FileType::kRegular) {
    return fail(Error::invalid_argument("{}: {}: not a regular file", description_, path));
  }
  return std::unique_ptr<RandomAccessFile>(std::make_unique<Ext4File>(
      *this, found->ino, size_of(found->inode), static_cast<uint32_t>(found->inode.i_mode) & 07777U,
      std::string(path)));
}

}  // namespace

Result<std::unique_ptr<FileTree>> open_ext4_image(const std::filesystem::path& path,
                                                  const SnapshotOptions& options) {
  static std::once_flag init_once;
  std::call_once(init_once, [] { initialize_ext2_error_table(); });
  ext2_filsys fs = nullptr;
  // Read-only; checksum errors are tolerated so a snapshot taken while the volume was live
  // (not cleanly unmounted) can still be read.
  const errcode_t code = ext2fs_open(path.c_str(), EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS,
                                     0, 0, unix_io_manager, &fs);
  if (code != 0) {
    return fail(Error::parse("ext4 image {}: {}", path.string(), ext2_error(code)));
  }
  return std::unique_ptr<FileTree>(std::make_unique<Ext4FileTree>(
      fs, fmt::format("ext4 image {}", path.string()), options.max_ext4_entries));
}

}  // namespace vigil::sources
