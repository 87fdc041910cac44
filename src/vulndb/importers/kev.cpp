#include "vulndb/importers/kev.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "vulndb/importers/csv_reader.hpp"
#include "vulndb/importers/feed_util.hpp"
#include "vulndb/importers/json_util.hpp"

namespace vigil::vulndb {
namespace {

using json::str;

// The KEV fields Vigil keeps, in the order of `Fields` below.
constexpr std::array<std::string_view, 9> kColumns = {
    "cveID",   "vendorProject",  "product", "vulnerabilityName",         "dateAdded",
    "dueDate", "requiredAction", "notes",   "knownRansomwareCampaignUse"};
enum Column : size_t {
  kCve,
  kVendor,
  kProduct,
  kName,
  kDateAdded,
  kDueDate,
  kAction,
  kNotes,
  kRansomware
};
using Fields = std::array<std::string_view, kColumns.size()>;

// Builds the entry, or returns why the record is not usable.
Result<model::KevEntry> make_entry(const Fields& fields) {
  if (!feed::is_cve_id(fields[kCve])) {
    return fail(Error::parse("cveID '{}' is not a CVE id", fields[kCve]));
  }
  if (fields[kDateAdded].empty()) {
    return fail(Error::parse("no dateAdded"));
  }
  model::KevEntry entry;
  entry.cve_id = std::string(fields[kCve]);
  entry.vendor_project = std::string(fields[kVendor]);
  entry.product = std::string(fields[kProduct]);
  entry.name = std::string(fields[kName]);
  entry.date_added = std::string(fields[kDateAdded]);
  entry.due_date = std::string(fields[kDueDate]);
  entry.required_action = std::string(fields[kAction]);
  entry.notes = std::string(fields[kNotes]);
  entry.known_ransomware_use = fields[kRansomware] == "Known";
  return entry;
}

void add_entry(const Fields& fields, std::string_view position, ImportBatch& batch,
               feed::RecordLog& log) {
  auto entry = make_entry(fields);
  if (!entry) {
    log.skip(fields[kCve].empty() ? position : fields[kCve], entry.error().message);
    return;
  }
  batch.kev.push_back(std::move(entry).value());
}

Result<void> parse_json(const SourceFile& file, ImportBatch& batch) {
  simdjson::dom::parser parser;
  json::object doc;
  if (auto error = parser.parse(file.content).get(doc); error != simdjson::SUCCESS) {
    return fail(Error::parse("{}: invalid JSON: {}", file.name, simdjson::error_message(error)));
  }
  const auto vulnerabilities = json::arr_at(doc, "vulnerabilities");
  if (!vulnerabilities) {
    return fail(Error::parse("{}: KEV catalogue without a vulnerabilities array", file.name));
  }
  feed::RecordLog log(file, batch);
  size_t index = 0;
  for (json::element item_el : *vulnerabilities) {
    json::object item;
    if (item_el.get(item) != simdjson::SUCCESS) {
      log.skip(fmt::format("vulnerabilities[{}]", index++), "entry is not an object");
      continue;
    }
    Fields fields;
    for (size_t column = 0; column < kColumns.size(); ++column) {
      fields[column] = str(item, kColumns[column]);
    }
    add_entry(fields, fmt::format("vulnerabilities[{}]", index++), batch, log);
  }
  log.finish();
  return {};
}

Result<void> parse_csv(const SourceFile& file, ImportBatch& batch) {
  csv::Reader reader(file.content);
  std::vector<std::string> row;
  auto has_header = reader.next(row);
  if (!has_header) {
    return fail(has_header.error().with_context(file.name));
  }
  // Column positions by header name; absent optional columns stay empty.
  std::array<std::optional<size_t>, kColumns.size()> position;
  for (size_t index = 0; index < row.size(); ++index) {
    for (size_t column = 0; column < kColumns.size(); ++column) {
      if (row[index] == kColumns[column]) {
        position[column] = index;
      }
    }
  }
  if (!*has_header || !position[kCve] || !position[kDateAdded]) {
    return fail(
        Error::parse("{}: KEV CSV header lacks the cveID and dateAdded columns", file.name));
  }
  const size_t width = row.size();
  feed::RecordLog log(file, batch);
  while (true) {
    auto more = reader.next(row);
    if (!more) {
      return fail(more.error().with_context(file.name));
    }
    if (!*more) {
      break;
    }
    const std::string line = fmt::format("line {}", reader.line());
    if (row.size() != width) {
      log.skip(line, fmt::format("{} fields where the header has {}", row.size(), width));
      continue;
    }
    Fields fields;
    for (size_t column = 0; column < kColumns.size(); ++column) {
      if (position[column]) {
        fields[column] = row[*position[column]];
      }
    }
    add_entry(fields, line, batch, log);
  }
  log.finish();
  return {};
}

// True if the first line of `content` (after a byte-order mark) is a KEV CSV header.
bool is_kev_csv(std::string_view content) {
  if (content.starts_with("\xEF\xBB\xBF")) {
    content.remove_prefix(3);
  }
  const std::string_view first_line = content.substr(0, content.find('\n'));
  return first_line.starts_with("cveID,") && first_line.find("dateAdded") != std::string_view::npos;
}

class KevImporter final : public Importer {
 public:
  std::string_view name() const override { return "kev"; }

  bool detects(const SourceFile& file) const override {
    if (json::first_char(file.content) == '{') {
      return !feed::is_json_schema(file.content) &&
             (json::head_contains(file.content, "\"catalogVersion\"") ||
              (json::head_contains(file.content, "\"cveID\"") &&
               json::head_contains(file.content, "\"knownRansomwareCampaignUse\"")));
    }
    return is_kev_csv(file.content);
  }

  Result<void> parse(const SourceFile& file, ImportBatch& batch) const override {
    const size_t skipped_before = batch.records_skipped;
    if (json::first_char(file.content) == '{') {
      VIGIL_TRY(parse_json(file, batch));
    } else if (!is_kev_csv(file.content)) {
      return fail(Error::parse("{}: not a KEV catalogue (JSON or CSV)", file.name));
    } else {
      VIGIL_TRY(parse_csv(file, batch));
    }
    // A complete, clean catalogue: the database may drop the entries it no longer lists. One
    // with skipped rows is not trusted for removals.
    if (batch.records_skipped == skipped_before) {
      batch.kev_catalogue = true;
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Importer> make_kev_importer() { return std::make_unique<KevImporter>(); }

}  // namespace vigil::vulndb
