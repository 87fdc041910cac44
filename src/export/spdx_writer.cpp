// SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/) for an SbomDocument.
#include <fmt/format.h>

#include <map>
#include <set>

#include "core/strings.hpp"
#include "export/internal/common.hpp"
#include "export/sbom.hpp"

namespace vigil::exporter {
namespace {

using internal::OrderedJson;
using internal::Property;

constexpr std::string_view kDocumentId = "SPDXRef-DOCUMENT";
constexpr std::string_view kSubjectId = "SPDXRef-Subject";
constexpr std::string_view kOsId = "SPDXRef-OperatingSystem";

// SPDX 2.3 §3.2: idstring is [A-Za-z0-9.-]+; everything else becomes '-'.
std::string id_chars(std::string_view text) {
  std::string out;
  for (const char c : text) {
    out.push_back(is_alnum(c) || c == '.' || c == '-' ? c : '-');
  }
  return out.empty() ? std::string("x") : out;
}

std::string_view subject_purpose(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kImage:
      return "CONTAINER";
    case SubjectKind::kFunction:
      return "APPLICATION";
    case SubjectKind::kHost:
      return "DEVICE";
    case SubjectKind::kDirectory:
      return "FILE";
  }
  return "FILE";
}

class SpdxBuilder {
 public:
  SpdxBuilder(const SbomDocument& document, const internal::PreparedDocument& prepared)
      : document_(document),
        prepared_(prepared),
        annotator_(document.tool_version.empty()
                       ? std::string("Tool: vigil")
                       : fmt::format("Tool: vigil-{}", document.tool_version)) {}

  OrderedJson build() {
    const auto& inventory = document_.inventory;
    OrderedJson doc;
    doc["spdxVersion"] = "SPDX-2.3";
    doc["dataLicense"] = "CC0-1.0";
    doc["SPDXID"] = kDocumentId;
    const std::string name = document_.subject.name.empty()
                                 ? std::string(subject_kind_name(document_.subject.kind))
                                 : document_.subject.name;
    doc["name"] = name;
    doc["documentNamespace"] =
        fmt::format("https://vigil.invalid/spdx/{}/{}-{}",
                    subject_kind_name(document_.subject.kind), id_chars(name), prepared_.uuid);
    doc["creationInfo"] = {{"created", prepared_.timestamp},
                           {"creators", OrderedJson::array({annotator_})}};

    add_subject(name);
    relate(kDocumentId, "DESCRIBES", kSubjectId);
    if (!inventory.os.id.empty()) {
      add_os(inventory.os);
      relate(kSubjectId, "CONTAINS", kOsId);
    }
    std::map<std::string, std::string> layer_ids;
    for (size_t idx = 0; idx < prepared_.layers.size(); ++idx) {
      const std::string id = fmt::format("SPDXRef-Layer-{}", idx);
      add_layer(prepared_.layers[idx], idx, id);
      relate(kSubjectId, "CONTAINS", id);
      layer_ids.emplace(prepared_.layers[idx].digest, id);
    }
    std::vector<std::string> package_ids;
    for (size_t idx = 0; idx < inventory.packages.size(); ++idx) {
      const auto& package = inventory.packages[idx];
      const std::string id = add_package(package, prepared_.package_refs[idx]);
      const auto layer = layer_ids.find(package.layer_digest);
      relate(layer == layer_ids.end() ? std::string(kSubjectId) : layer->second, "CONTAINS", id);
      package_ids.push_back(id);
    }
    // The OS package that installed a language package's files contains it (SPDX 2.3 §11.1
    // CONTAINS: "SPDXRef-A contains SPDXRef-B"); the vigil:owned-by annotation names it too.
    for (const auto& [owner, owned] : internal::ownership_edges(inventory)) {
      for (const size_t idx : owned) {
        relate(package_ids[owner], "CONTAINS", package_ids[idx]);
      }
    }
    doc["packages"] = std::move(packages_);
    doc["relationships"] = std::move(relationships_);
    return doc;
  }

 private:
  OrderedJson base_package(std::string_view id, std::string_view name, std::string_view version) {
    OrderedJson package;
    package["name"] = name;
    package["SPDXID"] = id;
    if (!version.empty()) {
      package["versionInfo"] = version;
    }
    package["downloadLocation"] = "NOASSERTION";
    package["filesAnalyzed"] = false;
    package["licenseConcluded"] = "NOASSERTION";
    package["licenseDeclared"] = "NOASSERTION";
    package["copyrightText"] = "NOASSERTION";
    return package;
  }

