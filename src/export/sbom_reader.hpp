// SBOM import: turns a CycloneDX (1.2–1.7) or SPDX (2.1–2.3) JSON document written by Vigil or
// any other tool (syft, trivy, cdxgen, Inspector, ...) into an Inventory that the matcher can use.
// Namespace `vigil::exporter` (`export` is a C++ keyword).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/diagnostic.hpp"
#include "model/inventory.hpp"

namespace vigil::exporter {

enum class SbomFormat { kCycloneDx, kSpdx };

struct ReadSbom {
  SbomFormat format = SbomFormat::kCycloneDx;
  std::string spec_version;  // "1.6", "SPDX-2.3"
  // target: the subject's name (metadata.component, or the package the SPDX document
  // DESCRIBES, else the document name); os: from the operating-system component / package;
  // packages in document order; `complete` false when Vigil wrote it so. inventory.diagnostics
  // is left empty: the reader's own problems are in `diagnostics` below.
  model::Inventory inventory;
  std::vector<model::Diagnostic> diagnostics;  // per-component problems; where = JSON path

  friend bool operator==(const ReadSbom&, const ReadSbom&) = default;
};

// Parses `json` and detects the format from `bomFormat` or `spdxVersion`. Each package comes
// from its purl: the purl type picks the ecosystem (deb by namespace or distro qualifier:
// Debian / Ubuntu; rpm: Amazon Linux, Red Hat, AlmaLinux, Rocky; apk: Alpine; pypi, npm,
// golang, maven (name "group:artifact"), nuget, gem, cargo, composer), the `distro` qualifier
// the release (codenames such as "bookworm" are mapped), `arch`, `epoch` and `upstream`
// qualifiers the arch, version and source package. An OS package without distro data takes
// the document's operating-system component. Components of type library, framework or
// application without a purl become Generic packages. Vigil's own `vigil:*` properties /
// annotations, when present, restore the package exactly.
// Per-component problems (a bad purl, an ecosystem Vigil has no advisories for, a second OS)
// are diagnostics and the component is kept or skipped as the message says. Returns kParse for
// invalid JSON, nesting deeper than 200, or a field of the wrong JSON type, with the field's
// path in the message ("components[3].purl: expected a string"); kUnsupported for a document
// that is neither format or a spec version outside the ranges above. Thread-safe.
[[nodiscard]] Result<ReadSbom> read_sbom(std::string_view json);

}  // namespace vigil::exporter
