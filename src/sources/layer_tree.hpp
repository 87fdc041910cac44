// The merged view of a stack of layers (an image's layer changesets, or a function's layer zips
// under /opt and its code under /var/task) as a FileTree, following OCI layer semantics:
// upper layers replace lower entries, whiteouts delete, opaque directories hide what is below.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/file_tree.hpp"
#include "sources/layer_cache.hpp"

namespace vigil::sources {

// One layer of a stack.
struct TreeLayer {
  std::shared_ptr<const StoredLayer> layer;
  std::string mount;  // where the layer's root appears ("" for images, "opt", "var/task")
  // The blob, when it is still on disk, for reading files whose content was not kept.
  std::optional<std::filesystem::path> blob;
  bool zip = false;
};

class LayeredFileTree final : public FileTree {
 public:
  // Merges `layers` (bottom first) with the result of applying each on top of the ones below,
  // as a container runtime unpacks them. `description` names the tree in messages.
  // O(entries x log entries), computed here once.
  LayeredFileTree(std::vector<TreeLayer> layers, std::string description);

  // FileTree. read() serves kept content from the layer store; other files are re-read from
  // the layer's blob when it is available (slow: the blob is streamed again), else kUnavailable.
  // host_path() is always nullopt (nothing is unpacked by path).
  Result<std::string> read(std::string_view path,
                           uint64_t max_bytes = kDefaultMaxRead) const override;
  // Opening costs a lookup; the content is fetched, whole, by the first read_at().
  Result<std::unique_ptr<RandomAccessFile>> open_file(std::string_view path) const override;
  Result<std::optional<FileInfo>> stat(std::string_view path) const override;
  Result<void> walk(const std::function<bool(const FileInfo&)>& visit) const override;
  std::optional<std::filesystem::path> host_path(std::string_view) const override {
    return std::nullopt;
  }
  std::string describe() const override { return description_; }

  size_t layer_count() const { return layers_.size(); }
  const TreeLayer& layer(size_t idx) const { return layers_.at(idx); }

  // The index of the layer whose entry is visible at `path` (intermediate symlinks followed,
  // the final one not); nullopt when `path` is absent or an implicit directory.
  std::optional<size_t> provider(std::string_view path) const;

  // The layers, lowest first, that add, replace or delete `path` (a canonical path of this
  // view): an entry at `path`, a whiteout of it or of a parent, a parent replaced by a
  // non-directory, or an opaque parent.
  std::vector<size_t> layers_touching(std::string_view path) const;

  // The view of the lowest `count` layers (count <= layer_count()).
  std::unique_ptr<LayeredFileTree> view_through(size_t count) const;

  // Number of visible entries (implicit directories included).
  size_t entry_count() const { return merged_.size(); }

 private:
  friend class LayeredCursor;
  static constexpr uint32_t kImplicit = UINT32_MAX;

  struct Node {
    uint32_t layer = kImplicit;
    const LayerEntry* entry = nullptr;  // nullptr for implicit directories
    FileType type = FileType::kDirectory;
  };
  // One visible path. Keys are paths with '/' encoded as '\0' (names never hold NUL), so plain
  // byte order is component order: a directory's subtree follows it contiguously ("a", "a/x",
  // "a.d"), and a subtree is the key range [dir + '\0', dir + '\1').
  struct Slot {
    std::string_view key;  // into keys_
    Node node;
  };

  // Computes merged_ in one sort and one sweep over every layer's entries (see layer_tree.cpp).
  void merge();
  const Node* lookup(std::string_view path) const;
  FileInfo info_of(std::string path, const Node& node) const;
  // The layer-relative form of the canonical `path` in layer `idx`; nullopt outside its mount.
  std::optional<std::string_view> relative(size_t idx, std::string_view path) const;
  // Regular-file content behind `node`, following hard links.
  Result<std::string> content(const Node& node, std::string_view path, uint64_t max_bytes) const;
  // The entry a hard link in layer `layer_idx` resolves to: that layer first, then lower ones.
  std::optional<std::pair<size_t, const LayerEntry*>> resolve_hardlink(
      size_t layer_idx, const LayerEntry& link) const;

  std::vector<TreeLayer> layers_;
  std::string description_;
  std::string keys_;          // every encoded key, back to back
  std::vector<Slot> merged_;  // sorted by key
};

}  // namespace vigil::sources
