// The JSON documents of container images: OCI image indexes and manifests, Docker manifest
// lists and schema-2 manifests, image configs, and the manifest.json of `docker save` archives;
// plus platform selection. Pure parsing: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace vigil::sources {

// Media types (image-spec media-types.md; Docker's manifest v2 schema 2).
inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerListType =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifestType =
    "application/vnd.docker.distribution.manifest.v2+json";

// Size limits for documents read into memory.
inline constexpr uint64_t kMaxManifestBytes = uint64_t{4} << 20;
inline constexpr uint64_t kMaxConfigBytes = uint64_t{32} << 20;

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;

  // "linux/arm64/v8", "linux/amd64".
  std::string to_string() const;
  friend bool operator==(const Platform&, const Platform&) = default;
};

// Parses "os/arch[/variant]" (e.g. "linux/arm64/v8"). kInvalidArgument when malformed.
[[nodiscard]] Result<Platform> parse_platform(std::string_view text);

struct Descriptor {
  std::string media_type;
  std::string digest;  // checked "sha256:<hex>"
  uint64_t size = 0;
  std::optional<Platform> platform;
  std::string ref_name;  // org.opencontainers.image.ref.name annotation, if any
};

struct ImageIndex {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct ImageManifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

using ManifestDocument = std::variant<ImageIndex, ImageManifest>;

// Parses an index/manifest list or an image manifest, telling them apart by `mediaType`, else
// by the `manifests` / `layers` keys. Every digest is checked. Returns kParse (naming the field)
// for malformed JSON, nesting deeper than 64, wrong field types, more than 10000 descriptors or
// bad digests; kUnsupported for schema 1 manifests and non-image artifacts with no layers.
[[nodiscard]] Result<ManifestDocument> parse_manifest_document(std::string_view json);

struct HistoryEntry {
  std::string created_by;
  bool empty_layer = false;
};

struct ImageConfig {
  Platform platform;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids, bottom first
  std::vector<HistoryEntry> history;
};

// Parses an image config (image-spec config.md). kParse when malformed or when a diff_id is
// not a sha256 digest.
[[nodiscard]] Result<ImageConfig> parse_image_config(std::string_view json);

// The created_by line of each layer (bottom first): history entries with empty_layer are
// skipped. Empty strings when the history is shorter than `layer_count` or absent.
std::vector<std::string> layer_history(const ImageConfig& config, size_t layer_count);

// One image of a `docker save` archive.
struct DockerArchiveImage {
  std::string config;                  // path inside the archive
  std::vector<std::string> repo_tags;  // "repo:tag"
  std::vector<std::string> layers;     // paths inside the archive, bottom first
};

// Parses a docker-archive manifest.json (an array of {Config, RepoTags, Layers}).
[[nodiscard]] Result<std::vector<DockerArchiveImage>> parse_docker_archive_manifest(
    std::string_view json);

// Picks the manifest for `wanted` from an index: os and architecture must match; a wanted
// variant must match (arm64 treats "" and "v8" alike); with no wanted variant the first match
// wins. Returns kNotFound listing the platforms available.
[[nodiscard]] Result<Descriptor> select_platform(const ImageIndex& index, const Platform& wanted);

}  // namespace vigil::sources
