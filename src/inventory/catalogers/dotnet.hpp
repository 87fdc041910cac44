// .NET NuGet packages: the *.deps.json a published application carries and NuGet's
// packages.lock.json.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "inventory/cataloger.hpp"

namespace vigil::inventory {
namespace lang {

struct NugetPackage {
  std::string name;
  std::string version;

  friend bool operator==(const NugetPackage&, const NugetPackage&) = default;
};

// Returns the "libraries" of type "package" of a deps.json ("Newtonsoft.Json/13.0.1" keys);
// projects and references are the application itself or the framework. kParse for invalid JSON
// or a document without "libraries".
[[nodiscard]] Result<std::vector<NugetPackage>> parse_deps_json(std::string_view text);

// Returns the resolved packages of a packages.lock.json, once per name and version across its
// target frameworks; "Project" entries are skipped. kParse for invalid JSON or a document
// without "dependencies".
[[nodiscard]] Result<std::vector<NugetPackage>> parse_packages_lock(std::string_view text);

}  // namespace lang

// Reports NuGet packages ("pkg:nuget/Newtonsoft.Json@13.0.1") from *.deps.json and
// packages.lock.json. Malformed files become warnings. Stateless and thread-safe.
class DotnetCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "dotnet"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
