// Organisation operations: Enable/Disable/BatchGetAccountStatus, the delegated administrator,
// the organisation configuration (auto-enable), members, Get/UpdateConfiguration, tags on
// filters and ListUsageTotals. The fleet service owns the state; this file maps the wire shapes
// and decides who may do what:
//   - the management account's admin key designates and removes the delegated administrator;
//   - organisation administrators (admin keys of the delegated administrator or management
//     account) enable/disable any account, manage members and organisation-wide settings;
//   - an admin key of another account enables/disables only its own account;
//   - member keys change nothing here and see only their own account;
//   - read-only keys never reach a mutating handler (the dispatcher refuses them).
#include <algorithm>
#include <cmath>
#include <set>

#include "api/internal/ops_common.hpp"
#include "api/operations.hpp"
#include "service/fleet_config.hpp"
#include "service/fleet_service.hpp"

namespace vigil::api {
namespace {

using internal::json_reply;
using nlohmann::json;

constexpr std::size_t kMaxMembers = 10'000;  // Inspector's delegated-administrator limit
constexpr std::size_t kMaxTags = 50;         // tags per resource
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kUsageWindowMs = 30 * 24 * kHourMs;  // ListUsageTotals: last 30 days
constexpr std::string_view kScanModeKey = "config.ec2_scan_mode";
constexpr std::string_view kPullModeKey = "config.ecr_pull_date_rescan_mode";
constexpr std::string_view kConfigUpdatedKey = "config.updated_at";

ApiError denied(const Caller& caller, std::string_view operation, std::string_view why) {
  return ApiError::access_denied(
      fmt::format("User: {} (account {}) is not authorized to perform: inspector2:{} ({})",
                  caller.access_key_id, caller.account_id, operation, why));
}

// Organisation administrators: admin keys of the delegated administrator or management account.
ApiResult<void> require_org_admin(const Caller& caller, std::string_view operation) {
  if (!caller.administrator()) {
    return reject(denied(caller, operation, "only the organisation's administrator may"));
  }
  return {};
}

// Readers of organisation-wide state: admin or read-only keys of the administrator accounts.
ApiResult<void> require_org_reader(const Caller& caller, std::string_view operation) {
  if (!caller.sees_all) {
    return reject(denied(caller, operation, "only the organisation's administrator may"));
  }
  return {};
}

ApiResult<void> require_management(ApiContext& context, const Caller& caller,
                                   std::string_view operation) {
  VIGIL_API_ASSIGN(const std::optional<store::Account> account,
                   context.store->account(caller.account_id));
  if (caller.role != kRoleAdmin || !account || account->role != store::AccountRole::kManagement) {
    return reject(denied(caller, operation, "only the management account may"));
  }
  return {};
}

const char* status_of(bool enabled) { return enabled ? "ENABLED" : "DISABLED"; }

bool any_enabled(const store::ScanTypes& types) {
  return types.ec2 || types.ecr || types.lambda || types.lambda_code;
}

json resource_status_json(const store::ScanTypes& types) {
  return {{"ec2", status_of(types.ec2)},
          {"ecr", status_of(types.ecr)},
          {"lambda", status_of(types.lambda)},
          {"lambdaCode", status_of(types.lambda_code)}};
}

json account_json(const store::Account& account) {
  return {{"accountId", account.id},
          {"status", status_of(any_enabled(account.enabled))},
          {"resourceStatus", resource_status_json(account.enabled)}};
}

json failed_account_json(const std::string& id, const std::string& code, const std::string& message,
                         const std::optional<store::Account>& account = std::nullopt) {
  json out = {{"accountId", id}, {"errorCode", code}, {"errorMessage", message}};
  if (account) {
    out["status"] = status_of(any_enabled(account->enabled));
    out["resourceStatus"] = resource_status_json(account->enabled);
  }
  return out;
}

// `accountIds` of the input (duplicates dropped, order kept), or the caller's own account.
std::vector<std::string> requested_accounts(const json& input, const Caller& caller) {
  std::vector<std::string> ids;
  if (const auto found = input.find("accountIds"); found != input.end()) {
    for (const json& id : *found) {
      const std::string value = id.get<std::string>();
      if (std::find(ids.begin(), ids.end(), value) == ids.end()) {
        ids.push_back(value);
      }
    }
  }
  if (ids.empty()) {
    ids.push_back(caller.account_id);
  }
  return ids;
}

// Who may enable/disable `ids`: organisation administrators any account, other admin keys
// their own account only, member keys nothing.
ApiResult<void> require_enablement_right(const Caller& caller, const std::vector<std::string>& ids,
                                         std::string_view operation) {
  if (caller.role != kRoleAdmin) {
    return reject(denied(caller, operation, "member keys cannot change scan enablement"));
  }
  if (caller.administrator()) {
    return {};
  }
  for (const std::string& id : ids) {
    if (id != caller.account_id) {
      return reject(
          denied(caller, operation, "only the delegated administrator may change other accounts"));
    }
  }
  return {};
}

ApiResult<store::ScanTypes> scan_types_of(const json& list) {
  std::vector<std::string> names;
  for (const json& name : list) {
    names.push_back(name.get<std::string>());
  }
  auto types = service::parse_scan_types(names);
  if (!types) {
    return reject(ApiError::validation(
        fmt::format("{} (Vigil supports EC2, ECR, LAMBDA, LAMBDA_CODE)", types.error().message),
        {{"resourceTypes", "unsupported resource type"}}));
  }
  return *types;
}

json outcomes_json(const std::vector<service::AccountOutcome>& outcomes) {
  json accounts = json::array();
  json failed = json::array();
  for (const service::AccountOutcome& outcome : outcomes) {
    if (outcome.account) {
      accounts.push_back(account_json(*outcome.account));
    } else {
      failed.push_back(
          failed_account_json(outcome.account_id, outcome.error_code, outcome.error_message));
    }
  }
  return {{"accounts", std::move(accounts)}, {"failedAccounts", std::move(failed)}};
}

ApiResult<Reply> enable(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const std::vector<std::string> ids = requested_accounts(request.input, request.caller);
  VIGIL_API_TRY(require_enablement_right(request.caller, ids, "Enable"));
  VIGIL_API_ASSIGN(const store::ScanTypes types, scan_types_of(request.input.at("resourceTypes")));
  VIGIL_API_ASSIGN(const std::vector<service::AccountOutcome> outcomes, fleet->enable(ids, types));
  return json_reply(outcomes_json(outcomes));
}

ApiResult<Reply> disable(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const std::vector<std::string> ids = requested_accounts(request.input, request.caller);
  VIGIL_API_TRY(require_enablement_right(request.caller, ids, "Disable"));
  std::optional<store::ScanTypes> types;  // omitted or empty: every type
  if (const auto found = request.input.find("resourceTypes");
      found != request.input.end() && !found->empty()) {
    VIGIL_API_ASSIGN(types, scan_types_of(*found));
  }
  VIGIL_API_ASSIGN(const std::vector<service::AccountOutcome> outcomes, fleet->disable(ids, types));
  return json_reply(outcomes_json(outcomes));
}

json state_json(bool enabled) { return {{"status", status_of(enabled)}}; }

ApiResult<Reply> batch_get_account_status(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const std::vector<std::string> ids = requested_accounts(request.input, request.caller);
  json accounts = json::array();
  json failed = json::array();
  std::vector<std::string> visible;
  for (const std::string& id : ids) {
    // Accounts the caller cannot see are refused one by one, whether they exist or not.
    if (!request.caller.can_see(id)) {
      failed.push_back(
          failed_account_json(id, "ACCESS_DENIED", "The caller may query only its own account."));
    } else {
      visible.push_back(id);
    }
  }
  VIGIL_API_ASSIGN(const std::vector<service::AccountOutcome> outcomes,
                   fleet->account_status(visible));
  for (const service::AccountOutcome& outcome : outcomes) {
    if (!outcome.account) {
      failed.push_back(
          failed_account_json(outcome.account_id, outcome.error_code, outcome.error_message));
      continue;
    }
    const store::ScanTypes& types = outcome.account->enabled;
    accounts.push_back({{"accountId", outcome.account_id},
                        {"state", state_json(any_enabled(types))},
                        {"resourceState",
                         {{"ec2", state_json(types.ec2)},
                          {"ecr", state_json(types.ecr)},
                          {"lambda", state_json(types.lambda)},
                          {"lambdaCode", state_json(types.lambda_code)}}}});
  }
  return json_reply({{"accounts", std::move(accounts)}, {"failedAccounts", std::move(failed)}});
}

// ---- Delegated administrator

ApiResult<Reply> enable_delegated_admin(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_management(context, request.caller, "EnableDelegatedAdminAccount"));
  const std::string id = request.input.at("delegatedAdminAccountId").get<std::string>();
  if (id == request.caller.account_id) {
    return reject(
        ApiError::validation("The management account cannot be its own delegated administrator.",
                             {{"delegatedAdminAccountId", "names the management account"}}));
  }
  VIGIL_API_ASSIGN(const std::optional<store::Account> current, fleet->delegated_admin());
  if (current && current->id != id) {
    return reject(ApiError::conflict(
        fmt::format("Account {} is already the delegated administrator; disable it first.",
                    current->id),
        current->id, "DELEGATED_ADMIN"));
  }
  VIGIL_API_TRY(fleet->enable_delegated_admin(id));
  return json_reply({{"delegatedAdminAccountId", id}});
}

ApiResult<Reply> disable_delegated_admin(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_management(context, request.caller, "DisableDelegatedAdminAccount"));
  const std::string id = request.input.at("delegatedAdminAccountId").get<std::string>();
  VIGIL_API_TRY(fleet->disable_delegated_admin(id));
  return json_reply({{"delegatedAdminAccountId", id}});
}

