// SBOM reader internals: typed JSON access, and the format-neutral step from what a component
// says (name, version, purl, properties, evidence) to a model::Package.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "export/internal/common.hpp"
#include "export/sbom_reader.hpp"
#include "model/diagnostic.hpp"
#include "model/inventory.hpp"
#include "model/package.hpp"

namespace vigil::exporter::internal {

using Json = nlohmann::json;

// Members of a JSON object; absent and null are "not there" (nullopt / nullptr). A member of the
// wrong JSON type is kParse "<where>.<key>: expected a string, got number".
[[nodiscard]] Result<std::optional<std::string>> get_string(const Json& object,
                                                            std::string_view key,
                                                            std::string_view where);
[[nodiscard]] Result<const Json*> get_array(const Json& object, std::string_view key,
                                            std::string_view where);
[[nodiscard]] Result<const Json*> get_object(const Json& object, std::string_view key,
                                             std::string_view where);

// "where.key" or "key" at the top level.
std::string member_path(std::string_view where, std::string_view key);

// What one CycloneDX component or SPDX package says about a package.
struct ComponentFacts {
  std::string where;  // JSON path for diagnostics ("components[3]")
  std::string name;
  std::string group;  // CycloneDX group (Maven groupId, npm scope)
  std::string version;
  std::string purl;
  std::vector<Property> properties;      // vigil:*, syft:*, cdxgen's SrcFile, ...
  std::vector<std::string> occurrences;  // CycloneDX evidence.occurrences[].location
  std::vector<std::string> cpes;         // CycloneDX cpe, SPDX cpe23Type/cpe22Type refs, as written
};

// A CPE in the 2.3 formatted-string form: a 2.3 string ("cpe:2.3:a:v:p:1.0:*:...", 13 fields,
// shorter ones padded with '*') as given, a 2.2 URI ("cpe:/a:v:p:1.0", percent-encoded,
// "~"-packed edition) converted. nullopt for anything else.
std::optional<std::string> cpe23_of(std::string_view cpe);

// Builds the package `facts` describe; OS packages without distro data take `os`. CPEs come
// from `facts.cpes` then the `vigil:cpe23` / `syft:cpe23` properties (deduplicated; one that is
// not a CPE is a warning), the owner from `vigil:owned-by`. Problems go to `diagnostics`.
model::Package build_package(const ComponentFacts& facts, const model::OsIdentity& os,
                             std::vector<model::Diagnostic>& diagnostics);

// The OS identity of an operating-system component / package.
model::OsIdentity build_os(std::string_view name, std::string_view version,
                           std::string_view description, const std::vector<Property>& properties);

// The value of the first property called `name`, or nullptr.
const std::string* find_property(const std::vector<Property>& properties, std::string_view name);

[[nodiscard]] Result<ReadSbom> read_cyclonedx(const Json& root);
[[nodiscard]] Result<ReadSbom> read_spdx(const Json& root);

}  // namespace vigil::exporter::internal
