// LayeredFileTree: the result of applying the layers bottom-up the way a runtime unpacks an image
// (image-spec layer.md "Applying Changesets"): whiteouts and opaque markers of a layer delete
// from what is below, its entries are added, a directory merging with a directory and anything
// else replacing the old path and its subtree, and a path a layer needs as a directory becomes
// one. Computed without replaying: every version of every path is sorted by (path, layer) and
// one sweep decides what is visible, carrying down the directory tree the lowest layer whose
// entries a deleted, opaque or replaced ancestor still lets through.
#include "sources/layer_tree.hpp"

#include <algorithm>
#include <functional>
#include <mutex>
#include <utility>

#include "sources/internal/resolve.hpp"

namespace vigil::sources {
namespace {

constexpr int kMaxHardlinkHops = 8;

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) {
    return std::string(name);
  }
  if (name.empty()) {
    return std::string(dir);
  }
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out.append(dir);
  out.push_back('/');
  out.append(name);
  return out;
}

std::string_view parent_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

FileType type_of(EntryKind kind) {
  switch (kind) {
    case EntryKind::kRegular:
    case EntryKind::kHardlink:
      return FileType::kRegular;
    case EntryKind::kDirectory:
      return FileType::kDirectory;
    case EntryKind::kSymlink:
      return FileType::kSymlink;
    default:
      return FileType::kOther;
  }
}

// A file whose content is loaded, whole, on the first read (layer content comes from the layer
// store's mapping or, slower, from the blob: open_file() alone must not pay for it).
class LazyFile final : public RandomAccessFile {
 public:
  LazyFile(uint64_t size, uint32_t mode, std::function<Result<std::string>()> load)
      : size_(size), mode_(mode), load_(std::move(load)) {}

  uint64_t size() const override { return size_; }
  uint32_t mode() const override { return mode_; }
  Result<std::string> read_at(uint64_t offset, uint64_t length) const override {
    std::call_once(loaded_, [this] { content_ = load_(); });
    if (!content_) {
      return fail(content_.error());
    }
    const std::string& bytes = *content_;
    if (offset >= bytes.size()) {
      return std::string();
    }
    return bytes.substr(static_cast<size_t>(offset),
                        static_cast<size_t>(std::min<uint64_t>(length, bytes.size() - offset)));
  }

 private:
  uint64_t size_;
  uint32_t mode_;
  std::function<Result<std::string>()> load_;
  mutable std::once_flag loaded_;
  mutable Result<std::string> content_;
};

}  // namespace

// Walks the merged map by names.
class LayeredCursor final : public internal::Cursor {
 public:
  explicit LayeredCursor(const LayeredFileTree& tree) : tree_(tree) {}

  Result<std::optional<internal::Node>> lookup(std::string_view name) override {
    const std::string path = join_path(current_, name);
    const LayeredFileTree::Node* node = tree_.lookup(path);
    if (node == nullptr) {
      return std::optional<internal::Node>{};
    }
    const FileInfo info = tree_.info_of(path, *node);  // copies the path; cheap next to I/O
    internal::Node out;
    out.type = info.type;
    out.size = info.size;
    out.mode = info.mode;
    if (node->type == FileType::kSymlink && node->entry != nullptr) {
      out.link_target = node->entry->link;
    }
    return std::optional<internal::Node>(std::move(out));
  }

  Result<void> enter(std::string_view name) override {
    current_ = join_path(current_, name);
    return {};
  }

  void leave() override { current_ = std::string(parent_of(current_)); }

 private:
  const LayeredFileTree& tree_;
  std::string current_;
};

LayeredFileTree::LayeredFileTree(std::vector<TreeLayer> layers, std::string description)
    : layers_(std::move(layers)), description_(std::move(description)) {
  merge();
}

