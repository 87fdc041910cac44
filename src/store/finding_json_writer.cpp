// finding_to_json without the json tree: members are appended in the order nlohmann's std::map
// keeps them (std::string comparison of the keys) and skipped exactly when prune_defaults would
// drop them (empty strings, arrays and objects, false, null; numbers always stay).
#include "store/internal/finding_json_writer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/field_count.hpp"
#include "store/internal/codec.hpp"

namespace vigil::store::internal {

namespace {

static_assert(field_count<model::Finding>() == 29,
              "model::Finding changed: update write_finding, finding_to_json_reference and the "
              "finding_json_test generator");
static_assert(field_count<model::Package>() == 12,
              "model::Package changed: update write_package and finding_to_json_reference");
static_assert(field_count<model::CvssRecord>() == 4,
              "model::CvssRecord changed: update write_finding and finding_to_json_reference");
static_assert(field_count<model::ScoreAdjustment>() == 4,
              "model::ScoreAdjustment changed: update write_adjustment and "
              "finding_to_json_reference");
static_assert(field_count<StoredFinding>() == 12,
              "StoredFinding changed: update finding_to_json and finding_to_json_reference");

// What a byte becomes inside a string literal: 0 copied, 'u' \u00xx, 'U' start of a multi-byte
// UTF-8 sequence (checked, then copied), anything else the letter after a backslash.
constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> table{};
  for (std::size_t byte = 0; byte < 0x20; ++byte) {
    table[byte] = 'u';
  }
  for (std::size_t byte = 0x80; byte < 0x100; ++byte) {
    table[byte] = 'U';
  }
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}();

// Whether any of the 8 bytes of `word` is below 0x20, '"', '\\' or above 0x7F (the usual SWAR
// zero-byte test: exact as a yes/no answer).
constexpr bool needs_attention(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t bytes) { return (bytes - kOnes) & ~bytes; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word;
  return ((below_space | has_zero(word ^ (kOnes * '"')) | has_zero(word ^ (kOnes * '\\')) | word) &
          kHighs) != 0;
}
// Every byte value in every position among plain ones: flagged exactly when kEscapes says so.
static_assert([] {
  for (std::uint64_t byte = 0; byte < 256; ++byte) {
    for (unsigned shift = 0; shift < 64; shift += 8) {
      const std::uint64_t word = (0x6161616161616161ULL & ~(0xFFULL << shift)) | (byte << shift);
      if (needs_attention(word) != (kEscapes[byte] != 0)) {
        return false;
      }
    }
  }
  return true;
}());

// Well-formed UTF-8 (Unicode table 3-7): exactly what nlohmann's decoder accepts.
bool valid_utf8(const unsigned char* text, std::size_t size) {
  std::size_t at = 0;
  while (at < size) {
    const unsigned lead = text[at];
    if (lead < 0x80) {
      ++at;
      continue;
    }
    std::size_t length = 0;
    unsigned low = 0x80;
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead == 0xE0) {
      length = 3;
      low = 0xA0;
    } else if (lead == 0xED) {
      length = 3;
      high = 0x9F;
    } else if (lead >= 0xE1 && lead <= 0xEF) {
      length = 3;
    } else if (lead == 0xF0) {
      length = 4;
      low = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
      length = 4;
    } else if (lead == 0xF4) {
      length = 4;
      high = 0x8F;
    } else {
      return false;
    }
    if (size - at < length || text[at + 1] < low || text[at + 1] > high) {
      return false;
    }
    for (std::size_t next = 2; next < length; ++next) {
      if (text[at + next] < 0x80 || text[at + next] > 0xBF) {
        return false;
      }
    }
    at += length;
  }
  return true;
}

