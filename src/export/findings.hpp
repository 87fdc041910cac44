// Findings export: Inspector-shaped JSON, SARIF 2.1.0 and a CycloneDX 1.6 BOM with
// vulnerabilities (VEX). Namespace `vigil::exporter` (`export` is a C++ keyword).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "export/sbom.hpp"
#include "model/finding.hpp"
#include "model/inventory.hpp"
#include "model/package.hpp"

namespace vigil::exporter {

// The resource the findings were found on and when the export was made.
struct FindingsContext {
  model::Resource resource;  // type, id, account, region, name, tags of the scanned resource
  model::OsIdentity os;      // gives the Inspector `platform` ("DEBIAN_12", "ALPINE_LINUX_3_18")
  std::string tool_version;  // Vigil's version, for SARIF's tool.driver
  std::string timestamp;     // RFC 3339; Inspector `updatedAt`; empty means the current time
};

// Writes `findings` as a JSON array of Inspector2 `Finding` objects (member names as in
// ListFindings: findingArn, awsAccountId, type PACKAGE_VULNERABILITY, title, description,
// severity, status, first/lastObservedAt, updatedAt, remediation.recommendation.text,
// resources[1], packageVulnerabilityDetails{vulnerabilityId, source, sourceUrl,
// vendorSeverity, cvss[], referenceUrls, relatedVulnerabilities, vulnerablePackages[1]},
// fixAvailable, exploitAvailable, exploitabilityDetails, epss, inspectorScore,
// inspectorScoreDetails.adjustedCvss) plus a `vigil` member (vigilRisk, explanation,
// epssPercentile, knownRansomwareCampaignUse, suppressionReason, purl). Timestamps are
// ISO-8601 strings (Inspector's API returns epoch seconds; this is the CLI/report shape).
// Finding ids that are not ARNs are hashed into "arn:vigil:inspector2:<region>:<account>:
// finding/<32 hex>". Never fails; invalid UTF-8 is replaced by U+FFFD. Thread-safe.
[[nodiscard]] std::string write_findings_json(const std::vector<model::Finding>& findings,
                                              const FindingsContext& context);

// Writes `findings` as a SARIF 2.1.0 log with one run of tool "vigil": one rule per
// vulnerability id (short/full description, help text and markdown listing the affected
// packages, helpUri, properties.security-severity = the highest score as "7.5" when a score
// exists, tags) and one result per finding: level error for Critical/High, warning for Medium
// and Untriaged, note for Low/Informational; the package's first evidence path as a relative
// artifactLocation.uri (percent-encoded), the purl as a logical location of kind "package",
// partialFingerprints "vigilFinding/v1", external suppressions for suppressed findings and
// kind "pass" for closed ones. Never fails. Thread-safe.
[[nodiscard]] std::string write_sarif(const std::vector<model::Finding>& findings,
                                      const FindingsContext& context);

// Writes the SBOM of `document` (exactly as write_cyclonedx() does) plus `vulnerabilities[]`:
// one entry per vulnerability id and status, with source, aliases as references, ratings
// (method CVSSv2/CVSSv3/CVSSv31/CVSSv4 from each CVSS record, severity from the score, and
// Vigil's own rating with method "other"), description, recommendation, advisories (the
// reference URLs), affects[] naming the bom-refs of the affected packages (a finding's package
// missing from the document is added as a component), and analysis: suppressed -> state
// not_affected with the suppression reason as detail, closed -> resolved, active -> none.
// Returns kInvalidArgument as write_cyclonedx() does. Thread-safe.
[[nodiscard]] Result<std::string> write_cyclonedx_vex(const SbomDocument& document,
                                                      const std::vector<model::Finding>& findings);

}  // namespace vigil::exporter
