// The dpkg cataloger: Debian and Ubuntu packages from var/lib/dpkg/status, and from the
// var/lib/dpkg/status.d/ files that distroless images carry instead (one stanza per file, no
// Status field).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/cataloger.hpp"
#include "model/diagnostic.hpp"
#include "model/package.hpp"

namespace vigil::inventory {

// Status is read from the file, not dpkg: `Source: name (version)` gives the source package
// and its own version (both default to the binary's), one Package per stanza, so a package
// installed for two architectures (Multi-Arch: same) appears twice. The ecosystem comes from
// the OS id (Debian or Ubuntu; anything else is Generic with a diagnostic). Thread-safe.
class DpkgStatusCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "dpkg"; }
  // var/lib/dpkg/status, and var/lib/dpkg/status.d/<name> except the *.md5sums beside them.
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
  // Reads var/lib/dpkg/info/<name>.list (or <name>:<arch>.list, Multi-Arch: same) of each
  // package found in var/lib/dpkg/status, and status.d/<name>.md5sums for distroless stanzas.
  void find_owners(const sources::FileTree& tree, const model::Inventory& inventory,
                   OwnerQuery& query) const override;
};

// Parses dpkg status text (RFC 822-style stanzas separated by blank lines, continuation lines
// starting with a blank; field names case-insensitive) into packages with name, version, arch,
// source_name, source_version and `location` as their only location; the ecosystem is left for
// the caller. Only installed packages are kept: Status state "installed" or, as dpkg-query also
// shows them configured, "triggers-awaited"/"triggers-pending"; "config-files", "half-installed"
// etc. are skipped. A stanza without Status is kept only when `status_optional` (status.d).
// Malformed lines and stanzas become diagnostics naming `location`:line, and parsing carries on.
std::vector<model::Package> parse_dpkg_status(std::string_view text, std::string_view location,
                                              bool status_optional,
                                              std::vector<model::Diagnostic>& diagnostics);

}  // namespace vigil::inventory
