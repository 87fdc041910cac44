// package.json and package-lock.json: JSON documents read with simdjson's DOM (bounded depth,
// no recursion in our traversal: the v1 dependency tree is walked with an explicit stack).
#include <simdjson.h>

#include <utility>

#include "core/strings.hpp"
#include "inventory/catalogers/node_lockfiles.hpp"

namespace vigil::inventory::lang {
namespace {

constexpr std::string_view kNodeModules = "node_modules/";

Result<simdjson::dom::element> parse_json(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::element doc;
  if (const auto error = parser.parse(text.data(), text.size()).get(doc);
      error != simdjson::SUCCESS) {
    return fail(Error::parse("invalid JSON: {}", simdjson::error_message(error)));
  }
  return doc;
}

std::optional<std::string_view> string_field(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

// v1 "version" values: "1.2.3", an alias "npm:real@1.2.3", or a git/tarball/file specifier.
void add_v1_entry(std::string_view key, std::string_view version,
                  std::vector<NodeDependency>& out) {
  if (starts_with_ci(version, "npm:")) {
    const auto alias = split_name_at(version.substr(4));
    if (alias && is_registry_version(alias->second)) {
      out.push_back({std::string(alias->first), std::string(alias->second)});
    }
    return;
  }
  if (is_registry_version(version)) {
    out.push_back({std::string(key), std::string(version)});
  }
}

std::vector<NodeDependency> read_v1(simdjson::dom::object root_dependencies) {
  std::vector<NodeDependency> out;
  std::vector<simdjson::dom::object> pending{root_dependencies};
  while (!pending.empty()) {
    const simdjson::dom::object dependencies = pending.back();
    pending.pop_back();
    for (const auto entry : dependencies) {
      simdjson::dom::object body;
      if (entry.value.get(body) != simdjson::SUCCESS) {
        continue;
      }
      if (const auto version = string_field(body, "version")) {
        add_v1_entry(entry.key, *version, out);
      }
      simdjson::dom::object nested;
      if (body["dependencies"].get(nested) == simdjson::SUCCESS) {
        pending.push_back(nested);
      }
    }
  }
  return out;
}

std::vector<NodeDependency> read_packages_map(simdjson::dom::object packages) {
  std::vector<NodeDependency> out;
  for (const auto entry : packages) {
    const std::string_view key = entry.key;
    const size_t last = key.rfind(kNodeModules);
    if (key.empty() || last == std::string_view::npos) {
      continue;  // the root project or a workspace folder: the project's own code
    }
    simdjson::dom::object body;
    if (entry.value.get(body) != simdjson::SUCCESS) {
      continue;
    }
    bool link = false;
    if (body["link"].get(link) == simdjson::SUCCESS && link) {
      continue;  // a symlink to a workspace folder, reported nowhere else either
    }
    const auto version = string_field(body, "version");
    if (!version || !is_registry_version(*version)) {
      continue;
    }
    const auto alias_name = string_field(body, "name");
    const std::string_view name =
        alias_name && !alias_name->empty() ? *alias_name : key.substr(last + kNodeModules.size());
    if (!name.empty()) {
      out.push_back({std::string(name), std::string(*version)});
    }
  }
  return out;
}

}  // namespace

bool is_registry_version(std::string_view version) {
  return !version.empty() && is_digit(version.front());
}

std::optional<std::pair<std::string_view, std::string_view>> split_name_at(std::string_view spec) {
  const size_t at = spec.find('@', spec.starts_with('@') ? 1 : 0);
  if (at == std::string_view::npos || at == 0) {
    return std::nullopt;
  }
  return std::pair{spec.substr(0, at), spec.substr(at + 1)};
}

Result<std::optional<NodeDependency>> parse_package_json(std::string_view text) {
  simdjson::dom::parser parser;
  VIGIL_ASSIGN_OR_RETURN(const auto doc, parse_json(parser, text));
  simdjson::dom::object root;
  if (doc.get(root) != simdjson::SUCCESS) {
    return fail(Error::parse("package.json is not a JSON object"));
  }
  const auto name = string_field(root, "name");
  const auto version = string_field(root, "version");
  if (!name || name->empty() || !version || version->empty()) {
    return std::optional<NodeDependency>{};
  }
  return std::optional<NodeDependency>{NodeDependency{std::string(*name), std::string(*version)}};
}

Result<std::vector<NodeDependency>> parse_package_lock(std::string_view text) {
  simdjson::dom::parser parser;
  VIGIL_ASSIGN_OR_RETURN(const auto doc, parse_json(parser, text));
  simdjson::dom::object root;
  if (doc.get(root) != simdjson::SUCCESS) {
    return fail(Error::parse("lockfile is not a JSON object"));
  }
  simdjson::dom::object map;
  if (root["packages"].get(map) == simdjson::SUCCESS) {
    return read_packages_map(map);
  }
  if (root["dependencies"].get(map) == simdjson::SUCCESS) {
    return read_v1(map);
  }
  if (root["lockfileVersion"].error() == simdjson::SUCCESS) {
    return std::vector<NodeDependency>{};  // a project without dependencies
  }
  return fail(Error::parse("lockfile has neither \"packages\" nor \"dependencies\""));
}

}  // namespace vigil::inventory::lang
