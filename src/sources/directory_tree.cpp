// DirectoryFileTree: a FileTree over a host directory. Every lookup walks directory descriptors
// one component at a time (openat + O_NOFOLLOW) and resolves symlinks itself, confined to the
// root, so neither a hostile link nor a tree changed mid-scan can lead outside it.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sources/file_tree.hpp"
#include "sources/internal/resolve.hpp"

namespace vigil::sources {
namespace {

// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// Deeper directories than this are not entered by walk(): it keeps one descriptor per level.
constexpr size_t kMaxWalkDepth = 256;
constexpr size_t kMaxLinkTarget = size_t{1} << 16;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

FileType type_of(mode_t mode) {
  if (S_ISREG(mode)) {
    return FileType::kRegular;
  }
  if (S_ISDIR(mode)) {
    return FileType::kDirectory;
  }
  if (S_ISLNK(mode)) {
    return FileType::kSymlink;
  }
  return FileType::kOther;
}

FileType type_of_dirent(unsigned char d_type) {
  switch (d_type) {
    case DT_REG:
      return FileType::kRegular;
    case DT_DIR:
      return FileType::kDirectory;
    case DT_LNK:
      return FileType::kSymlink;
    default:
      return FileType::kOther;
  }
}

Result<std::string> read_link_at(int dir_fd, const char* name) {
  std::string buffer(256, '\0');
  while (true) {
    const ssize_t length = ::readlinkat(dir_fd, name, buffer.data(), buffer.size());
    if (length < 0) {
      return fail(Error::io("readlink {}: {}", name, errno_text(errno)));
    }
    if (static_cast<size_t>(length) < buffer.size()) {
      buffer.resize(static_cast<size_t>(length));
      return buffer;
    }
    if (buffer.size() >= kMaxLinkTarget) {
      return fail(Error::io("readlink {}: target longer than {} bytes", name, kMaxLinkTarget));
    }
    buffer.resize(buffer.size() * 4);
  }
}

constexpr int kFileFlags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

// False once openat2(2) turned out to be missing (a kernel before 5.6, or a seccomp filter).
std::atomic<bool> openat2_usable{true};

// True when `path` (leading '/' already stripped) names a file by plain components: no empty,
// "." or ".." component and no NUL, so that resolving it without symlinks is purely lexical.
bool is_plain_path(std::string_view path) {
  if (path.empty() || path.size() >= PATH_MAX || path.find('\0') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string_view component = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (component.empty() || component == "." || component == "..") {
      return false;
    }
    if (slash == std::string_view::npos) {
      return true;
    }
    start = slash + 1;
  }
}

// openat2(2) confined below `dir_fd` and refusing every symlink: when it succeeds, the kernel
// resolved `path` exactly as internal::resolve() would (no link was involved), in one call
// instead of two per component. -1 when it fails for any reason; the caller then resolves the
// slow way, which also produces the right error.
int open_without_links(int dir_fd, const std::string& path, int flags) {
  if (!openat2_usable.load(std::memory_order_relaxed)) {
    return -1;
  }
  open_how how{};
  how.flags = static_cast<__u64>(static_cast<unsigned>(flags));
  how.resolve = static_cast<__u64>(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  const long fd = ::syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) {
    openat2_usable.store(false, std::memory_order_relaxed);
  }
  return fd < 0 ? -1 : static_cast<int>(fd);
}

// A cursor holding one directory descriptor per level below the root.
class FdCursor final : public internal::Cursor {
 public:
  explicit FdCursor(int root_fd) : root_fd_(root_fd) {}

  int dir_fd() const { return stack_.empty() ? root_fd_ : stack_.back().get(); }

  Result<std::optional<internal::Node>> lookup(std::string_view name) override {
    const std::string name_z(name);
    struct stat st {};
    if (::fstatat(dir_fd(), name_z.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG) {
        return std::optional<internal::Node>{};
      }
      return fail(Error::io("{}: {}", name, errno_text(errno)));
    }
    internal::Node node;
    node.type = type_of(st.st_mode);
    node.size = static_cast<uint64_t>(st.st_size);
    node.mode = static_cast<uint32_t>(st.st_mode & 07777);
    if (node.type == FileType::kSymlink) {
      VIGIL_ASSIGN_OR_RETURN(node.link_target, read_link_at(dir_fd(), name_z.c_str()));
    }
    return node;
  }

