#include "inventory/catalogers/java_archive.hpp"

#include <fmt/format.h>

#include <optional>
#include <utility>
#include <vector>

#include "inventory/catalogers/java_metadata.hpp"
#include "inventory/catalogers/lang_util.hpp"
#include "inventory/catalogers/zip_reader.hpp"

namespace vigil::inventory {

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {

constexpr std::string_view kName = "java";
constexpr std::string_view kManifest = "META-INF/MANIFEST.MF";
constexpr std::string_view kMavenDir = "META-INF/maven/";
constexpr int kMaxNestingDepth = 4;

bool is_pom_properties(std::string_view entry) {
  return entry.starts_with(kMavenDir) && base_name(entry) == "pom.properties";
}

model::Package maven_package(const MavenCoordinates& coordinates, const std::string& location) {
  std::string name = coordinates.group_id.empty()
                         ? coordinates.artifact_id
                         : fmt::format("{}:{}", coordinates.group_id, coordinates.artifact_id);
  std::string purl =
      coordinates.group_id.empty()
          ? std::string()
          : make_purl("maven", coordinates.group_id, coordinates.artifact_id, coordinates.version);
  return make_package(model::Ecosystem::kMaven, std::move(name), coordinates.version,
                      std::move(purl), location);
}

// Catalogs the archive `file` shown as `location`; nested archives recurse with `depth` + 1.
void catalog_archive(const sources::RandomAccessFile& file, const std::string& location, int depth,
                     ZipBudget& budget, model::Inventory& inventory) {
  std::vector<MavenCoordinates> poms;
  std::optional<std::string> manifest;
  model::Inventory nested;  // packages of inner archives go after this archive's own
  auto read = read_zip(
      file,
      [depth](std::string_view entry) {
        return entry == kManifest || is_pom_properties(entry) ||
               (depth < kMaxNestingDepth && is_java_archive_name(entry));
      },
      [&](std::string entry, std::string content) {
        if (entry == kManifest) {
          manifest = std::move(content);
        } else if (is_pom_properties(entry)) {
          if (auto coordinates = parse_pom_properties(content)) {
            poms.push_back(std::move(*coordinates));
          }
        } else {
          const auto inner = sources::memory_file(std::move(content));
          catalog_archive(*inner, fmt::format("{}!/{}", location, entry), depth + 1, budget,
                          nested);
        }
      },
      budget);
  if (!read) {
    add_warning(inventory, kName, location, read.error().message);
  } else {
    for (const auto& skipped : read->skipped) {
      add_warning(inventory, kName, location, fmt::format("entry not read: {}", skipped));
    }
  }
  if (!poms.empty()) {
    for (const auto& coordinates : poms) {
      inventory.packages.push_back(maven_package(coordinates, location));
    }
  } else {
    const auto from_name = parse_archive_file_name(base_name(location));
    std::optional<MavenCoordinates> coordinates;
    if (manifest) {
      coordinates = coordinates_from_manifest(parse_manifest(*manifest),
                                              from_name ? from_name->first : std::string());
    }
    if (coordinates) {
      // The manifest carries no Maven identity: the location names it as the evidence, which
      // tells readers the identification is weaker than a pom.properties one.
      inventory.packages.push_back(
          maven_package(*coordinates, fmt::format("{}!/{}", location, kManifest)));
    } else if (from_name) {
      inventory.packages.push_back(
          maven_package(MavenCoordinates{{}, from_name->first, from_name->second}, location));
    }
  }
  for (auto& package : nested.packages) {
    inventory.packages.push_back(std::move(package));
  }
  for (auto& diagnostic : nested.diagnostics) {
    inventory.diagnostics.push_back(std::move(diagnostic));
  }
}

}  // namespace

bool JavaArchiveCataloger::wants(std::string_view path) const { return is_java_archive_name(path); }

void JavaArchiveCataloger::catalog(const sources::FileTree& tree,
                                   std::span<const std::string> paths,
                                   model::Inventory& inventory) const {
  for (const auto& path : paths) {
    // Opened, not read: the zip reader fetches the central directory and the few entries it
    // wants, not the classes.
    const auto file = tree.open_file(path);
    if (!file) {
      add_warning(inventory, kName, path, fmt::format("cannot read: {}", file.error().message));
      continue;
    }
    if ((*file)->size() > sources::kDefaultMaxRead) {
      add_warning(inventory, kName, path,
                  fmt::format("cannot read: {}: {} bytes is over the {}-byte read limit", path,
                              (*file)->size(), sources::kDefaultMaxRead));
      continue;
    }
    ZipBudget budget;
    catalog_archive(**file, path, 0, budget, inventory);
  }
}

}  // namespace vigil::inventory
