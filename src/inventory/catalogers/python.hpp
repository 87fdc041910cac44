// Installed Python distributions: *.dist-info/METADATA (wheels, pip), *.egg-info/PKG-INFO and
// *.egg-info files (setuptools, distutils), and .egg archives or directories (EGG-INFO/PKG-INFO).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {

// Reads the core-metadata headers "Name" and "Version" and reports a PyPI package per
// distribution. Names are kept as written (the matcher normalises them per PEP 503); the purl
// uses the normalised name ("pkg:pypi/requests@2.31.0"). Evidence missing Name or Version, or
// an unreadable .egg, becomes a warning diagnostic. Stateless and thread-safe.
class PythonCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "python"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
