// Machine-readable scan reports shared by `vigil scan` and `vigil sbom`: the output formats,
// the SBOM subject of a scanned target, and the writers behind --format.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "export/sbom.hpp"
#include "matcher/matcher.hpp"
#include "model/finding.hpp"
#include "model/inventory.hpp"
#include "service/pipeline.hpp"

namespace vigil::cli {

// `vigil scan --format` values: table, json (Inspector-shaped findings), sarif (SARIF 2.1.0),
// cyclonedx (CycloneDX 1.6 BOM with vulnerabilities = VEX).
inline constexpr std::string_view kScanFormats = "table, json, sarif or cyclonedx";
bool is_scan_format(std::string_view format);

// The SBOM subject for a target of `kind` ("rootfs", "image", "function", "sbom").
exporter::SbomSubject sbom_subject(std::string_view kind, const std::string& target,
                                   const service::ResourceContext& context);

// Writes `findings` of the scanned `inventory` as sarif / cyclonedx / json. Errors come from
// the exporter (kInvalidArgument); the table format is not handled here.
[[nodiscard]] Result<void> write_machine_report(std::ostream& out, std::string_view format,
                                                std::string_view kind, const std::string& target,
                                                const model::Inventory& inventory,
                                                const std::vector<model::Finding>& findings,
                                                const service::ResourceContext& context,
                                                const std::vector<matcher::NonFinding>*
                                                    not_affected = nullptr);

// The Vigil version written into reports and SBOMs.
std::string tool_version();

}  // namespace vigil::cli
