// Inspector2's service model as C++ tables (generated from botocore's service-2.json by
// tools/gen_inspector2_model.py into model_tables.cpp): operations with their HTTP binding, and
// every input shape with the constraints request validation enforces.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vigil::api::spec {

enum class ShapeType : std::uint8_t {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kDouble,
  kBoolean,
  kTimestamp,
  kBlob,
};

// Where a member travels: the JSON body, a URI label, the query string or a header.
enum class Location : std::uint8_t { kBody, kUri, kQuery, kHeader };

inline constexpr std::uint16_t kNoShape = 0xFFFF;

struct Member {
  std::string_view name;
  std::uint16_t shape;  // index into all_shapes()
  bool required;
  Location location;
  std::string_view location_name;  // the URI label / query key / header name
};

struct Shape {
  std::string_view name;
  ShapeType type;
  bool is_union;  // a structure of which exactly one member must be set
  bool has_min;
  double min;  // string length, list/map size or numeric lower bound
  bool has_max;
  double max;
  std::uint16_t first_member;  // structures: range in all_members()
  std::uint16_t member_count;
  std::uint16_t element;  // lists: element shape; maps: value shape
  std::uint16_t key;      // maps: key shape
  std::uint16_t first_enum;  // strings: range in all_enum_values()
  std::uint16_t enum_count;
};

struct Operation {
  std::string_view name;    // "ListFindings"
  std::string_view method;  // "POST"
  std::string_view path;    // "/findings/list", "/tags/{resourceArn}"
  std::uint16_t input;      // kNoShape when the operation takes no input
};

// The generated tables (model_tables.cpp). Stable for the life of the program.
std::span<const Member> all_members();
std::span<const std::string_view> all_enum_values();
std::span<const Shape> all_shapes();
std::span<const Operation> operations();

// Returns the shape at `index` (must be < all_shapes().size()).
const Shape& shape(std::uint16_t index);
// Members of a structure shape, sorted by name; empty for other shapes.
std::span<const Member> members(const Shape& shape);
// Enum values of a string shape; empty when it is not an enum.
std::span<const std::string_view> enum_values(const Shape& shape);
// Finds a member of a structure by its JSON name; nullptr when absent.
const Member* find_member(const Shape& shape, std::string_view name);
// Finds an operation by name; nullptr when unknown.
const Operation* find_operation(std::string_view name);
// Finds a shape by name.
std::optional<std::uint16_t> find_shape(std::string_view name);

}  // namespace vigil::api::spec
