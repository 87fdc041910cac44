// Writing OCI image layouts (image-spec v1.1: oci-layout, index.json, blobs/sha256/<hex>) with
// gzip layers, for the simulator. Blob digests are computed over the stored bytes and diff_ids
// over the uncompressed tars, so `sources::open_image` verifies them. Deterministic.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "simulate/archive_writer.hpp"

namespace vigil::simulate {

struct OciLayer {
  std::string blob;     // gzip-compressed tar, as stored
  std::string digest;   // "sha256:..." of blob
  std::string diff_id;  // "sha256:..." of the uncompressed tar
  std::string created_by;
};

// Builds a gzip layer from `entries`, recording `created_by` for the config history.
[[nodiscard]] Result<OciLayer> make_oci_layer(const std::vector<ArchiveEntry>& entries,
                                              std::string created_by);

struct OciImage {
  std::vector<const OciLayer*> layers;  // bottom first; must outlive write_oci_layout
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string created;   // RFC 3339, config "created"
  std::string ref_name;  // org.opencontainers.image.ref.name on the index entry ("" = none)
  std::vector<std::string> env;
  std::vector<std::string> cmd;
};

struct OciWritten {
  std::string manifest_digest;
  std::string config_digest;
  uint64_t bytes = 0;  // blob bytes written
};

// Writes `image` as an OCI layout in `dir` (created; existing files are replaced).
// kIo naming the file on failure.
[[nodiscard]] Result<OciWritten> write_oci_layout(const std::filesystem::path& dir,
                                                  const OciImage& image);

}  // namespace vigil::simulate
