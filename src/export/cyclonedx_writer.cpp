// CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/) for an SbomDocument.
#include <map>
#include <set>
#include <utility>

#include "export/internal/common.hpp"
#include "export/sbom.hpp"

namespace vigil::exporter {
namespace internal {
namespace {

constexpr std::string_view kSubjectRef = "vigil:subject";
constexpr std::string_view kOsRef = "vigil:os";

std::string_view subject_component_type(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kImage:
      return "container";
    case SubjectKind::kFunction:
      return "application";
    case SubjectKind::kHost:
      return "device";
    case SubjectKind::kDirectory:
      return "file";
  }
  return "file";
}

std::string layer_ref(const SbomLayer& layer) { return "vigil:layer:" + layer.digest; }

OrderedJson properties_json(const std::vector<Property>& properties) {
  OrderedJson out = OrderedJson::array();
  for (const auto& [name, value] : properties) {
    out.push_back({{"name", name}, {"value", value}});
  }
  return out;
}

void add_sha256(OrderedJson& component, std::string_view digest) {
  if (const auto hex = sha256_hex_of(digest)) {
    component["hashes"] = OrderedJson::array({{{"alg", "SHA-256"}, {"content", *hex}}});
  }
}

OrderedJson subject_component(const SbomSubject& subject) {
  OrderedJson component;
  component["type"] = subject_component_type(subject.kind);
  component["bom-ref"] = kSubjectRef;
  component["name"] =
      subject.name.empty() ? std::string(subject_kind_name(subject.kind)) : subject.name;
  if (!subject.version.empty()) {
    component["version"] = subject.version;
  }
  add_sha256(component, subject.digest);
  std::vector<Property> properties{
      {std::string(kPropSubjectKind), std::string(subject_kind_name(subject.kind))}};
  if (!subject.id.empty()) {
    properties.emplace_back(kPropSubjectId, subject.id);
  }
  if (!subject.digest.empty()) {
    properties.emplace_back("vigil:subject-digest", subject.digest);
  }
  component["properties"] = properties_json(properties);
  return component;
}

OrderedJson os_component(const model::OsIdentity& os) {
  OrderedJson component;
  component["type"] = "operating-system";
  component["bom-ref"] = kOsRef;
  component["name"] = os.id;
  if (!os.version_id.empty()) {
    component["version"] = os.version_id;
  }
  if (!os.pretty_name.empty()) {
    component["description"] = os.pretty_name;
  }
  if (const auto properties = os_properties(os); !properties.empty()) {
    component["properties"] = properties_json(properties);
  }
  return component;
}

OrderedJson layer_component(const SbomLayer& layer, size_t index) {
  OrderedJson component;
  component["type"] = "file";
  component["bom-ref"] = layer_ref(layer);
  component["name"] = layer.digest;
  if (!layer.name.empty()) {
    component["description"] = layer.name;
  }
  add_sha256(component, layer.digest);
  component["properties"] = properties_json({{"vigil:layer-index", std::to_string(index)}});
  return component;
}

}  // namespace

OrderedJson cyclonedx_package(const model::Package& package, const std::string& ref) {
  OrderedJson component;
  component["type"] = "library";
  component["bom-ref"] = ref;
  // CycloneDX's Maven convention: groupId in `group`, artifactId in `name`.
  const size_t colon = package.name.find(':');
  if (package.ecosystem == model::Ecosystem::kMaven && colon != std::string::npos) {
    component["group"] = package.name.substr(0, colon);
    component["name"] = package.name.substr(colon + 1);
  } else {
    component["name"] = package.name;
  }
  if (!package.version.empty()) {
    component["version"] = package.version;
  }
  if (!package.cpes.empty()) {
    component["cpe"] = package.cpes.front();
  }
  if (!package.purl.empty()) {
    component["purl"] = package.purl;
  }
  std::set<std::string> seen;
  OrderedJson occurrences = OrderedJson::array();
  for (const auto& location : package.locations) {
    if (seen.insert(location).second) {
      occurrences.push_back({{"location", location}});
    }
  }
  if (!occurrences.empty()) {
    component["evidence"] = {{"occurrences", std::move(occurrences)}};
  }
  auto properties = package_properties(package);
  for (size_t idx = 1; idx < package.cpes.size(); ++idx) {
    properties.emplace_back(kPropCpe, package.cpes[idx]);
  }
  component["properties"] = properties_json(properties);
  return component;
}

OrderedJson cyclonedx_bom(const SbomDocument& document, const PreparedDocument& prepared) {
  const auto& inventory = document.inventory;
  OrderedJson bom;
  bom["$schema"] = "http://cyclonedx.org/schema/bom-1.6.schema.json";
  bom["bomFormat"] = "CycloneDX";
  bom["specVersion"] = "1.6";
  bom["serialNumber"] = "urn:uuid:" + prepared.uuid;
  bom["version"] = 1;

  OrderedJson metadata;
  metadata["timestamp"] = prepared.timestamp;
  OrderedJson tool{{"type", "application"}, {"name", "vigil"}};
  if (!document.tool_version.empty()) {
    tool["version"] = document.tool_version;
  }
  metadata["tools"] = {{"components", OrderedJson::array({tool})}};
  metadata["component"] = subject_component(document.subject);
  if (!inventory.complete) {
    metadata["properties"] = properties_json({{std::string(kPropComplete), "false"}});
  }
  bom["metadata"] = std::move(metadata);

  OrderedJson components = OrderedJson::array();
  OrderedJson subject_depends = OrderedJson::array();
  if (!inventory.os.id.empty()) {
    components.push_back(os_component(inventory.os));
    subject_depends.push_back(kOsRef);
  }
  std::map<std::string, size_t> layer_index;
  for (size_t idx = 0; idx < prepared.layers.size(); ++idx) {
    components.push_back(layer_component(prepared.layers[idx], idx));
    subject_depends.push_back(layer_ref(prepared.layers[idx]));
    layer_index.emplace(prepared.layers[idx].digest, idx);
  }
  std::vector<OrderedJson> layer_depends(prepared.layers.size(), OrderedJson::array());
  for (size_t idx = 0; idx < inventory.packages.size(); ++idx) {
    const auto& package = inventory.packages[idx];
    const std::string& ref = prepared.package_refs[idx];
    components.push_back(cyclonedx_package(package, ref));
    const auto layer = layer_index.find(package.layer_digest);
    if (layer == layer_index.end()) {
      subject_depends.push_back(ref);
    } else {
      layer_depends[layer->second].push_back(ref);
    }
  }
  bom["components"] = std::move(components);

  OrderedJson dependencies = OrderedJson::array();
  dependencies.push_back({{"ref", kSubjectRef}, {"dependsOn", std::move(subject_depends)}});
  for (size_t idx = 0; idx < prepared.layers.size(); ++idx) {
    dependencies.push_back(
        {{"ref", layer_ref(prepared.layers[idx])}, {"dependsOn", std::move(layer_depends[idx])}});
  }
  // Ownership, in the same containment reading: the OS package that installed a language
  // package's files "dependsOn" it (the `vigil:owned-by` property says it without ambiguity).
  for (const auto& [owner, owned] : ownership_edges(inventory)) {
    OrderedJson refs = OrderedJson::array();
    for (const size_t idx : owned) {
      refs.push_back(prepared.package_refs[idx]);
    }
    dependencies.push_back({{"ref", prepared.package_refs[owner]}, {"dependsOn", std::move(refs)}});
  }
  bom["dependencies"] = std::move(dependencies);
  return bom;
}

}  // namespace internal

Result<std::string> write_cyclonedx(const SbomDocument& document) {
  VIGIL_ASSIGN_OR_RETURN(const auto prepared, internal::prepare(document));
  return internal::dump(internal::cyclonedx_bom(document, prepared));
}

}  // namespace vigil::exporter
