// Vigil bundle records: the JSON-lines payload of a `vigil db export` bundle. One record a line:
//
//   {"vigil_bundle_records":1}                 header line (first line of a payload)
//   {"id":"GHSA-...","modified":...}           an OSV-sourced advisory: its raw OSV record,
//                                              re-imported by the OSV importer
//   {"vigil_record":"advisory","source":"nvd","id":...}   any other advisory, OSV-shaped:
//   {"vigil_record":"kev","cve_id":...}                   a KEV entry
//   {"vigil_record":"epss","cve_id":...}                  an EPSS score
//
// Advisory record fields (model::Advisory field -> key; empty values are omitted):
//   source, id, aliases, related, upstream, summary, details, published, modified, withdrawn,
//   cwes, severity_label, status, cpe_configurations, raw -> same names
//   affected[] -> {"package":{"ecosystem":"Debian:12","name","purl"},"ranges":[{"type","repo",
//                  "events":[{"introduced":"0"},...]}],"versions":[...],"severity"}
//   severities[] -> "severity":[{"type","score" (the vector),"source","base_score"}]
//   references[] -> {"type","url"}
// KEV and EPSS records carry the model::KevEntry / model::EpssScore fields under their names.
// Records keep the source they were exported with (the importer's own name, "vigil-bundle",
// is never stored). Importing reproduces the exported model values exactly.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "vulndb/importer.hpp"

namespace vigil::vulndb {

inline constexpr std::string_view kBundleRecordsHeader = R"({"vigil_bundle_records":1})";

// How many lines of each kind a parse consumed (the bundle importer checks them against the
// signed manifest).
struct BundleLineCounts {
  size_t osv = 0;
  size_t advisories = 0;  // generic advisory records
  size_t kev = 0;
  size_t epss = 0;

  friend bool operator==(const BundleLineCounts&, const BundleLineCounts&) = default;
};

// Encodes one record as a single line (no trailing newline).
std::string encode_bundle_advisory(const model::Advisory& advisory);
std::string encode_bundle_kev(const model::KevEntry& entry);
std::string encode_bundle_epss(const model::EpssScore& score);

// Parses records from JSON lines. Not thread-safe (reuses parsers); one per thread.
class BundleRecordParser {
 public:
  BundleRecordParser();
  ~BundleRecordParser();

  // Parses the lines of `content` into `batch`; `name` and `first_line` (1-based) place lines
  // in messages ("bundle.tar:records.jsonl:812"). A line that is not JSON, an unknown record
  // kind or a header of an unsupported version is a kParse error; a record missing its id is a
  // diagnostic. Adds what it consumed to `counts`.
  [[nodiscard]] Result<void> parse(std::string_view content, std::string_view name,
                                   size_t first_line, ImportBatch& batch, BundleLineCounts& counts);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The importer for a bare payload file (detected by its header or first record line).
std::unique_ptr<Importer> make_vigil_bundle_importer();

}  // namespace vigil::vulndb
