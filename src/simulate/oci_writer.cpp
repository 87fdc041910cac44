#include "simulate/oci_writer.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "sources/digest.hpp"

namespace vigil::simulate {
namespace {

using nlohmann::ordered_json;

constexpr const char* kLayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr const char* kConfigMediaType = "application/vnd.oci.image.config.v1+json";
constexpr const char* kManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kIndexMediaType = "application/vnd.oci.image.index.v1+json";

Result<std::string> write_blob(const std::filesystem::path& dir, std::string_view content,
                               uint64_t& bytes) {
  std::string digest = sources::sha256_digest(content);
  VIGIL_TRY(write_file(dir / "blobs" / "sha256" / std::string(sources::digest_hex(digest)),
                       content));
  bytes += content.size();
  return digest;
}

}  // namespace

Result<OciLayer> make_oci_layer(const std::vector<ArchiveEntry>& entries,
                                std::string created_by) {
  VIGIL_ASSIGN_OR_RETURN(const std::string tar, make_tar(entries));
  OciLayer layer;
  layer.diff_id = sources::sha256_digest(tar);
  VIGIL_ASSIGN_OR_RETURN(layer.blob, gzip_compress(tar));
  layer.digest = sources::sha256_digest(layer.blob);
  layer.created_by = std::move(created_by);
  return layer;
}

Result<OciWritten> write_oci_layout(const std::filesystem::path& dir, const OciImage& image) {
  OciWritten written;
  VIGIL_TRY(write_file(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));

  ordered_json config;
  config["created"] = image.created;
  config["architecture"] = image.architecture;
  config["os"] = image.os;
  config["config"] = {{"Env", image.env}, {"Cmd", image.cmd}};
  ordered_json diff_ids = ordered_json::array();
  ordered_json history = ordered_json::array();
  ordered_json manifest_layers = ordered_json::array();
  for (const OciLayer* layer : image.layers) {
    VIGIL_ASSIGN_OR_RETURN(const std::string digest, write_blob(dir, layer->blob, written.bytes));
    diff_ids.push_back(layer->diff_id);
    history.push_back({{"created", image.created}, {"created_by", layer->created_by}});
    manifest_layers.push_back(
        {{"mediaType", kLayerMediaType}, {"digest", digest}, {"size", layer->blob.size()}});
  }
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  config["history"] = history;
  const std::string config_bytes = config.dump();
  VIGIL_ASSIGN_OR_RETURN(written.config_digest, write_blob(dir, config_bytes, written.bytes));

  ordered_json manifest;
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = kManifestMediaType;
  manifest["config"] = {{"mediaType", kConfigMediaType},
                        {"digest", written.config_digest},
                        {"size", config_bytes.size()}};
  manifest["layers"] = manifest_layers;
  const std::string manifest_bytes = manifest.dump();
  VIGIL_ASSIGN_OR_RETURN(written.manifest_digest, write_blob(dir, manifest_bytes, written.bytes));

  ordered_json descriptor = {{"mediaType", kManifestMediaType},
                             {"digest", written.manifest_digest},
                             {"size", manifest_bytes.size()},
                             {"platform", {{"architecture", image.architecture}, {"os", image.os}}}};
  if (!image.ref_name.empty()) {
    descriptor["annotations"] = {{"org.opencontainers.image.ref.name", image.ref_name}};
  }
  ordered_json index;
  index["schemaVersion"] = 2;
  index["mediaType"] = kIndexMediaType;
  index["manifests"] = ordered_json::array({descriptor});
  VIGIL_TRY(write_file(dir / "index.json", index.dump()));
  return written;
}

}  // namespace vigil::simulate
