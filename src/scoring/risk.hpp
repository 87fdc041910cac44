// The two scores on every package finding, each explained factor by factor:
//  - inspector_score: Inspector-compatible — the vendor CVSS v3.1 base score, with the
//    environmental Modified Attack Vector lowered when the vulnerable host is not reachable from
//    the internet; never raised.
//  - vigil_risk (0–10): the attacker's view — down when no exploit is known and reachability is
//    limited, up for CISA KEV (more for ransomware use), high EPSS, internet exposure and business
//    criticality. The formula is published in docs/scoring.md and is monotonic in every factor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "model/finding.hpp"

namespace vigil::scoring {

// How far an attacker can reach the vulnerable resource (the reachability analysis' class).
enum class Reachability { kUnknown, kNone, kVpc, kInternet };

std::string_view reachability_name(Reachability reachability);

struct InspectorScore {
  double score = 0.0;
  std::string vector;  // the adjusted vector (environmental MAV appended when lowered)
  std::vector<model::ScoreAdjustment> adjustments;
};

// Computes Inspector's score from a CVSS v3.x `vector` (base metrics required). With
// kNone/kVpc reachability and a network attack vector, MAV is set to A (VPC-only: adjacent) or
// L (not reachable); the environmental score is then used. kUnknown and kInternet leave the base
// score. Returns kParse for a malformed vector.
[[nodiscard]] Result<InspectorScore> inspector_score(std::string_view vector,
                                                     Reachability reachability);

// Business criticality of a resource, from its tags (e.g. "criticality=high").
enum class Criticality { kLow, kNormal, kHigh, kCritical };

struct RiskInputs {
  std::optional<double> cvss_base;  // vendor base score; nullopt when no CVSS exists
  model::Severity severity = model::Severity::kUntriaged;  // used when no CVSS exists
  bool in_kev = false;
  bool ransomware = false;
  std::optional<double> epss;  // probability 0..1
  Reachability reachability = Reachability::kUnknown;
  Criticality criticality = Criticality::kNormal;
};

struct Risk {
  double score = 0.0;  // 0.0–10.0, one decimal
  std::vector<model::ScoreAdjustment> explanation;
};

// vigil_risk = clamp(base × reach + exploit + epss + criticality, 0, 10), rounded to 0.1, where
//   base: the CVSS base score, or the severity's midpoint (Critical 9.5, High 8.0, Medium 5.5,
//         Low 2.5, Informational/Untriaged 5.0) when no CVSS exists;
//   reach: Internet 1.0, Unknown 0.9, VPC 0.8, None 0.6;
//   exploit: +2.0 in KEV with known ransomware use, +1.5 in KEV, else -0.5 (no known exploit);
//   epss: +1.5 × EPSS probability (0 when unknown);
//   criticality: Low -0.5, Normal 0, High +0.5, Critical +1.0.
// Each term is non-decreasing in its factor, so the score is monotonic in every input.
Risk vigil_risk(const RiskInputs& inputs);

// Maps a score to Inspector's severity bands (Critical ≥ 9, High ≥ 7, Medium ≥ 4, Low > 0,
// Informational = 0).
model::Severity severity_for_score(double score);

// Maps a vendor's severity label ("CRITICAL", "important", "moderate", "negligible", ...) to a
// severity; kUntriaged for an unknown label.
model::Severity severity_from_label(std::string_view label);

}  // namespace vigil::scoring
