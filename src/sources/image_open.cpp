// open_image(): resolve the target to one image manifest and config (image_resolve.cpp), then
// assemble the layers: each is looked up in the layer cache by digest and otherwise streamed and
// indexed once, and the merged tree is built.
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sources/digest.hpp"
#include "sources/image.hpp"
#include "sources/internal/blob_source.hpp"
#include "sources/internal/image_resolve.hpp"
#include "sources/internal/scratch_dir.hpp"

namespace vigil::sources {
namespace {

using internal::BlobSource;
using internal::ScratchDir;

using internal::LayerRef;
using internal::ResolvedImage;

class ImageImpl final : public Image {
 public:
  const ImageInfo& info() const override { return info_; }
  const LayeredFileTree& tree() const override { return *tree_; }
  const std::vector<std::string>& problems() const override { return problems_; }
  bool complete() const override { return complete_; }
  const OpenStats& stats() const override { return stats_; }

  // Declaration order is destruction order reversed: the tree (holding layer files) goes
  // first, the scratch directory after everything that points into it.
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<RegistryClient> client_;
  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<BlobSource> source_;
  std::unique_ptr<LayerStore> store_;
  std::unique_ptr<LayeredFileTree> tree_;
  ImageInfo info_;
  std::vector<std::string> problems_;
  bool complete_ = true;
  OpenStats stats_;
};

// Finds a local file for `path`'s leading components: "FILE:REF" splits at the first ':' whose
// prefix exists, so file names with ':' still work.
std::pair<std::string, std::string> split_location(std::string_view text) {
  std::error_code ec;
  if (std::filesystem::exists(std::string(text), ec)) {
    return {std::string(text), {}};
  }
  for (size_t colon = text.find(':'); colon != std::string_view::npos;
       colon = text.find(':', colon + 1)) {
    if (std::filesystem::exists(std::string(text.substr(0, colon)), ec)) {
      return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
    }
  }
  return {std::string(text), {}};
}

std::string layer_variant(const ImageOptions& options, bool hash_expanded) {
  return fmt::format("tar|{}|{}", options.want_key, hash_expanded ? "diff" : "");
}

// Indexes or loads every layer and builds the tree.
Result<void> assemble(ImageImpl& image, ResolvedImage resolved, const ImageOptions& options) {
  image.info_.manifest_digest = std::move(resolved.info.manifest_digest);
  image.info_.config_digest = std::move(resolved.info.config_digest);
  image.info_.repo_tags = std::move(resolved.info.repo_tags);
  image.info_.platform = resolved.config.platform;
  if (options.verify_diff_ids && resolved.config.diff_ids.size() != resolved.layers.size()) {
    return fail(Error::parse("image config {}: {} diff_ids for {} layers",
                             image.info_.config_digest, resolved.config.diff_ids.size(),
                             resolved.layers.size()));
  }
  if (options.cache_dir) {
    VIGIL_ASSIGN_OR_RETURN(image.store_, LayerStore::open(*options.cache_dir, true));
  } else {
    VIGIL_ASSIGN_OR_RETURN(image.store_,
                           LayerStore::open(image.scratch_->path() / "layers", false));
  }
  const auto history = layer_history(resolved.config, resolved.layers.size());
  std::vector<std::shared_ptr<const StoredLayer>> stored(resolved.layers.size());
  std::vector<std::string> missing;
  for (size_t idx = 0; idx < resolved.layers.size(); ++idx) {
    const auto& layer = resolved.layers[idx];
    const bool hash_expanded = options.verify_diff_ids || layer.digest_is_diff_id;
    auto found = image.store_->find(layer.digest, layer_variant(options, hash_expanded));
    if (found && *found) {
      stored[idx] = *found;
    } else {
      missing.push_back(layer.digest);
    }
  }
  image.source_->prepare(missing);

  uint64_t expanded_left = options.limits.max_expanded_bytes;
  uint64_t entries_left = options.limits.max_entries;
  std::vector<TreeLayer> tree_layers;
  for (size_t idx = 0; idx < resolved.layers.size(); ++idx) {
    const LayerRef& ref = resolved.layers[idx];
    LayerInfo info;
    info.digest = ref.digest;
    info.media_type = ref.media_type;
    info.size = ref.size;
    info.created_by = history[idx];
    const std::string expected_diff_id =
        idx < resolved.config.diff_ids.size() ? resolved.config.diff_ids[idx] : std::string{};
    const auto layer_failed = [&](const Error& error) -> Result<void> {
      if (!options.allow_partial) {
        return fail(error);
      }
      image.problems_.push_back(fmt::format("{}; layer {} left out", error.message, idx + 1));
      image.complete_ = false;
      image.info_.layers.push_back(info);
      return {};
    };
    if (ref.media_type.find("encrypted") != std::string::npos) {
      VIGIL_TRY(layer_failed(
          Error::unsupported("layer {}: encrypted layers cannot be read", ref.digest)));
      continue;
    }
    std::shared_ptr<const StoredLayer> layer = stored[idx];
    if (layer) {
      ++image.stats_.layers_cached;
      info.from_cache = image.store_->persistent();
    } else {
      auto file = image.source_->blob_file(ref.digest);
      if (!file) {
        const bool foreign = ref.media_type.find("foreign") != std::string::npos ||
                             ref.media_type.find("nondistributable") != std::string::npos;
        VIGIL_TRY(layer_failed(foreign
                                   ? file.error().with_context("foreign (non-distributable) layer")
                                   : file.error()));
        continue;
      }
      IndexOptions index_options;
      index_options.wanted = options.wanted;
      index_options.hash_expanded = options.verify_diff_ids || ref.digest_is_diff_id;
      index_options.limits = options.limits;
      index_options.limits.max_expanded_bytes = expanded_left;
      index_options.limits.max_entries = entries_left;
      auto built = image.store_->build(
          ref.digest, layer_variant(options, index_options.hash_expanded),
          [&](ContentSink& sink) -> Result<LayerIndex> {
            VIGIL_ASSIGN_OR_RETURN(
                LayerIndex index,
                index_tar_layer(*file, ref.digest_is_diff_id ? std::string{} : ref.digest,
                                index_options, sink));
            if (ref.digest_is_diff_id) {
              if (index.diff_id != ref.digest) {
                return fail(Error::parse("layer {}: digest mismatch: the tar hashes to {}",
                                         ref.digest, index.diff_id));
              }
              index.digest = ref.digest;
            }
            return index;
          });
      if (!built) {
        VIGIL_TRY(layer_failed(built.error()));
        continue;
      }
      layer = *built;
      ++image.stats_.layers_indexed;
      image.stats_.blob_bytes += layer->index().blob_bytes;
      image.stats_.expanded_bytes += layer->index().expanded_bytes;
      expanded_left -= std::min(expanded_left, layer->index().expanded_bytes);
    }
    const LayerIndex& index = layer->index();
    info.diff_id = index.diff_id;
    if (options.verify_diff_ids && !expected_diff_id.empty() && index.diff_id != expected_diff_id) {
      VIGIL_TRY(layer_failed(Error::parse(
          "layer {}: uncompressed content hashes to {} but the config's diff_id is {}", ref.digest,
          index.diff_id.empty() ? "(not hashed)" : index.diff_id, expected_diff_id)));
      continue;
    }
    if (index.entries.size() > entries_left) {
      VIGIL_TRY(
          layer_failed(Error::invalid_argument("layer {}: the image holds more than {} entries",
                                               ref.digest, options.limits.max_entries)));
      continue;
    }
    entries_left -= index.entries.size();
    for (const auto& problem : index.problems) {
      image.problems_.push_back(problem);
    }
    if (!index.complete) {
      image.complete_ = false;
    }
    info.tree_layer = tree_layers.size();
    tree_layers.push_back({layer, "", image.source_->existing_file(ref.digest), false});
    image.info_.layers.push_back(std::move(info));
  }
  image.tree_ = std::make_unique<LayeredFileTree>(std::move(tree_layers),
                                                  fmt::format("image {}", image.info_.reference));
  return {};
}

}  // namespace

Result<ImageTarget> parse_image_target(std::string_view text) {
  static constexpr std::pair<std::string_view, ImageTarget::Kind> kPrefixes[] = {
      {"oci:", ImageTarget::Kind::kOciLayout},
      {"oci-archive:", ImageTarget::Kind::kOciArchive},
      {"docker-archive:", ImageTarget::Kind::kDockerArchive},
      {"registry:", ImageTarget::Kind::kRegistry},
  };
  for (const auto& [prefix, kind] : kPrefixes) {
    if (!text.starts_with(prefix)) {
      continue;
    }
    const std::string_view rest = text.substr(prefix.size());
    if (rest.empty()) {
      return fail(Error::invalid_argument("image target '{}': nothing after '{}'", text, prefix));
    }
    ImageTarget target;
    target.kind = kind;
    if (kind == ImageTarget::Kind::kRegistry) {
      target.location = std::string(rest);
    } else {
      std::tie(target.location, target.reference) = split_location(rest);
    }
    return target;
  }
  return fail(Error::invalid_argument(
      "image target '{}': expected oci:DIR, oci-archive:FILE, docker-archive:FILE or "
      "registry:HOST/REPO[:TAG]",
      text.substr(0, 200)));
}

namespace {

// Sets up `image`'s scratch space and blob source for `target` and resolves its manifest and
// config.
Result<ResolvedImage> resolve_target(ImageImpl& image, const ImageTarget& target,
                                const ImageOptions& options) {
  image.info_.reference = target.location;
  if (!target.reference.empty()) {
    image.info_.reference += ":" + target.reference;
  }
  VIGIL_ASSIGN_OR_RETURN(image.scratch_, ScratchDir::create(options.scratch_parent, "image"));
  Result<ResolvedImage> resolved = fail(Error::internal("unresolved"));
  switch (target.kind) {
    case ImageTarget::Kind::kOciLayout: {
      image.source_ = internal::make_directory_source(target.location);
      const std::filesystem::path dir(target.location);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(dir / "oci-layout", ec)) {
        return fail(
            Error::not_found("{}: not an OCI image layout (no oci-layout file)", target.location));
      }
      std::string index_json;
      {
        std::ifstream in(dir / "index.json", std::ios::binary);
        if (!in) {
          return fail(Error::not_found("{}: no index.json", target.location));
        }
        index_json.assign(std::istreambuf_iterator<char>(in), {});
        if (index_json.size() > kMaxManifestBytes) {
          return fail(Error::invalid_argument("{}/index.json: larger than {} bytes",
                                              target.location, kMaxManifestBytes));
        }
      }
      resolved = internal::resolve_oci_layout(*image.source_, index_json, target, options);
      break;
    }
    case ImageTarget::Kind::kOciArchive: {
      VIGIL_ASSIGN_OR_RETURN(auto archive, internal::ArchiveSource::open(
                                               target.location, *image.scratch_, options.limits));
      auto index_json = archive->read_member("index.json", kMaxManifestBytes);
      image.source_ = std::move(archive);
      if (!index_json) {
        return fail(index_json.error().with_context("not an OCI archive"));
      }
      resolved = internal::resolve_oci_layout(*image.source_, *index_json, target, options);
      break;
    }
    case ImageTarget::Kind::kDockerArchive: {
      VIGIL_ASSIGN_OR_RETURN(auto archive, internal::ArchiveSource::open(
                                               target.location, *image.scratch_, options.limits));
      resolved = internal::resolve_docker_archive(*archive, target);
      image.source_ = std::move(archive);
      break;
    }
    case ImageTarget::Kind::kRegistry: {
      VIGIL_ASSIGN_OR_RETURN(auto reference, parse_registry_reference(target.location));
      HttpTransport* transport = options.transport;
      if (transport == nullptr) {
        image.transport_ = make_curl_transport();
        transport = image.transport_.get();
      }
      image.client_ = std::make_unique<RegistryClient>(*transport, std::move(reference),
                                                       options.credentials, options.insecure);
      image.source_ =
          internal::make_registry_source(*image.client_, *image.scratch_, options.limits);
      resolved = internal::resolve_registry(*image.client_, *image.source_, options);
      break;
    }
  }
  if (!resolved) {
    return fail(resolved.error().with_context(fmt::format("image {}", image.info_.reference)));
  }
  return resolved;
}

}  // namespace

