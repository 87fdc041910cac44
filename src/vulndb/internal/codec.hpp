// Internal: JSON encodings of the advisory parts stored as TEXT columns, and the SQLite-backed
// Database's shared state.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/advisory.hpp"

namespace vigil::vulndb::internal {

std::string encode_ranges(const std::vector<model::AffectedRange>& ranges);
// The encoders below append to `out` (the import path reuses one buffer per column).
void append_ranges(std::string& out, const std::vector<model::AffectedRange>& ranges);
void append_strings(std::string& out, const std::vector<std::string>& values);
void append_extra(std::string& out, const model::Advisory& advisory);
Result<std::vector<model::AffectedRange>> decode_ranges(std::string_view text);

std::string encode_strings(const std::vector<std::string>& values);
std::vector<std::string> decode_strings(std::string_view text);

// references, related, upstream and cwes, as one JSON object.
std::string encode_extra(const model::Advisory& advisory);
void decode_extra(std::string_view text, model::Advisory& advisory);

// A stable 64-bit hash of the record's identity and content, as 16 hex digits.
std::string content_hash(const model::Advisory& advisory);
using ContentHash = std::array<char, 16>;
ContentHash content_hash_digits(const model::Advisory& advisory);

std::string now_rfc3339();

}  // namespace vigil::vulndb::internal
