#include "simulate/fleet.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <system_error>

#include "simulate/archive_writer.hpp"
#include "simulate/internal/plan.hpp"

namespace vigil::simulate {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr const char* kIncompleteMarker = ".vigil-simulate-incomplete";

Result<void> check_output(const fs::path& out, const fs::path& tmp, bool force) {
  std::error_code ec;
  const auto status = fs::symlink_status(out, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      return fail(Error::conflict("{}: exists and is not a directory", out.string()));
    }
    const bool empty = fs::is_empty(out, ec);
    if (ec) {
      return fail(Error::io("{}: cannot read: {}", out.string(), ec.message()));
    }
    if (!empty && !force) {
      return fail(Error::conflict("{}: exists and is not empty (use --force to replace it)",
                                  out.string()));
    }
  }
  if (fs::exists(fs::symlink_status(tmp, ec))) {
    if (!fs::exists(tmp / kIncompleteMarker, ec)) {
      return fail(Error::conflict("{}: exists and was not left by `vigil simulate`; remove it",
                                  tmp.string()));
    }
    fs::remove_all(tmp, ec);
    if (ec) {
      return fail(Error::io("{}: cannot remove a previous run's leftovers: {}", tmp.string(),
                            ec.message()));
    }
  }
  return {};
}

Result<void> generate(const internal::FleetPlan& plan, const fs::path& root, FleetSummary& summary) {
  VIGIL_TRY(internal::write_organization(plan, root));
  VIGIL_ASSIGN_OR_RETURN(const auto hosts, internal::write_hosts(plan, root));
  summary.host_documents = hosts.documents;
  summary.host_packages = hosts.packages;
  VIGIL_TRY(internal::write_network(plan, root));
  VIGIL_ASSIGN_OR_RETURN(const auto functions, internal::write_functions(plan, root));
  summary.functions = functions.documents;
  summary.function_layers = functions.layers;
  VIGIL_ASSIGN_OR_RETURN(const auto images, internal::write_images(plan, root));
  summary.images = images.documents;
  summary.repositories = images.items;
  summary.base_layers = images.layers;
  return {};
}

}  // namespace

namespace internal {

Result<void> write_organization(const FleetPlan& plan, const fs::path& root) {
  const auto scan_state = [](bool enabled) {
    return ordered_json{{"status", enabled ? "ENABLED" : "DISABLED"}};
  };
  ordered_json accounts = ordered_json::array();
  for (const AccountPlan& account : plan.accounts) {
    // The management account runs no workloads scanning for Lambda code; members have all on.
    const bool management = account.role == "MANAGEMENT";
    accounts.push_back({{"accountId", account.id},
                        {"name", account.name},
                        {"email", account.email},
                        {"role", account.role},
                        {"relationshipStatus", account.role == "DELEGATED_ADMINISTRATOR" ? "" : "ENABLED"},
                        {"state", scan_state(true)},
                        {"resourceState",
                         {{"ec2", scan_state(true)},
                          {"ecr", scan_state(true)},
                          {"lambda", scan_state(true)},
                          {"lambdaCode", scan_state(!management)}}}});
  }
  ordered_json organization;
  organization["organizationId"] = plan.organization_id;
  organization["region"] = kRegion;
  organization["managementAccountId"] = plan.accounts.front().id;
  if (plan.accounts.size() > 1) {
    organization["delegatedAdministrator"] = {{"accountId", plan.accounts[1].id},
                                              {"relationshipStatus", "ENABLED"}};
  }
  organization["autoEnable"] = {{"ec2", true}, {"ecr", true}, {"lambda", true}, {"lambdaCode", true}};
  organization["ecrConfiguration"] = {{"rescanDuration", "DAYS_180"},
                                      {"pullDateRescanDuration", "DAYS_90"}};
  organization["accounts"] = accounts;
  organization["simulation"] = {{"seed", plan.options.seed},
                                {"accounts", plan.options.accounts},
                                {"hosts", plan.options.hosts},
                                {"functions", plan.options.functions},
                                {"images", plan.options.images},
                                {"repos", plan.options.repos},
                                {"generatedFor", rfc3339(kWorldNow)}};
  return write_file(root / "organization.json", organization.dump(2) + "\n");
}

}  // namespace internal

Result<void> validate_options(const FleetOptions& options) {
  if (options.accounts < 1 || options.accounts > kMaxAccounts) {
    return fail(Error::invalid_argument("--accounts must be 1 to {} (got {})", kMaxAccounts,
                                        options.accounts));
  }
  const std::pair<const char*, uint64_t> counts[] = {{"--hosts", options.hosts},
                                                     {"--functions", options.functions},
                                                     {"--images", options.images},
                                                     {"--repos", options.repos}};
  for (const auto& [name, value] : counts) {
    if (value > kMaxResources) {
      return fail(Error::invalid_argument("{} must be at most {} (got {})", name, kMaxResources, value));
    }
  }
  if (options.images > 0 && options.repos == 0) {
    return fail(Error::invalid_argument("--repos must be at least 1 when --images is not 0"));
  }
  return {};
}

Result<FleetSummary> simulate_fleet(const FleetOptions& options, const fs::path& out_arg) {
  VIGIL_TRY(validate_options(options));
  if (out_arg.empty()) {
    return fail(Error::invalid_argument("the output directory is empty"));
  }
  fs::path out = out_arg.lexically_normal();
  if (!out.has_filename()) {
    out = out.parent_path();  // "dir/" -> "dir"
  }
  fs::path tmp = out;
  tmp += ".tmp";
  VIGIL_TRY(check_output(out, tmp, options.force));

  std::error_code ec;
  fs::create_directory(tmp, ec);
  if (ec) {
    return fail(Error::io("{}: cannot create: {}", tmp.string(), ec.message()));
  }
  const auto cleanup = [&tmp] {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
  };
  if (auto marked = write_file(tmp / kIncompleteMarker, ""); !marked) {
    cleanup();
    return fail(marked.error());
  }

  const internal::FleetPlan plan = internal::plan_fleet(options);
  FleetSummary summary;
  summary.accounts = plan.accounts.size();
  summary.hosts = plan.hosts.size();
  for (const auto& host : plan.hosts) {
    summary.hosts_stopped += host.running ? 0 : 1;
    summary.hosts_unmanaged += host.managed ? 0 : 1;
    summary.hosts_excluded += host.excluded ? 1 : 0;
  }
  try {
    if (auto generated = generate(plan, tmp, summary); !generated) {
      cleanup();
      return fail(generated.error());
    }
  } catch (const std::exception& e) {  // allocation failure, filesystem_error
    cleanup();
    return fail(Error::internal("simulate: {}", e.what()));
  }

  fs::remove(tmp / kIncompleteMarker, ec);
  for (auto it = fs::recursive_directory_iterator(tmp, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      summary.files += 1;
      summary.bytes += it->file_size(ec);
    }
  }
  if (fs::exists(out, ec)) {
    fs::remove_all(out, ec);
    if (ec) {
      cleanup();
      return fail(Error::io("{}: cannot replace: {}", out.string(), ec.message()));
    }
  }
  fs::rename(tmp, out, ec);
  if (ec) {
    cleanup();
    return fail(Error::io("{}: cannot move the generated fleet into place: {}", out.string(),
                          ec.message()));
  }
  return summary;
}

}  // namespace vigil::simulate