void LayeredFileTree::merge() {
  // Every version of every path: entries and markers of all layers, keys encoded into keys_.
  struct Item {
    std::string_view key;
    uint32_t layer;
    uint32_t order;  // archive position inside the layer: the last duplicate wins
    const LayerEntry* entry;
  };
  size_t total_bytes = 0;
  size_t total_items = 0;
  for (const auto& layer : layers_) {
    for (const auto& entry : layer.layer->index().entries) {
      total_bytes += layer.mount.size() + 1 + entry.path.size();
      ++total_items;
    }
  }
  keys_.reserve(total_bytes);
  std::vector<std::pair<size_t, size_t>> spans;  // keys_ offsets, fixed once keys_ is complete
  spans.reserve(total_items);
  for (const auto& layer : layers_) {
    for (const auto& entry : layer.layer->index().entries) {
      const size_t begin = keys_.size();
      keys_ += layer.mount;
      if (!layer.mount.empty() && !entry.path.empty()) {
        keys_.push_back('/');
      }
      keys_ += entry.path;
      std::replace(keys_.begin() + static_cast<ptrdiff_t>(begin), keys_.end(), '/', '\0');
      spans.emplace_back(begin, keys_.size() - begin);
    }
  }
  std::vector<Item> items;
  items.reserve(total_items);
  size_t span = 0;
  for (size_t layer_idx = 0; layer_idx < layers_.size(); ++layer_idx) {
    const auto& entries = layers_[layer_idx].layer->index().entries;
    for (size_t idx = 0; idx < entries.size(); ++idx, ++span) {
      items.push_back({std::string_view(keys_).substr(spans[span].first, spans[span].second),
                       static_cast<uint32_t>(layer_idx), static_cast<uint32_t>(idx),
                       &entries[idx]});
    }
  }
  const auto is_marker = [](const Item& item) {
    return item.entry->kind == EntryKind::kWhiteout || item.entry->kind == EntryKind::kOpaque;
  };
  // Within one path and layer, markers sort first: they only affect lower layers, so the
  // layer's own entry is the newer version.
  std::sort(items.begin(), items.end(), [&](const Item& lhs, const Item& rhs) {
    if (lhs.key != rhs.key) {
      return lhs.key < rhs.key;
    }
    if (lhs.layer != rhs.layer) {
      return lhs.layer < rhs.layer;
    }
    if (is_marker(lhs) != is_marker(rhs)) {
      return is_marker(lhs);
    }
    return lhs.order < rhs.order;
  });

  // An open directory on the way down: entries below it are visible only from layer `cutoff`
  // up. `out` is its index in merged_ once emitted; `file` marks an emitted non-directory that
  // a visible child turns into a directory.
  struct Frame {
    std::string_view key;
    uint32_t cutoff;
    ptrdiff_t out;
    bool file;
  };
  std::vector<Frame> stack;
  // The root ("", only ever a marker's key: an opaque root) is everyone's ancestor.
  constexpr ptrdiff_t kPending = -1;
  constexpr ptrdiff_t kNever = -2;
  const auto is_ancestor = [](std::string_view dir, std::string_view key) {
    return dir.empty() ||
           (key.size() > dir.size() && key.starts_with(dir) && key[dir.size()] == '\0');
  };
  merged_.reserve(items.size());
  for (size_t first = 0; first < items.size();) {
    const std::string_view key = items[first].key;
    size_t last = first;
    while (last < items.size() && items[last].key == key) {
      ++last;
    }
    while (!stack.empty() && !is_ancestor(stack.back().key, key)) {
      stack.pop_back();
    }
    // Parents the layers never listed are implicit directories (emitted only if needed).
    for (size_t pos = stack.empty() || stack.back().key.empty() ? 0 : stack.back().key.size() + 1;
         (pos = key.find('\0', pos)) != std::string_view::npos; ++pos) {
      stack.push_back(
          {key.substr(0, pos), stack.empty() ? 0U : stack.back().cutoff, kPending, false});
    }
    const uint32_t cutoff = stack.empty() ? 0U : stack.back().cutoff;
    const Item* top = nullptr;
    uint32_t hides = cutoff;
    for (size_t idx = first; idx < last; ++idx) {
      const Item& item = items[idx];
      if (item.layer < cutoff) {
        continue;  // an ancestor was deleted, made opaque or replaced above this version
      }
      switch (item.entry->kind) {
        case EntryKind::kOpaque:
          hides = std::max(hides, item.layer);
          break;
        case EntryKind::kDirectory:
          top = &item;
          break;
        default:  // whiteouts and non-directories hide what lower layers had below them
          hides = std::max(hides, item.layer);
          top = &item;
          break;
      }
    }
    Frame frame{key, hides, key.empty() ? kNever : kPending, false};
    if (top != nullptr && top->entry->kind != EntryKind::kWhiteout) {
      // Emit the ancestors not emitted yet (in key order), and turn emitted files on the way
      // into directories: this path needs them to be directories.
      size_t pending = stack.size();
      while (pending > 0 && (stack[pending - 1].out == kPending || stack[pending - 1].file)) {
        --pending;
      }
      for (size_t idx = pending; idx < stack.size(); ++idx) {
        Frame& ancestor = stack[idx];
        if (ancestor.out == kPending) {
          ancestor.out = static_cast<ptrdiff_t>(merged_.size());
          merged_.push_back({ancestor.key, Node{}});
        } else {
          merged_[static_cast<size_t>(ancestor.out)].node = Node{};
        }
        ancestor.file = false;
      }
      const FileType type = type_of(top->entry->kind);
      frame.out = static_cast<ptrdiff_t>(merged_.size());
      frame.file = type != FileType::kDirectory;
      merged_.push_back({key, Node{top->layer, top->entry, type}});
    }
    stack.push_back(frame);
    first = last;
  }
}

