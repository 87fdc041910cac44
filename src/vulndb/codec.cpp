#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "vulndb/internal/codec.hpp"

namespace vigil::vulndb::internal {
namespace {

using nlohmann::json;

std::string_view kind_key(model::EventKind kind) {
  switch (kind) {
    case model::EventKind::kIntroduced:
      return "introduced";
    case model::EventKind::kFixed:
      return "fixed";
    case model::EventKind::kLastAffected:
      return "last_affected";
    case model::EventKind::kLimit:
      return "limit";
  }
  return "introduced";
}

std::string_view type_name(model::RangeType type) {
  switch (type) {
    case model::RangeType::kEcosystem:
      return "ECOSYSTEM";
    case model::RangeType::kSemver:
      return "SEMVER";
    case model::RangeType::kGit:
      return "GIT";
  }
  return "ECOSYSTEM";
}

// A fast 64-bit hash over 8-byte words (multiply-xorshift mixing); stable across platforms of
// the same endianness, which is all a content hash stored beside the data needs.
void mix(uint64_t& hash, std::string_view text) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  size_t pos = 0;
  for (; pos + 8 <= text.size(); pos += 8) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + pos, 8);
    hash = (hash ^ word) * kMul;
    hash ^= hash >> 29;
  }
  uint64_t tail = text.size();
  for (; pos < text.size(); ++pos) {
    tail = (tail << 8) | static_cast<unsigned char>(text[pos]);
  }
  hash = (hash ^ tail) * kMul;
  hash ^= hash >> 32;
}

// Appends `text` as a JSON string literal (RFC 8259 escaping). Hand-written because the import
// path encodes every range and version list of every record: nlohmann's DOM was a hot spot.
// True if any of the 8 bytes of `word` is a control character, '"' or '\\' (SWAR: the classic
// "has a byte less than n" and "has a zero byte" tests, no per-byte branches).
bool needs_escape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t control = (word - kOnes * 0x20) & ~word & kHigh;
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t zero_quote = (quote - kOnes) & ~quote & kHigh;
  const uint64_t zero_backslash = (backslash - kOnes) & ~backslash & kHigh;
  return (control | zero_quote | zero_backslash) != 0;
}

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void append_json_string(std::string& out, std::string_view text) {
  size_t start = 0;
  // Most strings need no escaping: check them 8 bytes at a time, then copy them in one go.
  while (start + 8 <= text.size()) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + start, 8);
    if (needs_escape(word)) {
      break;
    }
    start += 8;
  }
  while (start < text.size() && !needs_escape(static_cast<unsigned char>(text[start]))) {
    ++start;
  }
  if (start == text.size()) {
    const size_t at = out.size();
    out.resize(at + text.size() + 2);
    char* dst = out.data() + at;
    dst[0] = '"';
    if (!text.empty()) {
      std::memcpy(dst + 1, text.data(), text.size());
    }
    dst[text.size() + 1] = '"';
    return;
  }
  out += '"';
  size_t run = 0;  // start of the pending span that needs no escaping
  for (size_t pos = start; pos < text.size(); ++pos) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      continue;
    }
    out.append(text.data() + run, pos - run);
    run = pos + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void append_string_array(std::string& out, const std::vector<std::string>& values) {
  size_t needed = out.size() + 2;
  for (const auto& value : values) {
    needed += value.size() + 3;
  }
  out.reserve(needed);
  out += '[';
  for (size_t idx = 0; idx < values.size(); ++idx) {
    if (idx > 0) {
      out += ',';
    }
    append_json_string(out, values[idx]);
  }
  out += ']';
}

}  // namespace

std::string encode_ranges(const std::vector<model::AffectedRange>& ranges) {
  std::string out;
  append_ranges(out, ranges);
  return out;
}

void append_ranges(std::string& out, const std::vector<model::AffectedRange>& ranges) {
  out += '[';
  for (size_t range_idx = 0; range_idx < ranges.size(); ++range_idx) {
    const auto& range = ranges[range_idx];
    if (range_idx > 0) {
      out += ',';
    }
    out += "{\"type\":";
    append_json_string(out, type_name(range.type));
    out += ",\"events\":[";
    for (size_t event_idx = 0; event_idx < range.events.size(); ++event_idx) {
      if (event_idx > 0) {
        out += ',';
      }
      out += '{';
      append_json_string(out, kind_key(range.events[event_idx].kind));
      out += ':';
      append_json_string(out, range.events[event_idx].version);
      out += '}';
    }
    out += ']';
    if (!range.repo.empty()) {
      out += ",\"repo\":";
      append_json_string(out, range.repo);
    }
    out += '}';
  }
  out += ']';
}

