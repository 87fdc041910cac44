// Image JSON parsing with nlohmann::json; every type error and parse error is caught here and
// turned into a kParse naming the field. Nesting is checked before parsing so hostile input
// cannot exhaust the stack.
#include "sources/image_manifest.hpp"

#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "core/strings.hpp"
#include "sources/digest.hpp"

namespace vigil::sources {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxDescriptors = 10000;

Result<Json> parse_json(std::string_view text, std::string_view what) {
  if (!json_nesting_within(text, kMaxDepth)) {
    return fail(Error::parse("{}: JSON nested deeper than {} levels", what, kMaxDepth));
  }
  Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    return fail(Error::parse("{}: not valid JSON", what));
  }
  if (!doc.is_object() && !doc.is_array()) {
    return fail(Error::parse("{}: expected a JSON object", what));
  }
  return doc;
}

// Optional string member; kParse when present with another type.
Result<std::string> get_string(const Json& object, const char* key, std::string_view what) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    return std::string{};
  }
  if (!found->is_string()) {
    return fail(Error::parse("{}: '{}' is not a string", what, key));
  }
  return found->get<std::string>();
}

Result<const Json*> get_array(const Json& object, const char* key, std::string_view what) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    return static_cast<const Json*>(nullptr);
  }
  if (!found->is_array()) {
    return fail(Error::parse("{}: '{}' is not an array", what, key));
  }
  if (found->size() > kMaxDescriptors) {
    return fail(Error::parse("{}: '{}' has more than {} items", what, key, kMaxDescriptors));
  }
  return &*found;
}

Result<Descriptor> parse_descriptor(const Json& value, std::string_view what) {
  if (!value.is_object()) {
    return fail(Error::parse("{}: expected an object", what));
  }
  Descriptor out;
  VIGIL_ASSIGN_OR_RETURN(out.media_type, get_string(value, "mediaType", what));
  VIGIL_ASSIGN_OR_RETURN(out.digest, get_string(value, "digest", what));
  if (auto checked = check_sha256_digest(out.digest); !checked) {
    return fail(checked.error().with_context(what));
  }
  if (const auto size = value.find("size"); size != value.end()) {
    if (!size->is_number_unsigned()) {
      return fail(Error::parse("{}: 'size' is not a non-negative integer", what));
    }
    out.size = size->get<uint64_t>();
  }
  if (const auto platform = value.find("platform"); platform != value.end()) {
    if (!platform->is_object()) {
      return fail(Error::parse("{}: 'platform' is not an object", what));
    }
    Platform parsed;
    VIGIL_ASSIGN_OR_RETURN(parsed.os, get_string(*platform, "os", what));
    VIGIL_ASSIGN_OR_RETURN(parsed.architecture, get_string(*platform, "architecture", what));
    VIGIL_ASSIGN_OR_RETURN(parsed.variant, get_string(*platform, "variant", what));
    out.platform = std::move(parsed);
  }
  if (const auto annotations = value.find("annotations");
      annotations != value.end() && annotations->is_object()) {
    VIGIL_ASSIGN_OR_RETURN(out.ref_name,
                           get_string(*annotations, "org.opencontainers.image.ref.name", what));
  }
  return out;
}

Result<std::vector<Descriptor>> parse_descriptors(const Json* array, std::string_view what) {
  std::vector<Descriptor> out;
  if (array == nullptr) {
    return out;
  }
  out.reserve(array->size());
  for (size_t idx = 0; idx < array->size(); ++idx) {
    VIGIL_ASSIGN_OR_RETURN(Descriptor descriptor,
                           parse_descriptor((*array)[idx], fmt::format("{}[{}]", what, idx)));
    out.push_back(std::move(descriptor));
  }
  return out;
}

