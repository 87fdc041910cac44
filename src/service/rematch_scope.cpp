#include "service/internal/rematch_scope.hpp"

#include <nlohmann/json.hpp>

#include <vector>

#include "matcher/matcher.hpp"

namespace vigil::service::internal {
namespace {

using nlohmann::json;

std::string package_key_name(model::Ecosystem ecosystem, const std::string& name) {
  return matcher::normalize_name(ecosystem, name);
}

}  // namespace

std::string rematch_payload(std::int64_t version, const PackageKeys* keys) {
  json payload{{"trigger", "vulndb"}, {"version", version}};
  if (keys != nullptr && keys->size() <= kMaxPartialKeys) {
    json list = json::array();
    for (const auto& [ecosystem, name] : *keys) {
      list.push_back(json::array({ecosystem, name}));
    }
    payload["keys"] = std::move(list);
  }
  return payload.dump();
}

std::optional<PackageKeys> rematch_keys(const std::string& payload) {
  const auto parsed = json::parse(payload, nullptr, false);
  if (!parsed.is_object()) {
    return std::nullopt;
  }
  const auto found = parsed.find("keys");
  if (found == parsed.end() || !found->is_array()) {
    return std::nullopt;  // a full re-match
  }
  PackageKeys keys;
  for (const auto& key : *found) {
    if (!key.is_array() || key.size() != 2 || !key[0].is_string() || !key[1].is_string()) {
      return std::nullopt;  // not ours: re-match everything rather than guess
    }
    keys.emplace(key[0].get<std::string>(), key[1].get<std::string>());
  }
  return keys;
}

std::optional<std::set<std::string>> select_rematch_packages(model::Inventory& inventory,
                                                             const PackageKeys& keys) {
  // Every instance whose (ecosystem, name) or (ecosystem, source name) changed, as the store's
  // package index keys them...
  std::set<std::string> names;
  for (const auto& package : inventory.packages) {
    const std::string ecosystem(model::ecosystem_name(package.ecosystem));
    if (keys.contains({ecosystem, package_key_name(package.ecosystem, package.name)}) ||
        (!package.source_name.empty() &&
         keys.contains({ecosystem, package_key_name(package.ecosystem, package.source_name)}))) {
      names.insert(package.name);
    }
  }
  // ...then every instance sharing one of their names, whatever its ecosystem: findings are
  // scoped by package name, so all of a name's findings must be re-evaluated together.
  std::vector<model::Package> selected;
  for (auto& package : inventory.packages) {
    if (names.contains(package.name)) {
      selected.push_back(std::move(package));
    }
  }
  if (selected.size() == inventory.packages.size()) {
    inventory.packages = std::move(selected);
    return std::nullopt;  // everything changed: a full re-match
  }
  inventory.packages = std::move(selected);
  return names;
}

}  // namespace vigil::service::internal
