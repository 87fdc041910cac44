#include "inventory/catalogers/python.hpp"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "core/strings.hpp"
#include "inventory/catalogers/lang_util.hpp"
#include "inventory/catalogers/zip_reader.hpp"

namespace vigil::inventory {

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {

constexpr std::string_view kName = "python";
constexpr std::string_view kEggMetadata = "EGG-INFO/PKG-INFO";
constexpr uint64_t kMaxEggBytes = uint64_t{128} << 20;

bool is_egg_archive(std::string_view path) { return ends_with_ci(path, ".egg"); }

// Reports the distribution described by the core-metadata `text`, found at `location`.
void add_distribution(std::string_view text, const std::string& location,
                      model::Inventory& inventory) {
  const auto headers = parse_headers(text);
  const auto name = find_header(headers, "Name");
  const auto version = find_header(headers, "Version");
  if (!name || name->empty() || !version || version->empty()) {
    add_warning(inventory, kName, location, "metadata has no Name or Version header");
    return;
  }
  inventory.packages.push_back(make_package(model::Ecosystem::kPyPI, std::string(*name),
                                            std::string(*version),
                                            make_purl("pypi", "", *name, *version), location));
}

void catalog_egg(const sources::FileTree& tree, const std::string& path,
                 model::Inventory& inventory) {
  const auto bytes = read_evidence(tree, path, kMaxEggBytes, kName, inventory);
  if (!bytes) {
    return;
  }
  std::optional<std::string> metadata;
  ZipBudget budget{kMaxMetadataBytes, kMaxMetadataBytes};
  auto read = read_zip(
      *bytes, [](std::string_view entry) { return entry == kEggMetadata; },
      [&](std::string, std::string content) { metadata = std::move(content); }, budget);
  if (!read) {
    add_warning(inventory, kName, path, read.error().message);
    return;
  }
  if (!metadata) {
    add_warning(inventory, kName, path, fmt::format("egg has no {}", kEggMetadata));
    return;
  }
  add_distribution(*metadata, path, inventory);
}

}  // namespace

bool PythonCataloger::wants(std::string_view path) const {
  const auto base = base_name(path);
  if (base == "METADATA") {
    return ends_with_ci(dir_name(path), ".dist-info");
  }
  if (base == "PKG-INFO") {
    const auto dir = dir_name(path);
    return ends_with_ci(dir, ".egg-info") ||
           (base_name(dir) == "EGG-INFO" && ends_with_ci(dir_name(dir), ".egg"));
  }
  // distutils writes a single PKG-INFO file named <name>-<version>.egg-info.
  return ends_with_ci(base, ".egg-info") || is_egg_archive(base);
}

void PythonCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                              model::Inventory& inventory) const {
  for (const auto& path : paths) {
    if (is_egg_archive(path)) {
      catalog_egg(tree, path, inventory);
      continue;
    }
    const auto text = read_evidence(tree, path, kMaxMetadataBytes, kName, inventory);
    if (text) {
      add_distribution(*text, path, inventory);
    }
  }
}

}  // namespace vigil::inventory
