#include "vulndb/importers/vigil_bundle.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "vulndb/importers/json_util.hpp"
#include "vulndb/importers/osv.hpp"

namespace vigil::vulndb {
namespace {

using ordered = nlohmann::ordered_json;
using json::arr_at;
using json::obj_at;
using json::str;
using json::str_array;

constexpr std::string_view kRecordPrefix = R"({"vigil_record":)";
constexpr std::string_view kHeaderPrefix = R"({"vigil_bundle_records":)";

constexpr std::pair<model::EventKind, std::string_view> kEventKeys[] = {
    {model::EventKind::kIntroduced, "introduced"},
    {model::EventKind::kFixed, "fixed"},
    {model::EventKind::kLastAffected, "last_affected"},
    {model::EventKind::kLimit, "limit"}};
constexpr std::pair<model::RangeType, std::string_view> kRangeTypes[] = {
    {model::RangeType::kEcosystem, "ECOSYSTEM"},
    {model::RangeType::kSemver, "SEMVER"},
    {model::RangeType::kGit, "GIT"}};

void put(ordered& out, const char* key, const std::string& value) {
  if (!value.empty()) {
    out[key] = value;
  }
}

void put(ordered& out, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) {
    out[key] = values;
  }
}

ordered encode_affected(const model::AffectedPackage& package) {
  std::string ecosystem(model::ecosystem_name(package.ecosystem.ecosystem));
  if (!package.ecosystem.release.empty()) {
    ecosystem += ":" + package.ecosystem.release;
  }
  ordered package_obj{{"ecosystem", ecosystem}, {"name", package.name}};
  put(package_obj, "purl", package.purl);
  ordered out{{"package", std::move(package_obj)}};
  if (!package.ranges.empty()) {
    ordered ranges = ordered::array();
    for (const auto& range : package.ranges) {
      ordered events = ordered::array();
      for (const auto& event : range.events) {
        for (const auto& [kind, key] : kEventKeys) {
          if (kind == event.kind) {
            events.push_back(ordered{{std::string(key), event.version}});
          }
        }
      }
      ordered item;
      for (const auto& [type, name] : kRangeTypes) {
        if (type == range.type) {
          item["type"] = name;
        }
      }
      put(item, "repo", range.repo);
      item["events"] = std::move(events);
      ranges.push_back(std::move(item));
    }
    out["ranges"] = std::move(ranges);
  }
  put(out, "versions", package.versions);
  put(out, "severity", package.severity);
  return out;
}

// Splits "Debian:12" at the first colon; the release is kept byte for byte (parse_ecosystem
// would trim it, and the round trip must be exact).
Result<model::EcosystemRef> decode_ecosystem(std::string_view text) {
  const size_t colon = text.find(':');
  VIGIL_ASSIGN_OR_RETURN(auto ecosystem, model::parse_ecosystem(text.substr(0, colon)));
  ecosystem.release =
      colon == std::string_view::npos ? std::string() : std::string(text.substr(colon + 1));
  return ecosystem;
}

Result<model::AffectedRange> decode_range(const json::object& obj) {
  model::AffectedRange range;
  const std::string_view type = str(obj, "type");
  bool known = false;
  for (const auto& [value, name] : kRangeTypes) {
    if (name == type) {
      range.type = value;
      known = true;
    }
  }
  if (!known) {
    return fail(Error::parse("unknown range type '{}'", type));
  }
  range.repo = std::string(str(obj, "repo"));
  if (auto events = arr_at(obj, "events")) {
    for (json::element event_el : *events) {
      json::object event;
      if (event_el.get(event) != simdjson::SUCCESS || event.size() != 1) {
        return fail(Error::parse("range event is not a one-member object"));
      }
      const auto member = *event.begin();
      std::string_view version;
      if (member.value.get(version) != simdjson::SUCCESS) {
        return fail(Error::parse("range event '{}' has no string version", member.key));
      }
      bool found = false;
      for (const auto& [kind, key] : kEventKeys) {
        if (key == member.key) {
          range.events.push_back({kind, std::string(version)});
          found = true;
        }
      }
      if (!found) {
        return fail(Error::parse("unknown range event '{}'", member.key));
      }
    }
  }
  return range;
}

// Decodes a generic advisory record. Unknown ecosystems drop the affected entry with an info
// diagnostic, as the OSV importer does.
Result<model::Advisory> decode_advisory(const json::object& obj, const std::string& where,
                                        ImportBatch& batch) {
  model::Advisory advisory;
  advisory.source = std::string(str(obj, "source"));
  advisory.id = std::string(str(obj, "id"));
  if (advisory.id.empty() || advisory.source.empty()) {
    return fail(Error::parse("advisory record without an id or source"));
  }
  advisory.aliases = str_array(obj, "aliases");
  advisory.related = str_array(obj, "related");
  advisory.upstream = str_array(obj, "upstream");
  advisory.summary = std::string(str(obj, "summary"));
  advisory.details = std::string(str(obj, "details"));
  advisory.published = std::string(str(obj, "published"));
  advisory.modified = std::string(str(obj, "modified"));
  advisory.withdrawn = std::string(str(obj, "withdrawn"));
  advisory.cwes = str_array(obj, "cwes");
  advisory.severity_label = std::string(str(obj, "severity_label"));
  advisory.status = std::string(str(obj, "status"));
  advisory.cpe_configurations = std::string(str(obj, "cpe_configurations"));
  advisory.raw = std::string(str(obj, "raw"));
  if (auto affected = arr_at(obj, "affected")) {
    for (json::element item_el : *affected) {
      json::object item;
      if (item_el.get(item) != simdjson::SUCCESS) {
        return fail(Error::parse("affected entry is not an object"));
      }
      model::AffectedPackage package;
      const auto package_obj = obj_at(item, "package");
      if (!package_obj) {
        return fail(Error::parse("affected entry without a package"));
      }
      auto ecosystem = decode_ecosystem(str(*package_obj, "ecosystem"));
      if (!ecosystem) {
        batch.diagnostics.push_back({model::DiagnosticLevel::kInfo, where,
                                     ecosystem.error().message + "; affected entry not imported"});
        continue;
      }
      package.ecosystem = std::move(ecosystem).value();
      package.name = std::string(str(*package_obj, "name"));
      package.purl = std::string(str(*package_obj, "purl"));
      if (auto ranges = arr_at(item, "ranges")) {
        for (json::element range_el : *ranges) {
          json::object range_obj;
          if (range_el.get(range_obj) != simdjson::SUCCESS) {
            return fail(Error::parse("range is not an object"));
          }
          VIGIL_ASSIGN_OR_RETURN(auto range, decode_range(range_obj));
          package.ranges.push_back(std::move(range));
        }
      }
      package.versions = str_array(item, "versions");
      package.severity = std::string(str(item, "severity"));
      advisory.affected.push_back(std::move(package));
    }
  }
  if (auto severities = arr_at(obj, "severity")) {
    for (json::element sev_el : *severities) {
      json::object sev;
      if (sev_el.get(sev) != simdjson::SUCCESS) {
        return fail(Error::parse("severity entry is not an object"));
      }
      advisory.severities.push_back({std::string(str(sev, "type")), std::string(str(sev, "score")),
                                     std::string(str(sev, "source")),
                                     json::number(sev, "base_score")});
    }
  }
  if (auto references = arr_at(obj, "references")) {
    for (json::element ref_el : *references) {
      json::object ref;
      if (ref_el.get(ref) == simdjson::SUCCESS) {
        advisory.references.push_back(
            {std::string(str(ref, "type")), std::string(str(ref, "url"))});
      }
    }
  }
  return advisory;
}

bool has_prefix(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string encode_bundle_advisory(const model::Advisory& advisory) {
  ordered out{{"vigil_record", "advisory"}, {"source", advisory.source}, {"id", advisory.id}};
  put(out, "aliases", advisory.aliases);
  put(out, "related", advisory.related);
  put(out, "upstream", advisory.upstream);
  put(out, "summary", advisory.summary);
  put(out, "details", advisory.details);
  put(out, "published", advisory.published);
  put(out, "modified", advisory.modified);
  put(out, "withdrawn", advisory.withdrawn);
  if (!advisory.affected.empty()) {
    ordered affected = ordered::array();
    for (const auto& package : advisory.affected) {
      affected.push_back(encode_affected(package));
    }
    out["affected"] = std::move(affected);
  }
  if (!advisory.severities.empty()) {
    ordered severities = ordered::array();
    for (const auto& severity : advisory.severities) {
      ordered item{{"type", severity.type}, {"score", severity.vector}};
      put(item, "source", severity.source);
      if (severity.base_score) {
        item["base_score"] = *severity.base_score;
      }
      severities.push_back(std::move(item));
    }
    out["severity"] = std::move(severities);
  }
  if (!advisory.references.empty()) {
    ordered references = ordered::array();
    for (const auto& reference : advisory.references) {
      references.push_back(ordered{{"type", reference.type}, {"url", reference.url}});
    }
    out["references"] = std::move(references);
  }
  put(out, "cwes", advisory.cwes);
  put(out, "severity_label", advisory.severity_label);
  put(out, "status", advisory.status);
  put(out, "cpe_configurations", advisory.cpe_configurations);
  put(out, "raw", advisory.raw);
  // Invalid UTF-8 in a feed is replaced rather than aborting the whole export.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string encode_bundle_kev(const model::KevEntry& entry) {
  return ordered{{"vigil_record", "kev"},
                 {"cve_id", entry.cve_id},
                 {"vendor_project", entry.vendor_project},
                 {"product", entry.product},
                 {"name", entry.name},
                 {"date_added", entry.date_added},
                 {"due_date", entry.due_date},
                 {"known_ransomware_use", entry.known_ransomware_use},
                 {"required_action", entry.required_action},
                 {"notes", entry.notes}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string encode_bundle_epss(const model::EpssScore& score) {
  return ordered{{"vigil_record", "epss"},
                 {"cve_id", score.cve_id},
                 {"epss", score.epss},
                 {"percentile", score.percentile},
                 {"score_date", score.score_date},
                 {"model_version", score.model_version}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct BundleRecordParser::Impl {
  simdjson::dom::parser parser;
  std::unique_ptr<Importer> osv = make_osv_importer();
  SourceFile line_file;
};

BundleRecordParser::BundleRecordParser() : impl_(std::make_unique<Impl>()) {}
BundleRecordParser::~BundleRecordParser() = default;

Result<void> BundleRecordParser::parse(std::string_view content, std::string_view name,
                                       size_t first_line, ImportBatch& batch,
                                       BundleLineCounts& counts) {
  size_t line_no = first_line;
  for (size_t pos = 0; pos < content.size(); ++line_no) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) {
      end = content.size();
    }
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      continue;
    }
    const auto where = fmt::format("{}:{}", name, line_no);
    if (has_prefix(line, kHeaderPrefix)) {
      if (line != kBundleRecordsHeader) {
        return fail(
            Error::parse("{}: unsupported bundle records header {}", where, line.substr(0, 64)));
      }
      continue;
    }
    if (!has_prefix(line, kRecordPrefix)) {
      // A raw OSV record: the OSV importer reads it exactly as it read the original file.
      impl_->line_file.name = where;
      impl_->line_file.content.assign(line);
      VIGIL_TRY(impl_->osv->parse(impl_->line_file, batch));
      ++counts.osv;
      continue;
    }
    json::element doc;
    json::object obj;
    if (auto error = impl_->parser.parse(line.data(), line.size()).get(doc);
        error != simdjson::SUCCESS || doc.get(obj) != simdjson::SUCCESS) {
      return fail(Error::parse("{}: invalid record line", where));
    }
    const std::string_view kind = str(obj, "vigil_record");
    if (kind == "advisory") {
      ++counts.advisories;
      auto advisory = decode_advisory(obj, where, batch);
      if (!advisory) {
        batch.diagnostics.push_back({model::DiagnosticLevel::kWarning, where,
                                     advisory.error().message + "; record skipped"});
        ++batch.records_skipped;
        continue;
      }
      batch.advisories.push_back(std::move(advisory).value());
    } else if (kind == "kev") {
      ++counts.kev;
      model::KevEntry entry;
      entry.cve_id = std::string(str(obj, "cve_id"));
      entry.vendor_project = std::string(str(obj, "vendor_project"));
      entry.product = std::string(str(obj, "product"));
      entry.name = std::string(str(obj, "name"));
      entry.date_added = std::string(str(obj, "date_added"));
      entry.due_date = std::string(str(obj, "due_date"));
      bool ransomware = false;
      entry.known_ransomware_use =
          obj["known_ransomware_use"].get(ransomware) == simdjson::SUCCESS && ransomware;
      entry.required_action = std::string(str(obj, "required_action"));
      entry.notes = std::string(str(obj, "notes"));
      if (entry.cve_id.empty()) {
        batch.diagnostics.push_back(
            {model::DiagnosticLevel::kWarning, where, "KEV record without cve_id; skipped"});
        ++batch.records_skipped;
        continue;
      }
      batch.kev.push_back(std::move(entry));
    } else if (kind == "epss") {
      ++counts.epss;
      const auto epss = json::number(obj, "epss");
      const auto percentile = json::number(obj, "percentile");
      const std::string cve_id(str(obj, "cve_id"));
      if (cve_id.empty() || !epss || !percentile) {
        batch.diagnostics.push_back({model::DiagnosticLevel::kWarning, where,
                                     "EPSS record without cve_id, epss or percentile; skipped"});
        ++batch.records_skipped;
        continue;
      }
      batch.epss.push_back({cve_id, *epss, *percentile, std::string(str(obj, "score_date")),
                            std::string(str(obj, "model_version"))});
    } else {
      return fail(Error::parse("{}: unknown record kind '{}'", where, kind));
    }
  }
  return {};
}

namespace {

class VigilBundleImporter final : public Importer {
 public:
  std::string_view name() const override { return "vigil-bundle"; }

  bool detects(const SourceFile& file) const override {
    const std::string_view content = file.content;
    return has_prefix(content, kHeaderPrefix) || has_prefix(content, kRecordPrefix);
  }

  Result<void> parse(const SourceFile& file, ImportBatch& batch) const override {
    BundleLineCounts counts;
    return parser_.parse(file.content, file.name, 1, batch, counts);
  }

 private:
  mutable BundleRecordParser parser_;
};

}  // namespace

std::unique_ptr<Importer> make_vigil_bundle_importer() {
  return std::make_unique<VigilBundleImporter>();
}

}  // namespace vigil::vulndb