Result<std::vector<model::AffectedRange>> decode_ranges(std::string_view text) {
  std::vector<model::AffectedRange> ranges;
  const json doc = json::parse(text, nullptr, false);
  if (!doc.is_array()) {
    return fail(Error::parse("stored ranges are not a JSON array"));
  }
  for (const auto& item : doc) {
    model::AffectedRange range;
    const std::string type = item.value("type", "ECOSYSTEM");
    range.type = type == "SEMVER" ? model::RangeType::kSemver
                 : type == "GIT"  ? model::RangeType::kGit
                                  : model::RangeType::kEcosystem;
    range.repo = item.value("repo", "");
    for (const auto& event : item.value("events", json::array())) {
      if (!event.is_object() || event.empty()) {
        continue;
      }
      // Each stored event is a one-member object; iterate it directly (the items() proxy is a
      // temporary that must outlive the bindings).
      for (auto member = event.begin(); member != event.end(); ++member) {
        const std::string& key = member.key();
        model::EventKind kind = model::EventKind::kIntroduced;
        if (key == "fixed") {
          kind = model::EventKind::kFixed;
        } else if (key == "last_affected") {
          kind = model::EventKind::kLastAffected;
        } else if (key == "limit") {
          kind = model::EventKind::kLimit;
        }
        range.events.push_back(
            {kind, member->is_string() ? member->get<std::string>() : std::string()});
        break;
      }
    }
    ranges.push_back(std::move(range));
  }
  return ranges;
}

std::string encode_strings(const std::vector<std::string>& values) {
  std::string out;
  append_string_array(out, values);
  return out;
}

void append_strings(std::string& out, const std::vector<std::string>& values) {
  append_string_array(out, values);
}

std::vector<std::string> decode_strings(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (doc.is_array()) {
    for (const auto& item : doc) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

std::string encode_extra(const model::Advisory& advisory) {
  std::string out;
  append_extra(out, advisory);
  return out;
}

void append_extra(std::string& out, const model::Advisory& advisory) {
  out += "{\"references\":[";
  for (size_t idx = 0; idx < advisory.references.size(); ++idx) {
    if (idx > 0) {
      out += ',';
    }
    out += "{\"type\":";
    append_json_string(out, advisory.references[idx].type);
    out += ",\"url\":";
    append_json_string(out, advisory.references[idx].url);
    out += '}';
  }
  out += ']';
  for (const auto& [key, values] : {std::pair<const char*, const std::vector<std::string>*>{
                                        "related", &advisory.related},
                                    {"upstream", &advisory.upstream},
                                    {"cwes", &advisory.cwes}}) {
    if (!values->empty()) {
      out += ",\"";
      out += key;
      out += "\":";
      append_string_array(out, *values);
    }
  }
  out += '}';
}

void decode_extra(std::string_view text, model::Advisory& advisory) {
  const json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) {
    return;
  }
  for (const auto& ref : doc.value("references", json::array())) {
    advisory.references.push_back({ref.value("type", ""), ref.value("url", "")});
  }
  const auto strings = [&doc](const char* key) {
    std::vector<std::string> out;
    for (const auto& item : doc.value(key, json::array())) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
    return out;
  };
  advisory.related = strings("related");
  advisory.upstream = strings("upstream");
  advisory.cwes = strings("cwes");
}

ContentHash content_hash_digits(const model::Advisory& advisory) {
  uint64_t hash = 14695981039346656037ULL;
  mix(hash, advisory.source);
  mix(hash, advisory.id);
  mix(hash, advisory.modified);
  mix(hash, advisory.withdrawn);
  mix(hash, advisory.raw);
  constexpr std::string_view kDigits = "0123456789abcdef";
  ContentHash digits{};
  for (size_t idx = digits.size(); idx-- > 0; hash >>= 4) {
    digits[idx] = kDigits[hash & 0xF];
  }
  return digits;
}

std::string content_hash(const model::Advisory& advisory) {
  const ContentHash digits = content_hash_digits(advisory);
  return {digits.data(), digits.size()};
}

std::string now_rfc3339() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace vigil::vulndb::internal
