// In-memory evaluation of store::Criteria against one stored finding, with the store's rules:
// filters of one field are OR-ed, NOT_EQUALS filters of one field are AND-ed, fields are AND-ed;
// a filter on a list-valued attribute matches when any element matches (NOT_EQUALS: none
// equals); string matching is case-sensitive. Used to decide the status of newly observed
// findings under the suppression rules before they are reconciled.
#pragma once

#include "store/store.hpp"

namespace vigil::service::internal {

// True when `finding` satisfies every field of `criteria` (an empty criteria matches all).
// A field the evaluator does not know (code-scanning fields) never matches a package finding.
bool matches_criteria(const store::StoredFinding& finding, const store::Criteria& criteria);

}  // namespace vigil::service::internal
