// Helpers shared by the language-package catalogers: package and purl construction, diagnostics,
// path tests and a few tiny text parsers. Internal to the inventory module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/inventory.hpp"
#include "model/package.hpp"
#include "sources/file_tree.hpp"

namespace vigil::inventory::lang {

// Read limits per kind of evidence: metadata files are small, lockfiles can be large.
inline constexpr uint64_t kMaxMetadataBytes = uint64_t{8} << 20;
inline constexpr uint64_t kMaxLockfileBytes = uint64_t{64} << 20;

// Returns the canonical purl "pkg:<type>/<namespace>/<name>@<version>". Uses model::to_string
// and falls back to a local printer (percent-encoding per the purl spec, pypi names lower-cased
// with '_' -> '-', npm names lower-cased) when that one reports an error. `namespace_` may be
// empty and may hold '/'-separated segments. Returns "" when `name` is empty.
std::string make_purl(std::string_view type, std::string_view namespace_, std::string_view name,
                      std::string_view version);

// Returns the purl of the Go module `module_path` ("github.com/foo/bar" -> namespace
// "github.com/foo", name "bar").
std::string make_golang_purl(std::string_view module_path, std::string_view version);

// Returns a language package found at `location`.
model::Package make_package(model::Ecosystem ecosystem, std::string name, std::string version,
                            std::string purl, std::string location);

// Appends a warning diagnostic "<cataloger>: <message>" for the file `where`.
void add_warning(model::Inventory& inventory, std::string_view cataloger, std::string_view where,
                 std::string_view message);

// Reads `path` from `tree` (at most `max_bytes`); on failure appends a warning naming the file
// and returns nullopt.
std::optional<std::string> read_evidence(const sources::FileTree& tree, std::string_view path,
                                         uint64_t max_bytes, std::string_view cataloger,
                                         model::Inventory& inventory);

// Path helpers for '/'-separated relative paths.
std::string_view base_name(std::string_view path);
std::string_view dir_name(std::string_view path);  // "" for a top-level entry
bool ends_with_ci(std::string_view text, std::string_view suffix);
// True if one of the '/'-separated directory components of `path` (the base name excluded)
// equals `segment`.
bool has_dir_segment(std::string_view path, std::string_view segment);

// Calls `visit` for every line of `text` (without the line terminator, '\r' stripped).
// Stops early when `visit` returns false.
template <class Visit>
void for_each_line(std::string_view text, Visit&& visit) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (!visit(line)) {
      return;
    }
    start = end + 1;
  }
}

// One "Key: value" header of an RFC 822 style block (Python METADATA / PKG-INFO).
struct Header {
  std::string name;
  std::string value;
};

// Parses the header block at the start of `text` (up to the first empty line). Continuation
// lines (starting with a space or tab) are appended to the previous value with a '\n'. Lines
// without ':' are ignored.
std::vector<Header> parse_headers(std::string_view text);

// Returns the value of the first header named `name` (case-insensitive), or nullopt.
std::optional<std::string_view> find_header(const std::vector<Header>& headers,
                                            std::string_view name);

// Returns `text` without one pair of surrounding double or single quotes.
std::string_view unquote(std::string_view text);

}  // namespace vigil::inventory::lang
