#include "vulndb/importers/nvd.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "vulndb/importers/feed_util.hpp"
#include "vulndb/importers/json_util.hpp"

namespace vigil::vulndb {
namespace {

using json::arr_at;
using json::obj_at;
using json::str;

constexpr size_t kMaxSummaryBytes = 200;

// The first sentence of `text`, cut at a UTF-8 boundary when longer than kMaxSummaryBytes.
std::string first_sentence(std::string_view text) {
  size_t end = text.size();
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (text[pos] == '\n' || text[pos] == '\r' ||
        (text[pos] == '.' && (pos + 1 == text.size() || text[pos + 1] == ' '))) {
      end = text[pos] == '.' ? pos + 1 : pos;
      break;
    }
  }
  if (end > kMaxSummaryBytes) {
    end = kMaxSummaryBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
      --end;
    }
  }
  return std::string(text.substr(0, end));
}

std::string reference_type(const json::object& ref) {
  bool advisory = false;
  bool evidence = false;
  bool report = false;
  if (auto tags = arr_at(ref, "tags")) {
    for (json::element tag_el : *tags) {
      std::string_view tag;
      if (tag_el.get(tag) != simdjson::SUCCESS) {
        continue;
      }
      if (tag == "Patch") {
        return "FIX";
      }
      advisory |= tag == "Vendor Advisory" || tag == "Third Party Advisory";
      evidence |= tag == "Exploit";
      report |= tag == "Issue Tracking";
    }
  }
  return advisory ? "ADVISORY" : evidence ? "EVIDENCE" : report ? "REPORT" : "WEB";
}

// One CVSS v4 base metric: its vector key, the NVD field names (2024 and 2025 spellings) and the
// letters allowed (the first letter of every NVD enum value, e.g. NETWORK -> N).
struct V4Metric {
  std::string_view key;
  std::array<std::string_view, 2> fields;
  std::string_view allowed;
};

constexpr std::array<V4Metric, 11> kV4Base = {{
    {"AV", {"attackVector", ""}, "NALP"},
    {"AC", {"attackComplexity", ""}, "LH"},
    {"AT", {"attackRequirements", ""}, "NP"},
    {"PR", {"privilegesRequired", ""}, "NLH"},
    {"UI", {"userInteraction", ""}, "NPA"},
    {"VC", {"vulnerableSystemConfidentiality", "vulnConfidentialityImpact"}, "HLN"},
    {"VI", {"vulnerableSystemIntegrity", "vulnIntegrityImpact"}, "HLN"},
    {"VA", {"vulnerableSystemAvailability", "vulnAvailabilityImpact"}, "HLN"},
    {"SC", {"subsequentSystemConfidentiality", "subConfidentialityImpact"}, "HLN"},
    {"SI", {"subsequentSystemIntegrity", "subIntegrityImpact"}, "HLN"},
    {"SA", {"subsequentSystemAvailability", "subAvailabilityImpact"}, "HLN"},
}};

// Rebuilds "CVSS:4.0/AV:N/..." from the named cvssData fields; "" when a base metric is missing
// or has a value outside the specification.
std::string rebuild_v4_vector(const json::object& data) {
  std::string vector = "CVSS:4.0";
  for (const auto& metric : kV4Base) {
    std::string_view value;
    for (std::string_view field : metric.fields) {
      if (!field.empty() && value.empty()) {
        value = str(data, field);
      }
    }
    if (value.empty() || metric.allowed.find(value[0]) == std::string_view::npos) {
      return {};
    }
    fmt::format_to(std::back_inserter(vector), "/{}:{}", metric.key, value[0]);
  }
  const std::string_view maturity = str(data, "exploitMaturity");
  if (maturity == "ATTACKED" || maturity == "PROOF_OF_CONCEPT" || maturity == "UNREPORTED") {
    fmt::format_to(std::back_inserter(vector), "/E:{}", maturity[0]);
  }
  return vector;
}

void add_metrics(const json::object& metrics, std::string_view id, model::Advisory& advisory,
                 feed::RecordLog& log) {
  struct Kind {
    std::string_view key;
    std::string_view type;
  };
  constexpr std::array<Kind, 4> kKinds = {{{"cvssMetricV40", "CVSS_V4"},
                                           {"cvssMetricV31", "CVSS_V3"},
                                           {"cvssMetricV30", "CVSS_V3"},
                                           {"cvssMetricV2", "CVSS_V2"}}};
  for (const auto& kind : kKinds) {
    const auto list = arr_at(metrics, kind.key);
    if (!list) {
      continue;
    }
    for (json::element metric_el : *list) {
      json::object metric;
      json::object data;
      if (metric_el.get(metric) != simdjson::SUCCESS ||
          metric["cvssData"].get(data) != simdjson::SUCCESS) {
        log.info(id, fmt::format("{} entry without cvssData ignored", kind.key));
        continue;
      }
      std::string vector(str(data, "vectorString"));
      if (vector.empty() && kind.type == "CVSS_V4") {
        vector = rebuild_v4_vector(data);
      }
      if (vector.empty()) {
        log.info(id, fmt::format("{} entry without a usable vector ignored", kind.key));
        continue;
      }
      const std::string_view source = str(metric, "source");
      const std::string_view type = str(metric, "type");
      advisory.severities.push_back(
          {std::string(kind.type), std::move(vector),
           type.empty() ? std::string(source) : fmt::format("{} ({})", source, type),
           json::number(data, "baseScore")});
    }
  }
}

