// Go module build information embedded in Go executables (what `go version -m` prints) and the
// go.mod format. Pure parsers; internal to the inventory module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "inventory/catalogers/elf.hpp"

namespace vigil::inventory::lang {

struct GoModule {
  std::string path;
  std::string version;

  friend bool operator==(const GoModule&, const GoModule&) = default;
};

struct GoBuildInfo {
  std::string go_version;        // "go1.21.5"
  std::string main_path;         // the "path" line: the main package
  std::optional<GoModule> main;  // the "mod" line (absent for GOPATH builds)
  std::vector<GoModule> deps;    // "dep" lines, replacements applied

  friend bool operator==(const GoBuildInfo&, const GoBuildInfo&) = default;
};

// Parses the modinfo text ("path\t…", "mod\t<path>\t<version>\t<sum>", "dep\t…", "=>\t…",
// "build\t…" lines, sentinels already removed). A "=>" line replaces the module above it: a
// replacement with a version (another module) wins; a local directory replacement (no version,
// or "(devel)") keeps the original path and version. Unknown lines are ignored.
GoBuildInfo parse_modinfo(std::string_view text);

// Finds and decodes the build info blob of the Go executable `elf` (magic "\xff Go buildinf:",
// 16-byte aligned, searched in the first 64 KiB of the .go.buildinfo section, or of the first
// writable PT_LOAD segment when there are no section headers). Handles the pointer-based format
// (Go 1.13-1.17) and the inline varint strings of Go >= 1.18. Returns nullopt when there is no
// blob (not a Go program), kParse when the blob is damaged.
[[nodiscard]] Result<std::optional<GoBuildInfo>> read_go_buildinfo(const ElfFile& elf);

// Returns the modules a go.mod requires (single-line and block `require`), with its `replace`
// directives applied as above. Comments ("// indirect") are ignored. kParse for an unterminated
// block or a require line without a version.
[[nodiscard]] Result<std::vector<GoModule>> parse_go_mod(std::string_view text);

}  // namespace vigil::inventory::lang
