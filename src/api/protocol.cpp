#include "api/protocol.hpp"

#include <cmath>

#include "api/internal/crypto.hpp"
#include "api/internal/time.hpp"

namespace vigil::api {
namespace {

ApiError make(int status, std::string type, std::string message) {
  ApiError error;
  error.status = status;
  error.type = std::move(type);
  error.message = std::move(message);
  return error;
}

constexpr std::string_view kTokenPrefix = "vigil1|";

}  // namespace

ApiError ApiError::validation(std::string message,
                              std::vector<std::pair<std::string, std::string>> fields,
                              std::string reason) {
  ApiError error = make(400, "ValidationException", std::move(message));
  error.reason = std::move(reason);
  error.fields = std::move(fields);
  return error;
}
ApiError ApiError::cannot_parse(std::string message) {
  return validation(std::move(message), {}, "CANNOT_PARSE");
}
ApiError ApiError::access_denied(std::string message) {
  return make(403, "AccessDeniedException", std::move(message));
}
ApiError ApiError::not_found(std::string message) {
  return make(404, "ResourceNotFoundException", std::move(message));
}
ApiError ApiError::conflict(std::string message, std::string resource_id, std::string resource_type) {
  ApiError error = make(409, "ConflictException", std::move(message));
  error.resource_id = std::move(resource_id);
  error.resource_type = std::move(resource_type);
  return error;
}
ApiError ApiError::quota_exceeded(std::string message, std::string resource_id) {
  ApiError error = make(402, "ServiceQuotaExceededException", std::move(message));
  error.resource_id = std::move(resource_id);
  return error;
}
ApiError ApiError::throttling(std::string message, int retry_after_seconds) {
  ApiError error = make(429, "ThrottlingException", std::move(message));
  error.retry_after_seconds = retry_after_seconds;
  return error;
}
ApiError ApiError::internal(std::string message) {
  return make(500, "InternalServerException", std::move(message));
}
ApiError ApiError::unknown_operation(std::string message) {
  return make(404, "UnknownOperationException", std::move(message));
}
ApiError ApiError::not_implemented(std::string message) {
  return make(501, "NotImplementedException", std::move(message));
}
ApiError ApiError::missing_token(std::string message) {
  return make(403, "MissingAuthenticationTokenException", std::move(message));
}
ApiError ApiError::invalid_signature(std::string message) {
  return make(403, "InvalidSignatureException", std::move(message));
}
ApiError ApiError::unrecognized_client(std::string message) {
  return make(403, "UnrecognizedClientException", std::move(message));
}
ApiError ApiError::payload_too_large(std::string message) {
  return make(413, "PayloadTooLargeException", std::move(message));
}

ApiError ApiError::from(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse:
      return validation(error.message, {}, "OTHER");
    case ErrorCode::kNotFound:
      return not_found(error.message);
    case ErrorCode::kConflict:
      return conflict(error.message, "", "");
    case ErrorCode::kUnavailable:
      return throttling(error.message, 1);
    case ErrorCode::kUnsupported:
      return validation(error.message, {}, "OTHER");
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      break;
  }
  ApiError result = internal("The request processing has failed because of an unknown error.");
  result.log_detail = error.message;
  return result;
}

HttpResponse error_response(const ApiError& error, const std::string& request_id) {
  nlohmann::json body = {{"message", error.message}};
  if (!error.reason.empty()) {
    body["reason"] = error.reason;
  }
  if (error.type == "ValidationException") {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [name, message] : error.fields) {
      fields.push_back({{"name", name}, {"message", message}});
    }
    body["fields"] = std::move(fields);
  }
  if (error.type == "ConflictException" || error.type == "ServiceQuotaExceededException") {
    body["resourceId"] = error.resource_id;
    if (error.type == "ConflictException") {
      body["resourceType"] = error.resource_type;
    }
  }
  HttpResponse response;
  response.status = error.status;
  response.headers = {{"Content-Type", "application/json"},
                      {"x-amzn-RequestId", request_id},
                      {"x-amzn-ErrorType", error.type}};
  if (error.retry_after_seconds > 0) {
    response.headers.push_back({"Retry-After", std::to_string(error.retry_after_seconds)});
  }
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse reply_response(const Reply& reply, const std::string& request_id) {
  HttpResponse response;
  response.status = 200;
  response.headers = {{"Content-Type", reply.content_type}, {"x-amzn-RequestId", request_id}};
  response.body = reply.text ? *reply.text
                             : reply.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

std::optional<std::int64_t> timestamp_ms(const nlohmann::json& value) {
  // ±10^13 seconds is far beyond any real date and keeps the millisecond value in range.
  constexpr double kLimitSeconds = 1e13;
  if (value.is_number_integer() || value.is_number_unsigned()) {
    const double seconds = value.get<double>();
    if (std::fabs(seconds) > kLimitSeconds) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(seconds) * 1000;
  }
  if (value.is_number_float()) {
    const double seconds = value.get<double>();
    if (!std::isfinite(seconds) || std::fabs(seconds) > kLimitSeconds) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(std::llround(seconds * 1000.0));
  }
  if (value.is_string()) {
    return internal::parse_iso8601_ms(value.get_ref<const std::string&>());
  }
  return std::nullopt;
}

nlohmann::json epoch_seconds(std::int64_t milliseconds) {
  if (milliseconds % 1000 == 0) {
    return milliseconds / 1000;
  }
  return static_cast<double>(milliseconds) / 1000.0;
}

std::string encode_token(std::string_view operation, std::string_view cursor) {
  return internal::base64url_encode(fmt::format("{}{}|{}", kTokenPrefix, operation, cursor));
}

ApiResult<std::string> decode_token(std::string_view operation, std::string_view token) {
  const auto invalid = [] {
    return reject(ApiError::validation("The nextToken is invalid or expired.",
                                       {{"nextToken", "not a token issued for this operation"}}));
  };
  auto decoded = internal::base64url_decode(token);
  if (!decoded) {
    return invalid();
  }
  const std::string prefix = fmt::format("{}{}|", kTokenPrefix, operation);
  if (decoded->compare(0, prefix.size(), prefix) != 0) {
    return invalid();
  }
  return decoded->substr(prefix.size());
}

}  // namespace vigil::api
