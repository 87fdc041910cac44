// Layer indexes: what one image layer (a tar changeset) or one zip bundle holds, as a list of
// sanitised entries plus the content of the few files a caller wants kept. Building an index
// streams the blob once; nothing is extracted by path, so a hostile name can never write
// anywhere (kept content goes to a ContentSink at an offset).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::sources {

// Bounds on what one open (an image, a function bundle) may expand to. The defaults suit real
// images of tens of GB; tests and untrusted services lower them.
struct ExtractLimits {
  uint64_t max_expanded_bytes = uint64_t{64} << 30;  // decompressed bytes, all layers together
  // Decompressed/compressed ratio allowed once `ratio_floor` bytes have been expanded
  // (a gzip bomb reaches ~1000:1; real layers stay far below 100:1).
  uint64_t max_ratio = 200;
  uint64_t ratio_floor = uint64_t{64} << 20;
  uint64_t max_entries = 2'000'000;                    // archive entries, all layers together
  uint64_t max_kept_file_bytes = uint64_t{256} << 20;  // a wanted file larger is not kept
};

enum class EntryKind : uint8_t {
  kRegular,
  kDirectory,
  kSymlink,
  kHardlink,
  kOther,     // devices, fifos, sockets
  kWhiteout,  // `path` is deleted from lower layers (".wh.<name>")
  kOpaque,    // directory `path` hides lower layers' contents (".wh..wh..opq")
};

inline constexpr uint64_t kNoContent = std::numeric_limits<uint64_t>::max();

struct LayerEntry {
  std::string path;   // sanitised, relative to the layer root
  std::string link;   // symlink target as stored, or the sanitised hard-link target path
  uint64_t size = 0;  // regular files: bytes
  uint64_t content_offset = kNoContent;  // where the kept content starts in the sink
  uint32_t mode = 0;                     // permission bits
  EntryKind kind = EntryKind::kRegular;

  friend bool operator==(const LayerEntry&, const LayerEntry&) = default;
};

struct LayerIndex {
  std::string digest;   // digest of the blob as stored (the cache key)
  std::string diff_id;  // digest of the uncompressed tar; empty for zips or when not hashed
  uint64_t blob_bytes = 0;
  uint64_t expanded_bytes = 0;
  std::vector<LayerEntry> entries;    // archive order; a later duplicate replaces an earlier
  std::vector<std::string> problems;  // entries skipped or not kept, one sentence each
  bool complete = true;               // false when an entry had to be skipped

  friend bool operator==(const LayerIndex&, const LayerIndex&) = default;
};

// Turns an archive entry name into a path relative to the layer root: strips "./" and empty
// components, resolves ".." lexically. Returns kInvalidArgument (quoting the name) for an
// absolute name, a name that climbs above the root, a NUL byte, or more than 4096 bytes; the
// root itself ("./") comes back as "".
[[nodiscard]] Result<std::string> sanitize_entry_name(std::string_view name);

// Where kept file content goes (a layer cache file being written).
class ContentSink {
 public:
  virtual ~ContentSink() = default;
  // Appends `data`; returns kIo on write errors.
  [[nodiscard]] virtual Result<void> append(std::string_view data) = 0;
  // The offset the next append() will write at.
  virtual uint64_t position() const = 0;
};

struct IndexOptions {
  // True for a (mounted) path whose content should be kept; null keeps nothing.
  std::function<bool(std::string_view)> wanted;
  // Prefix the wanted() test sees ("opt" for a function layer, "" for an image layer).
  std::string mount;
  bool whiteouts = true;      // interpret ".wh." names (image layers, not zips)
  bool hash_expanded = true;  // compute diff_id
  ExtractLimits limits;       // per call: callers pass what remains of an image's budget
};

// Streams the tar layer at `blob` (gzip, zstd or uncompressed), checks that its digest equals
// `expected_digest` (when non-empty), and returns its index; kept content is appended to
// `sink`. Returns, with a message naming `expected_digest` (or the file): kParse for a corrupt
// or truncated blob or a digest mismatch, kInvalidArgument when a limit is passed, kIo when it
// cannot be read. Entries with hostile names are skipped and listed in `problems`.
[[nodiscard]] Result<LayerIndex> index_tar_layer(const std::filesystem::path& blob,
                                                 const std::string& expected_digest,
                                                 const IndexOptions& options, ContentSink& sink);

// Indexes the zip archive at `blob` whose digest is `digest` (computed by the caller). Only
// kept entries are decompressed. Errors as index_tar_layer.
[[nodiscard]] Result<LayerIndex> index_zip_layer(const std::filesystem::path& blob,
                                                 const std::string& digest,
                                                 const IndexOptions& options, ContentSink& sink);

// Reads the content of the regular file `path` (layer-relative) by streaming the blob again,
// for files whose content was not kept. `zip` selects the format. Returns kNotFound when the
// blob holds no such regular file, kInvalidArgument when it is larger than `max_bytes`.
[[nodiscard]] Result<std::string> read_from_blob(const std::filesystem::path& blob, bool zip,
                                                 std::string_view path, uint64_t max_bytes,
                                                 const ExtractLimits& limits);

}  // namespace vigil::sources
