// Row-level steps of the finding lifecycle shared by reconcile (reconcile.cpp) and the other
// lifecycle calls (findings.cpp). Every one runs on the connection it is given, inside the
// caller's transaction. Internal to the store module.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "store/internal/db.hpp"
#include "store/store.hpp"

namespace vigil::store::internal {

// Appends one finding_history row ("CREATED", "CLOSED", "UPDATED: ...").
[[nodiscard]] Result<void> add_history(Conn& conn, std::int64_t finding_id, Timestamp at,
                                       std::string_view event);

// Sets the finding row's stale mark.
[[nodiscard]] Result<void> set_stale_mark(Conn& conn, std::int64_t id, bool stale);

// The resource's open findings (row id, ARN) of `finding_type` ("" = any type); with `names`, only
// those on one of those packages.
[[nodiscard]] Result<std::vector<std::pair<std::int64_t, std::string>>> open_findings(
    Conn& conn, const std::string& resource_id, const std::string& finding_type,
    const std::set<std::string>* names);

// Closes the rows of `open` whose ARN is not in `keep` (with a CLOSED history row each, their
// ARNs added to summary.changed_ids); a row id of 0 is looked up by ARN.
[[nodiscard]] Result<void> close_missing(Conn& conn,
                                         std::vector<std::pair<std::int64_t, std::string>> open,
                                         const std::unordered_set<std::string>& keep, Timestamp now,
                                         ReconcileSummary& summary);

}  // namespace vigil::store::internal
