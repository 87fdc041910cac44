// The finding document writer behind finding_to_json (codec.hpp): appends the document straight
// to one string, byte-identical to building the nlohmann::json tree, pruning its default members
// and dumping it (finding_to_json_reference, kept for the differential test). Internal.
#pragma once

#include <string>
#include <string_view>

#include "store/store.hpp"

namespace vigil::store::internal {

// Appends `value` as a JSON string literal exactly as nlohmann::json::dump(-1, ' ', false,
// error_handler_t::replace) writes it: \" \\ \b \f \n \r \t escaped, other bytes below 0x20 as
// \u00xx, valid UTF-8 copied, invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view value);
// Appends `value` as nlohmann::json writes a number_float ("10.0", "7.5", "1e-07", "null" when
// not finite).
void append_json_double(std::string& out, double value);

// The tree-building implementation finding_to_json replaced (codec.cpp); for tests only.
std::string finding_to_json_reference(const StoredFinding& finding);

}  // namespace vigil::store::internal
