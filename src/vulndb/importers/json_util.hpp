// Internal helpers for the simdjson-based importers: typed, forgiving field access.
#pragma once

#include <simdjson.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vulndb/importers/sniff.hpp"

namespace vigil::vulndb::json {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The string at `key`, or "" when absent or not a string.
inline std::string_view str(const object& obj, std::string_view key) {
  std::string_view value;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    return {};
  }
  return value;
}

inline std::optional<object> obj_at(const object& obj, std::string_view key) {
  object value;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

inline std::optional<array> arr_at(const object& obj, std::string_view key) {
  array value;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

// The strings of the array at `key`; non-string items are skipped.
inline std::vector<std::string> str_array(const object& obj, std::string_view key) {
  std::vector<std::string> out;
  if (auto items = arr_at(obj, key)) {
    out.reserve(items->size());  // size() reads the array's element count off the tape
    for (element item : *items) {
      std::string_view value;
      if (item.get(value) == simdjson::SUCCESS) {
        out.emplace_back(value);
      }
    }
  }
  return out;
}

// A number at `key` (integer or floating point), or nullopt.
inline std::optional<double> number(const object& obj, std::string_view key) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  double as_double = 0;
  if (value.get(as_double) == simdjson::SUCCESS) {
    return as_double;
  }
  int64_t as_int = 0;
  if (value.get(as_int) == simdjson::SUCCESS) {
    return static_cast<double>(as_int);
  }
  uint64_t as_uint = 0;
  if (value.get(as_uint) == simdjson::SUCCESS) {
    return static_cast<double>(as_uint);
  }
  return std::nullopt;
}

// The first non-space byte of `text` (0 when empty): a cheap format sniff.
inline char first_char(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      return c;
    }
  }
  return 0;
}

// True if `needle` occurs in the first `window` bytes of `text`. While detect_importer has a
// HeadScan active for `text`, the known keys are answered from its single scan (sniff.hpp);
// otherwise memmem, not string_view::find (find() stops at every '"' of the needle's first byte).
inline bool head_contains(std::string_view text, std::string_view needle,
                          size_t window = kSniffWindow) {
  if (window == kSniffWindow) {
    if (const HeadScan* scan = HeadScan::active_for(text)) {
      if (const int key = sniff_key_index(needle); key >= 0) {
        return scan->contains(key);
      }
    }
  }
  const std::string_view head = text.substr(0, window);
  return needle.empty() ||
         memmem(head.data(), head.size(), needle.data(), needle.size()) != nullptr;
}

}  // namespace vigil::vulndb::json
