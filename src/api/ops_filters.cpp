// Filters and suppression rules: CreateFilter, UpdateFilter, ListFilters, DeleteFilter. Rules are
// applied by the fleet service; this file maps the wire shapes and enforces who may manage them.
#include "api/internal/ops_common.hpp"
#include "api/internal/wire.hpp"
#include "api/operations.hpp"
#include "service/fleet_service.hpp"

namespace vigil::api {
namespace {

using nlohmann::json;
using internal::json_reply;

constexpr std::size_t kDefaultPage = 100;

// Members cannot manage filters (Inspector: only standalone accounts and the delegated
// administrator can); read-only keys never reach here (mutating operations).
ApiResult<void> require_manager(const Caller& caller, std::string_view operation) {
  if (caller.role == kRoleMember) {
    return reject(ApiError::access_denied(fmt::format(
        "User: {} (member key of account {}) is not authorized to perform: inspector2:{}",
        caller.access_key_id, caller.account_id, operation)));
  }
  return {};
}

// The organisation id when one is configured, for ownership checks.
ApiResult<std::string> organization_id(ApiContext& context) {
  VIGIL_API_ASSIGN(const store::OrganizationConfig config, context.store->organization());
  return config.organization_id;
}

bool visible(const Caller& caller, const store::FilterRecord& filter, const std::string& org_id) {
  return caller.sees_all || filter.owner_id == caller.account_id ||
         (!org_id.empty() && filter.owner_id == org_id);
}

// Loads a filter the caller may see, else ResourceNotFoundException (never revealing others').
ApiResult<store::FilterRecord> visible_filter(ApiContext& context, const Caller& caller,
                                              const std::string& arn) {
  VIGIL_API_ASSIGN(const std::optional<store::FilterRecord> filter, context.store->filter(arn));
  VIGIL_API_ASSIGN(const std::string org_id, organization_id(context));
  if (!filter || !visible(caller, *filter, org_id)) {
    return reject(ApiError::not_found(fmt::format("Filter {} was not found.", arn)));
  }
  if (!caller.sees_all && filter->owner_id != caller.account_id) {
    // An organisation rule seen by a standalone admin key of a member account: read-only.
    return reject(ApiError::access_denied(fmt::format("Filter {} is owned by {}.", arn, filter->owner_id)));
  }
  return *filter;
}

ApiError service_error(const Error& error) {
  // The service reports "not allowed" conditions as invalid arguments naming the caller.
  return ApiError::from(error);
}

ApiResult<Reply> create_filter(ApiContext& context, const OpRequest& request) {
  VIGIL_API_TRY(require_manager(request.caller, "CreateFilter"));
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  store::FilterRecord filter;
  filter.name = request.input.at("name").get<std::string>();
  filter.action = request.input.at("action").get<std::string>();
  const json& criteria = request.input.at("filterCriteria");
  VIGIL_API_ASSIGN(filter.criteria, internal::criteria_from_json(criteria, "FilterCriteria"));
  filter.criteria_json = criteria.dump();
  filter.description = internal::string_member(request.input, "description");
  filter.reason = internal::string_member(request.input, "reason");
  filter.tags = request.input.value("tags", std::map<std::string, std::string>{});
  auto created = fleet->create_filter(std::move(filter), request.caller.account_id);
  if (!created) {
    return reject(service_error(created.error()));
  }
  return json_reply({{"arn", created->arn}});
}

ApiResult<Reply> update_filter(ApiContext& context, const OpRequest& request) {
  VIGIL_API_TRY(require_manager(request.caller, "UpdateFilter"));
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(store::FilterRecord filter,
                   visible_filter(context, request.caller, request.input.at("filterArn").get<std::string>()));
  if (request.input.contains("name")) {
    filter.name = request.input["name"].get<std::string>();
  }
  if (request.input.contains("action")) {
    filter.action = request.input["action"].get<std::string>();
  }
  if (request.input.contains("description")) {
    filter.description = request.input["description"].get<std::string>();
  }
  if (request.input.contains("reason")) {
    filter.reason = request.input["reason"].get<std::string>();
  }
  if (const auto criteria = request.input.find("filterCriteria"); criteria != request.input.end()) {
    VIGIL_API_ASSIGN(filter.criteria, internal::criteria_from_json(*criteria, "FilterCriteria"));
    filter.criteria_json = criteria->dump();
  }
  auto updated = fleet->update_filter(std::move(filter), request.caller.account_id);
  if (!updated) {
    return reject(service_error(updated.error()));
  }
  return json_reply({{"arn", updated->arn}});
}

ApiResult<Reply> delete_filter(ApiContext& context, const OpRequest& request) {
  VIGIL_API_TRY(require_manager(request.caller, "DeleteFilter"));
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const std::string arn = request.input.at("arn").get<std::string>();
  VIGIL_API_TRY(visible_filter(context, request.caller, arn));
  if (auto deleted = fleet->delete_filter(arn, request.caller.account_id); !deleted) {
    return reject(service_error(deleted.error()));
  }
  return json_reply({{"arn", arn}});
}

ApiResult<Reply> list_filters(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(const std::vector<store::FilterRecord> all, context.store->filters(""));
  VIGIL_API_ASSIGN(const std::string org_id, organization_id(context));
  const std::string action = internal::string_member(request.input, "action");
  std::vector<std::string> arns;
  if (const auto found = request.input.find("arns"); found != request.input.end()) {
    arns = found->get<std::vector<std::string>>();
  }
  std::vector<const store::FilterRecord*> matching;
  for (const store::FilterRecord& filter : all) {
    if (!visible(request.caller, filter, org_id) || (!action.empty() && filter.action != action) ||
        (!arns.empty() && std::find(arns.begin(), arns.end(), filter.arn) == arns.end())) {
      continue;
    }
    matching.push_back(&filter);
  }
  std::sort(matching.begin(), matching.end(),
            [](const auto* lhs, const auto* rhs) { return lhs->arn < rhs->arn; });
  // Cursor: the last ARN returned; ARNs are unique and sorted, so pages are stable.
  VIGIL_API_ASSIGN(const std::string cursor, internal::page_cursor(request.input, "ListFilters"));
  const std::size_t limit = internal::max_results(request.input, kDefaultPage);
  json filters = json::array();
  std::string last;
  bool more = false;
  for (const store::FilterRecord* filter : matching) {
    if (!cursor.empty() && filter->arn <= cursor) {
      continue;
    }
    if (filters.size() == limit) {
      more = true;
      break;
    }
    filters.push_back(internal::filter_json(*filter));
    last = filter->arn;
  }
  json out = {{"filters", std::move(filters)}};
  internal::set_next_token(out, "ListFilters", more ? last : "");
  return json_reply(std::move(out));
}

}  // namespace

void register_filter_ops(Registry& registry) {
  registry.add_inspector("CreateFilter", true, create_filter);
  registry.add_inspector("UpdateFilter", true, update_filter);
  registry.add_inspector("DeleteFilter", true, delete_filter);
  registry.add_inspector("ListFilters", false, list_filters);
}

}  // namespace vigil::api
