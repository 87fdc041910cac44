// The store's schema and its forward migrations. Internal to the store module.
#pragma once

#include "core/result.hpp"
#include "core/sqlite.hpp"

namespace vigil::store::internal {

// The schema version this build writes.
inline constexpr int kSchemaVersion = 2;

// Brings the database on `connection` to kSchemaVersion, one transaction per step, and returns
// the version reached. Returns kUnsupported when the file was written by a newer build, and kIo
// (with SQLite's message) when it is not a SQLite database.
[[nodiscard]] Result<int> migrate(sql::Connection& connection);

}  // namespace vigil::store::internal
