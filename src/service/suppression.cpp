#include "service/suppression.hpp"

#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/strings.hpp"

namespace vigil::service {
namespace {

bool valid_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  for (size_t idx : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (!is_digit(text[idx])) {
      return false;
    }
  }
  const int month = (text[5] - '0') * 10 + (text[6] - '0');
  const int day = (text[8] - '0') * 10 + (text[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool valid_id(std::string_view text) {
  if (text.empty() || text.size() > 128) {
    return false;
  }
  for (char c : text) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.' && c != ':') {
      return false;
    }
  }
  return true;
}

// "pkg:npm/lodash@4.17.20?x=y" -> "pkg:npm/lodash"
std::string purl_base(std::string_view purl) {
  const size_t cut = purl.find_first_of("@?#");
  return std::string(purl.substr(0, cut));
}

bool finding_has_id(const model::Finding& finding, std::string_view id) {
  if (equals_ci(finding.vulnerability_id, id)) {
    return true;
  }
  for (const auto& alias : finding.aliases) {
    if (equals_ci(alias, id)) {
      return true;
    }
  }
  return false;
}

bool product_matches(const model::Finding& finding, const std::vector<std::string>& products) {
  if (products.empty()) {
    return true;
  }
  for (const auto& product : products) {
    if (product == finding.package.purl || product == finding.package.name) {
      return true;
    }
    if (product.rfind("pkg:", 0) == 0 && !finding.package.purl.empty() &&
        product.find('@') == std::string::npos &&
        purl_base(product) == purl_base(finding.package.purl)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::vector<IgnoreEntry>> parse_ignore_file(std::string_view text, std::string_view name) {
  std::vector<IgnoreEntry> entries;
  size_t line_number = 0;
  for (auto line : split(text, '\n')) {
    ++line_number;
    line = trim(line);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    IgnoreEntry entry;
    entry.line = line_number;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
      entry.reason = std::string(trim(line.substr(hash + 1)));
      line = trim(line.substr(0, hash));
    }
    bool first = true;
    for (auto word : split(line, ' ')) {
      word = trim(word);
      if (word.empty()) {
        continue;
      }
      if (first) {
        if (!valid_id(word)) {
          return fail(Error::parse("{}: line {}: '{}' is not a vulnerability id", name,
                                   line_number, word));
        }
        entry.id = std::string(word);
        first = false;
      } else if (word.rfind("exp:", 0) == 0) {
        if (!valid_date(word.substr(4))) {
          return fail(Error::parse("{}: line {}: expiry '{}' is not YYYY-MM-DD", name,
                                   line_number, word.substr(4)));
        }
        entry.expires = std::string(word.substr(4));
      } else {
        return fail(Error::parse("{}: line {}: unexpected '{}' (use: ID [exp:YYYY-MM-DD] "
                                 "[# reason])",
                                 name, line_number, word));
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<VexStatement>> parse_vex(std::string_view text, std::string_view name) {
  using nlohmann::json;
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail(Error::parse("{}: not a JSON object", name));
  }
  std::vector<VexStatement> statements;
  const auto string_at = [](const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (doc.contains("statements")) {  // OpenVEX
    if (!doc["statements"].is_array()) {
      return fail(Error::parse("{}: 'statements' is not an array", name));
    }
    size_t idx = 0;
    for (const auto& item : doc["statements"]) {
      VexStatement statement;
      statement.source = "openvex";
      if (!item.is_object()) {
        return fail(Error::parse("{}: statements[{}] is not an object", name, idx));
      }
      const auto vuln = item.find("vulnerability");
      if (vuln != item.end() && vuln->is_string()) {
        statement.vulnerability = vuln->get<std::string>();
      } else if (vuln != item.end() && vuln->is_object()) {
        statement.vulnerability = string_at(*vuln, "name");
      }
      if (statement.vulnerability.empty()) {
        return fail(Error::parse("{}: statements[{}].vulnerability is missing", name, idx));
      }
      if (const auto products = item.find("products");
          products != item.end() && products->is_array()) {
        for (const auto& product : *products) {
          if (product.is_string()) {
            statement.products.push_back(product.get<std::string>());
          } else if (product.is_object()) {
            statement.products.push_back(string_at(product, "@id"));
          }
        }
      }
      statement.status = string_at(item, "status");
      if (statement.status.empty()) {
        return fail(Error::parse("{}: statements[{}].status is missing", name, idx));
      }
      statement.justification = string_at(item, "justification");
      if (statement.justification.empty()) {
        statement.justification = string_at(item, "impact_statement");
      }
      statements.push_back(std::move(statement));
      ++idx;
    }
    return statements;
  }
  if (doc.contains("vulnerabilities")) {  // CycloneDX VEX
    if (!doc["vulnerabilities"].is_array()) {
      return fail(Error::parse("{}: 'vulnerabilities' is not an array", name));
    }
    size_t idx = 0;
    for (const auto& item : doc["vulnerabilities"]) {
      if (!item.is_object()) {
        return fail(Error::parse("{}: vulnerabilities[{}] is not an object", name, idx));
      }
      VexStatement statement;
      statement.source = "cyclonedx";
      statement.vulnerability = string_at(item, "id");
      if (statement.vulnerability.empty()) {
        return fail(Error::parse("{}: vulnerabilities[{}].id is missing", name, idx));
      }
      if (const auto analysis = item.find("analysis");
          analysis != item.end() && analysis->is_object()) {
        const std::string state = string_at(*analysis, "state");
        statement.status = state == "not_affected" || state == "false_positive" ? "not_affected"
                           : state == "resolved"                                  ? "fixed"
                           : state == "exploitable"                               ? "affected"
                                                                                  : state;
        statement.justification = string_at(*analysis, "justification");
        if (const std::string detail = string_at(*analysis, "detail"); !detail.empty()) {
          statement.justification +=
              statement.justification.empty() ? detail : ": " + detail;
        }
      }
      if (const auto affects = item.find("affects"); affects != item.end() && affects->is_array()) {
        for (const auto& affect : *affects) {
          if (affect.is_object()) {
            statement.products.push_back(string_at(affect, "ref"));
          }
        }
      }
      statements.push_back(std::move(statement));
      ++idx;
    }
    return statements;
  }
  return fail(Error::parse("{}: neither an OpenVEX document (statements) nor a CycloneDX VEX "
                           "(vulnerabilities)",
                           name));
}

SuppressionReport apply_suppressions(std::vector<model::Finding>& findings,
                                     const std::vector<IgnoreEntry>& ignores,
                                     const std::vector<VexStatement>& vex, std::string_view today) {
  SuppressionReport report;
  for (const auto& entry : ignores) {
    if (!entry.expires.empty() && entry.expires < today) {
      report.notes.push_back(fmt::format("ignore entry {} (line {}) expired on {}; no longer "
                                         "suppressing",
                                         entry.id, entry.line, entry.expires));
    }
  }
  for (auto& finding : findings) {
    if (finding.status == model::FindingStatus::kSuppressed) {
      continue;
    }
    for (const auto& entry : ignores) {
      if ((entry.expires.empty() || entry.expires >= today) && finding_has_id(finding, entry.id)) {
        finding.status = model::FindingStatus::kSuppressed;
        finding.suppression_reason = fmt::format(
            "ignore file: {}{}{}", entry.id, entry.reason.empty() ? "" : " — " + entry.reason,
            entry.expires.empty() ? "" : " (until " + entry.expires + ")");
        break;
      }
    }
    if (finding.status == model::FindingStatus::kSuppressed) {
      ++report.suppressed;
      continue;
    }
    for (const auto& statement : vex) {
      if (statement.status == "not_affected" && finding_has_id(finding, statement.vulnerability) &&
          product_matches(finding, statement.products)) {
        finding.status = model::FindingStatus::kSuppressed;
        finding.suppression_reason =
            fmt::format("{} VEX not_affected{}", statement.source,
                        statement.justification.empty() ? "" : ": " + statement.justification);
        ++report.suppressed;
        break;
      }
    }
  }
  return report;
}

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[16];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d", &utc);
  return buffer;
}

}  // namespace vigil::service
