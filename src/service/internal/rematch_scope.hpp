// The scope of an incremental re-match: which of a resource's packages a vulnerability-database
// change touches, and how that scope travels in a persistent re-match job. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/inventory.hpp"
#include "store/store.hpp"

namespace vigil::service::internal {

// (ecosystem name, normalised package name) keys of changed advisories, as the store's package
// index and the vulnerability database's change feed name them.
using PackageKeys = std::set<std::pair<std::string, std::string>>;

// What a database change asks a resource to re-evaluate.
struct RematchScope {
  PackageKeys keys;             // packages whose (ecosystem, name or source name) changed
  std::set<std::string> names;  // packages named by findings of changed CVEs (NVD, no keys)
  // The changed advisory ids and their aliases: only findings naming one of them are rewritten
  // (nullopt: every finding of the selected packages is).
  std::optional<std::set<std::string>> vulnerabilities;

  friend bool operator==(const RematchScope&, const RematchScope&) = default;
};

// Beyond this many changed keys and names a re-match job carries none and re-matches the whole
// resource; beyond this many changed ids it rewrites every finding of the selected packages.
inline constexpr std::size_t kMaxPartialKeys = 2000;
inline constexpr std::size_t kMaxChangedIds = 5000;

// The payload of a "rematch" job after database version `version`: with `scope` (when given and
// not too large) the job re-matches only the packages it touches.
std::string rematch_payload(std::int64_t version, const RematchScope* scope);

// The scope a re-match job payload carries; nullopt = re-match everything (no scope, or a
// payload this build does not understand).
std::optional<RematchScope> rematch_scope(const std::string& payload);

// Narrows `inventory` to the packages `keys` touch (by name or source name) or `names` names,
// plus every other instance sharing one of their names, whatever its ecosystem, and returns those
// names: findings are scoped by package name, so all of a name's instances are re-evaluated
// together. Returns nullopt, leaving the inventory whole, when every package is in scope.
std::optional<std::set<std::string>> select_rematch_packages(
    model::Inventory& inventory, const PackageKeys& keys, const std::set<std::string>& names = {});
// The same choice over the stored packages' heads (Store::inventory's selector): the names to
// decode, or nullopt when every package is in scope.
std::optional<std::set<std::string>> select_rematch_names(
    const std::vector<store::PackageHead>& heads, const PackageKeys& keys,
    const std::set<std::string>& names = {});

}  // namespace vigil::service::internal
