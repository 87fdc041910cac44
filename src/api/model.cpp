#include "api/model.hpp"

#include <algorithm>

namespace vigil::api::spec {

const Shape& shape(std::uint16_t index) { return all_shapes()[index]; }

std::span<const Member> members(const Shape& shape) {
  return all_members().subspan(shape.first_member, shape.member_count);
}

std::span<const std::string_view> enum_values(const Shape& shape) {
  return all_enum_values().subspan(shape.first_enum, shape.enum_count);
}

const Member* find_member(const Shape& shape, std::string_view name) {
  const std::span<const Member> list = members(shape);
  const auto found = std::lower_bound(list.begin(), list.end(), name,
                                      [](const Member& m, std::string_view n) { return m.name < n; });
  return found != list.end() && found->name == name ? &*found : nullptr;
}

const Operation* find_operation(std::string_view name) {
  const std::span<const Operation> list = operations();
  const auto found = std::lower_bound(
      list.begin(), list.end(), name, [](const Operation& op, std::string_view n) { return op.name < n; });
  return found != list.end() && found->name == name ? &*found : nullptr;
}

std::optional<std::uint16_t> find_shape(std::string_view name) {
  const std::span<const Shape> list = all_shapes();
  const auto found = std::lower_bound(list.begin(), list.end(), name,
                                      [](const Shape& s, std::string_view n) { return s.name < n; });
  if (found == list.end() || found->name != name) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(found - list.begin());
}

}  // namespace vigil::api::spec
