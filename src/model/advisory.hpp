// Vulnerability advisories in OSV's shape: what importers produce and the matcher consumes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/ecosystem.hpp"

namespace vigil::model {

// One OSV range event. The version string is kept as the source wrote it; the version module
// parses it with the scheme of the range's ecosystem.
enum class EventKind { kIntroduced, kFixed, kLastAffected, kLimit };

struct RangeEvent {
  EventKind kind = EventKind::kIntroduced;
  std::string version;

  friend bool operator==(const RangeEvent&, const RangeEvent&) = default;
};

enum class RangeType { kEcosystem, kSemver, kGit };

struct AffectedRange {
  RangeType type = RangeType::kEcosystem;
  std::string repo;  // GIT ranges only
  std::vector<RangeEvent> events;

  friend bool operator==(const AffectedRange&, const AffectedRange&) = default;
};

struct AffectedPackage {
  EcosystemRef ecosystem;
  std::string name;
  std::string purl;
  std::vector<AffectedRange> ranges;
  std::vector<std::string> versions;  // explicit affected versions
  std::string severity;               // ecosystem/database specific severity label, if any

  friend bool operator==(const AffectedPackage&, const AffectedPackage&) = default;
};

// A severity vector from one source ("CVSS_V3", "CVSS:3.1/AV:N/...", "nvd@nist.gov").
struct SeverityVector {
  std::string type;
  std::string vector;
  std::string source;
  std::optional<double> base_score;

  friend bool operator==(const SeverityVector&, const SeverityVector&) = default;
};

struct Reference {
  std::string type;
  std::string url;

  friend bool operator==(const Reference&, const Reference&) = default;
};

struct Advisory {
  std::string id;
  std::vector<std::string> aliases;
  std::vector<std::string> related;
  std::vector<std::string> upstream;
  std::string summary;
  std::string details;
  std::string published;  // RFC 3339
  std::string modified;   // RFC 3339
  std::string withdrawn;  // RFC 3339; empty unless withdrawn
  std::vector<AffectedPackage> affected;
  std::vector<SeverityVector> severities;
  std::vector<Reference> references;
  std::vector<std::string> cwes;
  std::string severity_label;  // database_specific severity ("HIGH", "important", ...)
  std::string status;          // NVD vulnStatus ("Analyzed", "Rejected", ...); empty otherwise
  std::string cpe_configurations;  // NVD configurations as JSON text, kept for CPE matching
  std::string source;              // importer that produced it ("osv", "nvd", "alas", ...)
  std::string raw;                 // the source record as imported, for display and export

  friend bool operator==(const Advisory&, const Advisory&) = default;
};

// A CISA Known Exploited Vulnerabilities catalogue entry.
struct KevEntry {
  std::string cve_id;
  std::string vendor_project;
  std::string product;
  std::string name;
  std::string date_added;  // YYYY-MM-DD
  std::string due_date;    // YYYY-MM-DD
  bool known_ransomware_use = false;
  std::string required_action;
  std::string notes;

  friend bool operator==(const KevEntry&, const KevEntry&) = default;
};

// One FIRST EPSS score.
struct EpssScore {
  std::string cve_id;
  double epss = 0.0;        // probability of exploitation activity in the next 30 days
  double percentile = 0.0;  // 0 when the feed version carries no percentile
  std::string score_date;   // YYYY-MM-DD, from the file header when present
  std::string model_version;

  friend bool operator==(const EpssScore&, const EpssScore&) = default;
};

}  // namespace vigil::model
