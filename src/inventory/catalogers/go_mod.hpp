// Go modules required by go.mod files (source trees and images that ship their sources).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {

// Reports a Go package per `require`d module of each go.mod, with `replace` directives applied
// (a module replacement wins; a local-directory replacement keeps the required version). The
// main module itself is not reported: it is the project being scanned. go.mod files inside
// vendor/ directories and the module cache (…/pkg/mod/…) describe other modules' needs and are
// not wanted. A malformed go.mod becomes a warning. Stateless and thread-safe.
class GoModCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "go-mod"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
