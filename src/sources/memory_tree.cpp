// MemoryFileTree: an in-memory FileTree with the same chroot-style symlink rules as a directory.
// Also the FileTree defaults for ranged reads and the in-memory RandomAccessFile.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sources/file_tree.hpp"
#include "sources/internal/resolve.hpp"

namespace vigil::sources {
namespace {

std::string child_path(const std::vector<std::string>& dirs, std::string_view name) {
  std::string out;
  for (const auto& dir : dirs) {
    out += dir;
    out.push_back('/');
  }
  out += name;
  return out;
}

// A RandomAccessFile over bytes that live as long as it: its own string, or a view into a
// MemoryFileTree entry (the tree must not be modified meanwhile, as for every read).
class InMemoryFile final : public RandomAccessFile {
 public:
  InMemoryFile(std::string owned, uint32_t mode)
      : owned_(std::move(owned)), bytes_(owned_), mode_(mode) {}
  InMemoryFile(std::string_view view, uint32_t mode) : bytes_(view), mode_(mode) {}
  InMemoryFile(const InMemoryFile&) = delete;
  InMemoryFile& operator=(const InMemoryFile&) = delete;

  uint64_t size() const override { return bytes_.size(); }
  uint32_t mode() const override { return mode_; }
  Result<std::string> read_at(uint64_t offset, uint64_t length) const override {
    if (offset >= bytes_.size()) {
      return std::string();
    }
    const auto start = static_cast<size_t>(offset);
    const auto count = static_cast<size_t>(std::min<uint64_t>(length, bytes_.size() - start));
    return std::string(bytes_.substr(start, count));
  }

 private:
  std::string owned_;
  std::string_view bytes_;
  uint32_t mode_;
};

}  // namespace

std::unique_ptr<RandomAccessFile> memory_file(std::string content, uint32_t mode) {
  return std::make_unique<InMemoryFile>(std::move(content), mode);
}

Result<std::unique_ptr<RandomAccessFile>> FileTree::open_file(std::string_view path) const {
  VIGIL_ASSIGN_OR_RETURN(std::string content, read(path, kDefaultMaxRead));
  // stat() does not follow a final link, and a tree has no readlink: through a link the mode
  // is unknown (0), as FileInfo allows.
  uint32_t mode = 0;
  if (const auto info = stat(path); info && *info && (*info)->type == FileType::kRegular) {
    mode = (*info)->mode;
  }
  return memory_file(std::move(content), mode);
}

Result<std::string> FileTree::read_range(std::string_view path, uint64_t offset,
                                         uint64_t length) const {
  VIGIL_ASSIGN_OR_RETURN(const auto file, open_file(path));
  return file->read_at(offset, length);
}

// Walks the map by names; directories are the implicit parents of added entries.
class MemoryCursor final : public internal::Cursor {
 public:
  using Entries = std::map<std::string, MemoryFileTree::Entry, std::less<>>;
  explicit MemoryCursor(const Entries& entries) : entries_(entries) {}

  Result<std::optional<internal::Node>> lookup(std::string_view name) override {
    const auto it = entries_.find(child_path(dirs_, name));
    if (it == entries_.end()) {
      return std::optional<internal::Node>{};
    }
    const auto& entry = it->second;
    internal::Node node;
    node.type = entry.type;
    node.mode = entry.mode;
    if (entry.type == FileType::kSymlink) {
      node.link_target = entry.data;
    }
    node.size = entry.data.size();
    return node;
  }

  Result<void> enter(std::string_view name) override {
    dirs_.emplace_back(name);
    return {};
  }

  void leave() override { dirs_.pop_back(); }

 private:
  const Entries& entries_;
  std::vector<std::string> dirs_;
};

MemoryFileTree::MemoryFileTree(
    std::initializer_list<std::pair<const std::string, std::string>> files) {
  for (const auto& [path, content] : files) {
    add_file(path, content);
  }
}

void MemoryFileTree::add_parents(const std::string& path) {
  size_t slash = path.find('/');
  while (slash != std::string::npos) {
    entries_[path.substr(0, slash)] = Entry{FileType::kDirectory, {}, 0755};
    slash = path.find('/', slash + 1);
  }
}

void MemoryFileTree::add_file(std::string path, std::string content, uint32_t mode) {
  std::string key = normalize_path(path);
  if (key.empty()) {
    return;  // the root is always a directory
  }
  add_parents(key);
  entries_[std::move(key)] = Entry{FileType::kRegular, std::move(content), mode};
}

void MemoryFileTree::add_symlink(std::string path, std::string target) {
  std::string key = normalize_path(path);
  if (key.empty()) {
    return;
  }
  add_parents(key);
  entries_[std::move(key)] = Entry{FileType::kSymlink, std::move(target), 0777};
}

void MemoryFileTree::add_directory(std::string path, uint32_t mode) {
  std::string key = normalize_path(path);
  if (key.empty()) {
    return;
  }
  add_parents(key);
  entries_[std::move(key)] = Entry{FileType::kDirectory, {}, mode};
}

Result<std::string> MemoryFileTree::read(std::string_view path, uint64_t max_bytes) const {
  MemoryCursor cursor(entries_);
  VIGIL_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::resolve(path, true, cursor));
  if (resolved.node.type != FileType::kRegular) {
    return fail(Error::invalid_argument("{}: not a regular file", path));
  }
  const auto it = entries_.find(resolved.path());
  if (it == entries_.end()) {
    return fail(Error::not_found("{}: no such file or directory", path));
  }
  if (it->second.data.size() > max_bytes) {
    return fail(Error::invalid_argument("{}: {} bytes is over the {}-byte read limit", path,
                                        it->second.data.size(), max_bytes));
  }
  return it->second.data;
}

Result<std::unique_ptr<RandomAccessFile>> MemoryFileTree::open_file(std::string_view path) const {
  MemoryCursor cursor(entries_);
  VIGIL_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::resolve(path, true, cursor));
  if (resolved.node.type != FileType::kRegular) {
    return fail(Error::invalid_argument("{}: not a regular file", path));
  }
  const auto it = entries_.find(resolved.path());
  if (it == entries_.end()) {
    return fail(Error::not_found("{}: no such file or directory", path));
  }
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<InMemoryFile>(std::string_view(it->second.data), it->second.mode));
}

Result<std::optional<FileInfo>> MemoryFileTree::stat(std::string_view path) const {
  MemoryCursor cursor(entries_);
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
  info.size = resolved->node.type == FileType::kDirectory ? 0 : resolved->node.size;
  info.mode = resolved->name.empty() ? 0755 : resolved->node.mode;
  return info;
}

Result<void> MemoryFileTree::walk(const std::function<bool(const FileInfo&)>& visit) const {
  // std::map order visits a directory before everything under it, and everything under "d/"
  // is contiguous, so skipping a directory is one lower_bound past "d0" ('0' follows '/').
  auto it = entries_.begin();
  while (it != entries_.end()) {
    const auto& [path, entry] = *it;
    FileInfo info{path, entry.type, entry.type == FileType::kDirectory ? 0 : entry.data.size(),
                  entry.mode};
    const bool descend = visit(info);
    if (entry.type == FileType::kDirectory && !descend) {
      it = entries_.lower_bound(path + '0');
      continue;
    }
    ++it;
  }
  return {};
}

}  // namespace vigil::sources
