#include "inventory/catalogers/node.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "inventory/catalogers/lang_util.hpp"
#include "inventory/catalogers/node_lockfiles.hpp"

namespace vigil::inventory {

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {

constexpr std::string_view kName = "node";
constexpr std::string_view kNodeModules = "node_modules";

enum class Evidence { kPackageJson, kPackageLock, kYarnLock, kPnpmLock, kNone };

Evidence classify(std::string_view base) {
  if (base == "package.json") {
    return Evidence::kPackageJson;
  }
  if (base == "package-lock.json" || base == "npm-shrinkwrap.json") {
    return Evidence::kPackageLock;
  }
  if (base == "yarn.lock") {
    return Evidence::kYarnLock;
  }
  if (base == "pnpm-lock.yaml") {
    return Evidence::kPnpmLock;
  }
  return Evidence::kNone;
}

// True for ".../node_modules/<name>/package.json" and
// ".../node_modules/@scope/<name>/package.json".
bool is_installed_package_json(std::string_view path) {
  const std::string_view package_dir = dir_name(path);
  const std::string_view name = base_name(package_dir);
  if (name.empty() || name.starts_with('.') || name.starts_with('@')) {
    return false;
  }
  const std::string_view parent = dir_name(package_dir);
  if (base_name(parent) == kNodeModules) {
    return true;
  }
  return base_name(parent).starts_with('@') && parent.size() > 1 &&
         base_name(dir_name(parent)) == kNodeModules;
}

// The directory above the first node_modules of `path` ("" for a top-level node_modules).
std::string_view project_of_installed(std::string_view path) {
  if (path.starts_with("node_modules/")) {
    return {};
  }
  const size_t pos = path.find("/node_modules/");
  return pos == std::string_view::npos ? std::string_view{} : path.substr(0, pos);
}

using Key = std::tuple<std::string, std::string, std::string>;  // project, name, version

class Merger {
 public:
  explicit Merger(model::Inventory& inventory) : inventory_(inventory) {}

  void add(std::string_view project, NodeDependency dependency, const std::string& location) {
    Key key{std::string(project), dependency.name, dependency.version};
    const auto found = index_.find(key);
    if (found != index_.end()) {
      auto& locations = inventory_.packages[found->second].locations;
      if (locations.back() != location &&
          std::find(locations.begin(), locations.end(), location) == locations.end()) {
        locations.push_back(location);
      }
      return;
    }
    index_.emplace(std::move(key), inventory_.packages.size());
    // "@scope/name" -> purl namespace "@scope" (encoded as %40scope), name "name".
    const std::string_view full = dependency.name;
    const size_t slash = full.find('/');
    std::string purl =
        full.starts_with('@') && slash != std::string_view::npos
            ? make_purl("npm", full.substr(0, slash), full.substr(slash + 1), dependency.version)
            : make_purl("npm", "", full, dependency.version);
    inventory_.packages.push_back(make_package(model::Ecosystem::kNpm, std::move(dependency.name),
                                               std::move(dependency.version), std::move(purl),
                                               location));
  }

 private:
  model::Inventory& inventory_;
  std::map<Key, size_t> index_;
};

Result<std::vector<NodeDependency>> parse_lockfile(Evidence kind, std::string_view text) {
  switch (kind) {
    case Evidence::kPackageLock:
      return parse_package_lock(text);
    case Evidence::kYarnLock:
      return parse_yarn_lock(text);
    case Evidence::kPnpmLock:
      return parse_pnpm_lock(text);
    case Evidence::kPackageJson:
    case Evidence::kNone:
      break;
  }
  return std::vector<NodeDependency>{};
}

}  // namespace

bool NodeCataloger::wants(std::string_view path) const {
  switch (classify(base_name(path))) {
    case Evidence::kPackageJson:
      return is_installed_package_json(path);
    case Evidence::kPackageLock:
    case Evidence::kYarnLock:
    case Evidence::kPnpmLock:
      // A lockfile published inside an installed package describes its development tree.
      return !has_dir_segment(path, kNodeModules);
    case Evidence::kNone:
      break;
  }
  return false;
}

void NodeCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                            model::Inventory& inventory) const {
  Merger merger(inventory);
  for (const auto& path : paths) {
    const Evidence kind = classify(base_name(path));
    if (kind == Evidence::kNone) {
      continue;
    }
    const uint64_t limit = kind == Evidence::kPackageJson ? kMaxMetadataBytes : kMaxLockfileBytes;
    const auto text = read_evidence(tree, path, limit, kName, inventory);
    if (!text) {
      continue;
    }
    if (kind == Evidence::kPackageJson) {
      auto package = parse_package_json(*text);
      if (!package) {
        add_warning(inventory, kName, path, package.error().message);
      } else if (*package) {
        merger.add(project_of_installed(path), std::move(**package), path);
      }
      continue;
    }
    auto dependencies = parse_lockfile(kind, *text);
    if (!dependencies) {
      add_warning(inventory, kName, path, dependencies.error().message);
      continue;
    }
    for (auto& dependency : *dependencies) {
      merger.add(dir_name(path), std::move(dependency), path);
    }
  }
}

}  // namespace vigil::inventory
