// Mapping between Inspector2 wire JSON and the store's types: FilterCriteria and
// CoverageFilterCriteria to store::Criteria, stored findings / coverage rows / filters to their
// response shapes. Internal to src/api.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/protocol.hpp"
#include "store/store.hpp"

namespace vigil::api::internal {

// Converts a validated FilterCriteria (findings) or CoverageFilterCriteria JSON object. Filter
// kinds are taken from the model's element shapes (StringFilter, DateFilter, ...).
// ValidationException when one field mixes EQUALS/PREFIX with NOT_EQUALS filters.
ApiResult<store::Criteria> criteria_from_json(const nlohmann::json& criteria,
                                              std::string_view shape_name);

// Adds `account_ids` (a list of StringFilter JSON, as ListFindingAggregations' accountIds) to
// `criteria` under "awsAccountId".
ApiResult<void> add_string_filters(store::Criteria& criteria, const std::string& field,
                                   const nlohmann::json& filters);

// Inspector's Finding for a stored finding (timestamps as epoch seconds).
nlohmann::json finding_json(const store::StoredFinding& stored, const std::string& partition);
// Inspector's CoveredResource for a coverage row (resource metadata from `resource` if known).
nlohmann::json covered_resource_json(const store::CoverageRecord& row,
                                     const store::ResourceRecord* resource);
// Inspector's Filter for a stored filter.
nlohmann::json filter_json(const store::FilterRecord& filter);

// Inspector's package-manager spelling for an ecosystem and location ("OS", "PIP", "NPM", ...).
std::string package_manager(const model::Package& package);

}  // namespace vigil::api::internal
