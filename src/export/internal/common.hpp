// Helpers shared by the export writers: identifiers (UUIDs, hashes, bom-refs), timestamps,
// the `vigil:*` package properties and JSON printing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "export/sbom.hpp"
#include "model/inventory.hpp"
#include "model/package.hpp"

namespace vigil::exporter::internal {

using OrderedJson = nlohmann::ordered_json;
using Property = std::pair<std::string, std::string>;

// Property names Vigil writes (CycloneDX properties, SPDX annotations "name=value") and reads.
inline constexpr std::string_view kPropEcosystem = "vigil:ecosystem";
inline constexpr std::string_view kPropArch = "vigil:arch";
inline constexpr std::string_view kPropSourceName = "vigil:source-name";
inline constexpr std::string_view kPropSourceVersion = "vigil:source-version";
inline constexpr std::string_view kPropLocation = "vigil:location";
inline constexpr std::string_view kPropLayer = "vigil:layer";
inline constexpr std::string_view kPropOsCodename = "vigil:os:codename";
inline constexpr std::string_view kPropOsKernel = "vigil:os:kernel-release";
inline constexpr std::string_view kPropOsEndOfLife = "vigil:os:end-of-life";
inline constexpr std::string_view kPropSubjectKind = "vigil:subject-kind";
inline constexpr std::string_view kPropSubjectId = "vigil:subject-id";
inline constexpr std::string_view kPropComplete = "vigil:complete";
// The purl of the OS package that installed a language package (model::Package::owner_purl).
inline constexpr std::string_view kPropOwnedBy = "vigil:owned-by";
// CycloneDX holds one `cpe` per component; further CPEs go in properties of this name (the
// convention Syft uses with "syft:cpe23").
inline constexpr std::string_view kPropCpe = "vigil:cpe23";

// FNV-1a 64-bit of `text` as 16 lower-case hex digits (stable identifiers, not security).
std::string hash_hex(std::string_view text);

// A version-4 UUID in lower-case 8-4-4-4-12 form, from `seed` when given, else random.
std::string uuid_v4(std::optional<std::uint64_t> seed);

// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

// True for "YYYY-MM-DDTHH:MM:SSZ" with plausible field ranges.
bool is_utc_timestamp(std::string_view text);

// The validated facts every SBOM writer needs.
struct PreparedDocument {
  std::string timestamp;
  std::string uuid;
  std::vector<SbomLayer> layers;          // the document's layers plus those only packages name
  std::vector<std::string> package_refs;  // CycloneDX bom-ref per inventory package
};

// Checks the timestamp and serial of `document` (kInvalidArgument naming the field) and fills
// in the generated ones.
[[nodiscard]] Result<PreparedDocument> prepare(const SbomDocument& document);

// The `vigil:*` properties of `package`, in a fixed order (locations repeated, then the owner).
// CPEs are not among them: each format has its own field for them.
std::vector<Property> package_properties(const model::Package& package);
std::vector<Property> os_properties(const model::OsIdentity& os);

// Which package installed which: for each package of `inventory` that is the owner (by purl,
// Package::owner_purl) of others, its index and the indexes of those it owns, in package order.
// Owners absent from the inventory give no edge (the owned package's property still names them).
std::vector<std::pair<size_t, std::vector<size_t>>> ownership_edges(
    const model::Inventory& inventory);

// "Debian:12" or "npm": the OSV ecosystem string of `package`.
std::string ecosystem_string(const model::Package& package);

// The bom-ref of `package` when `refs` has no entry for it: purl, else a hash of its identity.
std::string package_ref(const model::Package& package, int occurrence);

// "sha256:<64 hex>" -> "<64 hex>"; nullopt for anything else.
std::optional<std::string> sha256_hex_of(std::string_view digest);

// Prints `json` with 2-space indent; invalid UTF-8 is replaced by U+FFFD instead of throwing.
std::string dump(const OrderedJson& json);

// CycloneDX pieces shared by the SBOM and VEX writers: the whole BOM without vulnerabilities.
OrderedJson cyclonedx_bom(const SbomDocument& document, const PreparedDocument& prepared);

// A CycloneDX library component for `package` with bom-ref `ref`.
OrderedJson cyclonedx_package(const model::Package& package, const std::string& ref);

}  // namespace vigil::exporter::internal
