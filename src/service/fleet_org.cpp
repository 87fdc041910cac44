// The organisation: accounts, their scan-type enablement, the delegated administrator, members
// and the organisation-wide configuration.
#include <algorithm>

#include "service/fleet_service.hpp"

namespace vigil::service {
namespace {

store::ScanTypes merged(store::ScanTypes current, const store::ScanTypes& add) {
  current.ec2 = current.ec2 || add.ec2;
  current.ecr = current.ecr || add.ecr;
  current.lambda = current.lambda || add.lambda;
  current.lambda_code = current.lambda_code || add.lambda_code;
  return current;
}

store::ScanTypes without(store::ScanTypes current, const store::ScanTypes& remove) {
  current.ec2 = current.ec2 && !remove.ec2;
  current.ecr = current.ecr && !remove.ecr;
  current.lambda = current.lambda && !remove.lambda;
  // Lambda code scanning requires standard Lambda scanning.
  current.lambda_code = current.lambda_code && !remove.lambda_code && current.lambda;
  return current;
}

// Types enabled in `after` but not in `before`.
store::ScanTypes newly_enabled(const store::ScanTypes& before, const store::ScanTypes& after) {
  return {after.ec2 && !before.ec2, after.ecr && !before.ecr, after.lambda && !before.lambda,
          after.lambda_code && !before.lambda_code};
}

Result<void> check_ids(const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (!is_account_id(id)) {
      return fail(Error::invalid_argument("'{}' is not a 12-digit account id", id));
    }
  }
  return {};
}

AccountOutcome failed(const std::string& id, std::string code, std::string message) {
  return {id, std::nullopt, std::move(code), std::move(message)};
}

}  // namespace

bool FleetService::scan_type_enabled(const store::Account& account,
                                     std::string_view resource_type) const {
  if (resource_type == kEc2Instance) {
    return account.enabled.ec2;
  }
  if (resource_type == kEcrImage || resource_type == kEcrRepository) {
    return account.enabled.ecr;
  }
  if (resource_type == kLambdaFunction) {
    return account.enabled.lambda;
  }
  return false;
}

Result<void> FleetService::seed_organization() {
  VIGIL_ASSIGN_OR_RETURN(auto org, store_->organization());
  VIGIL_ASSIGN_OR_RETURN(const auto seeded, store_->meta("org.seeded"));
  const auto before = org;
  if (!config_.organization_id.empty()) {
    org.organization_id = config_.organization_id;
  }
  org.stale_inventory_after_ms = config_.stale_after_hours * 3600 * 1000;
  if (!seeded) {
    // The file seeds these once; the API changes them afterwards.
    org.auto_enable = config_.auto_enable;
    org.ecr_rescan_duration = config_.ecr_rescan_duration;
  }
  if (!(org == before)) {
    VIGIL_TRY(store_->put_organization(org));
  }
  if (!seeded) {
    VIGIL_TRY(store_->put_meta("org.seeded", "1"));
  }
  const auto seed_account = [&](const std::string& id, store::AccountRole role) -> Result<void> {
    if (id.empty()) {
      return {};
    }
    VIGIL_ASSIGN_OR_RETURN(auto existing, store_->account(id));
    if (existing && existing->role == role) {
      return {};
    }
    store::Account account = existing.value_or(store::Account{});
    if (!existing) {
      account.id = id;
      account.enabled = org.auto_enable;
      account.created_at = now();
    }
    account.role = role;
    account.relationship_status = "";
    account.updated_at = now();
    return store_->put_account(account);
  };
  VIGIL_TRY(seed_account(config_.management_account, store::AccountRole::kManagement));
  VIGIL_TRY(seed_account(config_.delegated_admin, store::AccountRole::kDelegatedAdmin));
  return {};
}

Result<store::Account> FleetService::ensure_account(const std::string& id) {
  if (!is_account_id(id)) {
    return fail(Error::invalid_argument("'{}' is not a 12-digit account id", id));
  }
  VIGIL_ASSIGN_OR_RETURN(auto existing, store_->account(id));
  if (existing) {
    return *existing;
  }
  VIGIL_ASSIGN_OR_RETURN(const auto org, store_->organization());
  store::Account account;
  account.id = id;
  account.role = store::AccountRole::kMember;
  account.enabled = org.auto_enable;  // auto-enable: enrolled the moment it joins
  account.relationship_status = "ENABLED";
  account.created_at = now();
  account.updated_at = account.created_at;
  VIGIL_TRY(store_->put_account(account));
  return account;
}