// The members of one JSON object, appended in the caller's (sorted) order; nothing is written
// until the first member, so an object whose members were all pruned leaves no trace.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) {}

  void key(std::string_view name) {
    out_.append(first_ ? "{\"" : ",\"", 2);
    first_ = false;
    out_.append(name);  // a plain ASCII literal of this file
    out_.append("\":", 2);
  }
  // A member whose name is data (a tag key): escaped like any string.
  void string_with_any_name(std::string_view name, std::string_view value) {
    if (!value.empty()) {
      out_ += first_ ? '{' : ',';
      first_ = false;
      append_json_string(out_, name);
      out_ += ':';
      append_json_string(out_, value);
    }
  }
  void string(std::string_view name, std::string_view value) {
    if (!value.empty()) {
      key(name);
      append_json_string(out_, value);
    }
  }
  void boolean(std::string_view name, bool value) {
    if (value) {
      key(name);
      out_ += "true";
    }
  }
  void number(std::string_view name, double value) {
    key(name);
    append_json_double(out_, value);
  }
  void strings(std::string_view name, const std::vector<std::string>& values) {
    if (values.empty()) {
      return;
    }
    key(name);
    char separator = '[';
    for (const auto& value : values) {
      out_ += separator;
      separator = ',';
      append_json_string(out_, value);
    }
    out_ += ']';
  }
  // Member `name` holding the object `body(ObjectWriter&)` writes; dropped when that is empty.
  template <class Body>
  void object(std::string_view name, Body&& body) {
    const std::size_t mark = out_.size();
    const bool was_first = first_;
    key(name);
    ObjectWriter child(out_);
    body(child);
    if (!child.close()) {
      out_.resize(mark);
      first_ = was_first;
    }
  }
  // Member `name` holding one object per item (`body(ObjectWriter&, item)`); an item whose
  // members were all pruned stays as {}; dropped when there are no items.
  template <class Items, class Body>
  void objects(std::string_view name, const Items& items, Body&& body) {
    if (items.empty()) {
      return;
    }
    key(name);
    char separator = '[';
    for (const auto& item : items) {
      out_ += separator;
      separator = ',';
      ObjectWriter child(out_);
      body(child, item);
      if (!child.close()) {
        out_ += "{}";
      }
    }
    out_ += ']';
  }
  // Closes the object; false when it had no members (nothing was written).
  bool close() {
    if (first_) {
      return false;
    }
    out_ += '}';
    return true;
  }

 private:
  std::string& out_;
  bool first_ = true;
};

void write_package(ObjectWriter& out, const model::Package& package) {
  out.string("arch", package.arch);
  out.strings("cpes", package.cpes);
  out.string("distroRelease", package.distro_release);
  out.string("ecosystem", model::ecosystem_name(package.ecosystem));
  out.string("layerDigest", package.layer_digest);
  out.strings("locations", package.locations);
  out.string("name", package.name);
  out.string("ownerPurl", package.owner_purl);
  out.string("purl", package.purl);
  out.string("sourceName", package.source_name);
  out.string("sourceVersion", package.source_version);
  out.string("version", package.version);
}

void write_adjustment(ObjectWriter& out, const model::ScoreAdjustment& step) {
  out.string("factor", step.factor);
  out.string("from", step.from);
  out.string("reason", step.reason);
  out.string("to", step.to);
}

void write_cvss(ObjectWriter& out, const model::CvssRecord& record) {
  out.number("baseScore", record.base_score);
  out.string("source", record.source);
  out.string("vector", record.vector);
  out.string("version", record.version);
}

// Lifecycle members (status, suppression reason) are not part of the document.
void write_finding(ObjectWriter& out, const model::Finding& finding) {
  out.string("accountId", finding.account_id);
  out.strings("aliases", finding.aliases);
  out.objects("cvss", finding.cvss, write_cvss);
  out.string("description", finding.description);
  if (finding.epss) {
    out.number("epss", *finding.epss);
  }
  if (finding.epss_percentile) {
    out.number("epssPercentile", *finding.epss_percentile);
  }
  out.boolean("exploitAvailable", finding.exploit_available);
  out.string("exploitLastSeen", finding.exploit_last_seen);
  out.string("firstObservedAt", finding.first_observed_at);
  out.string("fixAvailable", model::fix_available_name(finding.fix_available));
  out.string("fixedIn", finding.fixed_in);
  out.string("id", finding.id);
  out.objects("inspectorAdjustments", finding.inspector_adjustments, write_adjustment);
  out.number("inspectorScore", finding.inspector_score);
  out.string("lastObservedAt", finding.last_observed_at);
  out.object("package", [&](ObjectWriter& inner) { write_package(inner, finding.package); });
  out.boolean("ransomware", finding.ransomware);
  out.strings("references", finding.references);
  out.string("remediation", finding.remediation);
  out.string("resourceId", finding.resource_id);
  out.objects("riskExplanation", finding.risk_explanation, write_adjustment);
  out.string("severity", model::severity_name(finding.severity));
  out.strings("sources", finding.sources);
  out.string("title", finding.title);
  out.string("vendorSeverity", finding.vendor_severity);
  out.number("vigilRisk", finding.vigil_risk);
  out.string("vulnerabilityId", finding.vulnerability_id);
}

