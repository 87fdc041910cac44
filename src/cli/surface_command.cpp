// Image and function scan options, and the bridge from them to service::scan_image and
// service::FunctionScanner.
#include "cli/surface_command.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <utility>

#include "service/surface_scan.hpp"
#include "sources/layer_cache.hpp"

namespace vigil::cli {
namespace {

sources::ExtractLimits limits_from(const SurfaceOptions& opts) {
  sources::ExtractLimits limits;
  if (opts.max_expanded_bytes != 0) {
    limits.max_expanded_bytes = opts.max_expanded_bytes;
  }
  if (opts.max_ratio != 0) {
    limits.max_ratio = opts.max_ratio;
  }
  if (opts.max_entries != 0) {
    limits.max_entries = opts.max_entries;
  }
  return limits;
}

std::optional<std::filesystem::path> cache_from(const SurfaceOptions& opts) {
  if (opts.no_cache) {
    return std::nullopt;
  }
  if (!opts.cache_dir.empty()) {
    return std::filesystem::path(opts.cache_dir);
  }
  return sources::default_layer_cache_dir();
}

Result<std::optional<sources::RegistryCredentials>> credentials_from(const SurfaceOptions& opts) {
  if (!opts.username.empty() || !opts.password.empty()) {
    if (opts.username.empty()) {
      return fail(Error::invalid_argument("--password needs --username"));
    }
    return std::optional(sources::RegistryCredentials{opts.username, opts.password});
  }
  if (const char* env = std::getenv("VIGIL_REGISTRY_AUTH"); env != nullptr && env[0] != '\0') {
    VIGIL_ASSIGN_OR_RETURN(auto parsed, sources::parse_credentials(env));
    return std::optional(std::move(parsed));
  }
  return std::optional<sources::RegistryCredentials>{};
}

Result<model::Inventory> scan_image(const std::string& target, const SurfaceOptions& opts,
                                    service::ResourceContext& context) {
  VIGIL_ASSIGN_OR_RETURN(const auto image_target, sources::parse_image_target(target));
  sources::ImageOptions options;
  VIGIL_ASSIGN_OR_RETURN(options.platform, sources::parse_platform(opts.platform));
  options.cache_dir = cache_from(opts);
  options.limits = limits_from(opts);
  options.insecure = opts.insecure;
  VIGIL_ASSIGN_OR_RETURN(options.credentials, credentials_from(opts));
  static const auto catalogers = inventory::default_catalogers();
  VIGIL_ASSIGN_OR_RETURN(auto scan,
                         service::scan_image(image_target, std::move(options), catalogers));
  context.resource_type = "image";
  context.resource_id = scan.image.manifest_digest.empty()
                            ? scan.image.reference
                            : scan.image.reference + "@" + scan.image.manifest_digest;
  return std::move(scan.inventory);
}

Result<model::Inventory> scan_function(const std::string& target, const SurfaceOptions& opts,
                                       service::ResourceContext& context) {
  const std::string config_path = opts.config.empty() ? target : opts.config;
  if (config_path.empty()) {
    return fail(Error::invalid_argument(
        "scan function needs --config FILE (aws lambda get-function-configuration output)"));
  }
  if (opts.code.empty()) {
    return fail(Error::invalid_argument("scan function needs --code ZIP"));
  }
  std::ifstream in(config_path, std::ios::binary);
  if (!in) {
    return fail(Error::not_found("{}: cannot open the function configuration", config_path));
  }
  const std::string json(std::istreambuf_iterator<char>(in), {});
  auto config = sources::parse_function_config(json);
  if (!config) {
    return fail(config.error().with_context(config_path));
  }
  sources::BundleOpener::Options options;
  options.cache_dir = cache_from(opts);
  options.limits = limits_from(opts);
  static const auto catalogers = inventory::default_catalogers();
  VIGIL_ASSIGN_OR_RETURN(auto scanner,
                         service::FunctionScanner::create(std::move(options), catalogers));
  std::vector<std::filesystem::path> layers(opts.layers.begin(), opts.layers.end());
  VIGIL_ASSIGN_OR_RETURN(auto inventory, scanner->scan(*config, opts.code, layers));
  context.resource_type = "function";
  context.resource_id = config->arn.empty() ? config->name : config->arn;
  return inventory;
}

}  // namespace

std::string surface_description(std::string_view kind) {
  return kind == "image"
             ? "Scan a container image (oci:DIR, oci-archive:FILE, docker-archive:FILE, "
               "registry:HOST/REPO:TAG)"
             : "Scan a function package (--config fn.json --code code.zip [--layer l.zip ...])";
}

void add_surface_options(CLI::App* sub, std::string_view kind, SurfaceOptions& opts) {
  if (kind == "image") {
    sub->add_option("--platform", opts.platform,
                    "os/arch[/variant] to pick from a multi-platform image");
    sub->add_flag("--insecure", opts.insecure, "Pull over plain HTTP");
    sub->add_option("--username", opts.username,
                    "Registry user (or VIGIL_REGISTRY_AUTH=user:password)");
    sub->add_option("--password", opts.password, "Registry password");
  } else {
    // The configuration may also be given as the positional target.
    if (auto* target = sub->get_option_no_throw("target"); target != nullptr) {
      target->required(false);
    }
    sub->add_option("--config", opts.config,
                    "Function configuration JSON (get-function-configuration)");
    sub->add_option("--code", opts.code, "The function's deployment package (zip)");
    sub->add_option("--layer", opts.layers,
                    "Layer zips, in the configuration's order (repeatable)");
  }
  sub->add_option("--cache", opts.cache_dir,
                  "Layer cache directory (default: $XDG_CACHE_HOME/vigil/layers)");
  sub->add_flag("--no-cache", opts.no_cache, "Index layers in a private scratch area only");
  sub->add_option("--max-expanded-bytes", opts.max_expanded_bytes,
                  "Stop when layers expand past this many bytes (decompression bombs)");
  sub->add_option("--max-ratio", opts.max_ratio, "Largest expansion ratio allowed");
  sub->add_option("--max-entries", opts.max_entries, "Largest number of archive entries allowed");
}

Result<model::Inventory> collect_surface_inventory(std::string_view kind, const std::string& target,
                                                   const SurfaceOptions& opts,
                                                   service::ResourceContext& context) {
  if (kind == "image") {
    return scan_image(target, opts, context);
  }
  return scan_function(target, opts, context);
}

}  // namespace vigil::cli
