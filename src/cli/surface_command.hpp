// `vigil scan image` and `vigil scan function`: the options they add and the helper that turns
// an image target or a function bundle into an inventory for the scan pipeline.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/inventory.hpp"
#include "service/pipeline.hpp"

namespace vigil::cli {

struct SurfaceOptions {
  // image
  std::string platform = "linux/amd64";
  bool insecure = false;
  std::string username;
  std::string password;
  // function
  std::string config;
  std::string code;
  std::vector<std::string> layers;
  // both
  std::string cache_dir;  // default: $XDG_CACHE_HOME/vigil/layers
  bool no_cache = false;
  uint64_t max_expanded_bytes = 0;  // 0: the library default
  uint64_t max_ratio = 0;
  uint64_t max_entries = 0;
};

// Adds the options of `kind` ("image" or "function") to `sub`, bound to `opts`.
void add_surface_options(CLI::App* sub, std::string_view kind, SurfaceOptions& opts);

// The one-line description of the `kind` subcommand.
std::string surface_description(std::string_view kind);

// Inventories the image `target` (oci:DIR, oci-archive:FILE, docker-archive:FILE,
// registry:HOST/REPO:TAG) or the function bundle in `opts` (`target`, when given, is the
// configuration file), with layer attribution; sets `context`'s resource type and id. Open
// problems are warnings in the inventory. Errors: kInvalidArgument for bad options, and those of
// service::scan_image / FunctionScanner::scan.
[[nodiscard]] Result<model::Inventory> collect_surface_inventory(std::string_view kind,
                                                                 const std::string& target,
                                                                 const SurfaceOptions& opts,
                                                                 service::ResourceContext& context);

}  // namespace vigil::cli