  Result<void> enter(std::string_view name) override {
    const std::string name_z(name);
    UniqueFd fd(::openat(dir_fd(), name_z.c_str(), kDirFlags));
    if (!fd.valid()) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
        return fail(Error::not_found("{}: no longer a directory", name));
      }
      return fail(Error::io("{}: {}", name, errno_text(errno)));
    }
    stack_.push_back(std::move(fd));
    return {};
  }

  void leave() override { stack_.pop_back(); }

 private:
  int root_fd_;
  std::vector<UniqueFd> stack_;
};

// One directory being walked: its descriptor (kept open for openat of the children) and the
// entries still to visit, their names stored back to back in one buffer.
struct WalkFrame {
  struct Entry {
    size_t offset = 0;
    size_t length = 0;
    unsigned char type = DT_UNKNOWN;
  };
  UniqueFd fd;
  size_t prefix_length = 0;  // length of "a/b/" in the walk's path buffer
  std::string names;         // NUL-terminated names
  std::vector<Entry> entries;
  size_t next = 0;

  const char* name_at(const Entry& entry) const { return names.data() + entry.offset; }
  std::string_view view(const Entry& entry) const {
    return {names.data() + entry.offset, entry.length};
  }
};

// Lists the directory `fd` (ownership passes to the frame) with getdents64 into `buffer`,
// sorted by name for a deterministic walk. Returns false if it cannot be listed. (Raw
// getdents64 rather than fdopendir/readdir: it saves an fstat, an fcntl and a 32 KiB
// allocation per directory, a tenth of the cost of walking a host root.)
bool list_directory(UniqueFd fd, WalkFrame& frame, std::vector<char>& buffer) {
  while (true) {
    const ssize_t got = ::getdents64(fd.get(), buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    if (got == 0) {
      break;
    }
    size_t pos = 0;
    while (pos < static_cast<size_t>(got)) {
      dirent64 entry{};
      // Copy the fixed header: records in the buffer are not necessarily aligned for dirent64.
      std::memcpy(&entry, buffer.data() + pos, offsetof(dirent64, d_name));
      if (entry.d_reclen == 0) {
        return false;
      }
      const char* name_start = buffer.data() + pos + offsetof(dirent64, d_name);
      const size_t name_room = entry.d_reclen - offsetof(dirent64, d_name);
      const std::string_view name(name_start, ::strnlen(name_start, name_room));
      pos += entry.d_reclen;
      if (name == "." || name == ".." || name.empty()) {
        continue;
      }
      frame.entries.push_back({frame.names.size(), name.size(), entry.d_type});
      frame.names.append(name);
      frame.names.push_back('\0');
    }
  }
  std::sort(frame.entries.begin(), frame.entries.end(),
            [&](const WalkFrame::Entry& lhs, const WalkFrame::Entry& rhs) {
              return frame.view(lhs) < frame.view(rhs);
            });
  frame.fd = std::move(fd);
  return true;
}

// An open host file read with pread(2).
class FdFile final : public RandomAccessFile {
 public:
  FdFile(UniqueFd fd, uint64_t size, uint32_t mode, std::string path)
      : fd_(std::move(fd)), size_(size), mode_(mode), path_(std::move(path)) {}

  uint64_t size() const override { return size_; }
  uint32_t mode() const override { return mode_; }

  Result<std::string> read_at(uint64_t offset, uint64_t length) const override {
    if (offset >= size_) {
      return std::string();
    }
    std::string out(static_cast<size_t>(std::min(length, size_ - offset)), '\0');
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t got = ::pread(fd_.get(), out.data() + done, out.size() - done,
                                  static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(Error::io("{}: {}", path_, errno_text(errno)));
      }
      if (got == 0) {
        break;  // shrunk since it was opened
      }
      done += static_cast<size_t>(got);
    }
    out.resize(done);
    return out;
  }

 private:
  UniqueFd fd_;
  uint64_t size_;
  uint32_t mode_;
  std::string path_;
};