Result<ManifestDocument> parse_document(const Json& doc) {
  if (!doc.is_object()) {
    return fail(Error::parse("manifest: expected a JSON object"));
  }
  if (const auto version = doc.find("schemaVersion"); version != doc.end()) {
    if (!version->is_number_integer()) {
      return fail(Error::parse("manifest: 'schemaVersion' is not an integer"));
    }
    if (version->get<int64_t>() == 1) {
      return fail(Error::unsupported(
          "manifest: Docker schema 1 manifests are not supported (re-push the image)"));
    }
    if (version->get<int64_t>() != 2) {
      return fail(Error::parse("manifest: unknown schemaVersion {}", version->get<int64_t>()));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(std::string media_type, get_string(doc, "mediaType", "manifest"));
  const bool is_index = media_type == kOciIndexType || media_type == kDockerListType ||
                        (media_type.empty() && doc.contains("manifests"));
  if (is_index) {
    ImageIndex index;
    index.media_type = std::move(media_type);
    VIGIL_ASSIGN_OR_RETURN(const Json* manifests, get_array(doc, "manifests", "index"));
    VIGIL_ASSIGN_OR_RETURN(index.manifests, parse_descriptors(manifests, "index manifests"));
    return ManifestDocument(std::move(index));
  }
  if (!media_type.empty() && media_type != kOciManifestType && media_type != kDockerManifestType) {
    return fail(Error::unsupported("manifest: media type '{}' is not an image manifest",
                                   media_type.substr(0, 200)));
  }
  const auto config = doc.find("config");
  if (config == doc.end()) {
    return fail(Error::parse("manifest: no 'config' descriptor"));
  }
  ImageManifest manifest;
  manifest.media_type = std::move(media_type);
  VIGIL_ASSIGN_OR_RETURN(manifest.config, parse_descriptor(*config, "manifest config"));
  VIGIL_ASSIGN_OR_RETURN(const Json* layers, get_array(doc, "layers", "manifest"));
  VIGIL_ASSIGN_OR_RETURN(manifest.layers, parse_descriptors(layers, "manifest layers"));
  return ManifestDocument(std::move(manifest));
}

Result<ImageConfig> parse_config(const Json& doc) {
  if (!doc.is_object()) {
    return fail(Error::parse("image config: expected a JSON object"));
  }
  ImageConfig config;
  VIGIL_ASSIGN_OR_RETURN(config.platform.os, get_string(doc, "os", "image config"));
  VIGIL_ASSIGN_OR_RETURN(config.platform.architecture,
                         get_string(doc, "architecture", "image config"));
  VIGIL_ASSIGN_OR_RETURN(config.platform.variant, get_string(doc, "variant", "image config"));
  if (const auto rootfs = doc.find("rootfs"); rootfs != doc.end() && !rootfs->is_null()) {
    if (!rootfs->is_object()) {
      return fail(Error::parse("image config: 'rootfs' is not an object"));
    }
    VIGIL_ASSIGN_OR_RETURN(const Json* diff_ids, get_array(*rootfs, "diff_ids", "image config"));
    if (diff_ids != nullptr) {
      for (size_t idx = 0; idx < diff_ids->size(); ++idx) {
        const Json& value = (*diff_ids)[idx];
        if (!value.is_string()) {
          return fail(Error::parse("image config: rootfs.diff_ids[{}] is not a string", idx));
        }
        std::string digest = value.get<std::string>();
        if (auto checked = check_sha256_digest(digest); !checked) {
          return fail(
              checked.error().with_context(fmt::format("image config: rootfs.diff_ids[{}]", idx)));
        }
        config.diff_ids.push_back(std::move(digest));
      }
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const Json* history, get_array(doc, "history", "image config"));
  if (history != nullptr) {
    for (size_t idx = 0; idx < history->size(); ++idx) {
      const Json& value = (*history)[idx];
      const std::string what = fmt::format("image config: history[{}]", idx);
      if (!value.is_object()) {
        return fail(Error::parse("{}: expected an object", what));
      }
      HistoryEntry entry;
      VIGIL_ASSIGN_OR_RETURN(entry.created_by, get_string(value, "created_by", what));
      if (const auto empty = value.find("empty_layer"); empty != value.end()) {
        if (!empty->is_boolean()) {
          return fail(Error::parse("{}: 'empty_layer' is not a boolean", what));
        }
        entry.empty_layer = empty->get<bool>();
      }
      config.history.push_back(std::move(entry));
    }
  }
  return config;
}

Result<std::vector<DockerArchiveImage>> parse_archive_manifest(const Json& doc) {
  if (!doc.is_array()) {
    return fail(Error::parse("manifest.json: expected an array"));
  }
  if (doc.size() > kMaxDescriptors) {
    return fail(Error::parse("manifest.json: more than {} images", kMaxDescriptors));
  }
  std::vector<DockerArchiveImage> out;
  for (size_t idx = 0; idx < doc.size(); ++idx) {
    const Json& value = doc[idx];
    const std::string what = fmt::format("manifest.json[{}]", idx);
    if (!value.is_object()) {
      return fail(Error::parse("{}: expected an object", what));
    }
    DockerArchiveImage image;
    VIGIL_ASSIGN_OR_RETURN(image.config, get_string(value, "Config", what));
    if (image.config.empty()) {
      return fail(Error::parse("{}: no 'Config'", what));
    }
    for (const char* key : {"RepoTags", "Layers"}) {
      VIGIL_ASSIGN_OR_RETURN(const Json* array, get_array(value, key, what));
      if (array == nullptr) {
        continue;
      }
      for (const auto& item : *array) {
        if (!item.is_string()) {
          return fail(Error::parse("{}: '{}' holds a non-string", what, key));
        }
        (std::string_view(key) == "Layers" ? image.layers : image.repo_tags)
            .push_back(item.get<std::string>());
      }
    }
    out.push_back(std::move(image));
  }
  return out;
}

bool variant_matches(const Platform& have, const Platform& wanted) {
  if (wanted.variant.empty() || have.variant == wanted.variant) {
    return true;
  }
  // arm64 images are often published without a variant; "v8" is the only arm64 variant.
  const auto normal = [](const Platform& platform) {
    return platform.architecture == "arm64" && platform.variant.empty() ? std::string("v8")
                                                                        : platform.variant;
  };
  return normal(have) == normal(wanted);
}

}  // namespace

std::string Platform::to_string() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) {
    out += "/" + variant;
  }
  return out;
}

Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('/', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty() ||
      (parts.size() == 3 && parts[2].empty())) {
    return fail(
        Error::invalid_argument("platform '{}': expected os/arch[/variant]", text.substr(0, 100)));
  }
  return Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string{}};
}

