// Function bundles: the configuration parser and BundleOpener, which hashes each zip (once per
// file), finds or builds its index in the layer store (once per digest and mount), and stacks
// the layers under opt and the code under var/task.
#include "sources/function_bundle.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "sources/internal/blob_reader.hpp"
#include "sources/internal/scratch_dir.hpp"

namespace vigil::sources {
namespace {

using Json = nlohmann::json;

// Lambda's CodeSha256: base64 of the raw digest, from our "sha256:<hex>".
std::string lambda_code_sha256(std::string_view digest) {
  std::string raw;
  for (size_t idx = 7; idx + 1 < digest.size(); idx += 2) {
    const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    raw.push_back(static_cast<char>(nibble(digest[idx]) * 16 + nibble(digest[idx + 1])));
  }
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(raw.data()),
                                      static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

constexpr uint64_t kMaxConfigJson = uint64_t{1} << 20;

Result<std::string> string_field(const Json& doc, const char* key, bool required) {
  const auto found = doc.find(key);
  if (found == doc.end() || found->is_null()) {
    if (required) {
      return fail(Error::parse("function configuration: no '{}'", key));
    }
    return std::string{};
  }
  if (!found->is_string()) {
    return fail(Error::parse("function configuration: '{}' is not a string", key));
  }
  return found->get<std::string>();
}

Result<FunctionConfig> parse_config(const Json& doc) {
  if (!doc.is_object()) {
    return fail(Error::parse("function configuration: expected a JSON object"));
  }
  // `aws lambda get-function` wraps the same object as {"Configuration": {...}, "Code": ...}.
  if (const auto wrapped = doc.find("Configuration");
      wrapped != doc.end() && wrapped->is_object() && !doc.contains("FunctionName")) {
    return parse_config(*wrapped);
  }
  FunctionConfig config;
  VIGIL_ASSIGN_OR_RETURN(config.name, string_field(doc, "FunctionName", true));
  VIGIL_ASSIGN_OR_RETURN(config.arn, string_field(doc, "FunctionArn", false));
  VIGIL_ASSIGN_OR_RETURN(config.runtime, string_field(doc, "Runtime", false));
  VIGIL_ASSIGN_OR_RETURN(config.handler, string_field(doc, "Handler", false));
  VIGIL_ASSIGN_OR_RETURN(config.version, string_field(doc, "Version", false));
  VIGIL_ASSIGN_OR_RETURN(config.code_sha256, string_field(doc, "CodeSha256", false));
  VIGIL_ASSIGN_OR_RETURN(std::string package_type, string_field(doc, "PackageType", false));
  if (!package_type.empty()) {
    config.package_type = std::move(package_type);
  }
  if (const auto arches = doc.find("Architectures"); arches != doc.end() && !arches->is_null()) {
    if (!arches->is_array()) {
      return fail(Error::parse("function configuration: 'Architectures' is not an array"));
    }
    for (const auto& arch : *arches) {
      if (!arch.is_string()) {
        return fail(Error::parse("function configuration: 'Architectures' holds a non-string"));
      }
      config.architectures.push_back(arch.get<std::string>());
    }
  }
  if (const auto layers = doc.find("Layers"); layers != doc.end() && !layers->is_null()) {
    if (!layers->is_array()) {
      return fail(Error::parse("function configuration: 'Layers' is not an array"));
    }
    for (size_t idx = 0; idx < layers->size(); ++idx) {
      const Json& layer = (*layers)[idx];
      if (!layer.is_object()) {
        return fail(Error::parse("function configuration: Layers[{}] is not an object", idx));
      }
      FunctionLayerRef ref;
      auto arn = string_field(layer, "Arn", false);
      if (!arn) {
        return fail(arn.error().with_context(fmt::format("Layers[{}]", idx)));
      }
      ref.arn = std::move(*arn);
      if (const auto size = layer.find("CodeSize"); size != layer.end()) {
        if (!size->is_number_unsigned()) {
          return fail(
              Error::parse("function configuration: Layers[{}].CodeSize is not a size", idx));
        }
        ref.code_size = size->get<uint64_t>();
      }
      config.layers.push_back(std::move(ref));
    }
  }
  return config;
}

}  // namespace

struct BundleOpener::Scratch {
  std::unique_ptr<internal::ScratchDir> dir;
};

Result<FunctionConfig> parse_function_config(std::string_view json) {
  if (json.size() > kMaxConfigJson) {
    return fail(
        Error::invalid_argument("function configuration: larger than {} bytes", kMaxConfigJson));
  }
  // Configurations are shallow; refuse deep nesting before nlohmann sees it.
  size_t depth = 0;
  bool in_string = false;
  for (size_t idx = 0; idx < json.size(); ++idx) {
    const char c = json[idx];
    if (in_string) {
      if (c == '\\') {
        ++idx;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if ((c == '{' || c == '[') && ++depth > 32) {
      return fail(Error::parse("function configuration: nested too deeply"));
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded()) {
    return fail(Error::parse("function configuration: not valid JSON"));
  }
  try {
    return parse_config(doc);
  } catch (const nlohmann::json::exception& error) {
    return fail(Error::parse("function configuration: {}", error.what()));
  }
}

BundleOpener::BundleOpener(Options options, std::unique_ptr<Scratch> scratch,
                           std::unique_ptr<LayerStore> store)
    : options_(std::move(options)), scratch_(std::move(scratch)), store_(std::move(store)) {}

BundleOpener::~BundleOpener() = default;

Result<std::unique_ptr<BundleOpener>> BundleOpener::create(Options options) {
  auto scratch = std::make_unique<Scratch>();
  std::unique_ptr<LayerStore> store;
  if (options.cache_dir) {
    VIGIL_ASSIGN_OR_RETURN(store, LayerStore::open(*options.cache_dir, true));
  } else {
    VIGIL_ASSIGN_OR_RETURN(scratch->dir,
                           internal::ScratchDir::create(options.scratch_parent, "function"));
    VIGIL_ASSIGN_OR_RETURN(store, LayerStore::open(scratch->dir->path() / "layers", false));
  }
  return std::unique_ptr<BundleOpener>(
      new BundleOpener(std::move(options), std::move(scratch), std::move(store)));
}

Result<std::string> BundleOpener::digest_of(const std::filesystem::path& zip) {
  struct stat st {};
  if (::stat(zip.c_str(), &st) != 0) {
    return fail(Error::not_found("{}: no such file", zip.string()));
  }
  if (!S_ISREG(st.st_mode)) {
    return fail(Error::invalid_argument("{}: not a regular file", zip.string()));
  }
  const auto key =
      std::make_tuple(zip.string(), static_cast<uint64_t>(st.st_size),
                      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      static_cast<uint64_t>(st.st_ino));
  if (const auto found = digests_.find(key); found != digests_.end()) {
    return found->second;
  }
  VIGIL_ASSIGN_OR_RETURN(std::string digest, internal::hash_file(zip));
  ++stats_.zips_hashed;
  digests_.emplace(key, digest);
  return digest;
}

Result<std::shared_ptr<const StoredLayer>> BundleOpener::load(const std::filesystem::path& zip,
                                                              const std::string& digest,
                                                              std::string_view mount,
                                                              ExtractLimits limits,
                                                              bool& from_cache) {
  const std::string key = digest + "|" + std::string(mount);
  if (const auto found = loaded_.find(key); found != loaded_.end()) {
    ++stats_.layers_reused;
    from_cache = true;
    return found->second;
  }
  const std::string variant = fmt::format("zip|{}|{}", options_.want_key, mount);
  VIGIL_ASSIGN_OR_RETURN(auto layer, store_->find(digest, variant));
  if (layer) {
    ++stats_.layers_from_disk;
    from_cache = true;
  } else {
    IndexOptions index_options;
    index_options.wanted = options_.wanted;
    index_options.mount = std::string(mount);
    index_options.whiteouts = false;
    index_options.hash_expanded = false;
    index_options.limits = limits;
    VIGIL_ASSIGN_OR_RETURN(layer, store_->build(digest, variant, [&](ContentSink& sink) {
      return index_zip_layer(zip, digest, index_options, sink);
    }));
    ++stats_.layers_indexed;
    from_cache = false;
  }
  loaded_.emplace(key, layer);
  return layer;
}

Result<FunctionBundle> BundleOpener::open(const FunctionConfig& config,
                                          const std::filesystem::path& code_zip,
                                          const std::vector<std::filesystem::path>& layer_zips) {
  const std::string what = fmt::format("function {}", config.name);
  if (config.package_type == "Image") {
    return fail(Error::unsupported(
        "{}: PackageType Image: scan its container image with `vigil scan image`", what));
  }
  if (config.package_type != "Zip") {
    return fail(Error::unsupported("{}: unknown PackageType '{}'", what,
                                   config.package_type.substr(0, 50)));
  }
  if (!config.layers.empty() && config.layers.size() != layer_zips.size()) {
    return fail(
        Error::invalid_argument("{}: the configuration lists {} layers but {} layer zips "
                                "were given",
                                what, config.layers.size(), layer_zips.size()));
  }
  FunctionBundle bundle;
  bundle.config = config;
  std::vector<TreeLayer> tree_layers;
  ExtractLimits limits = options_.limits;
  const auto add = [&](const std::filesystem::path& zip, const std::string& digest,
                       std::string_view mount, bool& from_cache) -> Result<size_t> {
    VIGIL_ASSIGN_OR_RETURN(auto layer, load(zip, digest, mount, limits, from_cache));
    for (const auto& problem : layer->index().problems) {
      bundle.problems.push_back(problem);
    }
    if (!layer->index().complete) {
      bundle.complete = false;
    }
    limits.max_expanded_bytes -= std::min(limits.max_expanded_bytes, layer->index().expanded_bytes);
    tree_layers.push_back({layer, std::string(mount), zip, true});
    return tree_layers.size() - 1;
  };

  for (size_t idx = 0; idx < layer_zips.size(); ++idx) {
    BundleLayer layer;
    layer.zip = layer_zips[idx];
    if (idx < config.layers.size()) {
      layer.arn = config.layers[idx].arn;
    }
    auto digest = digest_of(layer.zip);
    Result<size_t> added = digest ? Result<size_t>(fail(Error::internal("unset")))
                                  : Result<size_t>(fail(digest.error()));
    if (digest) {
      layer.digest = *digest;
      added = add(layer.zip, layer.digest, kFunctionLayerMount, layer.from_cache);
    }
    if (added) {
      layer.tree_layer = *added;
    } else {
      bundle.problems.push_back(fmt::format("{}: layer {} ({}): {}; left out", what, idx + 1,
                                            layer.arn.empty() ? layer.zip.string() : layer.arn,
                                            added.error().message));
      bundle.complete = false;
    }
    bundle.layers.push_back(std::move(layer));
  }
  VIGIL_ASSIGN_OR_RETURN(bundle.code_digest, digest_of(code_zip));
  if (!config.code_sha256.empty() && lambda_code_sha256(bundle.code_digest) != config.code_sha256) {
    return fail(Error::invalid_argument(
        "{}: {} is not the deployed code (CodeSha256 {} in the configuration, {} here)", what,
        code_zip.string(), config.code_sha256, lambda_code_sha256(bundle.code_digest)));
  }
  bool code_cached = false;
  auto code = add(code_zip, bundle.code_digest, kFunctionCodeMount, code_cached);
  if (!code) {
    return fail(code.error().with_context(fmt::format("{}: code", what)));
  }
  bundle.code_tree_layer = *code;
  bundle.tree = std::make_unique<LayeredFileTree>(std::move(tree_layers), what);
  return bundle;
}

}  // namespace vigil::sources
