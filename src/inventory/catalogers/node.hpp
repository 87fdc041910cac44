// Installed npm packages: node_modules/**/package.json (nested and @scoped) and the lockfiles
// package-lock.json / npm-shrinkwrap.json, yarn.lock and pnpm-lock.yaml.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {

// Reports one npm package per (project, name, version): the project is the directory holding
// the lockfile, or the one above the first node_modules of an installed package.json. The same
// package seen in several evidence files of one project (the lockfile, node_modules, nested
// copies) is reported once, with every evidence path in `locations`. A package.json outside a
// node_modules package directory (a project's own) is not wanted, nor are lockfiles shipped
// inside installed packages. Malformed files become warnings. Stateless and thread-safe.
class NodeCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "node"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
