// Opaque pagination cursors: base64url of a small JSON array naming what was listed, how it was
// sorted, and the last row's sort key. Internal to the store module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/internal/db.hpp"

namespace vigil::store::internal {

// Encodes `tag` (the listing and sort it belongs to) and the last row's `key` values.
std::string encode_cursor(std::string_view tag, const std::vector<Value>& key);

// Decodes a cursor made by encode_cursor() for the same `tag` with `size` key values. Returns
// kInvalidArgument for anything else (corrupt text, another listing's or sort's cursor).
[[nodiscard]] Result<std::vector<Value>> decode_cursor(std::string_view cursor,
                                                       std::string_view tag, std::size_t size);

}  // namespace vigil::store::internal
