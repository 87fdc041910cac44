// Findings: one vulnerability matched on one package instance of one resource, with everything
// Inspector's Finding carries (package, fix, CVSS from every source, exploit and EPSS data,
// scores and their explanation).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/package.hpp"

namespace vigil::model {

enum class Severity { kUntriaged, kInformational, kLow, kMedium, kHigh, kCritical };
enum class FixAvailable { kYes, kNo, kPartial };
enum class FindingStatus { kActive, kSuppressed, kClosed };

// Returns Inspector's spelling: "UNTRIAGED", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL".
std::string_view severity_name(Severity severity);
std::string_view fix_available_name(FixAvailable fix);
std::string_view finding_status_name(FindingStatus status);

// One CVSS assessment from one source.
struct CvssRecord {
  std::string version;  // "2.0", "3.0", "3.1", "4.0"
  std::string vector;
  double base_score = 0.0;
  std::string source;  // "nvd@nist.gov (Primary)", "osv:GHSA-...", ...

  friend bool operator==(const CvssRecord&, const CvssRecord&) = default;
};

// One step of a score explanation: which factor moved the score, from what, to what, and why.
struct ScoreAdjustment {
  std::string factor;  // "MAV", "kev", "epss", "exploit", "reachability", "criticality", ...
  std::string from;
  std::string to;
  std::string reason;

  friend bool operator==(const ScoreAdjustment&, const ScoreAdjustment&) = default;
};

struct Finding {
  std::string id;  // stable: derived from account + resource + package + vulnerability
  std::string resource_id;
  std::string account_id;
  Package package;
  std::string vulnerability_id;  // the CVE when one is known, else the advisory id
  std::vector<std::string> aliases;
  std::vector<std::string> sources;  // advisory sources that matched ("osv", "alas", ...)
  std::string title;
  std::string description;
  std::vector<std::string> references;
  std::string fixed_in;  // empty when no fix is known
  std::string remediation;
  FixAvailable fix_available = FixAvailable::kNo;
  std::string vendor_severity;
  Severity severity = Severity::kUntriaged;
  std::vector<CvssRecord> cvss;
  bool exploit_available = false;  // CISA KEV lists it
  std::string exploit_last_seen;   // KEV dateAdded
  bool ransomware = false;
  std::optional<double> epss;
  std::optional<double> epss_percentile;
  double inspector_score = 0.0;  // vendor CVSS v3.1 base, adjusted for reachability only
  std::vector<ScoreAdjustment> inspector_adjustments;
  double vigil_risk = 0.0;  // attacker's-view 0-10 priority
  std::vector<ScoreAdjustment> risk_explanation;
  FindingStatus status = FindingStatus::kActive;
  std::string suppression_reason;  // why a rule, ignore file or VEX statement suppressed it
  std::string first_observed_at;
  std::string last_observed_at;

  friend bool operator==(const Finding&, const Finding&) = default;
};

}  // namespace vigil::model
