// pnpm-lock.yaml: only the column-0 `lockfileVersion:` line and the keys of the `packages:` map
// (two spaces in) are read, which is all the YAML this needs.
#include <utility>

#include "core/strings.hpp"
#include "inventory/catalogers/lang_util.hpp"
#include "inventory/catalogers/node_lockfiles.hpp"

namespace vigil::inventory::lang {
namespace {

// v5 keys: "/name/1.0.0" or "/@scope/name/1.0.0_peer@2.0.0" (peers after '_').
std::optional<NodeDependency> parse_v5_key(std::string_view key) {
  const size_t slash = key.rfind('/');
  if (slash == std::string_view::npos || slash == 0) {
    return std::nullopt;
  }
  std::string_view version = key.substr(slash + 1);
  version = version.substr(0, version.find('_'));
  return NodeDependency{std::string(key.substr(0, slash)), std::string(version)};
}

// v6 keys: "/name@1.0.0(peer@2.0.0)"; v9 keys: "name@1.0.0" (leading '/' already removed).
std::optional<NodeDependency> parse_at_key(std::string_view key) {
  key = key.substr(0, key.find('('));
  const auto parts = split_name_at(key);
  if (!parts) {
    return std::nullopt;
  }
  return NodeDependency{std::string(parts->first), std::string(parts->second)};
}

}  // namespace

Result<std::vector<NodeDependency>> parse_pnpm_lock(std::string_view text) {
  std::vector<NodeDependency> out;
  std::optional<int> major;
  bool in_packages = false;
  for_each_line(text, [&](std::string_view line) {
    if (trim(line).empty() || trim(line).starts_with('#')) {
      return true;
    }
    if (line.front() != ' ') {
      in_packages = trim(line) == "packages:";
      if (line.starts_with("lockfileVersion:")) {
        const std::string_view value = unquote(trim(line.substr(16)));
        if (!value.empty() && is_digit(value.front())) {
          // Only the major number matters (5.4 -> 5, '6.0' -> 6, '9.0' -> 9).
          major = value.front() - '0';
          if (value.size() > 1 && is_digit(value[1])) {
            major = 10;  // a two-digit major: newer than any format we know, '@' keys
          }
        }
      }
      return true;
    }
    if (!in_packages || line.size() < 3 || !line.starts_with("  ") || line[2] == ' ') {
      return true;
    }
    std::string_view key = trim(line.substr(2));
    if (!key.ends_with(':')) {
      return true;
    }
    key = unquote(trim(key.substr(0, key.size() - 1)));
    if (key.starts_with('/')) {
      key.remove_prefix(1);
    }
    // The key format depends on the version line, which pnpm writes first.
    const bool slash_keys = major.has_value() && *major < 6;
    auto dependency = slash_keys ? parse_v5_key(key) : parse_at_key(key);
    if (dependency && !dependency->name.empty() && is_registry_version(dependency->version)) {
      out.push_back(std::move(*dependency));
    }
    return true;
  });
  if (!major) {
    return fail(Error::parse("no lockfileVersion: not a pnpm lockfile"));
  }
  return out;
}

}  // namespace vigil::inventory::lang
