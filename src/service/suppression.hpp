// Suppressing findings from the scan side: ignore files (ids with a reason and an expiry date)
// and VEX documents (OpenVEX, CycloneDX VEX) whose `not_affected` statements remove findings.
// Suppressed findings keep their data, get status SUPPRESSED and the reason, and stop gating.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/finding.hpp"

namespace vigil::service {

struct IgnoreEntry {
  std::string id;       // CVE/GHSA/... id, matched against the finding id and its aliases
  std::string expires;  // YYYY-MM-DD, "" = never
  std::string reason;
  size_t line = 0;
};

// Parses an ignore file: one entry per line, `ID [exp:YYYY-MM-DD] [# reason]`; blank lines and
// lines starting with '#' are skipped. Returns kParse naming `name` and the line for a malformed
// id or date.
[[nodiscard]] Result<std::vector<IgnoreEntry>> parse_ignore_file(std::string_view text,
                                                                 std::string_view name);

struct VexStatement {
  std::string vulnerability;          // id
  std::vector<std::string> products;  // purls or bom-refs; empty = every product
  std::string status;                 // not_affected, affected, fixed, under_investigation
  std::string justification;
  std::string source;  // "openvex" or "cyclonedx"
};

// Parses an OpenVEX (https://openvex.dev/ns) or CycloneDX (vulnerabilities[].analysis) JSON
// document. Returns kParse naming `name` and the field for malformed input.
[[nodiscard]] Result<std::vector<VexStatement>> parse_vex(std::string_view text,
                                                          std::string_view name);

struct SuppressionReport {
  size_t suppressed = 0;
  std::vector<std::string> notes;  // expired ignore entries, unused statements
};

// Marks findings SUPPRESSED per `ignores` (entries past `today`, YYYY-MM-DD, no longer apply and
// are reported in notes) and per `vex` not_affected statements (product matched by purl without
// version/qualifiers, or exact purl, or any product when the statement names none).
SuppressionReport apply_suppressions(std::vector<model::Finding>& findings,
                                     const std::vector<IgnoreEntry>& ignores,
                                     const std::vector<VexStatement>& vex, std::string_view today);

// Today's date in UTC as YYYY-MM-DD.
std::string today_utc();

}  // namespace vigil::service