ApiResult<Reply> get_delegated_admin(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_org_reader(request.caller, "GetDelegatedAdminAccount"));
  VIGIL_API_ASSIGN(const std::optional<store::Account> current, fleet->delegated_admin());
  json out = json::object();
  if (current) {
    out["delegatedAdmin"] = {{"accountId", current->id}, {"relationshipStatus", "ENABLED"}};
  }
  return json_reply(std::move(out));
}

ApiResult<Reply> list_delegated_admins(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_org_reader(request.caller, "ListDelegatedAdminAccounts"));
  // At most one administrator exists, so every answer is one page; a token is still checked.
  VIGIL_API_TRY(internal::page_cursor(request.input, "ListDelegatedAdminAccounts"));
  VIGIL_API_ASSIGN(const std::optional<store::Account> current, fleet->delegated_admin());
  json list = json::array();
  if (current) {
    list.push_back({{"accountId", current->id}, {"status", "ENABLED"}});
  }
  return json_reply({{"delegatedAdminAccounts", std::move(list)}});
}

// ---- Organisation configuration

json auto_enable_json(const store::ScanTypes& types) {
  return {{"ec2", types.ec2},
          {"ecr", types.ecr},
          {"lambda", types.lambda},
          {"lambdaCode", types.lambda_code}};
}

