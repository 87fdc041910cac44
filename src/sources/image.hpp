// Container images as FileTrees: an OCI image layout (directory or tar), a `docker save`
// archive, or a pull from a registry, opened into the merged layer view with each layer
// indexed once and cached by digest. Layer problems leave a partial image, flagged.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sources/image_manifest.hpp"
#include "sources/layer_index.hpp"
#include "sources/layer_tree.hpp"
#include "sources/registry_client.hpp"

namespace vigil::sources {

struct ImageTarget {
  enum class Kind { kOciLayout, kOciArchive, kDockerArchive, kRegistry };
  Kind kind = Kind::kOciLayout;
  std::string location;   // directory, archive file, or registry reference
  std::string reference;  // oci: tag (ref.name) / docker-archive: "repo:tag"; may be empty
};

// Parses "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:REPO:TAG]" or
// "registry:HOST[:PORT]/REPO[:TAG|@DIGEST]". kInvalidArgument for anything else.
[[nodiscard]] Result<ImageTarget> parse_image_target(std::string_view text);

struct ImageOptions {
  Platform platform{"linux", "amd64", ""};
  // Persistent layer cache; nullopt keeps indexed layers only for this open (private scratch).
  std::optional<std::filesystem::path> cache_dir;
  std::filesystem::path scratch_parent;  // where scratch space goes; "" = system temp dir
  // Files (merged-view paths) whose content is kept; and a string naming that choice in the
  // cache (a different key re-indexes the layer).
  std::function<bool(std::string_view)> wanted;
  std::string want_key;
  ExtractLimits limits;
  bool verify_diff_ids = true;  // hash uncompressed layers and compare with the config
  // When false, any layer problem fails the open instead of leaving the layer out.
  bool allow_partial = true;
  // Registry pulls.
  bool insecure = false;
  std::optional<RegistryCredentials> credentials;
  HttpTransport* transport = nullptr;  // null: libcurl
};

struct LayerInfo {
  std::string digest;  // blob digest (the diff_id for docker-archive layer tars)
  std::string diff_id;
  std::string media_type;
  uint64_t size = 0;
  std::string created_by;            // the config history line that made it
  std::optional<size_t> tree_layer;  // its index in tree(); nullopt when it was left out
  bool from_cache = false;
};

struct ImageInfo {
  std::string reference;        // the target as given
  std::string manifest_digest;  // empty for docker-archive
  std::string config_digest;
  Platform platform;
  std::vector<std::string> repo_tags;
  std::vector<LayerInfo> layers;  // bottom first
};

struct OpenStats {
  size_t layers_indexed = 0;  // streamed and decompressed by this open
  size_t layers_cached = 0;   // served from the persistent cache
  uint64_t blob_bytes = 0;    // compressed bytes streamed
  uint64_t expanded_bytes = 0;
};

// An opened image. Owns its scratch space (removed on destruction) and the merged tree.
class Image {
 public:
  virtual ~Image() = default;
  virtual const ImageInfo& info() const = 0;
  virtual const LayeredFileTree& tree() const = 0;
  // One sentence per problem met (a layer left out, entries skipped), each naming the part.
  virtual const std::vector<std::string>& problems() const = 0;
  // False when a layer or entry had to be left out.
  virtual bool complete() const = 0;
  virtual const OpenStats& stats() const = 0;
};

// Opens `target`. Returns kNotFound / kParse / kUnsupported (naming the file, manifest or
// blob) when the image itself cannot be resolved: missing or malformed index, manifest or
// config, digest mismatches on them, no matching platform; kUnavailable for registry failures.
// A layer that is missing, corrupt, over a limit or fails its digest is left out and listed in
// problems() (or fails the open when `allow_partial` is false).
[[nodiscard]] Result<std::unique_ptr<Image>> open_image(const ImageTarget& target,
                                                        const ImageOptions& options);

// Resolves `target` to its manifest and config only (no layer is read): the image's digests,
// platform, tags and layers as the config describes them (tree_layer unset). Cheap: a few small
// reads or requests. Errors as open_image's for the image itself.
[[nodiscard]] Result<ImageInfo> inspect_image(const ImageTarget& target,
                                              const ImageOptions& options);

}  // namespace vigil::sources
