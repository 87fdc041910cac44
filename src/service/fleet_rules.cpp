// Organisation-wide suppression rules (Inspector filters with action SUPPRESS) and the SLA
// report.
#include <algorithm>
#include <random>
#include <set>
#include <tuple>

#include "service/fleet_service.hpp"

namespace vigil::service {
namespace {

constexpr store::Timestamp kDayMs = 24LL * 3600 * 1000;

bool valid_filter_name(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string random_hex(size_t length) {
  static std::mutex mutex;
  static std::mt19937_64 generator{std::random_device{}()};
  std::lock_guard lock(mutex);
  std::string out;
  while (out.size() < length) {
    out += fmt::format("{:016x}", generator());
  }
  return out.substr(0, length);
}

// The criteria a rule actually applies: an account-owned rule only reaches its own findings.
store::Criteria scoped(const store::FilterRecord& rule) {
  store::Criteria criteria = rule.criteria;
  if (is_account_id(rule.owner_id)) {
    criteria.strings["awsAccountId"] = {{store::StringOp::kEquals, rule.owner_id}};
  }
  return criteria;
}

std::string rule_reason(const store::FilterRecord& rule) {
  return rule.reason.empty() ? rule.name : rule.reason;
}

int sla_days(model::Severity severity, const SlaPolicy& policy) {
  switch (severity) {
    case model::Severity::kCritical:
      return policy.critical_days;
    case model::Severity::kHigh:
      return policy.high_days;
    case model::Severity::kMedium:
      return policy.medium_days;
    case model::Severity::kLow:
      return policy.low_days;
    default:
      return 0;
  }
}

}  // namespace

SlaState sla_state(const store::StoredFinding& finding, const SlaPolicy& policy,
                   store::Timestamp now) {
  SlaState state;
  const int days = sla_days(finding.finding.severity, policy);
  if (days == 0 || finding.first_observed_at == 0) {
    return state;
  }
  state.due_at = finding.first_observed_at + days * kDayMs;
  const bool closed = finding.finding.status == model::FindingStatus::kClosed;
  state.overdue = closed ? finding.closed_at > state.due_at : now > state.due_at;
  return state;
}

Result<std::vector<store::FilterRecord>> FleetService::suppression_rules() {
  VIGIL_ASSIGN_OR_RETURN(auto rules, store_->filters(""));
  std::erase_if(rules, [](const store::FilterRecord& rule) { return rule.action != "SUPPRESS"; });
  for (auto& rule : rules) {
    rule.criteria = scoped(rule);
  }
  return rules;
}

namespace {

Result<void> validate_filter(const store::FilterRecord& filter) {
  if (!valid_filter_name(filter.name)) {
    return fail(Error::invalid_argument(
        "filter name '{}' must be 1-128 characters of letters, digits, '.', '_' and '-'",
        filter.name));
  }
  if (filter.action != "SUPPRESS" && filter.action != "NONE") {
    return fail(Error::invalid_argument("filter action '{}' (expected SUPPRESS or NONE)",
                                        filter.action));
  }
  if (filter.criteria.empty()) {
    return fail(Error::invalid_argument("filter criteria must not be empty"));
  }
  const auto& known = store::finding_criteria_fields();
  const auto check = [&known](const std::string& field) -> Result<void> {
    if (std::find(known.begin(), known.end(), field) == known.end()) {
      return fail(Error::invalid_argument("unknown filter criteria field '{}'", field));
    }
    return {};
  };
  for (const auto& [field, filters] : filter.criteria.strings) {
    VIGIL_TRY(check(field));
  }
  for (const auto& [field, filters] : filter.criteria.dates) {
    VIGIL_TRY(check(field));
  }
  for (const auto& [field, filters] : filter.criteria.numbers) {
    VIGIL_TRY(check(field));
  }
  for (const auto& [field, filters] : filter.criteria.maps) {
    VIGIL_TRY(check(field));
  }
  for (const auto& [field, filters] : filter.criteria.ports) {
    VIGIL_TRY(check(field));
  }
  return {};
}

}  // namespace

Result<store::FilterRecord> FleetService::create_filter(store::FilterRecord filter,
                                                        const std::string& caller_account) {
  VIGIL_TRY(validate_filter(filter));
  VIGIL_ASSIGN_OR_RETURN(const auto caller, store_->account(caller_account));
  if (!caller) {
    return fail(Error::invalid_argument("account {} is not known", caller_account));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto org, store_->organization());
  VIGIL_ASSIGN_OR_RETURN(const auto admin, delegated_admin());
  if (caller->role == store::AccountRole::kMember && admin) {
    return fail(Error::invalid_argument(
        "account {} is a member: only the delegated administrator manages suppression rules",
        caller_account));
  }
  std::lock_guard lock(rules_mutex_);
  const bool org_owned = caller->role == store::AccountRole::kDelegatedAdmin && !org.organization_id.empty();
  filter.owner_id = org_owned ? org.organization_id : caller_account;
  filter.arn = fmt::format("arn:aws:inspector2:{}:{}:owner/{}/filter/{}", config_.region,
                           caller_account, filter.owner_id, random_hex(16));
  filter.created_at = now();
  filter.updated_at = filter.created_at;
  VIGIL_TRY(store_->put_filter(filter));
  if (filter.action == "SUPPRESS") {
    VIGIL_ASSIGN_OR_RETURN(const auto changed,
                           store_->set_suppressed(scoped(filter), true, rule_reason(filter), now()));
    for (const auto& id : changed) {
      VIGIL_ASSIGN_OR_RETURN(const auto stored, store_->finding(id));
      if (stored) {
        publish_finding_changes(stored->finding.resource_id, {id}, now());
      }
    }
  }
  return filter;
}

Result<void> FleetService::reapply_rules(const std::vector<std::string>& previously_suppressed) {
  const auto time = now();
  VIGIL_ASSIGN_OR_RETURN(const auto rules, suppression_rules());
  std::set<std::string> resuppressed;
  for (const auto& rule : rules) {
    VIGIL_ASSIGN_OR_RETURN(const auto ids,
                           store_->set_suppressed(rule.criteria, true, rule_reason(rule), time));
    resuppressed.insert(ids.begin(), ids.end());
  }
  std::set<std::string> changed(resuppressed);
  for (const auto& id : previously_suppressed) {
    if (!changed.erase(id)) {
      changed.insert(id);
    }
  }
  for (const auto& id : changed) {
    VIGIL_ASSIGN_OR_RETURN(const auto stored, store_->finding(id));
    if (stored) {
      publish_finding_changes(stored->finding.resource_id, {id}, time);
    }
  }
  return {};
}

Result<store::FilterRecord> FleetService::update_filter(store::FilterRecord filter,
                                                        const std::string& caller_account) {
  VIGIL_TRY(validate_filter(filter));
  std::lock_guard lock(rules_mutex_);
  VIGIL_ASSIGN_OR_RETURN(const auto existing, store_->filter(filter.arn));
  if (!existing) {
    return fail(Error::not_found("filter {} does not exist", filter.arn));
  }
  if (existing->arn.find(":" + caller_account + ":owner/") == std::string::npos) {
    VIGIL_ASSIGN_OR_RETURN(const auto caller, store_->account(caller_account));
    if (!caller || caller->role != store::AccountRole::kDelegatedAdmin) {
      return fail(Error::invalid_argument("account {} does not own filter {}", caller_account,
                                          filter.arn));
    }
  }
  filter.owner_id = existing->owner_id;
  filter.created_at = existing->created_at;
  filter.updated_at = now();
  VIGIL_TRY(store_->put_filter(filter));
  std::vector<std::string> released;
  if (existing->action == "SUPPRESS") {
    VIGIL_ASSIGN_OR_RETURN(released,
                           store_->set_suppressed(scoped(*existing), false, "", filter.updated_at));
  }
  VIGIL_TRY(reapply_rules(released));
  return filter;
}

Result<void> FleetService::delete_filter(const std::string& arn, const std::string& caller_account) {
  std::lock_guard lock(rules_mutex_);
  VIGIL_ASSIGN_OR_RETURN(const auto existing, store_->filter(arn));
  if (!existing) {
    return fail(Error::not_found("filter {} does not exist", arn));
  }
  if (existing->arn.find(":" + caller_account + ":owner/") == std::string::npos) {
    VIGIL_ASSIGN_OR_RETURN(const auto caller, store_->account(caller_account));
    if (!caller || caller->role != store::AccountRole::kDelegatedAdmin) {
      return fail(Error::invalid_argument("account {} does not own filter {}", caller_account, arn));
    }
  }
  VIGIL_TRY(store_->delete_filter(arn));
  std::vector<std::string> released;
  if (existing->action == "SUPPRESS") {
    VIGIL_ASSIGN_OR_RETURN(released, store_->set_suppressed(scoped(*existing), false, "", now()));
  }
  return reapply_rules(released);
}

Result<std::vector<SlaRow>> FleetService::sla_report(const std::vector<std::string>& account_scope) {
  struct Cell {
    SlaRow row;
    double remediation_days_total = 0.0;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Cell> cells;
  const auto time = now();
  store::FindingQuery query;
  query.account_scope = account_scope;
  query.limit = 1000;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const auto page, store_->list_findings(query));
    for (const auto& stored : page.items) {
      const auto& finding = stored.finding;
      if (sla_days(finding.severity, config_.sla) == 0 ||
          finding.status == model::FindingStatus::kSuppressed) {
        continue;
      }
      const std::string severity(model::severity_name(finding.severity));
      auto& cell = cells[{finding.account_id, severity, stored.resource_type}];
      cell.row.account_id = finding.account_id;
      cell.row.severity = severity;
      cell.row.resource_type = stored.resource_type;
      const auto state = sla_state(stored, config_.sla, time);
      if (finding.status == model::FindingStatus::kActive) {
        ++cell.row.open;
        cell.row.overdue += state.overdue ? 1 : 0;
      } else {
        ++(state.overdue ? cell.row.closed_late : cell.row.closed_within_sla);
        cell.remediation_days_total +=
            static_cast<double>(stored.closed_at - stored.first_observed_at) / static_cast<double>(kDayMs);
      }
    }
    if (page.next_cursor.empty()) {
      break;
    }
    query.cursor = page.next_cursor;
  }
  std::vector<SlaRow> rows;
  rows.reserve(cells.size());
  for (auto& [key, cell] : cells) {
    const auto closed = cell.row.closed_within_sla + cell.row.closed_late;
    if (closed > 0) {
      cell.row.mean_time_to_remediate_days = cell.remediation_days_total / static_cast<double>(closed);
    }
    rows.push_back(std::move(cell.row));
  }
  return rows;
}

}  // namespace vigil::service
