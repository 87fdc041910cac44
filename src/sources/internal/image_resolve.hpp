// Resolving an image target to one manifest and config: OCI index.json (by ref name, then
// platform), nested indexes and Docker manifest lists (by platform), docker-archive
// manifest.json (by tag) and registry manifests. Internal to the sources module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sources/image.hpp"
#include "sources/internal/blob_source.hpp"

namespace vigil::sources::internal {

struct LayerRef {
  std::string digest;
  std::string media_type;
  uint64_t size = 0;
  bool digest_is_diff_id = false;  // docker-archive layer tars are named by their diff_id
};

// An image resolved to its config and layer list (info holds digests and tags only).
struct ResolvedImage {
  ImageInfo info;
  ImageConfig config;
  std::vector<LayerRef> layers;
};

// From an OCI layout's index.json (directory or archive). kNotFound / kParse /
// kInvalidArgument naming index.json, the manifest or the config.
[[nodiscard]] Result<ResolvedImage> resolve_oci_layout(BlobSource& source, std::string_view index_json,
                                                  const ImageTarget& target,
                                                  const ImageOptions& options);

// From a `docker save` archive's manifest.json; registers each layer's archive member with
// `archive`.
[[nodiscard]] Result<ResolvedImage> resolve_docker_archive(ArchiveSource& archive,
                                                      const ImageTarget& target);

// From the registry `client` points at.
[[nodiscard]] Result<ResolvedImage> resolve_registry(RegistryClient& client, BlobSource& source,
                                                const ImageOptions& options);

}  // namespace vigil::sources::internal
