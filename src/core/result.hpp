// Error values and Result<T>: how every Vigil module reports failures that input can cause.
// Exceptions never cross a module API; bugs are asserts.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace vigil {

enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kParse,
  kIo,
  kUnsupported,
  kConflict,
  kUnavailable,
  kInternal,
};

// Returns the stable lower-case name of `code` ("parse", "io", ...), used in messages and JSON.
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  template <class... Args>
  static Error invalid_argument(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kInvalidArgument, fmt::format(format, std::forward<Args>(args)...)};
  }
  template <class... Args>
  static Error not_found(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kNotFound, fmt::format(format, std::forward<Args>(args)...)};
  }
  template <class... Args>
  static Error parse(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kParse, fmt::format(format, std::forward<Args>(args)...)};
  }
  template <class... Args>
  static Error io(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kIo, fmt::format(format, std::forward<Args>(args)...)};
  }
  template <class... Args>
  static Error unsupported(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kUnsupported, fmt::format(format, std::forward<Args>(args)...)};
  }
  template <class... Args>
  static Error conflict(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kConflict, fmt::format(format, std::forward<Args>(args)...)};
  }
  template <class... Args>
  static Error unavailable(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kUnavailable, fmt::format(format, std::forward<Args>(args)...)};
  }
  template <class... Args>
  static Error internal(fmt::format_string<Args...> format, Args&&... args) {
    return {ErrorCode::kInternal, fmt::format(format, std::forward<Args>(args)...)};
  }

  // Returns a copy whose message is prefixed with `context` ("file.json: record X: <message>").
  [[nodiscard]] Error with_context(std::string_view context) const {
    return {code, fmt::format("{}: {}", context, message)};
  }

  friend bool operator==(const Error&, const Error&) = default;
};

template <class T>
using Result = tl::expected<T, Error>;

// Builds an unexpected value from an Error, for `return fail(Error::parse(...));`.
inline tl::unexpected<Error> fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

}  // namespace vigil

#define VIGIL_CONCAT_INNER(a, b) a##b
#define VIGIL_CONCAT(a, b) VIGIL_CONCAT_INNER(a, b)

// Evaluates `expr` (a Result<T>); on error, returns its Error from the enclosing function.
#define VIGIL_TRY(expr) VIGIL_TRY_IMPL(VIGIL_CONCAT(vigil_try_result_, __COUNTER__), expr)
#define VIGIL_TRY_IMPL(tmp, expr)                            \
  do {                                                       \
    auto&& tmp = (expr);                                     \
    if (!tmp) {                                              \
      return ::tl::unexpected<::vigil::Error>(tmp.error());  \
    }                                                        \
  } while (false)

// Declares `lhs` from the value of `expr` (a Result<T>), or returns its Error.
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL(VIGIL_CONCAT(vigil_result_, __COUNTER__), lhs, expr)
#define VIGIL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                \
  auto tmp = (expr);                                               \
  if (!tmp) {                                                      \
    return ::tl::unexpected<::vigil::Error>(std::move(tmp).error()); \
  }                                                                \
  lhs = std::move(tmp).value()
