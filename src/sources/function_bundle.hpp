// Function packages (the Lambda analogue): a function's configuration, its code zip and its
// layer zips, laid out as the runtime sees them — code under var/task, layers under opt in
// order (a later layer's file replaces an earlier one's) — as one LayeredFileTree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/result.hpp"
#include "sources/layer_cache.hpp"
#include "sources/layer_index.hpp"
#include "sources/layer_tree.hpp"

namespace vigil::sources {

inline constexpr std::string_view kFunctionCodeMount = "var/task";
inline constexpr std::string_view kFunctionLayerMount = "opt";

struct FunctionLayerRef {
  std::string arn;
  uint64_t code_size = 0;
};

// The fields Vigil uses from `aws lambda get-function-configuration` output.
struct FunctionConfig {
  std::string name;
  std::string arn;
  std::string runtime;  // "python3.12", "nodejs20.x", "java21", "provided.al2023"
  std::string handler;
  std::string package_type = "Zip";  // "Zip" or "Image"
  std::string version;
  std::string code_sha256;                 // base64 of the code zip's SHA-256, as Lambda reports it
  std::vector<std::string> architectures;  // "x86_64", "arm64"
  std::vector<FunctionLayerRef> layers;    // in the order the runtime applies them
};

// Parses a get-function-configuration document. Returns kParse naming the field for malformed
// JSON or wrong types; FunctionName is required.
[[nodiscard]] Result<FunctionConfig> parse_function_config(std::string_view json);

struct BundleLayer {
  std::string digest;  // sha256 of the zip
  std::string arn;     // from the configuration, when it lists the layer
  std::filesystem::path zip;
  std::optional<size_t> tree_layer;  // nullopt when the zip could not be read
  bool from_cache = false;           // loaded from memory or the persistent cache, not indexed
};

// An opened bundle: the merged tree and what went into it.
struct FunctionBundle {
  FunctionConfig config;
  std::string code_digest;
  std::optional<size_t> code_tree_layer;
  std::vector<BundleLayer> layers;
  std::unique_ptr<LayeredFileTree> tree;
  std::vector<std::string> problems;
  bool complete = true;
};

// Opens bundles against one layer store, remembering what it has hashed and loaded, so a layer
// zip shared by many functions is read, decompressed and loaded once per opener (and indexed
// once per cache). Not thread-safe.
class BundleOpener {
 public:
  struct Options {
    std::optional<std::filesystem::path> cache_dir;  // nullopt: a private scratch store
    std::filesystem::path scratch_parent;
    std::function<bool(std::string_view)> wanted;  // mounted paths ("opt/python/...")
    std::string want_key;
    ExtractLimits limits;  // per bundle
  };

  struct Stats {
    size_t zips_hashed = 0;       // zip files read to compute their digest
    size_t layers_indexed = 0;    // zips decompressed and indexed
    size_t layers_from_disk = 0;  // loaded from the persistent cache
    size_t layers_reused = 0;     // served from this opener's memory
  };

  [[nodiscard]] static Result<std::unique_ptr<BundleOpener>> create(Options options);
  ~BundleOpener();

  // Opens a function. `layer_zips` must match the configuration's Layers in number when it
  // lists any. Returns kUnsupported for PackageType "Image" (scan the image instead),
  // kInvalidArgument for a count mismatch or a code zip whose hash is not the configuration's
  // CodeSha256, kNotFound / kParse when the code zip cannot be read.
  // A layer zip that cannot be read is left out and listed in `problems`.
  [[nodiscard]] Result<FunctionBundle> open(const FunctionConfig& config,
                                            const std::filesystem::path& code_zip,
                                            const std::vector<std::filesystem::path>& layer_zips);

  const Stats& stats() const { return stats_; }

 private:
  struct Scratch;
  BundleOpener(Options options, std::unique_ptr<Scratch> scratch,
               std::unique_ptr<LayerStore> store);
  Result<std::string> digest_of(const std::filesystem::path& zip);
  Result<std::shared_ptr<const StoredLayer>> load(const std::filesystem::path& zip,
                                                  const std::string& digest, std::string_view mount,
                                                  ExtractLimits limits, bool& from_cache);

  Options options_;
  std::unique_ptr<Scratch> scratch_;
  std::unique_ptr<LayerStore> store_;
  // (path, size, mtime, inode) -> digest: a file is hashed once per opener.
  std::map<std::tuple<std::string, uint64_t, int64_t, uint64_t>, std::string> digests_;
  std::map<std::string, std::shared_ptr<const StoredLayer>> loaded_;  // digest|mount -> layer
  Stats stats_;
};

}  // namespace vigil::sources
