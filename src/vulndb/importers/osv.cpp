#include "vulndb/importers/osv.hpp"

#include <fmt/format.h>

#include "vulndb/importers/json_util.hpp"

namespace vigil::vulndb {
namespace {

using json::arr_at;
using json::obj_at;
using json::str;
using json::str_array;

std::optional<model::RangeType> range_type(std::string_view text) {
  if (text == "ECOSYSTEM") {
    return model::RangeType::kEcosystem;
  }
  if (text == "SEMVER") {
    return model::RangeType::kSemver;
  }
  if (text == "GIT") {
    return model::RangeType::kGit;
  }
  return std::nullopt;
}

// Reads one range; returns an error message for a malformed one.
Result<model::AffectedRange> parse_range(const json::object& range_obj) {
  model::AffectedRange range;
  const auto type = range_type(str(range_obj, "type"));
  if (!type) {
    return fail(
        Error::parse("range type '{}' is not ECOSYSTEM, SEMVER or GIT", str(range_obj, "type")));
  }
  range.type = *type;
  range.repo = std::string(str(range_obj, "repo"));
  const auto events = arr_at(range_obj, "events");
  if (!events) {
    return fail(Error::parse("range without events"));
  }
  for (json::element event_el : *events) {
    json::object event;
    if (event_el.get(event) != simdjson::SUCCESS) {
      return fail(Error::parse("range event is not an object"));
    }
    bool found = false;
    for (const auto& [key, kind] : {std::pair<std::string_view, model::EventKind>{
                                        "introduced", model::EventKind::kIntroduced},
                                    {"fixed", model::EventKind::kFixed},
                                    {"last_affected", model::EventKind::kLastAffected},
                                    {"limit", model::EventKind::kLimit}}) {
      std::string_view value;
      if (event[key].get(value) == simdjson::SUCCESS) {
        range.events.push_back({kind, std::string(value)});
        found = true;
        break;
      }
    }
    if (!found) {
      return fail(Error::parse("range event has none of introduced/fixed/last_affected/limit"));
    }
  }
  return range;
}

std::string severity_of(const json::object& affected) {
  for (std::string_view key : {"ecosystem_specific", "database_specific"}) {
    if (auto specific = obj_at(affected, key)) {
      if (auto value = str(*specific, "severity"); !value.empty()) {
        return std::string(value);
      }
    }
  }
  return {};
}

Result<model::Advisory> parse_record(const json::object& record, const std::string& file,
                                     ImportBatch& batch) {
  model::Advisory advisory;
  advisory.id = std::string(str(record, "id"));
  if (advisory.id.empty()) {
    return fail(Error::parse("record without an id"));
  }
  advisory.source = "osv";
  advisory.aliases = str_array(record, "aliases");
  advisory.related = str_array(record, "related");
  advisory.upstream = str_array(record, "upstream");
  advisory.summary = std::string(str(record, "summary"));
  advisory.details = std::string(str(record, "details"));
  advisory.published = std::string(str(record, "published"));
  advisory.modified = std::string(str(record, "modified"));
  advisory.withdrawn = std::string(str(record, "withdrawn"));
  if (advisory.modified.empty()) {
    return fail(Error::parse("record {} has no 'modified' date", advisory.id));
  }
  if (auto specific = obj_at(record, "database_specific")) {
    advisory.severity_label = std::string(str(*specific, "severity"));
    advisory.cwes = str_array(*specific, "cwe_ids");
  }
  if (auto severities = arr_at(record, "severity")) {
    for (json::element sev_el : *severities) {
      json::object sev;
      if (sev_el.get(sev) == simdjson::SUCCESS) {
        advisory.severities.push_back(
            {std::string(str(sev, "type")), std::string(str(sev, "score")), "osv", std::nullopt});
      }
    }
  }
  if (auto references = arr_at(record, "references")) {
    for (json::element ref_el : *references) {
      json::object ref;
      if (ref_el.get(ref) == simdjson::SUCCESS) {
        advisory.references.push_back(
            {std::string(str(ref, "type")), std::string(str(ref, "url"))});
      }
    }
  }
  if (auto affected_list = arr_at(record, "affected")) {
    for (json::element affected_el : *affected_list) {
      json::object affected;
      if (affected_el.get(affected) != simdjson::SUCCESS) {
        return fail(Error::parse("record {}: affected entry is not an object", advisory.id));
      }
      model::AffectedPackage package;
      const auto package_obj = obj_at(affected, "package");
      if (package_obj) {
        package.name = std::string(str(*package_obj, "name"));
        package.purl = std::string(str(*package_obj, "purl"));
        const auto ecosystem = model::parse_ecosystem(str(*package_obj, "ecosystem"));
        if (!ecosystem) {
          batch.diagnostics.push_back(
              {model::DiagnosticLevel::kInfo, fmt::format("{}: {}", file, advisory.id),
               ecosystem.error().message + "; affected entry not imported"});
          continue;
        }
        package.ecosystem = *ecosystem;
      }
      if (package.name.empty()) {
        return fail(Error::parse("record {}: affected entry without package name", advisory.id));
      }
      if (auto ranges = arr_at(affected, "ranges")) {
        for (json::element range_el : *ranges) {
          json::object range_obj;
          if (range_el.get(range_obj) != simdjson::SUCCESS) {
            return fail(Error::parse("record {}: range is not an object", advisory.id));
          }
          auto range = parse_range(range_obj);
          if (!range) {
            return fail(range.error().with_context(
                fmt::format("record {}: package {}", advisory.id, package.name)));
          }
          package.ranges.push_back(std::move(range).value());
        }
      }
      package.versions = str_array(affected, "versions");
      package.severity = severity_of(affected);
      advisory.affected.push_back(std::move(package));
    }
  }
  return advisory;
}

std::string minify_text(std::string_view text, const json::object& parsed) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), length) != simdjson::SUCCESS ||
      length > text.size()) {
    return simdjson::minify(parsed);
  }
  out.resize(length);
  return out;
}