Result<void> FleetService::queue_account_scans(const std::string& account_id,
                                               const store::ScanTypes& types) {
  // Refreshing coverage queues a re-match of each resource whose scans resume (a newly enabled
  // type ends PENDING_DISABLE); `types` only narrows which resources need a look.
  VIGIL_ASSIGN_OR_RETURN(const auto resources, store_->resources({account_id}));
  const bool everything = types == store::ScanTypes{};
  for (const auto& resource : resources) {
    const bool wanted = everything || (resource.type == kEc2Instance && types.ec2) ||
                        ((resource.type == kEcrImage || resource.type == kEcrRepository) && types.ecr) ||
                        (resource.type == kLambdaFunction && types.lambda);
    if (!wanted) {
      continue;
    }
    std::lock_guard lock(resource_lock(resource.id));
    VIGIL_TRY(refresh_coverage_locked(resource, nullptr));
  }
  return {};
}

Result<std::vector<AccountOutcome>> FleetService::enable(const std::vector<std::string>& ids,
                                                         const store::ScanTypes& types) {
  VIGIL_TRY(check_ids(ids));
  std::vector<AccountOutcome> outcomes;
  for (const auto& id : ids) {
    VIGIL_ASSIGN_OR_RETURN(auto account, ensure_account(id));
    if (types.lambda_code && !types.lambda && !account.enabled.lambda) {
      outcomes.push_back(failed(id, "ACCESS_DENIED",
                                "LAMBDA_CODE scanning requires LAMBDA scanning to be enabled"));
      continue;
    }
    const auto before = account.enabled;
    account.enabled = merged(account.enabled, types);
    if (account.role == store::AccountRole::kMember && account.relationship_status != "ENABLED") {
      account.relationship_status = "ENABLED";
    }
    account.updated_at = now();
    VIGIL_TRY(store_->put_account(account));
    VIGIL_TRY(queue_account_scans(id, newly_enabled(before, account.enabled)));
    outcomes.push_back({id, account, "", ""});
  }
  return outcomes;
}

Result<std::vector<AccountOutcome>> FleetService::disable(
    const std::vector<std::string>& ids, const std::optional<store::ScanTypes>& types) {
  VIGIL_TRY(check_ids(ids));
  const store::ScanTypes all{true, true, true, true};
  const auto remove = types.value_or(all);
  std::vector<AccountOutcome> outcomes;
  for (const auto& id : ids) {
    VIGIL_ASSIGN_OR_RETURN(auto existing, store_->account(id));
    if (!existing) {
      outcomes.push_back(failed(id, "RESOURCE_NOT_FOUND", "account is not known"));
      continue;
    }
    auto account = *existing;
    const auto after = without(account.enabled, remove);
    if (account.role == store::AccountRole::kDelegatedAdmin && after == store::ScanTypes{}) {
      VIGIL_ASSIGN_OR_RETURN(const auto associated, members(true));
      if (!associated.empty()) {
        outcomes.push_back(failed(id, "DISASSOCIATE_ALL_MEMBERS",
                                  "disassociate every member before disabling the administrator"));
        continue;
      }
    }
    account.enabled = after;
    account.updated_at = now();
    VIGIL_TRY(store_->put_account(account));
    // History stays; coverage shows the scans stopped.
    VIGIL_TRY(queue_account_scans(id, store::ScanTypes{}));
    outcomes.push_back({id, account, "", ""});
  }
  return outcomes;
}

Result<std::vector<AccountOutcome>> FleetService::account_status(
    const std::vector<std::string>& ids) {
  VIGIL_TRY(check_ids(ids));
  std::vector<AccountOutcome> outcomes;
  for (const auto& id : ids) {
    VIGIL_ASSIGN_OR_RETURN(auto account, store_->account(id));
    if (!account) {
      outcomes.push_back(failed(id, "RESOURCE_NOT_FOUND", "account is not known"));
    } else {
      outcomes.push_back({id, std::move(account), "", ""});
    }
  }
  return outcomes;
}

Result<void> FleetService::enable_delegated_admin(const std::string& id) {
  VIGIL_TRY(check_ids({id}));
  VIGIL_ASSIGN_OR_RETURN(const auto current, delegated_admin());
  if (current && current->id != id) {
    return fail(Error::conflict("account {} is already the delegated administrator", current->id));
  }
  VIGIL_ASSIGN_OR_RETURN(auto account, ensure_account(id));
  account.role = store::AccountRole::kDelegatedAdmin;
  account.relationship_status = "";
  account.updated_at = now();
  return store_->put_account(account);
}