ApiResult<Reply> describe_organization_configuration(ApiContext& context,
                                                     const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_org_reader(request.caller, "DescribeOrganizationConfiguration"));
  VIGIL_API_ASSIGN(const store::OrganizationConfig config, fleet->organization_configuration());
  VIGIL_API_ASSIGN(const std::vector<store::Account> members, fleet->members(true));
  return json_reply({{"autoEnable", auto_enable_json(config.auto_enable)},
                     {"maxAccountLimitReached", members.size() >= kMaxMembers}});
}

ApiResult<Reply> update_organization_configuration(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_org_admin(request.caller, "UpdateOrganizationConfiguration"));
  const json& wanted = request.input.at("autoEnable");
  if (wanted.value("codeRepository", false)) {
    return reject(ApiError::validation("Vigil does not scan code repositories.",
                                       {{"autoEnable.codeRepository", "unsupported"}}));
  }
  VIGIL_API_ASSIGN(const store::OrganizationConfig current, fleet->organization_configuration());
  store::ScanTypes types;
  types.ec2 = wanted.at("ec2").get<bool>();
  types.ecr = wanted.at("ecr").get<bool>();
  // Optional members left out keep their current value.
  types.lambda = wanted.value("lambda", current.auto_enable.lambda);
  types.lambda_code = wanted.value("lambdaCode", current.auto_enable.lambda_code);
  VIGIL_API_ASSIGN(const store::OrganizationConfig updated,
                   fleet->update_organization_configuration(types));
  return json_reply({{"autoEnable", auto_enable_json(updated.auto_enable)}});
}