const LayeredFileTree::Node* LayeredFileTree::lookup(std::string_view path) const {
  std::string key(path);
  std::replace(key.begin(), key.end(), '/', '\0');
  const auto found = std::lower_bound(
      merged_.begin(), merged_.end(), key,
      [](const Slot& slot, const std::string& wanted) { return slot.key < wanted; });
  if (found == merged_.end() || found->key != key) {
    return nullptr;
  }
  return &found->node;
}

std::optional<std::string_view> LayeredFileTree::relative(size_t idx, std::string_view path) const {
  const std::string& mount = layers_[idx].mount;
  if (mount.empty()) {
    return path;
  }
  if (path == mount) {
    return std::string_view{};
  }
  if (path.size() > mount.size() && path.starts_with(mount) && path[mount.size()] == '/') {
    return path.substr(mount.size() + 1);
  }
  return std::nullopt;
}

std::optional<std::pair<size_t, const LayerEntry*>> LayeredFileTree::resolve_hardlink(
    size_t layer_idx, const LayerEntry& link) const {
  const LayerEntry* current = &link;
  size_t current_layer = layer_idx;
  for (int hop = 0; hop < kMaxHardlinkHops; ++hop) {
    const std::string target = current->link;
    const std::string& mount = layers_[current_layer].mount;
    const LayerEntry* found = nullptr;
    // Same layer first (the usual case), then the layers below it with the same mount.
    for (size_t idx = current_layer + 1; idx-- > 0;) {
      if (layers_[idx].mount != mount) {
        continue;
      }
      found = layers_[idx].layer->find(target);
      if (found != nullptr) {
        current_layer = idx;
        break;
      }
    }
    if (found == nullptr || found == current) {
      return std::nullopt;
    }
    if (found->kind == EntryKind::kRegular) {
      return std::make_pair(current_layer, found);
    }
    if (found->kind != EntryKind::kHardlink) {
      return std::nullopt;
    }
    current = found;
  }
  return std::nullopt;
}

FileInfo LayeredFileTree::info_of(std::string path, const Node& node) const {
  FileInfo info;
  info.path = std::move(path);
  info.type = node.type;
  if (node.entry == nullptr) {
    info.mode = 0755;
    return info;
  }
  info.mode = node.entry->mode;
  if (node.entry->kind == EntryKind::kHardlink) {
    if (const auto target = resolve_hardlink(node.layer, *node.entry)) {
      info.size = target->second->size;
    }
  } else if (node.type != FileType::kDirectory) {
    info.size = node.entry->size;
  }
  return info;
}

Result<std::string> LayeredFileTree::content(const Node& node, std::string_view path,
                                             uint64_t max_bytes) const {
  size_t layer_idx = node.layer;
  const LayerEntry* entry = node.entry;
  if (entry->kind == EntryKind::kHardlink) {
    const auto target = resolve_hardlink(layer_idx, *entry);
    if (!target) {
      return fail(Error::not_found("{}: hard link to {} has no target in {}", path, entry->link,
                                   description_));
    }
    layer_idx = target->first;
    entry = target->second;
  }
  if (entry->size > max_bytes) {
    return fail(Error::invalid_argument("{}: {} bytes is over the {}-byte read limit", path,
                                        entry->size, max_bytes));
  }
  const TreeLayer& layer = layers_[layer_idx];
  if (entry->content_offset != kNoContent) {
    return layer.layer->read_content(*entry, max_bytes);
  }
  if (layer.blob) {
    return read_from_blob(*layer.blob, layer.zip, entry->path, max_bytes, ExtractLimits{});
  }
  return fail(Error::unavailable("{}: content not kept from layer {} and its blob is gone", path,
                                 layer.layer->digest()));
}

