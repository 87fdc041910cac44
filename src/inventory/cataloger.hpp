// Catalogers find installed packages in a FileTree without executing anything from it. The
// inventory walks the tree once and hands each cataloger the files it asked for.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/inventory.hpp"
#include "sources/file_tree.hpp"

namespace vigil::inventory {

class OwnerQuery;  // inventory/ownership.hpp

class Cataloger {
 public:
  virtual ~Cataloger() = default;

  // Stable short name ("dpkg", "python", "npm-lock", ...), used in diagnostics and evidence.
  virtual std::string_view name() const = 0;

  // True if the regular file at `path` (relative, '/'-separated) is evidence this cataloger
  // reads. Called for every file of the walk: must be cheap (suffix/segment tests only).
  virtual bool wants(std::string_view path) const = 0;

  // Reads the `paths` it wanted from `tree` and appends packages to `inventory.packages`.
  // Problems with one file become diagnostics naming the file; the cataloger carries on.
  virtual void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                       model::Inventory& inventory) const = 0;

  // OS package managers: claims in `query` (OwnerQuery::claim) every evidence file that one of
  // the packages this cataloger put into `inventory` installed, from the manager's file lists.
  // Called after every cataloger ran, only for catalogers that had evidence and only when some
  // language package has evidence files. Only packages of an advisory ecosystem
  // (model::is_os_ecosystem) may claim: a package recorded as Generic has no distro data that
  // could cover what it installed. Unreadable lists are skipped (the file is then simply not
  // owned). Default: claims nothing.
  virtual void find_owners(const sources::FileTree& /*tree*/, const model::Inventory& /*inventory*/,
                           OwnerQuery& /*query*/) const {}
};

// The catalogers Vigil ships, as an explicit list (see docs/catalogers.md): dpkg, apk, rpm,
// then the language catalogers.
std::vector<std::unique_ptr<Cataloger>> default_catalogers();

// Identifies the OS of `tree` (os-release and friends, see os_release.hpp) and runs
// `catalogers` over one walk of the tree: each gets the regular files its wants() accepted, in
// walk order. Then, for every OS package, fills `distro_release` and (if the cataloger left it
// empty) `purl` from the OS identity, and adds a warning when its version does not parse under
// its ecosystem's scheme. Then asks the OS catalogers which language packages' evidence files
// their packages installed (Cataloger::find_owners) and sets those packages' `owner_purl`, and
// fills `cpes` from the curated table (inventory/cpe.hpp) where it knows the package. `target` is the tree's host root ("/") or its description; on the live
// host root, `os.kernel_release` is the running kernel (uname). With no cataloger the tree is
// not walked. Never fails as a whole: unreadable parts become diagnostics and
// `complete = false`. Thread-safe if the catalogers are (the shipped ones are).
model::Inventory catalog(const sources::FileTree& tree,
                         const std::vector<std::unique_ptr<Cataloger>>& catalogers);

}  // namespace vigil::inventory