Result<ImageInfo> inspect_image(const ImageTarget& target, const ImageOptions& options) {
  ImageImpl image;
  VIGIL_ASSIGN_OR_RETURN(ResolvedImage resolved, resolve_target(image, target, options));
  ImageInfo info;
  info.reference = image.info_.reference;
  info.manifest_digest = std::move(resolved.info.manifest_digest);
  info.config_digest = std::move(resolved.info.config_digest);
  info.repo_tags = std::move(resolved.info.repo_tags);
  info.platform = resolved.config.platform;
  const auto history = layer_history(resolved.config, resolved.layers.size());
  for (size_t idx = 0; idx < resolved.layers.size(); ++idx) {
    LayerInfo layer;
    layer.digest = resolved.layers[idx].digest;
    layer.diff_id = idx < resolved.config.diff_ids.size() ? resolved.config.diff_ids[idx] : "";
    layer.media_type = resolved.layers[idx].media_type;
    layer.size = resolved.layers[idx].size;
    layer.created_by = history[idx];
    info.layers.push_back(std::move(layer));
  }
  return info;
}

Result<std::unique_ptr<Image>> open_image(const ImageTarget& target, const ImageOptions& options) {
  auto image = std::make_unique<ImageImpl>();
  VIGIL_ASSIGN_OR_RETURN(ResolvedImage resolved, resolve_target(*image, target, options));
  if (auto assembled = assemble(*image, std::move(resolved), options); !assembled) {
    return fail(assembled.error().with_context(fmt::format("image {}", image->info_.reference)));
  }
  return std::unique_ptr<Image>(std::move(image));
}

}  // namespace vigil::sources