// Maps one `cve` object; returns an error message for a record that cannot be imported.
Result<model::Advisory> parse_cve(const json::object& cve, feed::RecordLog& log) {
  model::Advisory advisory;
  advisory.source = "nvd";
  advisory.id = std::string(str(cve, "id"));
  if (advisory.id.empty()) {
    return fail(Error::parse("cve object without an id"));
  }
  const std::string_view modified = str(cve, "lastModified");
  if (modified.empty()) {
    return fail(Error::parse("no lastModified date"));
  }
  for (auto [text, out] : {std::pair{str(cve, "published"), &advisory.published},
                           std::pair{modified, &advisory.modified}}) {
    if (text.empty()) {
      continue;
    }
    if (auto normalised = feed::rfc3339(text)) {
      *out = std::move(*normalised);
    } else {
      return fail(Error::parse("timestamp '{}' is not ISO 8601", text));
    }
  }
  advisory.status = std::string(str(cve, "vulnStatus"));
  if (auto descriptions = arr_at(cve, "descriptions")) {
    for (json::element desc_el : *descriptions) {
      json::object desc;
      if (desc_el.get(desc) == simdjson::SUCCESS && str(desc, "lang") == "en") {
        advisory.details = std::string(str(desc, "value"));
        advisory.summary = first_sentence(advisory.details);
        break;
      }
    }
  }
  if (auto weaknesses = arr_at(cve, "weaknesses")) {
    for (json::element weakness_el : *weaknesses) {
      json::object weakness;
      if (weakness_el.get(weakness) != simdjson::SUCCESS) {
        continue;
      }
      const auto entries = arr_at(weakness, "description");
      if (!entries) {
        continue;
      }
      for (json::element entry_el : *entries) {
        json::object entry;
        if (entry_el.get(entry) != simdjson::SUCCESS) {
          continue;
        }
        const std::string_view cwe = str(entry, "value");
        if (cwe.starts_with("CWE-") &&
            std::find(advisory.cwes.begin(), advisory.cwes.end(), cwe) == advisory.cwes.end()) {
          advisory.cwes.emplace_back(cwe);
        }
      }
    }
  }
  if (auto references = arr_at(cve, "references")) {
    for (json::element ref_el : *references) {
      json::object ref;
      if (ref_el.get(ref) == simdjson::SUCCESS && !str(ref, "url").empty()) {
        advisory.references.push_back({reference_type(ref), std::string(str(ref, "url"))});
      }
    }
  }
  if (auto metrics = obj_at(cve, "metrics")) {
    add_metrics(*metrics, advisory.id, advisory, log);
  }
  if (auto configurations = arr_at(cve, "configurations")) {
    advisory.cpe_configurations = simdjson::minify(*configurations);
  }
  advisory.raw = simdjson::minify(cve);
  return advisory;
}

// `index` is the position in vulnerabilities[] (named when the record has no id), or -1.
void add_cve(const json::object& cve, int64_t index, ImportBatch& batch, feed::RecordLog& log) {
  auto advisory = parse_cve(cve, log);
  if (!advisory) {
    const std::string_view id = str(cve, "id");
    log.skip(!id.empty()  ? std::string(id)
             : index >= 0 ? fmt::format("vulnerabilities[{}]", index)
                          : std::string(),
             advisory.error().message);
    return;
  }
  batch.advisories.push_back(std::move(advisory).value());
}

class NvdImporter final : public Importer {
 public:
  std::string_view name() const override { return "nvd"; }

  bool detects(const SourceFile& file) const override {
    if (json::first_char(file.content) != '{' || feed::is_json_schema(file.content)) {
      return false;
    }
    const std::string_view content = file.content;
    if (json::head_contains(content, "\"NVD_CVE\"")) {
      return true;
    }
    if (json::head_contains(content, "\"resultsPerPage\"")) {
      // Other NVD API responses (cvehistory, cpematch) are not CVE records.
      return json::head_contains(content, "\"vulnerabilities\"") &&
             json::head_contains(content, "\"cve\"");
    }
    // A bare cve object: NVD's own keys next to an id.
    return json::head_contains(content, "\"id\"") &&
           json::head_contains(content, "\"descriptions\"") &&
           (json::head_contains(content, "\"sourceIdentifier\"") ||
            json::head_contains(content, "\"vulnStatus\""));
  }

  Result<void> parse(const SourceFile& file, ImportBatch& batch) const override {
    simdjson::dom::parser parser;
    json::object doc;
    if (auto error = parser.parse(file.content).get(doc); error != simdjson::SUCCESS) {
      return fail(Error::parse("{}: invalid JSON: {}", file.name, simdjson::error_message(error)));
    }
    feed::RecordLog log(file, batch);
    if (auto vulnerabilities = arr_at(doc, "vulnerabilities")) {
      const std::string_view format = str(doc, "format");
      if (!format.empty() && format != "NVD_CVE") {
        return fail(Error::parse("{}: NVD response format '{}' is not NVD_CVE", file.name, format));
      }
      // Advisory is large: reserving avoids moving every record again as the vector grows.
      batch.advisories.reserve(batch.advisories.size() + vulnerabilities->size());
      int64_t index = 0;
      for (json::element item_el : *vulnerabilities) {
        json::object item;
        json::object cve;
        if (item_el.get(item) != simdjson::SUCCESS || item["cve"].get(cve) != simdjson::SUCCESS) {
          log.skip(fmt::format("vulnerabilities[{}]", index), "item without a cve object");
        } else {
          add_cve(cve, index, batch, log);
        }
        ++index;
      }
    } else if (!str(doc, "id").empty()) {
      add_cve(doc, -1, batch, log);
    } else {
      return fail(Error::parse("{}: neither an NVD CVE API response nor a cve record", file.name));
    }
    log.finish();
    return {};
  }
};

}  // namespace

std::unique_ptr<Importer> make_nvd_importer() { return std::make_unique<NvdImporter>(); }

}  // namespace vigil::vulndb
