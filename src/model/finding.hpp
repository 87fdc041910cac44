// Findings: one vulnerability matched on one package instance of one resource.
#pragma once

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

struct Finding {
  std::string id;  // stable: derived from account + resource + package + vulnerability
  std::string resource_id;
  std::string account_id;
  Package package;
  std::string vulnerability_id;  // the CVE when one is known, else the advisory id
  std::vector<std::string> aliases;
  std::string title;
  std::string fixed_in;  // empty when no fix is known
  FixAvailable fix_available = FixAvailable::kNo;
  Severity severity = Severity::kUntriaged;
  double score = 0.0;
  FindingStatus status = FindingStatus::kActive;
  std::string first_observed_at;
  std::string last_observed_at;

  friend bool operator==(const Finding&, const Finding&) = default;
};

}  // namespace vigil::model
