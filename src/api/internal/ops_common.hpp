// Helpers shared by the operation groups (ops_*.cpp). Internal to src/api.
#pragma once

#include <algorithm>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/operations.hpp"
#include "api/protocol.hpp"

namespace vigil::api::internal {

// `maxResults` of the input (already range-checked by the model), or `fallback`.
inline std::size_t max_results(const nlohmann::json& input, std::size_t fallback) {
  const auto found = input.find("maxResults");
  if (found == input.end() || !found->is_number_integer()) {
    return fallback;
  }
  return static_cast<std::size_t>(std::max<std::int64_t>(1, found->get<std::int64_t>()));
}

// The store cursor behind the input's `nextToken` ("" for the first page).
inline ApiResult<std::string> page_cursor(const nlohmann::json& input, std::string_view operation) {
  const auto found = input.find("nextToken");
  if (found == input.end() || !found->is_string() || found->get_ref<const std::string&>().empty()) {
    return std::string();
  }
  return decode_token(operation, found->get_ref<const std::string&>());
}

// Sets `nextToken` on `out` when the store reported a further page.
inline void set_next_token(nlohmann::json& out, std::string_view operation, const std::string& cursor) {
  if (!cursor.empty()) {
    out["nextToken"] = encode_token(operation, cursor);
  }
}

// The fleet service, or InternalServerException when the API runs without one (tests).
inline ApiResult<service::FleetService*> fleet_of(ApiContext& context) {
  if (context.fleet == nullptr) {
    return reject(ApiError::internal("the fleet service is not running"));
  }
  return context.fleet;
}

// Reply helper.
inline Reply json_reply(nlohmann::json body) {
  Reply reply;
  reply.json = std::move(body);
  return reply;
}

// A string member of the input, or "".
inline std::string string_member(const nlohmann::json& input, const char* name) {
  const auto found = input.find(name);
  return found != input.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace vigil::api::internal