// ---- Members

ApiResult<std::string> delegated_admin_id(service::FleetService& fleet) {
  VIGIL_API_ASSIGN(const std::optional<store::Account> current, fleet.delegated_admin());
  return current ? current->id : std::string();
}

json member_json(const store::Account& account, const std::string& admin_id) {
  json out = {{"accountId", account.id},
              {"relationshipStatus",
               account.relationship_status.empty() ? "ENABLED" : account.relationship_status},
              {"updatedAt", epoch_seconds(account.updated_at)}};
  if (!admin_id.empty()) {
    out["delegatedAdminAccountId"] = admin_id;
  }
  return out;
}

ApiResult<Reply> associate_member(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_org_admin(request.caller, "AssociateMember"));
  const std::string id = request.input.at("accountId").get<std::string>();
  VIGIL_API_ASSIGN(const std::optional<store::Account> existing, fleet->member(id));
  if (!existing || existing->relationship_status != "ENABLED") {
    VIGIL_API_ASSIGN(const std::vector<store::Account> members, fleet->members(true));
    if (members.size() >= kMaxMembers) {
      return reject(ApiError::quota_exceeded(
          fmt::format("The organisation already has {} associated members.", kMaxMembers), id));
    }
  }
  VIGIL_API_TRY(fleet->associate_member(id));
  return json_reply({{"accountId", id}});
}

ApiResult<Reply> disassociate_member(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_org_admin(request.caller, "DisassociateMember"));
  const std::string id = request.input.at("accountId").get<std::string>();
  auto removed = fleet->disassociate_member(id);
  if (!removed) {
    // The model has no ResourceNotFoundException for this operation.
    return reject(ApiError::validation(removed.error().message, {{"accountId", "not a member"}}));
  }
  return json_reply({{"accountId", id}});
}

ApiResult<Reply> get_member(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const std::string id = request.input.at("accountId").get<std::string>();
  // Another account's membership is reported exactly like an unknown account.
  std::optional<store::Account> member;
  if (request.caller.can_see(id)) {
    VIGIL_API_ASSIGN(member, fleet->member(id));
  }
  if (!member) {
    return reject(ApiError::not_found(fmt::format("Account {} is not a member.", id)));
  }
  VIGIL_API_ASSIGN(const std::string admin_id, delegated_admin_id(*fleet));
  return json_reply({{"member", member_json(*member, admin_id)}});
}

ApiResult<Reply> list_members(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const bool only_associated = request.input.value("onlyAssociated", false);
  VIGIL_API_ASSIGN(std::vector<store::Account> members, fleet->members(only_associated));
  std::erase_if(members,
                [&](const store::Account& account) { return !request.caller.can_see(account.id); });
  std::sort(members.begin(), members.end(),
            [](const auto& lhs, const auto& rhs) { return lhs.id < rhs.id; });
  VIGIL_API_ASSIGN(const std::string cursor, internal::page_cursor(request.input, "ListMembers"));
  VIGIL_API_ASSIGN(const std::string admin_id, delegated_admin_id(*fleet));
  const std::size_t limit = internal::max_results(request.input, 50);
  json list = json::array();
  std::string last;
  bool more = false;
  for (const store::Account& account : members) {
    if (!cursor.empty() && account.id <= cursor) {
      continue;
    }
    if (list.size() == limit) {
      more = true;
      break;
    }
    list.push_back(member_json(account, admin_id));
    last = account.id;
  }
  json out = {{"members", std::move(list)}};
  internal::set_next_token(out, "ListMembers", more ? last : "");
  return json_reply(std::move(out));
}