std::size_t total_size(const std::vector<std::string>& values) {
  std::size_t total = 0;
  for (const auto& value : values) {
    total += value.size() + 3;
  }
  return total;
}

std::size_t total_size(const std::vector<model::ScoreAdjustment>& steps) {
  std::size_t total = 0;
  for (const auto& step : steps) {
    total += step.factor.size() + step.from.size() + step.to.size() + step.reason.size() + 48;
  }
  return total;
}

// A close upper estimate of the document's size (escapes aside), so it is allocated once.
std::size_t estimated_size(const StoredFinding& stored) {
  const model::Finding& finding = stored.finding;
  const model::Package& package = finding.package;
  std::size_t total = 1024;  // member names, punctuation, enum names and numbers
  for (const std::string* text : {&finding.id,
                                  &finding.resource_id,
                                  &finding.account_id,
                                  &finding.vulnerability_id,
                                  &finding.title,
                                  &finding.description,
                                  &finding.fixed_in,
                                  &finding.remediation,
                                  &finding.vendor_severity,
                                  &finding.exploit_last_seen,
                                  &finding.first_observed_at,
                                  &finding.last_observed_at,
                                  &package.name,
                                  &package.version,
                                  &package.arch,
                                  &package.source_name,
                                  &package.source_version,
                                  &package.distro_release,
                                  &package.purl,
                                  &package.layer_digest,
                                  &package.owner_purl,
                                  &stored.type,
                                  &stored.resource_type,
                                  &stored.region}) {
    total += text->size();
  }
  // The embedded JSON documents escape every quote.
  total += (stored.resource_details_json.size() + stored.network_json.size()) * 5 / 4;
  total += total_size(finding.aliases) + total_size(finding.sources) +
           total_size(finding.references) + total_size(package.locations) +
           total_size(package.cpes);
  total += finding.cvss.size() * 80;
  for (const auto& record : finding.cvss) {
    total += record.version.size() + record.vector.size() + record.source.size();
  }
  total += total_size(finding.inspector_adjustments) + total_size(finding.risk_explanation);
  for (const auto& [key, value] : stored.resource_tags) {
    total += key.size() + value.size() + 6;
  }
  return total;
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  const std::size_t start = out.size();
  out += '"';
  const char* const data = value.data();
  const std::size_t size = value.size();
  std::size_t copied = 0;  // bytes of `value` before this one already appended
  bool utf8_checked = false;
  std::size_t at = 0;
  while (at < size) {
    // Plain runs go 8 bytes at a time; a word holding anything else goes byte by byte.
    if (size - at >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, data + at, sizeof word);
      if (!needs_attention(word)) {
        at += 8;
        continue;
      }
    }
    const std::size_t stop = std::min(size, at + 8);
    for (; at < stop; ++at) {
      const auto byte = static_cast<unsigned char>(data[at]);
      const char action = kEscapes[byte];
      if (action == 0) {
        continue;
      }
      if (action == 'U') {
        if (!utf8_checked) {
          if (!valid_utf8(reinterpret_cast<const unsigned char*>(data) + at, size - at)) {
            // Invalid UTF-8 (rare): nlohmann's own replacement rules, exactly.
            out.resize(start);
            out += nlohmann::json(std::string(value))
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            return;
          }
          utf8_checked = true;
        }
        continue;
      }
      out.append(data + copied, at - copied);
      copied = at + 1;
      if (action == 'u') {
        const std::array<char, 6> escape = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
        out.append(escape.data(), escape.size());
      } else {
        const std::array<char, 2> escape = {'\\', action};
        out.append(escape.data(), escape.size());
      }
    }
  }
  out.append(data + copied, size - copied);
  out += '"';
}

void append_json_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  std::array<char, 64> buffer{};  // the size of nlohmann's serializer number buffer
  const char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
}

std::string finding_to_json(const StoredFinding& stored) {
  std::string out;
  out.reserve(estimated_size(stored));
  ObjectWriter document(out);
  document.object("finding", [&](ObjectWriter& inner) { write_finding(inner, stored.finding); });
  document.string("network", stored.network_json);
  document.string("region", stored.region);
  document.string("resourceDetails", stored.resource_details_json);
  document.object("resourceTags", [&](ObjectWriter& tags) {
    for (const auto& [key, value] : stored.resource_tags) {
      tags.string_with_any_name(key, value);
    }
  });
  document.string("resourceType", stored.resource_type);
  document.string("type", stored.type);
  if (!document.close()) {
    out = "{}";
  }
  return out;
}

}  // namespace vigil::store::internal
