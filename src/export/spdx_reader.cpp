// SPDX JSON (2.1–2.3) -> Inventory: the package the document DESCRIBES names the target, an
// OPERATING_SYSTEM package the OS, packages with a purl external ref (or without one and with a
// non-structural purpose) the packages.
#include <fmt/format.h>

#include <set>

#include "core/strings.hpp"
#include "export/internal/reader.hpp"

namespace vigil::exporter::internal {
namespace {

constexpr std::string_view kDocumentId = "SPDXRef-DOCUMENT";

struct SpdxPackage {
  ComponentFacts facts;
  std::string id;
  std::string purpose;
  std::string description;
};

// Purposes that describe what was scanned or how it is packed, not an installed package.
bool structural_purpose(std::string_view purpose) {
  for (const std::string_view structural :
       {"CONTAINER", "DEVICE", "FILE", "ARCHIVE", "FIRMWARE", "INSTALL", "SOURCE"}) {
    if (purpose == structural) {
      return true;
    }
  }
  return false;
}

bool supported_version(std::string_view version) {
  return version == "SPDX-2.1" || version == "SPDX-2.2" || version == "SPDX-2.3";
}

bool os_purpose(std::string_view purpose) {
  return purpose == "OPERATING_SYSTEM" || purpose == "OPERATING-SYSTEM";
}

Result<void> read_external_refs(const Json& package, SpdxPackage& out) {
  const std::string& where = out.facts.where;
  VIGIL_ASSIGN_OR_RETURN(const Json* refs, get_array(package, "externalRefs", where));
  if (refs == nullptr) {
    return {};
  }
  for (size_t idx = 0; idx < refs->size(); ++idx) {
    const std::string item_where = fmt::format("{}[{}]", member_path(where, "externalRefs"), idx);
    const Json& ref = (*refs)[idx];
    if (!ref.is_object()) {
      return fail(Error::parse("{}: expected an object, got {}", item_where, ref.type_name()));
    }
    VIGIL_ASSIGN_OR_RETURN(const auto type, get_string(ref, "referenceType", item_where));
    VIGIL_ASSIGN_OR_RETURN(const auto locator, get_string(ref, "referenceLocator", item_where));
    if (type && *type == "purl" && locator && out.facts.purl.empty()) {
      out.facts.purl = *locator;
    } else if (type && locator && (*type == "cpe23Type" || *type == "cpe22Type")) {
      out.facts.cpes.push_back(*locator);  // checked and normalised by build_package
    }
  }
  return {};
}

// Vigil writes its properties as annotations whose comment is "vigil:<key>=<value>".
Result<void> read_annotations(const Json& package, SpdxPackage& out) {
  const std::string& where = out.facts.where;
  VIGIL_ASSIGN_OR_RETURN(const Json* annotations, get_array(package, "annotations", where));
  if (annotations == nullptr) {
    return {};
  }
  for (size_t idx = 0; idx < annotations->size(); ++idx) {
    const std::string item_where = fmt::format("{}[{}]", member_path(where, "annotations"), idx);
    const Json& annotation = (*annotations)[idx];
    if (!annotation.is_object()) {
      return fail(
          Error::parse("{}: expected an object, got {}", item_where, annotation.type_name()));
    }
    VIGIL_ASSIGN_OR_RETURN(const auto comment, get_string(annotation, "comment", item_where));
    if (!comment || comment->rfind("vigil:", 0) != 0) {
      continue;
    }
    const size_t equals = comment->find('=');
    if (equals != std::string::npos) {
      out.facts.properties.emplace_back(comment->substr(0, equals), comment->substr(equals + 1));
    }
  }
  return {};
}

Result<SpdxPackage> read_package(const Json& package, const std::string& where) {
  if (!package.is_object()) {
    return fail(Error::parse("{}: expected an object, got {}", where, package.type_name()));
  }
  SpdxPackage out;
  out.facts.where = where;
  VIGIL_ASSIGN_OR_RETURN(const auto id, get_string(package, "SPDXID", where));
  VIGIL_ASSIGN_OR_RETURN(const auto name, get_string(package, "name", where));
  if (!id) {
    return fail(Error::parse("{}: missing", member_path(where, "SPDXID")));
  }
  if (!name) {
    return fail(Error::parse("{}: missing", member_path(where, "name")));
  }
  out.id = *id;
  out.facts.name = *name;
  VIGIL_ASSIGN_OR_RETURN(const auto version, get_string(package, "versionInfo", where));
  VIGIL_ASSIGN_OR_RETURN(const auto purpose, get_string(package, "primaryPackagePurpose", where));
  VIGIL_ASSIGN_OR_RETURN(const auto description, get_string(package, "description", where));
  out.facts.version = version.value_or("");
  out.purpose = purpose.value_or("");
  out.description = description.value_or("");
  VIGIL_TRY(read_external_refs(package, out));
  VIGIL_TRY(read_annotations(package, out));
  return out;
}

// The ids the document DESCRIBES (documentDescribes, DESCRIBES and DESCRIBED_BY relationships).
Result<std::set<std::string>> described_ids(const Json& root) {
  std::set<std::string> out;
  VIGIL_ASSIGN_OR_RETURN(const Json* describes, get_array(root, "documentDescribes", ""));
  if (describes != nullptr) {
    for (size_t idx = 0; idx < describes->size(); ++idx) {
      const Json& id = (*describes)[idx];
      if (!id.is_string()) {
        return fail(
            Error::parse("documentDescribes[{}]: expected a string, got {}", idx, id.type_name()));
      }
      out.insert(id.get<std::string>());
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const Json* relationships, get_array(root, "relationships", ""));
  if (relationships == nullptr) {
    return out;
  }
  for (size_t idx = 0; idx < relationships->size(); ++idx) {
    const std::string where = fmt::format("relationships[{}]", idx);
    const Json& relationship = (*relationships)[idx];
    if (!relationship.is_object()) {
      return fail(Error::parse("{}: expected an object, got {}", where, relationship.type_name()));
    }
    VIGIL_ASSIGN_OR_RETURN(const auto from, get_string(relationship, "spdxElementId", where));
    VIGIL_ASSIGN_OR_RETURN(const auto type, get_string(relationship, "relationshipType", where));
    VIGIL_ASSIGN_OR_RETURN(const auto to, get_string(relationship, "relatedSpdxElement", where));
    if (!from || !type || !to) {
      continue;
    }
    if (*type == "DESCRIBES" && *from == kDocumentId) {
      out.insert(*to);
    } else if (*type == "DESCRIBED_BY" && *to == kDocumentId) {
      out.insert(*from);
    }
  }
  return out;
}

}  // namespace

Result<ReadSbom> read_spdx(const Json& root) {
  VIGIL_ASSIGN_OR_RETURN(const auto version_field, get_string(root, "spdxVersion", ""));
  if (!version_field) {
    return fail(Error::parse("spdxVersion: missing"));
  }
  ReadSbom result;
  result.format = SbomFormat::kSpdx;
  result.spec_version = *version_field;
  if (!supported_version(result.spec_version)) {
    return fail(Error::unsupported("spdxVersion '{}': Vigil reads SPDX 2.1 to 2.3 JSON",
                                   result.spec_version));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto name, get_string(root, "name", ""));
  result.inventory.target = name.value_or("");
  VIGIL_ASSIGN_OR_RETURN(const auto described, described_ids(root));

  VIGIL_ASSIGN_OR_RETURN(const Json* packages, get_array(root, "packages", ""));
  std::vector<SpdxPackage> entries;
  if (packages != nullptr) {
    for (size_t idx = 0; idx < packages->size(); ++idx) {
      VIGIL_ASSIGN_OR_RETURN(auto entry,
                             read_package((*packages)[idx], fmt::format("packages[{}]", idx)));
      entries.push_back(std::move(entry));
    }
  }

  bool have_os = false;
  std::vector<const SpdxPackage*> installed;
  std::vector<const SpdxPackage*> described_roots;
  for (const auto& entry : entries) {
    if (os_purpose(entry.purpose)) {
      if (have_os) {
        result.diagnostics.push_back(
            {model::DiagnosticLevel::kWarning, entry.facts.where,
             fmt::format("second operating-system package '{}' ignored", entry.facts.name)});
        continue;
      }
      result.inventory.os = build_os(entry.facts.name, entry.facts.version, entry.description,
                                     entry.facts.properties);
      have_os = true;
    } else if (!entry.facts.purl.empty()) {
      installed.push_back(&entry);
    } else if (described.count(entry.id) != 0) {
      described_roots.push_back(&entry);
    } else if (!structural_purpose(entry.purpose)) {
      installed.push_back(&entry);
    }
  }
  if (described_roots.size() == 1) {
    result.inventory.target = described_roots.front()->facts.name;
    const auto& properties = described_roots.front()->facts.properties;
    if (const std::string* complete = find_property(properties, kPropComplete)) {
      result.inventory.complete = *complete != "false";
    }
  }
  for (const auto* entry : installed) {
    result.inventory.packages.push_back(
        build_package(entry->facts, result.inventory.os, result.diagnostics));
  }
  return result;
}

}  // namespace vigil::exporter::internal
