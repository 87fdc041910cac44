#include "export/internal/findings_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/strings.hpp"
#include "export/internal/common.hpp"

namespace vigil::exporter::internal {

const model::CvssRecord* primary_cvss(const std::vector<model::CvssRecord>& records) {
  const model::CvssRecord* best = nullptr;
  int best_rank = 0;
  for (const auto& record : records) {
    const bool primary = record.source.find("Primary") != std::string::npos;
    int rank = 0;
    if (record.version == "3.1") {
      rank = primary ? 4 : 3;
    } else if (record.version == "3.0") {
      rank = primary ? 2 : 1;
    }
    if (rank > best_rank) {
      best = &record;
      best_rank = rank;
    }
  }
  if (best == nullptr && !records.empty()) {
    best = &records.front();
  }
  return best;
}

std::string inspector_source(const model::Finding& finding) {
  // Vendor data first (what Inspector reports for OS packages), then OSV, then NVD.
  constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kSources{{
      {"alas", "AMAZON_CVE"},
      {"debian", "DEBIAN_CVE"},
      {"debian-tracker", "DEBIAN_CVE"},
      {"ubuntu", "UBUNTU_CVE"},
      {"redhat", "REDHAT_CVE"},
      {"alpine-secdb", "ALPINE_SECDB"},
      {"osv", "OSV"},
      {"nvd", "NVD"},
  }};
  for (const auto& [source, name] : kSources) {
    if (std::find(finding.sources.begin(), finding.sources.end(), source) !=
        finding.sources.end()) {
      if (name == "OSV" && finding.vulnerability_id.rfind("GHSA-", 0) == 0) {
        return "GITHUB";
      }
      return std::string(name);
    }
  }
  if (finding.sources.empty()) {
    return "VIGIL";
  }
  std::string out;
  for (const char c : finding.sources.front()) {
    out.push_back(is_alnum(c) ? static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c) : '_');
  }
  return out;
}

std::string vulnerability_url(std::string_view vulnerability_id) {
  if (vulnerability_id.rfind("CVE-", 0) == 0) {
    return fmt::format("https://nvd.nist.gov/vuln/detail/{}", vulnerability_id);
  }
  if (vulnerability_id.rfind("GHSA-", 0) == 0) {
    return fmt::format("https://github.com/advisories/{}", vulnerability_id);
  }
  return fmt::format("https://osv.dev/vulnerability/{}", vulnerability_id);
}

std::string fix_sentence(const model::Finding& finding) {
  if (finding.fixed_in.empty()) {
    return fmt::format("No fixed version of {} is known.", finding.package.name);
  }
  return fmt::format("Upgrade {} to {} or later.", finding.package.name, finding.fixed_in);
}

std::optional<double> best_score(const model::Finding& finding) {
  if (finding.cvss.empty()) {
    return std::nullopt;
  }
  if (finding.inspector_score > 0.0) {
    return finding.inspector_score;
  }
  double best = 0.0;
  for (const auto& record : finding.cvss) {
    best = std::max(best, record.base_score);
  }
  return best;
}

std::string iso_timestamp(std::string_view text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    return fmt::format("{}T00:00:00Z", text);
  }
  return std::string(text);
}

std::string export_time(const FindingsContext& context) {
  return context.timestamp.empty() ? utc_now() : context.timestamp;
}

}  // namespace vigil::exporter::internal
