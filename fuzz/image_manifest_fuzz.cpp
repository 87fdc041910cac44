// Fuzzes the image and function-bundle parsers on arbitrary bytes: OCI/Docker manifests and
// indexes, image configs, docker-archive manifest.json, function configurations, the layer
// cache index decoder, registry references and auth challenges, and the tar/zip entry-name
// sanitiser (whose output must never be absolute or climb out of the root). The first byte
// picks the parser. Must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sources/function_bundle.hpp"
#include "sources/image_manifest.hpp"
#include "sources/layer_cache.hpp"
#include "sources/layer_index.hpp"
#include "sources/registry_client.hpp"

namespace {

void check_sanitised(std::string_view name) {
  const auto clean = vigil::sources::sanitize_entry_name(name);
  if (!clean) {
    return;
  }
  const std::string& path = *clean;
  // No leading '/', no empty, "." or ".." component, and stable under normalisation.
  if (!path.empty() && (path.front() == '/' || path.back() == '/')) {
    std::abort();
  }
  size_t start = 0;
  while (start <= path.size() && !path.empty()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) {
      end = path.size();
    }
    const std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") {
      std::abort();
    }
    start = end + 1;
  }
  if (vigil::sources::normalize_path(path) != path) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  namespace src = vigil::sources;
  switch (data[0] % 8) {
    case 0:
      if (auto document = src::parse_manifest_document(input)) {
        if (const auto* index = std::get_if<src::ImageIndex>(&*document)) {
          (void)src::select_platform(*index, src::Platform{"linux", "arm64", "v8"});
        }
      }
      break;
    case 1:
      if (auto config = src::parse_image_config(input)) {
        (void)src::layer_history(*config, config->diff_ids.size());
      }
      break;
    case 2:
      (void)src::parse_docker_archive_manifest(input);
      break;
    case 3:
      (void)src::parse_function_config(input);
      break;
    case 4:
      check_sanitised(input);
      break;
    case 5:
      (void)src::decode_layer_index(input, "fuzz", 8, 1U << 20);
      break;
    case 6:
      (void)src::parse_registry_reference(input);
      (void)src::parse_platform(input);
      break;
    default:
      (void)src::parse_auth_challenge(input);
      break;
  }
  return 0;
}
