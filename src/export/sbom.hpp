// SBOM export: CycloneDX 1.6 and SPDX 2.3 JSON documents describing one scanned target (image,
// function, host or directory), its layers and its packages. Namespace `vigil::exporter`
// (`export` is a C++ keyword).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/inventory.hpp"

namespace vigil::exporter {

// What was scanned. Picks the CycloneDX component type of the subject (image: container,
// function: application, host: device, directory: file) and the SPDX primaryPackagePurpose
// (CONTAINER, APPLICATION, DEVICE, FILE).
enum class SubjectKind { kImage, kFunction, kHost, kDirectory };

// Returns "image", "function", "host" or "directory".
std::string_view subject_kind_name(SubjectKind kind);

struct SbomSubject {
  SubjectKind kind = SubjectKind::kDirectory;
  std::string name;     // "registry/repo:tag", function name, hostname, directory path
  std::string version;  // image tag, function version; empty when none
  std::string digest;   // "sha256:<hex>" image manifest digest; empty when unknown
  std::string id;       // resource id: instance id, function ARN, image URI; may be empty

  friend bool operator==(const SbomSubject&, const SbomSubject&) = default;
};

// One layer of an image, or one Lambda layer of a function.
struct SbomLayer {
  std::string digest;  // "sha256:<hex>" for image layers, the layer version ARN for functions
  std::string name;    // display name (the instruction that built it, the layer name); optional

  friend bool operator==(const SbomLayer&, const SbomLayer&) = default;
};

// Everything an SBOM writer needs. The structure written is subject -> layers -> packages:
// a package sits under the layer whose `digest` equals its `layer_digest`, and directly under
// the subject otherwise. Layers named by packages but missing from `layers` are appended in
// the order the packages name them.
struct SbomDocument {
  SbomSubject subject;
  model::Inventory inventory;  // os, packages and `complete` are written; diagnostics are not
  std::vector<SbomLayer> layers;
  std::string tool_version;           // Vigil's version ("0.1.0"), written as the tool component
  std::string timestamp;              // "YYYY-MM-DDTHH:MM:SSZ" (UTC); empty means the current time
  std::string serial_uuid;            // RFC 4122 UUID; empty means a fresh version-4 UUID
  std::optional<std::uint64_t> seed;  // when set, the generated UUID is a function of it (tests)
};

// Writes `document` as CycloneDX 1.6 JSON (2-space indented, key order as in the spec's
// examples). The subject is metadata.component; the OS, the layers (type "file", SHA-256 hash
// when the digest is one) and the packages (type "library", purl, evidence.occurrences, and
// `vigil:*` properties for ecosystem, arch, source package, locations and layer) are the flat
// top-level `components`; a package's first CPE is its `cpe`, the others `vigil:cpe23`
// properties, its owning OS package (Package::owner_purl) a `vigil:owned-by` property.
// Containment is written as `dependencies`: the subject dependsOn the OS, its layers and the
// packages outside any layer, each layer dependsOn its packages, and an OS package dependsOn the
// language packages it installed.
// (Nested components would express the assembly too, but many consumers read only the top
// level, and the inventory holds no real dependency graph that the entries could be confused
// with.) Package bom-refs are the purl when it is unique in the document, else
// "vigil:package:<hash>". Returns kInvalidArgument for a malformed `timestamp` or
// `serial_uuid`. Thread-safe; invalid UTF-8 in input strings is replaced by U+FFFD.
[[nodiscard]] Result<std::string> write_cyclonedx(const SbomDocument& document);

// Writes `document` as SPDX 2.3 JSON: dataLicense CC0-1.0, documentNamespace
// "https://vigil.invalid/spdx/<kind>/<name>-<uuid>" (the reserved .invalid domain: the URI is
// an identifier only), creator "Tool: vigil-<version>", one package per subject, OS, layer and
// package (downloadLocation NOASSERTION, filesAnalyzed false, CPEs as SECURITY cpe23Type and
// the purl as a PACKAGE-MANAGER external ref, evidence paths in sourceInfo, and
// `vigil:<key>=<value>` annotations that read_sbom() uses to restore the package exactly), and
// relationships DOCUMENT DESCRIBES subject, subject CONTAINS OS / layer / package, layer
// CONTAINS package, OS package CONTAINS the language packages it installed. Same errors and
// guarantees as write_cyclonedx().
[[nodiscard]] Result<std::string> write_spdx(const SbomDocument& document);

}  // namespace vigil::exporter