// ---- Scan configuration

ApiResult<std::string> meta_or(store::Store& store, std::string_view key, std::string fallback) {
  VIGIL_API_ASSIGN(const std::optional<std::string> value, store.meta(std::string(key)));
  return value && !value->empty() ? *value : fallback;
}

ApiResult<Reply> get_configuration(ApiContext& context, const OpRequest&) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const store::OrganizationConfig config, fleet->configuration());
  VIGIL_API_ASSIGN(const std::string scan_mode,
                   meta_or(*context.store, kScanModeKey, "EC2_SSM_AGENT_BASED"));
  VIGIL_API_ASSIGN(const std::string pull_mode, meta_or(*context.store, kPullModeKey, ""));
  VIGIL_API_ASSIGN(const std::string updated, meta_or(*context.store, kConfigUpdatedKey, "0"));
  json ecr = {{"rescanDuration", config.ecr_rescan_duration}, {"status", "SUCCESS"}};
  if (const std::int64_t updated_ms = std::strtoll(updated.c_str(), nullptr, 10); updated_ms > 0) {
    ecr["updatedAt"] = epoch_seconds(updated_ms);
  }
  if (!config.ecr_pull_date_rescan_duration.empty()) {
    ecr["pullDateRescanDuration"] = config.ecr_pull_date_rescan_duration;
  }
  if (!pull_mode.empty()) {
    ecr["pullDateRescanMode"] = pull_mode;
  }
  return json_reply(
      {{"ecrConfiguration", {{"rescanDurationState", std::move(ecr)}}},
       {"ec2Configuration",
        {{"scanModeState", {{"scanMode", scan_mode}, {"scanModeStatus", "SUCCESS"}}}}}});
}

ApiResult<Reply> update_configuration(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_TRY(require_org_admin(request.caller, "UpdateConfiguration"));
  const auto ecr = request.input.find("ecrConfiguration");
  const auto ec2 = request.input.find("ec2Configuration");
  if (ecr == request.input.end() && ec2 == request.input.end()) {
    return reject(ApiError::validation(
        "Set ecrConfiguration or ec2Configuration.",
        {{"ecrConfiguration", "one of ecrConfiguration, ec2Configuration is required"}}));
  }
  if (ecr != request.input.end()) {
    VIGIL_API_TRY(
        fleet->update_configuration(ecr->at("rescanDuration").get<std::string>(),
                                    internal::string_member(*ecr, "pullDateRescanDuration")));
    VIGIL_API_TRY(context.store->put_meta(std::string(kPullModeKey),
                                          internal::string_member(*ecr, "pullDateRescanMode")));
  }
  if (ec2 != request.input.end()) {
    VIGIL_API_TRY(
        context.store->put_meta(std::string(kScanModeKey), ec2->at("scanMode").get<std::string>()));
  }
  VIGIL_API_TRY(
      context.store->put_meta(std::string(kConfigUpdatedKey), std::to_string(fleet->now())));
  return json_reply(json::object());
}

// ---- Tags (filters are the taggable resources Vigil keeps)

// The filter `arn` for tagging: not visible → ResourceNotFoundException; visible but owned by
// someone else (an organisation rule seen by a member account) → AccessDeniedException when
// `for_write`.
ApiResult<store::FilterRecord> tagged_filter(ApiContext& context, const Caller& caller,
                                             const std::string& arn, bool for_write,
                                             std::string_view operation) {
  VIGIL_API_ASSIGN(const std::optional<store::FilterRecord> filter, context.store->filter(arn));
  VIGIL_API_ASSIGN(const store::OrganizationConfig org, context.store->organization());
  const bool visible =
      filter && (caller.sees_all || filter->owner_id == caller.account_id ||
                 (!org.organization_id.empty() && filter->owner_id == org.organization_id));
  if (!visible) {
    return reject(ApiError::not_found(fmt::format("Resource {} was not found.", arn)));
  }
  if (for_write &&
      (caller.role == kRoleMember || (!caller.sees_all && filter->owner_id != caller.account_id))) {
    return reject(denied(caller, operation, "the resource belongs to another owner"));
  }
  return *filter;
}

