// Packages compiled into ELF executables: Go module build info (what `go version -m` prints)
// and cargo-auditable's embedded Rust dependency list.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {

// wants() sees only a path, so it selects where executables live, cheaply:
//   - any file under a directory named bin, sbin, libexec or cni;
//   - files without a '.' in their name at the tree root or under opt/, usr/local/, app/, srv/,
//     home/, root/, go/ and var/task/ (Lambda), plus any file named "bootstrap" (Lambda custom
//     runtimes).
// catalog() then skips, before reading, anything that is not an executable regular file
// (no x bit) of 64 bytes to 256 MiB, and, after reading, anything that is not ELF.
// For a Go program it reports the main module (the "mod" line, version as embedded, e.g.
// "(devel)"), every "dep" module (a "=>" replacement with a version wins, reported under the
// replacement's path) and the toolchain as "stdlib" at the "go1.x.y" version; GOPATH builds
// have no "mod" line and only give "stdlib". For a cargo-auditable Rust program it reports every
// non-local crate. A damaged build-info blob or .dep-v0 section becomes a warning naming the
// file. Stateless and thread-safe.
class BinaryCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "binary"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