Result<void> FleetService::disable_delegated_admin(const std::string& id) {
  VIGIL_TRY(check_ids({id}));
  VIGIL_ASSIGN_OR_RETURN(auto account, store_->account(id));
  if (!account || account->role != store::AccountRole::kDelegatedAdmin) {
    return fail(Error::not_found("account {} is not the delegated administrator", id));
  }
  // Members keep their enablement (they become standalone in Inspector's terms).
  account->role = store::AccountRole::kStandalone;
  account->updated_at = now();
  return store_->put_account(*account);
}

Result<std::optional<store::Account>> FleetService::delegated_admin() {
  VIGIL_ASSIGN_OR_RETURN(const auto accounts, store_->accounts());
  for (const auto& account : accounts) {
    if (account.role == store::AccountRole::kDelegatedAdmin) {
      return std::optional<store::Account>(account);
    }
  }
  return std::optional<store::Account>();
}

Result<store::OrganizationConfig> FleetService::organization_configuration() {
  return store_->organization();
}

Result<store::OrganizationConfig> FleetService::update_organization_configuration(
    const store::ScanTypes& auto_enable) {
  if (auto_enable.lambda_code && !auto_enable.lambda) {
    return fail(Error::invalid_argument("autoEnable.lambdaCode requires autoEnable.lambda"));
  }
  VIGIL_ASSIGN_OR_RETURN(auto org, store_->organization());
  org.auto_enable = auto_enable;
  VIGIL_TRY(store_->put_organization(org));
  return org;
}

Result<store::Account> FleetService::associate_member(const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(auto account, ensure_account(id));
  if (account.role == store::AccountRole::kDelegatedAdmin ||
      account.role == store::AccountRole::kManagement) {
    return fail(Error::invalid_argument("account {} administers the organisation", id));
  }
  if (account.role != store::AccountRole::kMember || account.relationship_status != "ENABLED") {
    account.role = store::AccountRole::kMember;
    account.relationship_status = "ENABLED";
    account.updated_at = now();
    VIGIL_TRY(store_->put_account(account));
  }
  return account;
}

Result<store::Account> FleetService::disassociate_member(const std::string& id) {
  VIGIL_TRY(check_ids({id}));
  VIGIL_ASSIGN_OR_RETURN(auto account, store_->account(id));
  if (!account || account->role != store::AccountRole::kMember) {
    return fail(Error::not_found("account {} is not a member", id));
  }
  account->relationship_status = "REMOVED";
  account->enabled = {};
  account->updated_at = now();
  VIGIL_TRY(store_->put_account(*account));
  VIGIL_TRY(queue_account_scans(id, store::ScanTypes{}));
  return *account;
}

Result<std::optional<store::Account>> FleetService::member(const std::string& id) {
  VIGIL_TRY(check_ids({id}));
  VIGIL_ASSIGN_OR_RETURN(auto account, store_->account(id));
  if (account && account->role != store::AccountRole::kMember) {
    return std::optional<store::Account>();
  }
  return account;
}

Result<std::vector<store::Account>> FleetService::members(bool only_associated) {
  VIGIL_ASSIGN_OR_RETURN(auto accounts, store_->accounts());
  std::erase_if(accounts, [only_associated](const store::Account& account) {
    return account.role != store::AccountRole::kMember ||
           (only_associated && account.relationship_status != "ENABLED");
  });
  return accounts;
}

Result<store::OrganizationConfig> FleetService::configuration() { return store_->organization(); }

Result<void> FleetService::update_configuration(const std::string& ecr_rescan_duration,
                                                const std::string& pull_date_rescan_duration) {
  VIGIL_TRY(rescan_duration_days(ecr_rescan_duration));
  if (!pull_date_rescan_duration.empty()) {
    VIGIL_ASSIGN_OR_RETURN(const int days, rescan_duration_days(pull_date_rescan_duration));
    if (days == 0) {
      return fail(Error::invalid_argument("pullDateRescanDuration cannot be LIFETIME"));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto org, store_->organization());
  org.ecr_rescan_duration = ecr_rescan_duration;
  org.ecr_pull_date_rescan_duration = pull_date_rescan_duration;
  return store_->put_organization(org);
}

}  // namespace vigil::service