class DirectoryFileTree final : public FileTree {
 public:
  DirectoryFileTree(std::filesystem::path root, UniqueFd root_fd, bool is_host_root)
      : root_(std::move(root)), root_fd_(std::move(root_fd)), is_host_root_(is_host_root) {}

  // The fast path of open_regular(): a path without links opened in a few calls. An O_PATH
  // descriptor first, so that nothing but a regular file is ever opened for reading (opening a
  // device can have side effects). Invalid when it does not apply.
  UniqueFd open_plain_regular(std::string_view path, struct stat& st) const {
    while (path.starts_with('/')) {
      path.remove_prefix(1);
    }
    if (!is_plain_path(path)) {
      return UniqueFd();
    }
    const std::string name(path);
    const UniqueFd handle(
        open_without_links(root_fd_.get(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!handle.valid() || ::fstat(handle.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return UniqueFd();
    }
    UniqueFd fd(open_without_links(root_fd_.get(), name, kFileFlags));
    if (fd.valid() && (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))) {
      fd.reset();  // replaced since: let the slow path report it
    }
    return fd;
  }

  // Opens the regular file at `path` (symlinks resolved inside the tree) and fstat()s it.
  Result<UniqueFd> open_regular(std::string_view path, struct stat& st) const {
    if (UniqueFd fast = open_plain_regular(path, st); fast.valid()) {
      return fast;
    }
    FdCursor cursor(root_fd_.get());
    VIGIL_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::resolve(path, true, cursor));
    if (resolved.node.type != FileType::kRegular) {
      return fail(Error::invalid_argument("{}: not a regular file", path));
    }
    // O_NONBLOCK: should the entry have been swapped for a FIFO since lookup, do not hang on it.
    UniqueFd fd(::openat(cursor.dir_fd(), resolved.name.c_str(), kFileFlags));
    if (!fd.valid()) {
      if (errno == ENOENT || errno == ELOOP) {
        return fail(Error::not_found("{}: no such file or directory", path));
      }
      return fail(Error::io("{}: {}", path, errno_text(errno)));
    }
    if (::fstat(fd.get(), &st) != 0) {
      return fail(Error::io("{}: {}", path, errno_text(errno)));
    }
    if (!S_ISREG(st.st_mode)) {
      return fail(Error::invalid_argument("{}: not a regular file", path));
    }
    return fd;
  }

  Result<std::unique_ptr<RandomAccessFile>> open_file(std::string_view path) const override {
    struct stat st {};
    VIGIL_ASSIGN_OR_RETURN(UniqueFd fd, open_regular(path, st));
    return std::unique_ptr<RandomAccessFile>(
        std::make_unique<FdFile>(std::move(fd), static_cast<uint64_t>(st.st_size),
                                 static_cast<uint32_t>(st.st_mode & 07777), std::string(path)));
  }

  Result<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    struct stat st {};
    VIGIL_ASSIGN_OR_RETURN(UniqueFd fd, open_regular(path, st));
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size > max_bytes) {
      return fail(Error::invalid_argument("{}: {} bytes is over the {}-byte read limit", path, size,
                                          max_bytes));
    }
    std::string content;
    content.reserve(static_cast<size_t>(size));
    // Read to EOF rather than trusting st_size: the file may grow, and some report 0.
    char buffer[65536];
    while (true) {
      const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
      if (got < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(Error::io("{}: {}", path, errno_text(errno)));
      }
      if (got == 0) {
        break;
      }
      if (content.size() + static_cast<size_t>(got) > max_bytes) {
        return fail(Error::invalid_argument("{}: over the {}-byte read limit", path, max_bytes));
      }
      content.append(buffer, static_cast<size_t>(got));
    }
    return content;
  }

  Result<std::optional<FileInfo>> stat(std::string_view path) const override {
    FdCursor cursor(root_fd_.get());
    auto resolved = internal::resolve(path, false, cursor);
    if (!resolved) {
      if (resolved.error().code == ErrorCode::kNotFound) {
        return std::optional<FileInfo>{};
      }
      return fail(resolved.error());
    }
    FileInfo info;
    info.path = resolved->path();
    info.type = resolved->node.type;
    info.size = info.type == FileType::kDirectory ? 0 : resolved->node.size;
    info.mode = resolved->node.mode;
    if (resolved->name.empty()) {
      struct stat st {};
      if (::fstat(root_fd_.get(), &st) == 0) {
        info.mode = static_cast<uint32_t>(st.st_mode & 07777);
      }
    }
    return info;
  }

  Result<void> walk(const std::function<bool(const FileInfo&)>& visit) const override {
    std::vector<char> buffer(size_t{64} << 10);
    std::vector<WalkFrame> stack;
    stack.emplace_back();
    // A fresh open file description: a dup() would share (and exhaust) the directory offset.
    UniqueFd root_copy(::openat(root_fd_.get(), ".", kDirFlags));
    if (!root_copy.valid() || !list_directory(std::move(root_copy), stack.back(), buffer)) {
      return fail(Error::io("cannot list {}: {}", root_.string(), errno_text(errno)));
    }
    // One FileInfo reused for every entry: its path buffer holds the current directory's
    // prefix, and each entry only rewrites what follows it.
    FileInfo info;
    while (!stack.empty()) {
      WalkFrame& frame = stack.back();
      if (frame.next == frame.entries.size()) {
        stack.pop_back();
        continue;
      }
      const WalkFrame::Entry& entry = frame.entries[frame.next++];
      const std::string_view name = frame.view(entry);
      if (stack.size() == 1 && is_host_root_ &&
          (name == "proc" || name == "sys" || name == "dev")) {
        continue;
      }
      info.path.resize(frame.prefix_length);
      info.path.append(name);
      // The type comes from the listing's d_type: one stat per file would triple the cost of
      // walking a host root. Only filesystems that do not fill d_type pay for a stat.
      if (entry.type == DT_UNKNOWN) {
        struct stat st {};
        if (::fstatat(frame.fd.get(), frame.name_at(entry), &st, AT_SYMLINK_NOFOLLOW) != 0) {
          continue;  // vanished since listing
        }
        info.type = type_of(st.st_mode);
      } else {
        info.type = type_of_dirent(entry.type);
      }
      const bool descend = visit(info);
      if (info.type != FileType::kDirectory || !descend || stack.size() > kMaxWalkDepth) {
        continue;
      }
      UniqueFd child(::openat(frame.fd.get(), frame.name_at(entry), kDirFlags));
      if (!child.valid()) {
        continue;  // unreadable or replaced: skipped, as the contract says
      }
      WalkFrame next;
      if (list_directory(std::move(child), next, buffer)) {
        info.path.push_back('/');
        next.prefix_length = info.path.size();
        stack.push_back(std::move(next));  // invalidates `frame`
      }
    }
    return {};
  }

  std::optional<std::filesystem::path> host_path(std::string_view path) const override {
    FdCursor cursor(root_fd_.get());
    auto resolved = internal::resolve(path, true, cursor);
    if (!resolved) {
      return std::nullopt;
    }
    const std::string relative = resolved->path();
    return relative.empty() ? root_ : root_ / relative;
  }

  std::string describe() const override { return "directory " + root_.string(); }

 private:
  std::filesystem::path root_;
  UniqueFd root_fd_;
  bool is_host_root_;
};

}  // namespace

Result<std::unique_ptr<FileTree>> open_directory(const std::filesystem::path& root) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return fail(Error::not_found("{}: not a directory", root.string()));
    }
    return fail(Error::io("{}: {}", root.string(), errno_text(errno)));
  }
  struct stat root_stat {};
  struct stat host_stat {};
  const bool is_host_root = ::fstat(fd.get(), &root_stat) == 0 && ::stat("/", &host_stat) == 0 &&
                            root_stat.st_dev == host_stat.st_dev &&
                            root_stat.st_ino == host_stat.st_ino;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(root, ec);
  if (ec) {
    absolute = root;
  }
  absolute = absolute.lexically_normal();
  if (absolute.has_relative_path() && !absolute.has_filename()) {
    absolute = absolute.parent_path();  // "/srv/root/" -> "/srv/root"
  }
  return std::unique_ptr<FileTree>(
      std::make_unique<DirectoryFileTree>(std::move(absolute), std::move(fd), is_host_root));
}

}  // namespace vigil::sources
