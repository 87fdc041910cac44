// Rust crates: Cargo.lock files, and the dependency list cargo-auditable embeds in binaries
// (the ".dep-v0" section, zlib-compressed JSON).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "inventory/cataloger.hpp"

namespace vigil::inventory {
namespace lang {

struct RustCrate {
  std::string name;
  std::string version;

  friend bool operator==(const RustCrate&, const RustCrate&) = default;
};

// Returns the [[package]] entries of a Cargo.lock that have a `source` (registry or git);
// workspace and path crates have none and are skipped. kParse when a package lacks a name or
// version.
[[nodiscard]] Result<std::vector<RustCrate>> parse_cargo_lock(std::string_view text);

// Inflates (zlib, at most 16 MiB) and parses cargo-auditable's `.dep-v0` data: the "packages"
// array, without the "local" (workspace) crates. kParse for bad compression or JSON.
[[nodiscard]] Result<std::vector<RustCrate>> parse_cargo_auditable(std::string_view compressed);

}  // namespace lang

// Reports a crates.io package ("pkg:cargo/serde@1.0.0") per non-local crate of each Cargo.lock.
// A malformed file becomes a warning. Stateless and thread-safe.
class CargoLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "cargo-lock"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
