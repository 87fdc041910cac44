// Image resolution: from the target's top document down to one manifest and its config,
// checking every digest on the way (image-spec image-layout.md, image-index.md, manifest.md;
// Docker's manifest list and `docker save` formats).
#include "sources/internal/image_resolve.hpp"

#include <fmt/ranges.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sources/digest.hpp"

namespace vigil::sources::internal {
namespace {

constexpr int kMaxIndexDepth = 4;

using Fetch = std::function<Result<std::string>(const Descriptor&)>;

Result<ResolvedImage> finish_manifest(BlobSource& source, const ImageManifest& manifest,
                                 std::string manifest_digest) {
  ResolvedImage out;
  out.info.manifest_digest = std::move(manifest_digest);
  out.info.config_digest = manifest.config.digest;
  auto bytes = source.read_blob(manifest.config.digest, kMaxConfigBytes);
  if (!bytes) {
    return fail(bytes.error().with_context("image config"));
  }
  VIGIL_ASSIGN_OR_RETURN(out.config, parse_image_config(*bytes));
  for (const auto& layer : manifest.layers) {
    out.layers.push_back({layer.digest, layer.media_type, layer.size, false});
  }
  return out;
}

Result<ResolvedImage> follow(const ManifestDocument& document, std::string digest, BlobSource& source,
                        const Fetch& fetch, const ImageOptions& options, int depth) {
  if (const auto* manifest = std::get_if<ImageManifest>(&document)) {
    return finish_manifest(source, *manifest, std::move(digest));
  }
  if (depth >= kMaxIndexDepth) {
    return fail(
        Error::parse("image index {}: indexes nested deeper than {}", digest, kMaxIndexDepth));
  }
  const auto& index = std::get<ImageIndex>(document);
  auto chosen = select_platform(index, options.platform);
  if (!chosen) {
    return fail(chosen.error().with_context(fmt::format("image index {}", digest)));
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string bytes, fetch(*chosen));
  auto next = parse_manifest_document(bytes);
  if (!next) {
    return fail(next.error().with_context(fmt::format("manifest {}", chosen->digest)));
  }
  return follow(*next, chosen->digest, source, fetch, options, depth + 1);
}

// True when the archive tag `tag` names `wanted`, allowing Docker's implicit "docker.io/",
// "library/" and ":latest".
bool tag_matches(std::string_view tag, std::string_view wanted) {
  for (const std::string_view prefix : {"", "docker.io/", "docker.io/library/"}) {
    if (!tag.starts_with(prefix)) {
      continue;
    }
    const std::string_view rest = tag.substr(prefix.size());
    if (rest == wanted ||
        (rest.ends_with(":latest") && rest.substr(0, rest.size() - 7) == wanted)) {
      return true;
    }
  }
  return false;
}

}  // namespace

// An OCI layout's index.json: pick by ref name (when given), then by platform when several.
Result<ResolvedImage> resolve_oci_layout(BlobSource& source, std::string_view index_json,
                                    const ImageTarget& target, const ImageOptions& options) {
  auto parsed = parse_manifest_document(index_json);
  if (!parsed) {
    return fail(parsed.error().with_context("index.json"));
  }
  const auto* index = std::get_if<ImageIndex>(&*parsed);
  if (index == nullptr) {
    return fail(Error::parse("index.json: expected an image index"));
  }
  ImageIndex candidates;
  std::vector<std::string> names;
  for (const auto& descriptor : index->manifests) {
    if (!descriptor.ref_name.empty()) {
      names.push_back(descriptor.ref_name);
    }
    if (target.reference.empty() || descriptor.ref_name == target.reference) {
      candidates.manifests.push_back(descriptor);
    }
  }
  const std::string available = names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
  if (candidates.manifests.empty()) {
    return fail(Error::not_found("index.json: no image named '{}' (available: {})",
                                 target.reference, available));
  }
  Descriptor chosen = candidates.manifests.front();
  if (candidates.manifests.size() > 1) {
    auto by_platform = select_platform(candidates, options.platform);
    if (!by_platform) {
      return fail(Error::invalid_argument(
          "index.json lists {} images; name one as oci:DIR:NAME (available: {})",
          candidates.manifests.size(), available));
    }
    chosen = *by_platform;
  }
  const Fetch fetch = [&](const Descriptor& descriptor) {
    return source.read_blob(descriptor.digest, kMaxManifestBytes);
  };
  auto bytes = fetch(chosen);
  if (!bytes) {
    return fail(bytes.error().with_context("manifest"));
  }
  auto document = parse_manifest_document(*bytes);
  if (!document) {
    return fail(document.error().with_context(fmt::format("manifest {}", chosen.digest)));
  }
  return follow(*document, chosen.digest, source, fetch, options, 1);
}

Result<ResolvedImage> resolve_docker_archive(ArchiveSource& archive, const ImageTarget& target) {
  VIGIL_ASSIGN_OR_RETURN(const std::string manifest_json,
                         archive.read_member("manifest.json", kMaxManifestBytes));
  VIGIL_ASSIGN_OR_RETURN(const auto images, parse_docker_archive_manifest(manifest_json));
  const DockerArchiveImage* chosen = nullptr;
  std::vector<std::string> tags;
  for (const auto& image : images) {
    tags.insert(tags.end(), image.repo_tags.begin(), image.repo_tags.end());
    for (const auto& tag : image.repo_tags) {
      if (!target.reference.empty() && tag_matches(tag, target.reference)) {
        chosen = &image;
      }
    }
  }
  if (target.reference.empty() && images.size() == 1) {
    chosen = &images.front();
  }
  if (chosen == nullptr) {
    const std::string available = tags.empty() ? "none" : fmt::format("{}", fmt::join(tags, ", "));
    if (images.empty()) {
      return fail(Error::parse("manifest.json lists no images"));
    }
    return fail(Error::not_found(
        "manifest.json: {} (tags: {})",
        target.reference.empty()
            ? fmt::format("{} images; name one as docker-archive:FILE:REPO:TAG", images.size())
            : fmt::format("no image tagged '{}'", target.reference),
        available));
  }
  ResolvedImage out;
  out.info.repo_tags = chosen->repo_tags;
  VIGIL_ASSIGN_OR_RETURN(const std::string config_json,
                         archive.read_member(normalize_path(chosen->config), kMaxConfigBytes));
  out.info.config_digest = sha256_digest(config_json);
  // Configs are stored as "<hex>.json" or "blobs/sha256/<hex>": the name is a digest claim.
  std::string_view config_name = chosen->config;
  config_name = config_name.substr(
      config_name.rfind('/') == std::string_view::npos ? 0 : config_name.rfind('/') + 1);
  if (config_name.ends_with(".json")) {
    config_name.remove_suffix(5);
  }
  if (check_sha256_digest("sha256:" + std::string(config_name)) &&
      "sha256:" + std::string(config_name) != out.info.config_digest) {
    return fail(Error::parse("image config {}: digest mismatch: the content hashes to {}",
                             chosen->config, out.info.config_digest));
  }
  auto config = parse_image_config(config_json);
  if (!config) {
    return fail(config.error().with_context(chosen->config));
  }
  out.config = std::move(*config);
  if (out.config.diff_ids.size() != chosen->layers.size()) {
    return fail(Error::parse("manifest.json lists {} layers but the config has {} diff_ids",
                             chosen->layers.size(), out.config.diff_ids.size()));
  }
  for (size_t idx = 0; idx < chosen->layers.size(); ++idx) {
    const std::string member = normalize_path(chosen->layers[idx]);
    LayerRef layer;
    layer.media_type = "application/vnd.docker.image.rootfs.diff.tar";
    const std::string_view name(member);
    if (name.starts_with("blobs/sha256/") &&
        check_sha256_digest("sha256:" + std::string(name.substr(13)))) {
      layer.digest = "sha256:" + std::string(name.substr(13));
    } else {
      layer.digest = out.config.diff_ids[idx];
      layer.digest_is_diff_id = true;
    }
    archive.alias(layer.digest, member);
    out.layers.push_back(std::move(layer));
  }
  return out;
}

Result<ResolvedImage> resolve_registry(RegistryClient& client, BlobSource& source,
                                  const ImageOptions& options) {
  const auto& reference = client.reference();
  VIGIL_ASSIGN_OR_RETURN(
      auto top, client.manifest(reference.digest.empty() ? reference.tag : reference.digest));
  auto document = parse_manifest_document(top.body);
  if (!document) {
    return fail(document.error().with_context(reference.to_string()));
  }
  const Fetch fetch = [&](const Descriptor& descriptor) -> Result<std::string> {
    VIGIL_ASSIGN_OR_RETURN(auto manifest, client.manifest(descriptor.digest));
    return std::move(manifest.body);
  };
  return follow(*document, top.digest, source, fetch, options, 0);
}

}  // namespace vigil::sources::internal
