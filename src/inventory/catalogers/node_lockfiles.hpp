// Parsers for the files that record installed npm packages: package.json of an installed
// package, package-lock.json (v1, v2, v3), yarn.lock (v1 and berry) and pnpm-lock.yaml
// (v5, v6, v9). Pure functions over text; internal to the inventory module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::inventory::lang {

struct NodeDependency {
  std::string name;  // "@scope/name" or "name"
  std::string version;

  friend bool operator==(const NodeDependency&, const NodeDependency&) = default;
};

// True for a version the npm registry could have served ("1.2.3", "0.0.0-rc.1"): the first
// character is a digit. Git, tarball, file: and link: specifiers are not registry versions.
bool is_registry_version(std::string_view version);

// Splits "name@range" / "@scope/name@range" at the '@' that ends the name; nullopt when there is
// no such '@' (or the name would be empty).
std::optional<std::pair<std::string_view, std::string_view>> split_name_at(std::string_view spec);

// Returns the name and version of an installed package's package.json, nullopt when either is
// missing or not a string (private packages and fixtures). kParse for invalid JSON.
[[nodiscard]] Result<std::optional<NodeDependency>> parse_package_json(std::string_view text);

// Returns the registry packages of a package-lock.json (or npm-shrinkwrap.json): the "packages"
// map of v2/v3 (the root "" entry, `link: true` entries and workspace folders outside
// node_modules skipped) or else the nested "dependencies" tree of v1. Aliases ("npm:real@1.0.0"
// in v1, "name" in v2) give the real package. Duplicates are kept. kParse for invalid JSON or a
// document without either map.
[[nodiscard]] Result<std::vector<NodeDependency>> parse_package_lock(std::string_view text);

// Returns the registry packages of a yarn.lock, v1 ("name@range:" / `version "1.0.0"`) or berry
// (`"name@npm:range":` / `version: 1.0.0` / `resolution: "name@npm:1.0.0"`); workspace, patch,
// link and other non-npm resolutions are skipped. kParse when an entry has no version.
[[nodiscard]] Result<std::vector<NodeDependency>> parse_yarn_lock(std::string_view text);

// Returns the packages of a pnpm-lock.yaml `packages:` section. Keys are "/name/1.0.0" (v5,
// peer suffix after '_'), "/name@1.0.0" (v6, peer suffix in parentheses) or "name@1.0.0"
// (v9), quoted or not. kParse when there is no lockfileVersion.
[[nodiscard]] Result<std::vector<NodeDependency>> parse_pnpm_lock(std::string_view text);

}  // namespace vigil::inventory::lang
