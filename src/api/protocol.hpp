// The rest-json protocol as botocore speaks it for Inspector2: typed API errors and how they go
// on the wire (status + x-amzn-ErrorType + {"message": ...}), replies, timestamps (epoch seconds
// in and out, ISO-8601 accepted) and opaque pagination tokens.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/sigv4.hpp"
#include "core/result.hpp"

namespace vigil::api {

// One error as Inspector2 returns it. `type` is the x-amzn-ErrorType (the exception shape name).
struct ApiError {
  int status = 500;
  std::string type = "InternalServerException";
  std::string message;
  std::string reason;  // ValidationException: CANNOT_PARSE, FIELD_VALIDATION_FAILED, OTHER
  std::vector<std::pair<std::string, std::string>> fields;  // ValidationException {name, message}
  std::string resource_id;    // ConflictException / ServiceQuotaExceededException
  std::string resource_type;  // ConflictException
  int retry_after_seconds = 0;  // Throttling/InternalServer: Retry-After header when > 0
  std::string log_detail;       // logged by the dispatcher, never sent (internal errors)

  static ApiError validation(std::string message, std::vector<std::pair<std::string, std::string>> fields = {},
                             std::string reason = "FIELD_VALIDATION_FAILED");
  static ApiError cannot_parse(std::string message);
  static ApiError access_denied(std::string message);
  static ApiError not_found(std::string message);
  static ApiError conflict(std::string message, std::string resource_id, std::string resource_type);
  static ApiError quota_exceeded(std::string message, std::string resource_id);
  static ApiError throttling(std::string message, int retry_after_seconds);
  static ApiError internal(std::string message);
  static ApiError unknown_operation(std::string message);
  static ApiError not_implemented(std::string message);
  static ApiError missing_token(std::string message);
  static ApiError invalid_signature(std::string message);
  static ApiError unrecognized_client(std::string message);
  static ApiError payload_too_large(std::string message);
  // Maps a Vigil Error: kInvalidArgument/kParse -> ValidationException, kNotFound ->
  // ResourceNotFoundException, kConflict -> ConflictException, kUnavailable -> Throttling,
  // everything else -> InternalServerException (message kept generic; the caller logs it).
  static ApiError from(const Error& error);
};

template <class T>
using ApiResult = tl::expected<T, ApiError>;

inline tl::unexpected<ApiError> reject(ApiError error) {
  return tl::unexpected<ApiError>(std::move(error));
}

// Lets the VIGIL_API_* macros propagate both ApiError and store/service Error values.
inline ApiError to_api_error(ApiError error) { return error; }
inline ApiError to_api_error(const Error& error) { return ApiError::from(error); }

}  // namespace vigil::api

// In a function returning ApiResult<T>: evaluates `expr` (an ApiResult or a Result); on error,
// returns it as an ApiError (store/service errors mapped by ApiError::from).
#define VIGIL_API_TRY(expr) VIGIL_API_TRY_IMPL(VIGIL_CONCAT(vigil_api_try_, __COUNTER__), expr)
#define VIGIL_API_TRY_IMPL(tmp, expr)                                                      \
  do {                                                                                     \
    auto&& tmp = (expr);                                                                   \
    if (!tmp) {                                                                            \
      return ::tl::unexpected<::vigil::api::ApiError>(::vigil::api::to_api_error(tmp.error())); \
    }                                                                                      \
  } while (false)

// Declares `lhs` from the value of `expr` (an ApiResult or a Result), or returns its error.
#define VIGIL_API_ASSIGN(lhs, expr) \
  VIGIL_API_ASSIGN_IMPL(VIGIL_CONCAT(vigil_api_result_, __COUNTER__), lhs, expr)
#define VIGIL_API_ASSIGN_IMPL(tmp, lhs, expr)                                            \
  auto tmp = (expr);                                                                     \
  if (!tmp) {                                                                            \
    return ::tl::unexpected<::vigil::api::ApiError>(                                     \
        ::vigil::api::to_api_error(std::move(tmp).error()));                             \
  }                                                                                      \
  lhs = std::move(tmp).value()

namespace vigil::api {

// What an operation returns: a JSON document, or (Vigil's /metrics) raw text.
struct Reply {
  nlohmann::json json = nlohmann::json::object();
  std::optional<std::string> text;
  std::string content_type = "application/json";
};

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
};

// Renders `error` as botocore parses it, with `request_id` in x-amzn-RequestId.
HttpResponse error_response(const ApiError& error, const std::string& request_id);
// Renders a successful reply.
HttpResponse reply_response(const Reply& reply, const std::string& request_id);

// Epoch milliseconds from a request timestamp: a JSON number of epoch seconds (fractions
// allowed) or an ISO-8601 string. nullopt when it is neither or out of range.
std::optional<std::int64_t> timestamp_ms(const nlohmann::json& value);
// A response timestamp: epoch seconds with millisecond precision (1748539687.919).
nlohmann::json epoch_seconds(std::int64_t milliseconds);

// Opaque nextToken wrapping a store cursor; bound to the operation that issued it.
std::string encode_token(std::string_view operation, std::string_view cursor);
// Decodes a nextToken issued by `operation`; ValidationException for anything else.
ApiResult<std::string> decode_token(std::string_view operation, std::string_view token);

}  // namespace vigil::api