  OrderedJson annotations(const std::vector<Property>& properties) const {
    OrderedJson out = OrderedJson::array();
    for (const auto& [key, value] : properties) {
      out.push_back({{"annotationDate", prepared_.timestamp},
                     {"annotationType", "OTHER"},
                     {"annotator", annotator_},
                     {"comment", fmt::format("{}={}", key, value)}});
    }
    return out;
  }

  static void add_checksum(OrderedJson& package, std::string_view digest) {
    if (const auto hex = internal::sha256_hex_of(digest)) {
      package["checksums"] =
          OrderedJson::array({{{"algorithm", "SHA256"}, {"checksumValue", *hex}}});
    }
  }

  void add_subject(const std::string& name) {
    const auto& subject = document_.subject;
    OrderedJson package = base_package(kSubjectId, name, subject.version);
    add_checksum(package, subject.digest);
    package["primaryPackagePurpose"] = subject_purpose(subject.kind);
    std::vector<Property> properties{
        {std::string(internal::kPropSubjectKind), std::string(subject_kind_name(subject.kind))}};
    if (!subject.id.empty()) {
      properties.emplace_back(internal::kPropSubjectId, subject.id);
    }
    if (!subject.digest.empty()) {
      properties.emplace_back("vigil:subject-digest", subject.digest);
    }
    if (!document_.inventory.complete) {
      properties.emplace_back(internal::kPropComplete, "false");
    }
    package["annotations"] = annotations(properties);
    packages_.push_back(std::move(package));
  }

  void add_os(const model::OsIdentity& os) {
    OrderedJson package = base_package(kOsId, os.id, os.version_id);
    if (!os.pretty_name.empty()) {
      package["description"] = os.pretty_name;
    }
    // The 2.3 JSON schema spells the purpose with an underscore (the spec text uses '-').
    package["primaryPackagePurpose"] = "OPERATING_SYSTEM";
    if (const auto properties = internal::os_properties(os); !properties.empty()) {
      package["annotations"] = annotations(properties);
    }
    packages_.push_back(std::move(package));
  }

  void add_layer(const SbomLayer& layer, size_t index, const std::string& id) {
    OrderedJson package = base_package(id, layer.digest, "");
    if (!layer.name.empty()) {
      package["description"] = layer.name;
    }
    add_checksum(package, layer.digest);
    package["primaryPackagePurpose"] = "ARCHIVE";
    package["annotations"] = annotations({{"vigil:layer-index", std::to_string(index)}});
    packages_.push_back(std::move(package));
  }

  std::string add_package(const model::Package& package, const std::string& ref) {
    std::string id =
        fmt::format("SPDXRef-Package-{}-{}", id_chars(package.name), internal::hash_hex(ref));
    while (!used_ids_.insert(id).second) {
      id += "-x";
    }
    OrderedJson entry = base_package(id, package.name, package.version);
    if (!package.locations.empty()) {
      entry["sourceInfo"] =
          fmt::format("acquired package info from {}", fmt::join(package.locations, ", "));
    }
    entry["primaryPackagePurpose"] = "LIBRARY";
    OrderedJson refs = OrderedJson::array();
    for (const auto& cpe : package.cpes) {
      // SPDX 2.3 Annex F: category SECURITY, type cpe23Type for CPE 2.3 formatted strings.
      refs.push_back({{"referenceCategory", "SECURITY"},
                      {"referenceType", "cpe23Type"},
                      {"referenceLocator", cpe}});
    }
    if (!package.purl.empty()) {
      refs.push_back({{"referenceCategory", "PACKAGE-MANAGER"},
                      {"referenceType", "purl"},
                      {"referenceLocator", package.purl}});
    }
    if (!refs.empty()) {
      entry["externalRefs"] = std::move(refs);
    }
    entry["annotations"] = annotations(internal::package_properties(package));
    packages_.push_back(std::move(entry));
    return id;
  }

  void relate(std::string_view from, std::string_view type, std::string_view to) {
    relationships_.push_back(
        {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}});
  }

  const SbomDocument& document_;
  const internal::PreparedDocument& prepared_;
  std::string annotator_;
  OrderedJson packages_ = OrderedJson::array();
  OrderedJson relationships_ = OrderedJson::array();
  std::set<std::string> used_ids_;
};

}  // namespace

Result<std::string> write_spdx(const SbomDocument& document) {
  VIGIL_ASSIGN_OR_RETURN(const auto prepared, internal::prepare(document));
  return internal::dump(SpdxBuilder(document, prepared).build());
}

}  // namespace vigil::exporter
