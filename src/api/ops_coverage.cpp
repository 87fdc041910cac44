// Coverage operations: ListCoverage, ListCoverageStatistics.
#include "api/internal/ops_common.hpp"
#include "api/internal/wire.hpp"
#include "api/operations.hpp"

namespace vigil::api {
namespace {

using nlohmann::json;
using internal::json_reply;

constexpr std::size_t kDefaultPage = 100;
// The model caps countsByGroup at 5 entries per page.
constexpr std::size_t kGroupsPerPage = 5;

ApiResult<Reply> list_coverage(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(const store::Criteria criteria,
                   internal::criteria_from_json(request.input.value("filterCriteria", json::object()),
                                                "CoverageFilterCriteria"));
  VIGIL_API_ASSIGN(const std::string cursor, internal::page_cursor(request.input, "ListCoverage"));
  VIGIL_API_ASSIGN(const store::Page<store::CoverageRecord> page,
                   context.store->list_coverage(criteria, request.caller.scope(),
                                                internal::max_results(request.input, kDefaultPage),
                                                cursor));
  json resources = json::array();
  for (const store::CoverageRecord& row : page.items) {
    VIGIL_API_ASSIGN(const std::optional<store::ResourceRecord> resource,
                     context.store->resource(row.resource_id));
    resources.push_back(internal::covered_resource_json(row, resource ? &*resource : nullptr));
  }
  json out = {{"coveredResources", std::move(resources)}};
  internal::set_next_token(out, "ListCoverage", page.next_cursor);
  return json_reply(std::move(out));
}

ApiResult<Reply> list_coverage_statistics(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(const store::Criteria criteria,
                   internal::criteria_from_json(request.input.value("filterCriteria", json::object()),
                                                "CoverageFilterCriteria"));
  const std::string group_by = internal::string_member(request.input, "groupBy");
  VIGIL_API_ASSIGN(const std::string cursor,
                   internal::page_cursor(request.input, "ListCoverageStatistics"));
  std::size_t offset = 0;
  if (!cursor.empty()) {
    char* end = nullptr;
    offset = std::strtoull(cursor.c_str(), &end, 10);
    if (end == nullptr || *end != '\0') {
      return reject(ApiError::validation("The nextToken is invalid.", {{"nextToken", "malformed"}}));
    }
  }
  VIGIL_API_ASSIGN(const auto groups,
                   context.store->coverage_statistics(criteria, request.caller.scope(), group_by));
  std::int64_t total = 0;
  for (const auto& [key, count] : groups) {
    total += count;
  }
  json out = {{"totalCounts", total}};
  if (!group_by.empty()) {
    // Inspector puts the group *value* in `groupKey` (reference §5.2).
    json counts = json::array();
    for (std::size_t index = offset; index < groups.size() && index < offset + kGroupsPerPage; ++index) {
      counts.push_back({{"groupKey", groups[index].first}, {"count", groups[index].second}});
    }
    out["countsByGroup"] = std::move(counts);
    if (offset + kGroupsPerPage < groups.size()) {
      internal::set_next_token(out, "ListCoverageStatistics", std::to_string(offset + kGroupsPerPage));
    }
  }
  return json_reply(std::move(out));
}

}  // namespace

void register_coverage_ops(Registry& registry) {
  registry.add_inspector("ListCoverage", false, list_coverage);
  registry.add_inspector("ListCoverageStatistics", false, list_coverage_statistics);
}

}  // namespace vigil::api
