// Request validation against the service model: types, required members, enum values,
// string lengths, numeric ranges, list/map sizes, unions and unknown members.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "api/model.hpp"
#include "api/protocol.hpp"

namespace vigil::api {

// Checks `input` (the merged body, URI and query members) against shape `shape_index`.
// Returns ValidationException (FIELD_VALIDATION_FAILED) listing up to 10 offending fields by
// path ("filterCriteria.severity[0].comparison") with a message each; JSON nulls count as
// absent. Iterative depth is bounded by the model (no recursive input shapes). Thread-safe.
[[nodiscard]] ApiResult<void> validate_input(std::uint16_t shape_index, const nlohmann::json& input);

}  // namespace vigil::api