ApiResult<Reply> tag_resource(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(
      store::FilterRecord filter,
      tagged_filter(context, request.caller, request.input.at("resourceArn").get<std::string>(),
                    true, "TagResource"));
  for (const auto& [key, value] : request.input.at("tags").items()) {
    filter.tags[key] = value.get<std::string>();
  }
  if (filter.tags.size() > kMaxTags) {
    return reject(
        ApiError::validation(fmt::format("A resource can have at most {} tags.", kMaxTags),
                             {{"tags", "too many tags"}}));
  }
  filter.updated_at = context.fleet != nullptr ? context.fleet->now() : store::now_ms();
  VIGIL_API_TRY(context.store->put_filter(filter));
  return json_reply(json::object());
}

ApiResult<Reply> untag_resource(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(
      store::FilterRecord filter,
      tagged_filter(context, request.caller, request.input.at("resourceArn").get<std::string>(),
                    true, "UntagResource"));
  for (const json& key : request.input.at("tagKeys")) {
    filter.tags.erase(key.get<std::string>());
  }
  filter.updated_at = context.fleet != nullptr ? context.fleet->now() : store::now_ms();
  VIGIL_API_TRY(context.store->put_filter(filter));
  return json_reply(json::object());
}

ApiResult<Reply> list_tags_for_resource(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(
      const store::FilterRecord filter,
      tagged_filter(context, request.caller, request.input.at("resourceArn").get<std::string>(),
                    false, "ListTagsForResource"));
  return json_reply({{"tags", filter.tags}});
}

// ---- Usage

// Vigil's usage model (it bills nothing, so every estimatedMonthlyCost is 0 USD), over the last
// 30 days of the store's resources of accounts with the scan type enabled:
//   EC2_INSTANCE_HOURS / LAMBDA_FUNCTION_HOURS: hours each instance / function was known within
//     the window (from max(created, window start) to now, or to its last update when it is
//     terminated); LAMBDA_FUNCTION_CODE_HOURS likewise when Lambda code scanning is on;
//   ECR_INITIAL_SCAN: images registered within the window that have been scanned;
//   ECR_RESCAN: images registered before the window and scanned again within it.
struct UsageCounters {
  double ec2_hours = 0, lambda_hours = 0, lambda_code_hours = 0, ecr_initial = 0, ecr_rescan = 0;
};

double hours_in_window(const store::ResourceRecord& resource, store::Timestamp now) {
  const store::Timestamp start = std::max(resource.created_at, now - kUsageWindowMs);
  const store::Timestamp end =
      resource.state == "terminated" ? std::min(resource.updated_at, now) : now;
  if (end <= start) {
    return 0.0;
  }
  return std::round(static_cast<double>(end - start) / static_cast<double>(kHourMs) * 100.0) /
         100.0;
}

json usage_json(const UsageCounters& counters) {
  const std::vector<std::pair<const char*, double>> rows = {
      {"EC2_INSTANCE_HOURS", counters.ec2_hours},
      {"ECR_INITIAL_SCAN", counters.ecr_initial},
      {"ECR_RESCAN", counters.ecr_rescan},
      {"LAMBDA_FUNCTION_HOURS", counters.lambda_hours},
      {"LAMBDA_FUNCTION_CODE_HOURS", counters.lambda_code_hours}};
  json usage = json::array();
  for (const auto& [type, total] : rows) {
    usage.push_back(
        {{"type", type}, {"total", total}, {"estimatedMonthlyCost", 0.0}, {"currency", "USD"}});
  }
  return usage;
}

