// Inventories of container images and function packages: opens the surface through `sources`,
// catalogs its merged tree once, and attributes every package to the layer that introduced it
// (Package::layer_digest; the layer's history line is in ImageInfo::layers).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "inventory/cataloger.hpp"
#include "model/inventory.hpp"
#include "sources/function_bundle.hpp"
#include "sources/image.hpp"

namespace vigil::service {

using Catalogers = std::vector<std::unique_ptr<inventory::Cataloger>>;

// The files a scan keeps from layers: whatever a cataloger wants plus the OS release files, and
// a key naming that choice for the layer cache (it changes when the cataloger list does).
struct WantedFiles {
  std::function<bool(std::string_view)> wanted;
  std::string key;
};
WantedFiles wanted_files(const Catalogers& catalogers);

struct ImageScan {
  model::Inventory inventory;  // target = the image reference; packages carry layer_digest
  sources::ImageInfo image;    // tree_layer is unset when the inventory came from the cache
  sources::OpenStats stats;
  bool inventory_from_cache = false;  // no layer was even loaded
};

// Catalogs `image` and attributes packages to layers. Distro packages (dpkg, rpm, apk) go to
// the lowest layer from which every later version of their database still lists the same
// name, version and arch (the layer that installed that version); other packages to the layer
// providing their evidence file in the merged view. Image problems become warnings and
// `complete = false`. Never fails.
model::Inventory catalog_image(const sources::Image& image, const Catalogers& catalogers);

// Opens `target` with `options` (wanted files filled in from `catalogers`) and catalogs it.
// With a persistent layer cache and `reuse_inventory`, a complete inventory is also kept
// (<cache>/inventories, see inventory_cache.hpp) and a later scan of the same image by the same
// build returns it after reading only the manifest and config. Errors are open_image's.
[[nodiscard]] Result<ImageScan> scan_image(const sources::ImageTarget& target,
                                           sources::ImageOptions options,
                                           const Catalogers& catalogers,
                                           bool reuse_inventory = true);

// The image layer whose digest is `digest`, or nullptr.
const sources::LayerInfo* find_layer(const sources::ImageInfo& image, std::string_view digest);

// Scans function bundles. Each layer zip (by content hash) is read and cataloged once per
// scanner, and its packages are attributed (layer_digest = the zip's digest) to every function
// that uses it, minus those whose evidence a later layer of that function replaces. Not
// thread-safe.
class FunctionScanner {
 public:
  struct Stats {
    size_t layers_cataloged = 0;  // per-layer inventories computed
    size_t layer_inventories_reused = 0;
  };

  // `options.wanted` / `want_key` are filled in from `catalogers`, which must outlive the
  // scanner. kIo when the layer store cannot be created.
  [[nodiscard]] static Result<std::unique_ptr<FunctionScanner>> create(
      sources::BundleOpener::Options options, const Catalogers& catalogers);

  // Inventories one function: its code (var/task) and layers (opt). Bundle problems become
  // warnings and `complete = false`. Errors are BundleOpener::open's.
  [[nodiscard]] Result<model::Inventory> scan(const sources::FunctionConfig& config,
                                              const std::filesystem::path& code_zip,
                                              const std::vector<std::filesystem::path>& layer_zips);

  const Stats& stats() const { return stats_; }
  const sources::BundleOpener& opener() const { return *opener_; }

 private:
  FunctionScanner(std::unique_ptr<sources::BundleOpener> opener, const Catalogers& catalogers)
      : opener_(std::move(opener)), catalogers_(catalogers) {}

  std::unique_ptr<sources::BundleOpener> opener_;
  const Catalogers& catalogers_;
  std::map<std::string, model::Inventory> layer_inventories_;  // zip digest -> packages
  Stats stats_;
};

}  // namespace vigil::service
