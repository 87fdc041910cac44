// Image and function inventories with layer attribution. Distro databases are diffed across the
// layers that changed them: each database version is re-read from the view of the image up to
// that layer (sources::LayeredFileTree::view_through), and a package belongs to the lowest
// layer from which it stays listed with the same name, version and arch.
#include "service/surface_scan.hpp"

#include <fmt/ranges.h>

#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "service/inventory_cache.hpp"

namespace vigil::service {
namespace {

// OS identification files (inventory/os_release.hpp reads these by path, not via wants()).
constexpr std::string_view kOsFiles[] = {"etc/os-release",     "usr/lib/os-release",
                                         "etc/system-release", "etc/redhat-release",
                                         "etc/alpine-release", "etc/debian_version"};
constexpr std::string_view kWantedVersion = "1";

using Identity = std::tuple<std::string, std::string, std::string>;

Identity identity_of(const model::Package& package) {
  return {package.name, package.version, package.arch};
}

// The file a package was found in: its first location, without an in-archive suffix
// ("lib/app.jar!/META-INF/..." -> "lib/app.jar").
std::string evidence_path(const model::Package& package) {
  if (package.locations.empty()) {
    return {};
  }
  const std::string& location = package.locations.front();
  return location.substr(0, location.find('!'));
}

void add_problems(model::Inventory& inventory, std::string_view where,
                  const std::vector<std::string>& problems, bool complete) {
  for (const auto& problem : problems) {
    inventory.diagnostics.push_back(
        {model::DiagnosticLevel::kWarning, std::string(where), problem});
  }
  if (!complete) {
    inventory.complete = false;
  }
}

// Attributes the distro packages found in `path` (all of `indexes`) by diffing the database
// across the layers that touched it.
void attribute_database(const sources::LayeredFileTree& tree, const std::string& path,
                        const std::vector<size_t>& indexes, const Catalogers& catalogers,
                        std::map<size_t, std::unique_ptr<sources::LayeredFileTree>>& views,
                        model::Inventory& inventory, const std::vector<std::string>& digests) {
  const std::vector<size_t> touching = tree.layers_touching(path);
  if (touching.empty()) {
    return;
  }
  // What each version of the database lists (nullopt-like empty set when deleted there).
  std::vector<std::set<Identity>> listed(touching.size());
  if (touching.size() > 1) {
    for (size_t pos = 0; pos < touching.size(); ++pos) {
      const size_t layer = touching[pos];
      auto& view = views[layer];
      if (!view) {
        view = tree.view_through(layer + 1);
      }
      const auto info = view->stat(path);
      if (!info || !*info || (*info)->type != sources::FileType::kRegular) {
        continue;
      }
      model::Inventory version;
      version.os = inventory.os;
      const std::vector<std::string> paths = {path};
      for (const auto& cataloger : catalogers) {
        if (cataloger->wants(path)) {
          cataloger->catalog(*view, paths, version);
        }
      }
      for (const auto& package : version.packages) {
        listed[pos].insert(identity_of(package));
      }
    }
  }
  for (const size_t index : indexes) {
    model::Package& package = inventory.packages[index];
    size_t pos = touching.size() - 1;
    if (touching.size() > 1) {
      const Identity id = identity_of(package);
      while (pos > 0 && listed[pos - 1].contains(id)) {
        --pos;
      }
    }
    package.layer_digest = digests.at(touching[pos]);
  }
}

}  // namespace

WantedFiles wanted_files(const Catalogers& catalogers) {
  WantedFiles out;
  std::vector<std::string> names;
  for (const auto& cataloger : catalogers) {
    names.emplace_back(cataloger->name());
  }
  out.key = fmt::format("v{}:{}", kWantedVersion, fmt::join(names, ","));
  out.wanted = [&catalogers](std::string_view path) {
    for (const auto os_file : kOsFiles) {
      if (path == os_file) {
        return true;
      }
    }
    for (const auto& cataloger : catalogers) {
      if (cataloger->wants(path)) {
        return true;
      }
    }
    return false;
  };
  return out;
}

const sources::LayerInfo* find_layer(const sources::ImageInfo& image, std::string_view digest) {
  for (const auto& layer : image.layers) {
    if (layer.digest == digest) {
      return &layer;
    }
  }
  return nullptr;
}

model::Inventory catalog_image(const sources::Image& image, const Catalogers& catalogers) {
  const sources::LayeredFileTree& tree = image.tree();
  model::Inventory inventory = inventory::catalog(tree, catalogers);
  inventory.target = image.info().reference;
  add_problems(inventory, "image " + image.info().reference, image.problems(), image.complete());

  std::vector<std::string> digests(tree.layer_count());
  for (const auto& layer : image.info().layers) {
    if (layer.tree_layer) {
      digests.at(*layer.tree_layer) = layer.digest;
    }
  }
  // Group packages by evidence file; distro databases are attributed as a group.
  std::map<std::string, std::vector<size_t>> databases;
  for (size_t idx = 0; idx < inventory.packages.size(); ++idx) {
    model::Package& package = inventory.packages[idx];
    const std::string path = evidence_path(package);
    if (path.empty()) {
      continue;
    }
    if (model::is_os_ecosystem(package.ecosystem)) {
      databases[path].push_back(idx);
    } else if (const auto layer = tree.provider(path)) {
      package.layer_digest = digests.at(*layer);
    }
  }
  std::map<size_t, std::unique_ptr<sources::LayeredFileTree>> views;
  for (const auto& [path, indexes] : databases) {
    attribute_database(tree, path, indexes, catalogers, views, inventory, digests);
  }
  return inventory;
}

Result<ImageScan> scan_image(const sources::ImageTarget& target, sources::ImageOptions options,
                             const Catalogers& catalogers, bool reuse_inventory) {
  WantedFiles wanted = wanted_files(catalogers);
  options.wanted = std::move(wanted.wanted);
  options.want_key = std::move(wanted.key);
  std::unique_ptr<InventoryCache> cache;
  std::string key;
  if (reuse_inventory && options.cache_dir) {
    auto opened = InventoryCache::open(*options.cache_dir / "inventories");
    auto info = sources::inspect_image(target, options);
    if (opened && info) {
      cache = std::move(*opened);
      key = inventory_cache_key(*info, options.want_key);
      if (auto cached = cache->find(key)) {
        ImageScan scan;
        scan.inventory = std::move(*cached);
        scan.inventory.target = info->reference;
        scan.image = std::move(*info);
        scan.inventory_from_cache = true;
        return scan;
      }
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto image, sources::open_image(target, options));
  ImageScan scan;
  scan.inventory = catalog_image(*image, catalogers);
  scan.image = image->info();
  scan.stats = image->stats();
  if (cache && scan.inventory.complete) {
    // A cache that cannot be written only costs the next scan time.
    (void)cache->store(key, scan.inventory);
  }
  return scan;
}

Result<std::unique_ptr<FunctionScanner>> FunctionScanner::create(
    sources::BundleOpener::Options options, const Catalogers& catalogers) {
  WantedFiles wanted = wanted_files(catalogers);
  options.wanted = std::move(wanted.wanted);
  options.want_key = std::move(wanted.key);
  VIGIL_ASSIGN_OR_RETURN(auto opener, sources::BundleOpener::create(std::move(options)));
  return std::unique_ptr<FunctionScanner>(new FunctionScanner(std::move(opener), catalogers));
}

Result<model::Inventory> FunctionScanner::scan(
    const sources::FunctionConfig& config, const std::filesystem::path& code_zip,
    const std::vector<std::filesystem::path>& layer_zips) {
  VIGIL_ASSIGN_OR_RETURN(sources::FunctionBundle bundle,
                         opener_->open(config, code_zip, layer_zips));
  const sources::LayeredFileTree& tree = *bundle.tree;
  model::Inventory inventory;
  inventory.target = config.arn.empty() ? "function:" + config.name : config.arn;
  add_problems(inventory, "function " + config.name, bundle.problems, bundle.complete);

  std::set<std::pair<std::string, std::string>> seen_diagnostics;
  const auto merge = [&](const model::Inventory& part, std::optional<size_t> tree_layer) {
    for (const auto& package : part.packages) {
      // A later layer replacing this package's evidence file hides it, as at run time.
      const std::string path = evidence_path(package);
      if (tree_layer && !path.empty() && tree.provider(path) != tree_layer) {
        continue;
      }
      inventory.packages.push_back(package);
    }
    for (const auto& diagnostic : part.diagnostics) {
      if (seen_diagnostics.emplace(diagnostic.where, diagnostic.message).second) {
        inventory.diagnostics.push_back(diagnostic);
      }
    }
    if (!part.complete) {
      inventory.complete = false;
    }
  };
  for (const auto& layer : bundle.layers) {
    if (!layer.tree_layer) {
      continue;
    }
    auto found = layer_inventories_.find(layer.digest);
    if (found == layer_inventories_.end()) {
      const sources::LayeredFileTree single({tree.layer(*layer.tree_layer)},
                                            fmt::format("function layer {}", layer.digest));
      model::Inventory part = inventory::catalog(single, catalogers_);
      for (auto& package : part.packages) {
        package.layer_digest = layer.digest;
      }
      found = layer_inventories_.emplace(layer.digest, std::move(part)).first;
      ++stats_.layers_cataloged;
    } else {
      ++stats_.layer_inventories_reused;
    }
    merge(found->second, layer.tree_layer);
  }
  const sources::LayeredFileTree code({tree.layer(*bundle.code_tree_layer)},
                                      fmt::format("function {} code", config.name));
  merge(inventory::catalog(code, catalogers_), std::nullopt);
  return inventory;
}

}  // namespace vigil::service
