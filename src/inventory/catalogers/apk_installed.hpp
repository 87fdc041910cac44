// The apk cataloger: Alpine packages from lib/apk/db/installed (apk-tools' installed database).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/cataloger.hpp"
#include "model/diagnostic.hpp"
#include "model/package.hpp"

namespace vigil::inventory {

// One Package per database record: P name, V version, A arch, o origin (the source package,
// which shares the version). The ecosystem is Alpine when the OS id is "alpine", else Generic
// with a diagnostic. Thread-safe.
class ApkInstalledCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "apk"; }
  // lib/apk/db/installed only.
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
  // Re-reads lib/apk/db/installed: each record's files are its R: names under the F: directory
  // before them.
  void find_owners(const sources::FileTree& tree, const model::Inventory& inventory,
                   OwnerQuery& query) const override;
};

// Parses an apk installed database: records of "X:value" lines separated by blank lines. A
// second P: line before a blank line starts a new record (with a diagnostic). Lines that are
// not "X:value" and records without P or V become diagnostics naming `location`:line; parsing
// carries on. Packages get name, version, arch, source_name/source_version (origin, defaulting
// to the package itself) and `location`; the ecosystem is left for the caller.
std::vector<model::Package> parse_apk_installed(std::string_view text, std::string_view location,
                                                std::vector<model::Diagnostic>& diagnostics);

}  // namespace vigil::inventory