class OsvImporter final : public Importer {
 public:
  std::string_view name() const override { return "osv"; }

  bool detects(const SourceFile& file) const override {
    const char first = json::first_char(file.content);
    if (first != '{' && first != '[') {
      return false;
    }
    const std::string_view content = file.content;
    if (!json::head_contains(content, "\"id\"") ||
        json::head_contains(content, "\"resultsPerPage\"") ||
        json::head_contains(content, "\"catalogVersion\"") ||
        json::head_contains(content, "\"sourceIdentifier\"") ||
        json::head_contains(content, "\"$schema\"")) {
      return false;
    }
    for (std::string_view key : {"\"modified\"", "\"schema_version\"", "\"affected\"",
                                 "\"aliases\"", "\"published\"", "\"details\"", "\"summary\""}) {
      if (json::head_contains(content, key)) {
        return true;
      }
    }
    return false;
  }

  Result<void> parse(const SourceFile& file, ImportBatch& batch) const override {
    json::element doc;
    if (auto error = parser_.parse(file.content).get(doc); error != simdjson::SUCCESS) {
      return fail(Error::parse("{}: invalid JSON: {}", file.name, simdjson::error_message(error)));
    }
    json::array records;
    json::object single;
    if (doc.get(single) == simdjson::SUCCESS) {
      // Stored minified: pretty-printed feeds (PyPA's) would double the database size. The
      // document parsed, so the byte-level minifier (whitespace outside strings removed, text
      // otherwise as the source wrote it) is exact and far cheaper than re-serialising the DOM.
      add_record(single, file, minify_text(file.content, single), batch);
    } else if (doc.get(records) == simdjson::SUCCESS) {
      for (json::element record_el : records) {
        json::object record;
        if (record_el.get(record) != simdjson::SUCCESS) {
          batch.diagnostics.push_back({model::DiagnosticLevel::kWarning, file.name,
                                       "array item is not an OSV record object"});
          ++batch.records_skipped;
          continue;
        }
        add_record(record, file, simdjson::minify(record), batch);
      }
    } else {
      return fail(Error::parse("{}: not an OSV record or array of records", file.name));
    }
    return {};
  }

 private:
  static void add_record(const json::object& record, const SourceFile& file, std::string raw,
                         ImportBatch& batch) {
    auto advisory = parse_record(record, file.name, batch);
    if (!advisory) {
      const std::string_view id = str(record, "id");
      batch.diagnostics.push_back({model::DiagnosticLevel::kWarning,
                                   id.empty() ? file.name : fmt::format("{}: {}", file.name, id),
                                   advisory.error().message + "; record skipped"});
      ++batch.records_skipped;
      return;
    }
    advisory->raw = std::move(raw);
    batch.advisories.push_back(std::move(advisory).value());
  }

  mutable simdjson::dom::parser parser_;
};

}  // namespace

std::unique_ptr<Importer> make_osv_importer() { return std::make_unique<OsvImporter>(); }

}  // namespace vigil::vulndb
