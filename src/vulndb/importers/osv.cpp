#include "vulndb/importers/osv.hpp"

#include <fmt/format.h>

#include <optional>

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

constexpr model::EventKind kEventKinds[4] = {model::EventKind::kIntroduced,
                                             model::EventKind::kFixed,
                                             model::EventKind::kLastAffected,
                                             model::EventKind::kLimit};

// Index in kEventKinds of an event key, or -1.
int event_slot(std::string_view key) {
  if (key == "introduced") {
    return 0;
  }
  if (key == "fixed") {
    return 1;
  }
  if (key == "last_affected") {
    return 2;
  }
  return key == "limit" ? 3 : -1;
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
  range.events.reserve(events->size());
  for (json::element event_el : *events) {
    json::object event;
    if (event_el.get(event) != simdjson::SUCCESS) {
      return fail(Error::parse("range event is not an object"));
    }
    // One pass over the event's members (usually one): the first member of each event key, as
    // event[key] would find it; the first of introduced, fixed, last_affected, limit (in that
    // order) that is a string wins.
    std::optional<json::element> values[4];
    for (const simdjson::dom::key_value_pair member : event) {
      const int slot = event_slot(member.key);
      if (slot >= 0 && !values[slot]) {
        values[slot] = member.value;
      }
    }
    bool found = false;
    for (int slot = 0; slot < 4 && !found; ++slot) {
      std::string_view value;
      if (values[slot] && values[slot]->get(value) == simdjson::SUCCESS) {
        range.events.push_back({kEventKinds[slot], std::string(value)});
        found = true;
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

// The record's top-level fields this importer reads, found in one pass over its members instead
// of one linear key search each (simdjson's object[key]). The first member of a name wins, as it
// does for object[key].
struct RecordFields {
  using Field = std::optional<json::element>;
  Field id, aliases, related, upstream, summary, details, published, modified, withdrawn,
      database_specific, severity, references, affected;

  explicit RecordFields(const json::object& record) {
    for (const simdjson::dom::key_value_pair member : record) {
      Field* field = slot(member.key);
      if (field != nullptr && !field->has_value()) {
        *field = member.value;
      }
    }
  }

  static std::string_view text(const Field& field) {
    std::string_view value;
    return field && field->get(value) == simdjson::SUCCESS ? value : std::string_view();
  }
  static std::optional<json::array> array(const Field& field) {
    json::array value;
    return field && field->get(value) == simdjson::SUCCESS ? std::optional(value) : std::nullopt;
  }
  static std::optional<json::object> object(const Field& field) {
    json::object value;
    return field && field->get(value) == simdjson::SUCCESS ? std::optional(value) : std::nullopt;
  }
  // The strings of an array field; non-string items are skipped (as json::str_array).
  static std::vector<std::string> strings(const Field& field) {
    std::vector<std::string> out;
    if (const auto items = array(field)) {
      out.reserve(items->size());
      for (const json::element item : *items) {
        std::string_view value;
        if (item.get(value) == simdjson::SUCCESS) {
          out.emplace_back(value);
        }
      }
    }
    return out;
  }

 private:
  Field* slot(std::string_view key) {
    switch (key.size()) {
      case 2:
        return key == "id" ? &id : nullptr;
      case 7:
        return key == "aliases"   ? &aliases
               : key == "related" ? &related
               : key == "summary" ? &summary
               : key == "details" ? &details
                                  : nullptr;
      case 8:
        return key == "upstream"   ? &upstream
               : key == "modified" ? &modified
               : key == "severity" ? &severity
               : key == "affected" ? &affected
                                   : nullptr;
      case 9:
        return key == "published" ? &published : key == "withdrawn" ? &withdrawn : nullptr;
      case 10:
        return key == "references" ? &references : nullptr;
      case 17:
        return key == "database_specific" ? &database_specific : nullptr;
      default:
        return nullptr;
    }
  }
};

Result<model::Advisory> parse_record(const json::object& record, const std::string& file,
                                     ImportBatch& batch) {
  const RecordFields fields(record);
  model::Advisory advisory;
  advisory.id = std::string(RecordFields::text(fields.id));
  if (advisory.id.empty()) {
    return fail(Error::parse("record without an id"));
  }
  advisory.source = "osv";
  advisory.aliases = RecordFields::strings(fields.aliases);
  advisory.related = RecordFields::strings(fields.related);
  advisory.upstream = RecordFields::strings(fields.upstream);
  advisory.summary = std::string(RecordFields::text(fields.summary));
  advisory.details = std::string(RecordFields::text(fields.details));
  advisory.published = std::string(RecordFields::text(fields.published));
  advisory.modified = std::string(RecordFields::text(fields.modified));
  advisory.withdrawn = std::string(RecordFields::text(fields.withdrawn));
  if (advisory.modified.empty()) {
    return fail(Error::parse("record {} has no 'modified' date", advisory.id));
  }
  if (auto specific = RecordFields::object(fields.database_specific)) {
    advisory.severity_label = std::string(str(*specific, "severity"));
    advisory.cwes = str_array(*specific, "cwe_ids");
  }
  if (auto severities = RecordFields::array(fields.severity)) {
    advisory.severities.reserve(severities->size());
    for (json::element sev_el : *severities) {
      json::object sev;
      if (sev_el.get(sev) == simdjson::SUCCESS) {
        advisory.severities.push_back(
            {std::string(str(sev, "type")), std::string(str(sev, "score")), "osv", std::nullopt});
      }
    }
  }
  if (auto references = RecordFields::array(fields.references)) {
    advisory.references.reserve(references->size());
    for (json::element ref_el : *references) {
      json::object ref;
      if (ref_el.get(ref) == simdjson::SUCCESS) {
        advisory.references.push_back(
            {std::string(str(ref, "type")), std::string(str(ref, "url"))});
      }
    }
  }
  if (auto affected_list = RecordFields::array(fields.affected)) {
    advisory.affected.reserve(affected_list->size());
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
        package.ranges.reserve(ranges->size());
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

// The byte-level minifier to use. simdjson's AVX-512 kernel (chosen at run time on AVX-512 CPUs)
// stores through vpcompressb, which AMD Zen 4 runs microcoded: 17-20 ms for the shared OSV records
// there against 4.6 ms for the AVX2 kernel, which is taken whenever the CPU has AVX2 (and is as
// fast elsewhere). The output is the same whatever the kernel: the text minus the whitespace
// outside strings.
const simdjson::implementation& minifier() {
  static const simdjson::implementation* const chosen = [] {
    const simdjson::implementation* avx2 = simdjson::get_available_implementations()["haswell"];
    if (avx2 != nullptr && avx2->supported_by_runtime_system()) {
      return avx2;
    }
    return static_cast<const simdjson::implementation*>(simdjson::get_active_implementation());
  }();
  return *chosen;
}

// Minified into a scratch buffer reused across records, then copied out at its final size: no
// zero-fill of the source's size per record, and the stored string is no larger than needed.
std::string minify_text(std::string_view text, const json::object& parsed) {
  constexpr size_t kScratchKeep = size_t{1} << 20;  // larger records get a buffer of their own
  thread_local std::string kept;
  std::string own;
  std::string& scratch = text.size() <= kScratchKeep ? kept : own;
  if (scratch.size() < text.size()) {
    scratch.resize(text.size());
  }
  size_t length = 0;
  if (minifier().minify(reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                        reinterpret_cast<uint8_t*>(scratch.data()), length) != simdjson::SUCCESS ||
      length > text.size()) {
    return simdjson::minify(parsed);
  }
  return std::string(scratch.data(), length);
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
