// CycloneDX JSON (1.2–1.7) -> Inventory: metadata.component names the target, the first
// operating-system component the OS, library / framework / application components (at any
// nesting depth) the packages.
#include <fmt/format.h>

#include "core/strings.hpp"
#include "export/internal/reader.hpp"

namespace vigil::exporter::internal {
namespace {

constexpr int kMaxComponentDepth = 64;

struct CdxState {
  ReadSbom result;
  std::vector<ComponentFacts> packages;
  bool have_os = false;
};

Result<std::vector<Property>> read_properties(const Json& object, std::string_view where) {
  std::vector<Property> out;
  VIGIL_ASSIGN_OR_RETURN(const Json* properties, get_array(object, "properties", where));
  if (properties == nullptr) {
    return out;
  }
  for (size_t idx = 0; idx < properties->size(); ++idx) {
    const std::string item_where = fmt::format("{}[{}]", member_path(where, "properties"), idx);
    const Json& item = (*properties)[idx];
    if (!item.is_object()) {
      return fail(Error::parse("{}: expected an object, got {}", item_where, item.type_name()));
    }
    VIGIL_ASSIGN_OR_RETURN(const auto name, get_string(item, "name", item_where));
    VIGIL_ASSIGN_OR_RETURN(const auto value, get_string(item, "value", item_where));
    if (name) {
      out.emplace_back(*name, value.value_or(""));
    }
  }
  return out;
}

Result<std::vector<std::string>> read_occurrences(const Json& component, std::string_view where) {
  std::vector<std::string> out;
  VIGIL_ASSIGN_OR_RETURN(const Json* evidence, get_object(component, "evidence", where));
  if (evidence == nullptr) {
    return out;
  }
  const std::string evidence_where = member_path(where, "evidence");
  VIGIL_ASSIGN_OR_RETURN(const Json* occurrences,
                         get_array(*evidence, "occurrences", evidence_where));
  if (occurrences == nullptr) {
    return out;
  }
  for (size_t idx = 0; idx < occurrences->size(); ++idx) {
    const std::string item_where =
        fmt::format("{}[{}]", member_path(evidence_where, "occurrences"), idx);
    const Json& item = (*occurrences)[idx];
    if (!item.is_object()) {
      return fail(Error::parse("{}: expected an object, got {}", item_where, item.type_name()));
    }
    VIGIL_ASSIGN_OR_RETURN(const auto location, get_string(item, "location", item_where));
    if (location && !location->empty()) {
      out.push_back(*location);
    }
  }
  return out;
}

Result<ComponentFacts> read_facts(const Json& component, const std::string& where) {
  ComponentFacts facts;
  facts.where = where;
  VIGIL_ASSIGN_OR_RETURN(const auto name, get_string(component, "name", where));
  VIGIL_ASSIGN_OR_RETURN(const auto group, get_string(component, "group", where));
  VIGIL_ASSIGN_OR_RETURN(const auto version, get_string(component, "version", where));
  VIGIL_ASSIGN_OR_RETURN(const auto purl, get_string(component, "purl", where));
  VIGIL_ASSIGN_OR_RETURN(const auto cpe, get_string(component, "cpe", where));
  if (cpe && !cpe->empty()) {
    facts.cpes.push_back(*cpe);
  }
  facts.name = name.value_or("");
  facts.group = group.value_or("");
  facts.version = version.value_or("");
  facts.purl = purl.value_or("");
  VIGIL_ASSIGN_OR_RETURN(facts.properties, read_properties(component, where));
  VIGIL_ASSIGN_OR_RETURN(facts.occurrences, read_occurrences(component, where));
  return facts;
}

Result<void> read_os(const Json& component, const ComponentFacts& facts, CdxState& state) {
  if (state.have_os) {
    state.result.diagnostics.push_back(
        {model::DiagnosticLevel::kWarning, facts.where,
         fmt::format("second operating-system component '{}' ignored", facts.name)});
    return {};
  }
  VIGIL_ASSIGN_OR_RETURN(const auto description, get_string(component, "description", facts.where));
  state.result.inventory.os =
      build_os(facts.name, facts.version, description.value_or(""), facts.properties);
  state.have_os = true;
  return {};
}

Result<void> walk(const Json& components, const std::string& where, int depth, CdxState& state) {
  if (depth > kMaxComponentDepth) {
    return fail(Error::parse("{}: components nested deeper than {}", where, kMaxComponentDepth));
  }
  for (size_t idx = 0; idx < components.size(); ++idx) {
    const std::string item_where = fmt::format("{}[{}]", where, idx);
    const Json& component = components[idx];
    if (!component.is_object()) {
      return fail(
          Error::parse("{}: expected an object, got {}", item_where, component.type_name()));
    }
    VIGIL_ASSIGN_OR_RETURN(const auto type, get_string(component, "type", item_where));
    VIGIL_ASSIGN_OR_RETURN(auto facts, read_facts(component, item_where));
    const std::string kind = type.value_or("library");
    if (kind == "operating-system") {
      VIGIL_TRY(read_os(component, facts, state));
    } else if (kind == "library" || kind == "framework" || kind == "application") {
      state.packages.push_back(std::move(facts));
    }
    // Other types (container, file, device, data, ...) describe structure, not packages.
    VIGIL_ASSIGN_OR_RETURN(const Json* nested, get_array(component, "components", item_where));
    if (nested != nullptr) {
      VIGIL_TRY(walk(*nested, member_path(item_where, "components"), depth + 1, state));
    }
  }
  return {};
}

Result<void> read_metadata(const Json& root, CdxState& state) {
  VIGIL_ASSIGN_OR_RETURN(const Json* metadata, get_object(root, "metadata", ""));
  if (metadata == nullptr) {
    return {};
  }
  VIGIL_ASSIGN_OR_RETURN(const auto properties, read_properties(*metadata, "metadata"));
  if (const std::string* complete = find_property(properties, kPropComplete)) {
    state.result.inventory.complete = *complete != "false";
  }
  VIGIL_ASSIGN_OR_RETURN(const Json* subject, get_object(*metadata, "component", "metadata"));
  if (subject == nullptr) {
    return {};
  }
  VIGIL_ASSIGN_OR_RETURN(const auto facts, read_facts(*subject, "metadata.component"));
  VIGIL_ASSIGN_OR_RETURN(const auto type, get_string(*subject, "type", "metadata.component"));
  if (type && *type == "operating-system") {
    VIGIL_TRY(read_os(*subject, facts, state));
  }
  state.result.inventory.target =
      facts.group.empty() ? facts.name : fmt::format("{}/{}", facts.group, facts.name);
  return {};
}

// "1.2" ... "1.7": minor versions with the component and purl fields the reader uses.
bool supported_spec(std::string_view version) {
  return version.size() == 3 && version[0] == '1' && version[1] == '.' && version[2] >= '2' &&
         version[2] <= '7';
}

}  // namespace

Result<ReadSbom> read_cyclonedx(const Json& root) {
  VIGIL_ASSIGN_OR_RETURN(const auto format, get_string(root, "bomFormat", ""));
  if (!format || *format != "CycloneDX") {
    return fail(Error::parse("bomFormat: expected \"CycloneDX\", got \"{}\"", format.value_or("")));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto spec, get_string(root, "specVersion", ""));
  if (!spec) {
    return fail(Error::parse("specVersion: missing"));
  }
  if (!supported_spec(*spec)) {
    return fail(Error::unsupported("specVersion '{}': Vigil reads CycloneDX 1.2 to 1.7", *spec));
  }
  CdxState state;
  state.result.format = SbomFormat::kCycloneDx;
  state.result.spec_version = *spec;
  VIGIL_TRY(read_metadata(root, state));
  VIGIL_ASSIGN_OR_RETURN(const Json* components, get_array(root, "components", ""));
  if (components != nullptr) {
    VIGIL_TRY(walk(*components, "components", 0, state));
  }
  // Packages are built after the walk: an OS package may precede the operating-system
  // component that supplies its release.
  for (const auto& facts : state.packages) {
    state.result.inventory.packages.push_back(
        build_package(facts, state.result.inventory.os, state.result.diagnostics));
  }
  return std::move(state.result);
}

}  // namespace vigil::exporter::internal
