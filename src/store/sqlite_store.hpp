// Extras of the embedded SQLite backend beyond the Store interface (store.hpp declares
// open_sqlite_store itself): a bulk loader for seeding large stores in tools and benchmarks.
#pragma once

#include <functional>

#include "core/result.hpp"
#include "store/store.hpp"

namespace vigil::store {

// Inserts (or replaces, by finding id) every finding `next` produces, in one transaction,
// without lifecycle bookkeeping or history: timestamps and status are stored as given.
// `next` fills its argument and returns true, or returns false when done (an error aborts
// the load and rolls it back). `store` must come from open_sqlite_store(); anything else gives
// kUnsupported. Holds the writer for the whole load.
[[nodiscard]] Result<void> bulk_insert_findings(
    Store& store, const std::function<Result<bool>(StoredFinding&)>& next);

}  // namespace vigil::store