ApiResult<Reply> list_usage_totals(ApiContext& context, const OpRequest& request) {
  const store::Timestamp now = context.fleet != nullptr ? context.fleet->now() : store::now_ms();
  std::set<std::string> wanted;
  if (const auto found = request.input.find("accountIds"); found != request.input.end()) {
    for (const json& id : *found) {
      wanted.insert(id.get<std::string>());
    }
  }
  VIGIL_API_ASSIGN(const std::vector<store::Account> accounts, context.store->accounts());
  std::map<std::string, store::ScanTypes> enabled;
  for (const store::Account& account : accounts) {
    enabled[account.id] = account.enabled;
  }
  VIGIL_API_ASSIGN(const std::vector<store::ResourceRecord> resources,
                   context.store->resources(request.caller.scope()));
  std::map<std::string, UsageCounters> totals;
  for (const store::Account& account : accounts) {
    if (request.caller.can_see(account.id) && (wanted.empty() || wanted.contains(account.id))) {
      totals[account.id];
    }
  }
  for (const store::ResourceRecord& resource : resources) {
    const auto counters = totals.find(resource.account_id);
    if (counters == totals.end()) {
      continue;
    }
    const store::ScanTypes types = enabled[resource.account_id];
    UsageCounters& usage = counters->second;
    if (resource.type == service::kEc2Instance && types.ec2) {
      usage.ec2_hours += hours_in_window(resource, now);
    } else if (resource.type == service::kLambdaFunction && types.lambda) {
      const double hours = hours_in_window(resource, now);
      usage.lambda_hours += hours;
      usage.lambda_code_hours += types.lambda_code ? hours : 0.0;
    } else if (resource.type == service::kEcrImage && types.ecr && resource.last_scanned_at > 0) {
      if (resource.created_at >= now - kUsageWindowMs) {
        usage.ecr_initial += 1;
      } else if (resource.last_scanned_at >= now - kUsageWindowMs) {
        usage.ecr_rescan += 1;
      }
    }
  }
  VIGIL_API_ASSIGN(const std::string cursor,
                   internal::page_cursor(request.input, "ListUsageTotals"));
  const std::size_t limit = internal::max_results(request.input, 100);
  json list = json::array();
  std::string last;
  bool more = false;
  for (const auto& [account_id, usage] : totals) {
    if (!cursor.empty() && account_id <= cursor) {
      continue;
    }
    if (list.size() == limit) {
      more = true;
      break;
    }
    list.push_back({{"accountId", account_id}, {"usage", usage_json(usage)}});
    last = account_id;
  }
  json out = {{"totals", std::move(list)}};
  internal::set_next_token(out, "ListUsageTotals", more ? last : "");
  return json_reply(std::move(out));
}

}  // namespace

void register_org_ops(Registry& registry) {
  registry.add_inspector("Enable", true, enable);
  registry.add_inspector("Disable", true, disable);
  registry.add_inspector("BatchGetAccountStatus", false, batch_get_account_status);
  registry.add_inspector("EnableDelegatedAdminAccount", true, enable_delegated_admin);
  registry.add_inspector("DisableDelegatedAdminAccount", true, disable_delegated_admin);
  registry.add_inspector("GetDelegatedAdminAccount", false, get_delegated_admin);
  registry.add_inspector("ListDelegatedAdminAccounts", false, list_delegated_admins);
  registry.add_inspector("DescribeOrganizationConfiguration", false,
                         describe_organization_configuration);
  registry.add_inspector("UpdateOrganizationConfiguration", true,
                         update_organization_configuration);
  registry.add_inspector("AssociateMember", true, associate_member);
  registry.add_inspector("DisassociateMember", true, disassociate_member);
  registry.add_inspector("GetMember", false, get_member);
  registry.add_inspector("ListMembers", false, list_members);
  registry.add_inspector("GetConfiguration", false, get_configuration);
  registry.add_inspector("UpdateConfiguration", true, update_configuration);
  registry.add_inspector("TagResource", true, tag_resource);
  registry.add_inspector("UntagResource", true, untag_resource);
  registry.add_inspector("ListTagsForResource", false, list_tags_for_resource);
  registry.add_inspector("ListUsageTotals", false, list_usage_totals);
}

}  // namespace vigil::api
