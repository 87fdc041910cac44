#include "service/internal/rematch_scope.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

#include "matcher/matcher.hpp"

namespace vigil::service::internal {
namespace {

using nlohmann::json;

std::string package_key_name(model::Ecosystem ecosystem, std::string_view name) {
  return matcher::normalize_name(ecosystem, name);
}

}  // namespace

std::string rematch_payload(std::int64_t version, const RematchScope* scope) {
  json payload{{"trigger", "vulndb"}, {"version", version}};
  if (scope != nullptr && scope->keys.size() + scope->names.size() <= kMaxPartialKeys) {
    json keys = json::array();
    for (const auto& [ecosystem, name] : scope->keys) {
      keys.push_back(json::array({ecosystem, name}));
    }
    payload["keys"] = std::move(keys);
    if (!scope->names.empty()) {
      payload["names"] = scope->names;
    }
    if (scope->vulnerabilities && scope->vulnerabilities->size() <= kMaxChangedIds) {
      payload["ids"] = *scope->vulnerabilities;
    }
  }
  return payload.dump();
}

std::optional<RematchScope> rematch_scope(const std::string& payload) {
  const auto parsed = json::parse(payload, nullptr, false);
  if (!parsed.is_object()) {
    return std::nullopt;
  }
  const auto found = parsed.find("keys");
  if (found == parsed.end() || !found->is_array()) {
    return std::nullopt;  // a full re-match
  }
  RematchScope scope;
  for (const auto& key : *found) {
    if (!key.is_array() || key.size() != 2 || !key[0].is_string() || !key[1].is_string()) {
      return std::nullopt;  // not ours: re-match everything rather than guess
    }
    scope.keys.emplace(key[0].get<std::string>(), key[1].get<std::string>());
  }
  const auto strings = [&](const char* field) -> std::optional<std::set<std::string>> {
    const auto list = parsed.find(field);
    if (list == parsed.end()) {
      return std::set<std::string>();
    }
    if (!list->is_array()) {
      return std::nullopt;
    }
    std::set<std::string> out;
    for (const auto& item : *list) {
      if (!item.is_string()) {
        return std::nullopt;
      }
      out.insert(item.get<std::string>());
    }
    return out;
  };
  auto names = strings("names");
  auto ids = strings("ids");
  if (!names || !ids) {
    return std::nullopt;
  }
  scope.names = std::move(*names);
  if (parsed.contains("ids")) {
    scope.vulnerabilities = std::move(*ids);
  }
  return scope;
}

std::optional<std::set<std::string>> select_rematch_names(
    const std::vector<store::PackageHead>& heads, const PackageKeys& keys,
    const std::set<std::string>& names) {
  // Every instance whose (ecosystem, name) or (ecosystem, source name) changed, as the store's
  // package index keys them...
  std::set<std::string> selected;
  for (const auto& head : heads) {
    std::string name(head.name);
    if (selected.contains(name)) {
      continue;
    }
    const std::string ecosystem(model::ecosystem_name(head.ecosystem));
    if (names.contains(name) || keys.contains({ecosystem, package_key_name(head.ecosystem, name)}) ||
        (!head.source_name.empty() &&
         keys.contains({ecosystem, package_key_name(head.ecosystem, head.source_name)}))) {
      selected.insert(std::move(name));
    }
  }
  // ...then every instance sharing one of their names, whatever its ecosystem: findings are
  // scoped by package name, so all of a name's findings must be re-evaluated together.
  const auto in_scope = std::count_if(heads.begin(), heads.end(), [&](const auto& head) {
    return selected.contains(std::string(head.name));
  });
  if (static_cast<std::size_t>(in_scope) == heads.size()) {
    return std::nullopt;  // everything changed: a full re-match
  }
  return selected;
}

std::optional<std::set<std::string>> select_rematch_packages(model::Inventory& inventory,
                                                             const PackageKeys& keys,
                                                             const std::set<std::string>& names) {
  std::vector<store::PackageHead> heads;
  heads.reserve(inventory.packages.size());
  for (const auto& package : inventory.packages) {
    heads.push_back({package.ecosystem, package.name, package.source_name});
  }
  auto selected = select_rematch_names(heads, keys, names);
  if (selected) {
    std::erase_if(inventory.packages, [&](const model::Package& package) {
      return !selected->contains(package.name);
    });
  }
  return selected;
}

}  // namespace vigil::service::internal