Result<std::string> LayeredFileTree::read(std::string_view path, uint64_t max_bytes) const {
  LayeredCursor cursor(*this);
  VIGIL_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::resolve(path, true, cursor));
  if (resolved.node.type != FileType::kRegular) {
    return fail(Error::invalid_argument("{}: not a regular file", path));
  }
  const std::string canonical = resolved.path();
  const Node* node = lookup(canonical);
  if (node == nullptr || node->entry == nullptr) {
    return fail(Error::not_found("{}: no such file or directory", path));
  }
  return content(*node, path, max_bytes);
}

Result<std::unique_ptr<RandomAccessFile>> LayeredFileTree::open_file(std::string_view path) const {
  LayeredCursor cursor(*this);
  VIGIL_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::resolve(path, true, cursor));
  if (resolved.node.type != FileType::kRegular) {
    return fail(Error::invalid_argument("{}: not a regular file", path));
  }
  std::string canonical = resolved.path();
  const Node* node = lookup(canonical);
  if (node == nullptr || node->entry == nullptr) {
    return fail(Error::not_found("{}: no such file or directory", path));
  }
  const FileInfo info = info_of(std::move(canonical), *node);
  return std::unique_ptr<RandomAccessFile>(std::make_unique<LazyFile>(
      info.size, info.mode, [this, node = *node, name = std::string(path)] {
        return content(node, name, kDefaultMaxRead);
      }));
}

Result<std::optional<FileInfo>> LayeredFileTree::stat(std::string_view path) const {
  LayeredCursor cursor(*this);
  auto resolved = internal::resolve(path, false, cursor);
  if (!resolved) {
    if (resolved.error().code == ErrorCode::kNotFound) {
      return std::optional<FileInfo>{};
    }
    return fail(resolved.error());
  }
  const std::string canonical = resolved->path();
  if (canonical.empty()) {
    return std::optional<FileInfo>(FileInfo{"", FileType::kDirectory, 0, 0755});
  }
  const Node* node = lookup(canonical);
  if (node == nullptr) {
    return std::optional<FileInfo>{};
  }
  return std::optional<FileInfo>(info_of(canonical, *node));
}

Result<void> LayeredFileTree::walk(const std::function<bool(const FileInfo&)>& visit) const {
  for (size_t idx = 0; idx < merged_.size();) {
    const Slot& slot = merged_[idx];
    std::string path(slot.key);
    std::replace(path.begin(), path.end(), '\0', '/');
    const bool descend = visit(info_of(std::move(path), slot.node));
    ++idx;
    if (slot.node.type == FileType::kDirectory && !descend) {
      // The subtree is the key range [dir + '\0', dir + '\1'), right after the directory.
      while (idx < merged_.size() && merged_[idx].key.size() > slot.key.size() &&
             merged_[idx].key.starts_with(slot.key) && merged_[idx].key[slot.key.size()] == '\0') {
        ++idx;
      }
    }
  }
  return {};
}

std::optional<size_t> LayeredFileTree::provider(std::string_view path) const {
  LayeredCursor cursor(*this);
  auto resolved = internal::resolve(path, false, cursor);
  if (!resolved) {
    return std::nullopt;
  }
  const Node* node = lookup(resolved->path());
  if (node == nullptr || node->entry == nullptr) {
    return std::nullopt;
  }
  return node->layer;
}

std::vector<size_t> LayeredFileTree::layers_touching(std::string_view path) const {
  std::vector<size_t> out;
  for (size_t idx = 0; idx < layers_.size(); ++idx) {
    const auto rel = relative(idx, path);
    if (!rel) {
      continue;
    }
    const StoredLayer& layer = *layers_[idx].layer;
    bool touches = layer.find(*rel) != nullptr || layer.whiteout(*rel);
    // A parent deleted, made opaque, or replaced by a non-directory also changes `path`.
    for (std::string_view parent = parent_of(*rel); !touches;) {
      if (layer.opaque(parent)) {
        touches = true;
        break;
      }
      if (parent.empty()) {
        break;
      }
      const LayerEntry* entry = layer.find(parent);
      touches =
          layer.whiteout(parent) || (entry != nullptr && entry->kind != EntryKind::kDirectory);
      parent = parent_of(parent);
    }
    if (touches) {
      out.push_back(idx);
    }
  }
  return out;
}

std::unique_ptr<LayeredFileTree> LayeredFileTree::view_through(size_t count) const {
  count = std::min(count, layers_.size());
  std::vector<TreeLayer> lower(layers_.begin(), layers_.begin() + static_cast<ptrdiff_t>(count));
  return std::make_unique<LayeredFileTree>(
      std::move(lower), fmt::format("{} (lowest {} layers)", description_, count));
}

}  // namespace vigil::sources
