// The scope of an incremental re-match: which of a resource's packages a vulnerability-database
// change touches, and how that scope travels in a persistent re-match job. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "model/inventory.hpp"

namespace vigil::service::internal {

// (ecosystem name, normalised package name) keys of changed advisories, as the store's package
// index and the vulnerability database's change feed name them.
using PackageKeys = std::set<std::pair<std::string, std::string>>;

// Beyond this many changed keys a re-match job carries none and re-matches the whole resource.
inline constexpr std::size_t kMaxPartialKeys = 2000;

// The payload of a "rematch" job after database version `version`: with `keys` (when given and
// not too many) the job re-matches only the packages they touch.
std::string rematch_payload(std::int64_t version, const PackageKeys* keys);

// The keys a re-match job payload carries; nullopt = re-match everything (no keys, or a payload
// this build does not understand).
std::optional<PackageKeys> rematch_keys(const std::string& payload);

// Narrows `inventory` to the packages `keys` touch (by name or source name) plus every other
// instance sharing one of their names, whatever its ecosystem, and returns those names: findings
// are scoped by package name, so all of a name's instances are re-evaluated together. Returns
// nullopt, leaving the inventory whole, when every package is in scope.
std::optional<std::set<std::string>> select_rematch_packages(model::Inventory& inventory,
                                                             const PackageKeys& keys);

}  // namespace vigil::service::internal
