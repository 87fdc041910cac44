// Where indexed layers live: one file per layer (its kept content followed by its index), keyed
// by the blob digest, in a persistent cache directory or a scan's private scratch directory. A
// layer seen before is never decompressed again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/result.hpp"
#include "sources/layer_index.hpp"

namespace vigil::sources {

// Transparent hashing so the lookup tables accept std::string_view keys.
struct PathHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// An indexed layer opened for reading: its index, and its layer file mapped read-only for the
// kept content. Immutable; safe to share between trees and threads.
class StoredLayer {
 public:
  // Takes ownership of the read-only mapping [`map`, `map` + `map_size`) of `file`.
  StoredLayer(LayerIndex index, const char* map, size_t map_size, std::filesystem::path file,
              bool from_cache);
  ~StoredLayer();
  StoredLayer(const StoredLayer&) = delete;
  StoredLayer& operator=(const StoredLayer&) = delete;

  const LayerIndex& index() const { return index_; }
  const std::string& digest() const { return index_.digest; }

  // The entry (not a whiteout or opaque marker) at the layer-relative `path`; the last one when
  // the archive repeats a name. nullptr when absent. The lookup tables are built on first use.
  const LayerEntry* find(std::string_view path) const;
  // True when this layer deletes `path` from the layers below.
  bool whiteout(std::string_view path) const;
  // True when this layer hides the lower layers' contents of directory `path`.
  bool opaque(std::string_view path) const;

  // Returns the kept content of `entry`. kUnavailable when it was not kept, kInvalidArgument
  // when it is larger than `max_bytes`. Thread-safe.
  [[nodiscard]] Result<std::string> read_content(const LayerEntry& entry, uint64_t max_bytes) const;

  // True when the layer came from the persistent cache rather than being indexed now.
  bool from_cache() const { return from_cache_; }

 private:
  void build_tables() const;

  LayerIndex index_;
  const char* map_;
  size_t map_size_;
  std::filesystem::path file_;
  bool from_cache_;
  mutable std::once_flag tables_once_;
  mutable std::unordered_map<std::string_view, const LayerEntry*, PathHash, std::equal_to<>>
      by_path_;
  mutable std::unordered_set<std::string_view, PathHash, std::equal_to<>> whiteouts_;
  mutable std::unordered_set<std::string_view, PathHash, std::equal_to<>> opaque_;
};

// A directory of layer files. Writers build into a temporary file and rename it into place, so
// concurrent scans (threads or processes) sharing a cache never see a partial layer; the last
// writer of the same layer wins with identical content. Safe to use from several threads.
class LayerStore {
 public:
  // Opens the store in `dir`, creating it (and parents). `persistent` false marks a private
  // scratch directory (layers found there do not count as cache hits). kIo when it cannot be
  // created.
  [[nodiscard]] static Result<std::unique_ptr<LayerStore>> open(std::filesystem::path dir,
                                                                bool persistent);

  // The layer stored for `digest` (a checked sha256 digest) and `variant` (what the index kept:
  // the wanted-files key and mount), or nullptr on a miss. A corrupt or truncated file is a miss
  // (and is removed). kIo only when the directory itself is unreadable.
  [[nodiscard]] Result<std::shared_ptr<const StoredLayer>> find(std::string_view digest,
                                                                std::string_view variant) const;

  // Runs `build` (which appends kept content to the sink it is given and returns the index),
  // stores the result under `digest`/`variant` and returns it opened. `build`'s errors are
  // returned as they are; kIo when the file cannot be written; kInternal if the index's digest
  // is not `digest`.
  [[nodiscard]] Result<std::shared_ptr<const StoredLayer>> build(
      std::string_view digest, std::string_view variant,
      const std::function<Result<LayerIndex>(ContentSink&)>& build);

  const std::filesystem::path& dir() const { return dir_; }
  bool persistent() const { return persistent_; }

 private:
  LayerStore(std::filesystem::path dir, bool persistent)
      : dir_(std::move(dir)), persistent_(persistent) {}
  std::filesystem::path file_for(std::string_view digest, std::string_view variant) const;

  std::filesystem::path dir_;
  bool persistent_;
};

// The default persistent cache: $XDG_CACHE_HOME/vigil/layers, else $HOME/.cache/vigil/layers;
// nullopt when neither variable is set.
std::optional<std::filesystem::path> default_layer_cache_dir();

// Serialises `index` (with `variant`) in the layer file format; exposed for tests and fuzzing.
std::string encode_layer_index(const LayerIndex& index, std::string_view variant);
// Parses what encode_layer_index wrote. Content must lie in [`content_begin`, `content_end`).
// Returns kParse on any inconsistency (truncation, bad kind, offsets outside the content area).
[[nodiscard]] Result<LayerIndex> decode_layer_index(std::string_view bytes,
                                                    std::string_view variant,
                                                    uint64_t content_begin, uint64_t content_end);

}  // namespace vigil::sources
