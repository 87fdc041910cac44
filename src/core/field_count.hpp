// field_count<T>(): the number of fields of an aggregate T (T{a, b, ...} with as many
// convertible arguments as it takes). Hand-written codecs static_assert it, so that a model type
// gaining a member breaks their build instead of silently leaving the member out.
#pragma once

#include <cstddef>

namespace vigil {

namespace detail {
struct AnyField {
  template <class T>
  operator T() const;  // never defined: only used in unevaluated requires-expressions
};
}  // namespace detail

template <class T, class... Fields>
consteval std::size_t field_count() {
  if constexpr (requires { T{Fields{}..., detail::AnyField{}}; }) {
    return field_count<T, Fields..., detail::AnyField>();
  } else {
    return sizeof...(Fields);
  }
}

}  // namespace vigil
