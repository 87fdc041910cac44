// Reading and writing one findings row (with its package and tag child rows), shared by the
// lifecycle code and the bulk loader. Internal to the store module.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.hpp"
#include "store/internal/db.hpp"
#include "store/internal/finding_columns.hpp"
#include "store/store.hpp"

namespace vigil::store::internal {

// The columns read_finding_row() expects, in order, to be selected from alias `f`.
inline constexpr std::string_view kFindingReadColumns =
    "f.json, f.status, f.suppression_reason, f.first_observed_at, f.last_observed_at, "
    "f.updated_at, f.closed_at, f.stale";

// Decodes a finding from kFindingReadColumns starting at column `first`; the lifecycle columns
// are authoritative over the JSON document.
[[nodiscard]] Result<StoredFinding> read_finding_row(const sql::Statement& row, int first = 0);

// Inserts or replaces the row of `finding` (keyed by finding.finding.id) with its derived
// `columns` and content `document` (finding_to_json), replacing its package and tag rows.
// Returns the row id. Must run inside a transaction on the writer.
[[nodiscard]] Result<std::int64_t> write_finding(Conn& conn, const StoredFinding& finding,
                                                 const FindingColumns& columns,
                                                 std::string_view document);

}  // namespace vigil::store::internal