Result<ManifestDocument> parse_manifest_document(std::string_view json) {
  VIGIL_ASSIGN_OR_RETURN(const Json doc, parse_json(json, "manifest"));
  try {
    return parse_document(doc);
  } catch (const nlohmann::json::exception& error) {
    return fail(Error::parse("manifest: {}", error.what()));
  }
}

Result<ImageConfig> parse_image_config(std::string_view json) {
  VIGIL_ASSIGN_OR_RETURN(const Json doc, parse_json(json, "image config"));
  try {
    return parse_config(doc);
  } catch (const nlohmann::json::exception& error) {
    return fail(Error::parse("image config: {}", error.what()));
  }
}

std::vector<std::string> layer_history(const ImageConfig& config, size_t layer_count) {
  std::vector<std::string> out;
  out.reserve(layer_count);
  for (const auto& entry : config.history) {
    if (entry.empty_layer) {
      continue;
    }
    if (out.size() == layer_count) {
      break;
    }
    out.push_back(entry.created_by);
  }
  out.resize(layer_count);
  return out;
}

Result<std::vector<DockerArchiveImage>> parse_docker_archive_manifest(std::string_view json) {
  VIGIL_ASSIGN_OR_RETURN(const Json doc, parse_json(json, "manifest.json"));
  try {
    return parse_archive_manifest(doc);
  } catch (const nlohmann::json::exception& error) {
    return fail(Error::parse("manifest.json: {}", error.what()));
  }
}

Result<Descriptor> select_platform(const ImageIndex& index, const Platform& wanted) {
  std::vector<std::string> available;
  for (const auto& descriptor : index.manifests) {
    if (!descriptor.platform) {
      continue;
    }
    const Platform& have = *descriptor.platform;
    // Attestation manifests (buildx) carry the platform "unknown/unknown".
    if (have.os == wanted.os && have.architecture == wanted.architecture &&
        variant_matches(have, wanted)) {
      return descriptor;
    }
    available.push_back(have.to_string());
  }
  return fail(Error::not_found(
      "no image for platform {} in the index (available: {})", wanted.to_string(),
      available.empty() ? std::string("none") : fmt::format("{}", fmt::join(available, ", "))));
}

}  // namespace vigil::sources
