// Internal: typed, forgiving field access over simdjson DOM objects for the bundle parsers.
// Absent or mistyped fields read as "absent"; the parsers decide which ones are required.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::reachability::internal {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

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

// The integer at `key` when it is an integral JSON number within int64, else nullopt.
inline std::optional<int64_t> int_at(const object& obj, std::string_view key) {
  int64_t value = 0;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

inline std::optional<bool> bool_at(const object& obj, std::string_view key) {
  bool value = false;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

// Calls `visit(object, index)` for every object item of the array at `key`; other items are
// skipped. Returns false when `key` is absent or not an array.
template <class Visit>
bool each_object(const object& obj, std::string_view key, Visit&& visit) {
  const auto items = arr_at(obj, key);
  if (!items) {
    return false;
  }
  size_t index = 0;
  for (element item : *items) {
    object value;
    if (item.get(value) == simdjson::SUCCESS) {
      visit(value, index);
    }
    ++index;
  }
  return true;
}

// The strings of the array at `key`; non-string items are skipped.
inline std::vector<std::string> str_array(const object& obj, std::string_view key) {
  std::vector<std::string> out;
  if (const auto items = arr_at(obj, key)) {
    for (element item : *items) {
      std::string_view value;
      if (item.get(value) == simdjson::SUCCESS) {
        out.emplace_back(value);
      }
    }
  }
  return out;
}

}  // namespace vigil::reachability::internal
