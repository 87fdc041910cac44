#include "inventory/catalogers/dotnet.hpp"

#include <simdjson.h>

#include <set>
#include <utility>

#include "inventory/catalogers/lang_util.hpp"

namespace vigil::inventory {
namespace lang {
namespace {

Result<simdjson::dom::object> parse_object(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::element doc;
  if (const auto error = parser.parse(text.data(), text.size()).get(doc);
      error != simdjson::SUCCESS) {
    return fail(Error::parse("invalid JSON: {}", simdjson::error_message(error)));
  }
  simdjson::dom::object root;
  if (doc.get(root) != simdjson::SUCCESS) {
    return fail(Error::parse("not a JSON object"));
  }
  return root;
}

}  // namespace

Result<std::vector<NugetPackage>> parse_deps_json(std::string_view text) {
  simdjson::dom::parser parser;
  VIGIL_ASSIGN_OR_RETURN(const auto root, parse_object(parser, text));
  simdjson::dom::object libraries;
  if (root["libraries"].get(libraries) != simdjson::SUCCESS) {
    return fail(Error::parse("no \"libraries\" object"));
  }
  std::vector<NugetPackage> out;
  for (const auto entry : libraries) {
    std::string_view type;
    if (entry.value["type"].get(type) != simdjson::SUCCESS || type != "package") {
      continue;
    }
    const std::string_view key = entry.key;
    const size_t slash = key.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) {
      return fail(Error::parse("library key '{}' is not 'Name/Version'", key));
    }
    out.push_back({std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))});
  }
  return out;
}

Result<std::vector<NugetPackage>> parse_packages_lock(std::string_view text) {
  simdjson::dom::parser parser;
  VIGIL_ASSIGN_OR_RETURN(const auto root, parse_object(parser, text));
  simdjson::dom::object frameworks;
  if (root["dependencies"].get(frameworks) != simdjson::SUCCESS) {
    return fail(Error::parse("no \"dependencies\" object"));
  }
  std::vector<NugetPackage> out;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto framework : frameworks) {
    simdjson::dom::object packages;
    if (framework.value.get(packages) != simdjson::SUCCESS) {
      continue;
    }
    for (const auto entry : packages) {
      std::string_view type;
      std::string_view resolved;
      if (entry.value["type"].get(type) == simdjson::SUCCESS && type == "Project") {
        continue;
      }
      if (entry.value["resolved"].get(resolved) != simdjson::SUCCESS || resolved.empty()) {
        continue;
      }
      if (seen.emplace(entry.key, resolved).second) {
        out.push_back({std::string(entry.key), std::string(resolved)});
      }
    }
  }
  return out;
}

}  // namespace lang

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {
constexpr std::string_view kName = "dotnet";
}  // namespace

bool DotnetCataloger::wants(std::string_view path) const {
  const std::string_view base = base_name(path);
  return base == "packages.lock.json" || (base.size() > 10 && base.ends_with(".deps.json"));
}

void DotnetCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                              model::Inventory& inventory) const {
  for (const auto& path : paths) {
    const auto text = read_evidence(tree, path, kMaxLockfileBytes, kName, inventory);
    if (!text) {
      continue;
    }
    auto packages = base_name(path) == "packages.lock.json" ? parse_packages_lock(*text)
                                                            : parse_deps_json(*text);
    if (!packages) {
      add_warning(inventory, kName, path, packages.error().message);
      continue;
    }
    for (auto& package : *packages) {
      std::string purl = make_purl("nuget", "", package.name, package.version);
      inventory.packages.push_back(make_package(model::Ecosystem::kNuGet, std::move(package.name),
                                                std::move(package.version), std::move(purl), path));
    }
  }
}

}  // namespace vigil::inventory
