#include <nlohmann/json.hpp>

#include <set>

#include "service/fleet_config.hpp"
#include "service/fleet_service.hpp"
#include "service/internal/fleet_coverage.hpp"

namespace vigil::service::internal {
namespace {

constexpr store::Timestamp kDayMs = 24LL * 3600 * 1000;

nlohmann::json parse_details(const std::string& text) {
  auto details = nlohmann::json::parse(text, nullptr, false);
  if (details.is_discarded() || !details.is_object()) {
    return nlohmann::json::object();
  }
  return details;
}

bool enabled_for(const store::Account& account, const std::string& type) {
  if (type == kEc2Instance) {
    return account.enabled.ec2;
  }
  if (type == kEcrImage || type == kEcrRepository) {
    return account.enabled.ecr;
  }
  if (type == kLambdaFunction) {
    return account.enabled.lambda;
  }
  return false;
}

// The PACKAGE row's (status, reason).
std::pair<std::string, std::string> package_status(const CoverageInputs& in) {
  const auto& resource = in.resource;
  const auto inactive = [](std::string reason) { return std::pair{std::string("INACTIVE"), reason}; };
  if (!in.account || !enabled_for(*in.account, resource.type)) {
    return inactive("PENDING_DISABLE");
  }
  if (resource.state == "terminated") {
    return inactive("RESOURCE_TERMINATED");
  }
  if (resource.type == kEc2Instance && resource.tags.contains("InspectorEc2Exclusion")) {
    return inactive("EXCLUDED_BY_TAG");
  }
  if (resource.type == kLambdaFunction) {
    const auto tag = resource.tags.find("InspectorExclusion");
    if (tag != resource.tags.end() && tag->second == "LambdaStandardScanning") {
      return inactive("EXCLUDED_BY_TAG");
    }
  }
  if (resource.type == kEc2Instance && (resource.state == "stopped" || resource.state == "stopping")) {
    return inactive("EC2_INSTANCE_STOPPED");
  }
  if (resource.type == kEcrRepository) {
    const auto frequency = repository_scan_frequency(resource);
    if (frequency == "MANUAL") {
      return inactive("SCAN_FREQUENCY_MANUAL");
    }
    if (frequency == "SCAN_ON_PUSH") {
      return {"ACTIVE", "SCAN_FREQUENCY_SCAN_ON_PUSH"};
    }
    return {"ACTIVE", "SUCCESSFUL"};
  }
  if (resource.type == kEcrImage) {
    if (in.repository && repository_scan_frequency(*in.repository) == "MANUAL") {
      return inactive("SCAN_FREQUENCY_MANUAL");
    }
    const auto days = rescan_duration_days(in.ecr_rescan_duration).value_or(0);
    const auto details = parse_details(resource.details_json);
    const auto pushed = details.find("pushedAt");
    if (days > 0 && pushed != details.end() && pushed->is_number()) {
      const auto pushed_ms = static_cast<store::Timestamp>(pushed->get<double>() * 1000.0);
      if (in.now - pushed_ms > days * kDayMs) {
        return inactive("SCAN_ELIGIBILITY_EXPIRED");
      }
    }
  }
  if (resource.type == kEc2Instance) {
    if (resource.inventory_hash.empty()) {
      return inactive("UNMANAGED_EC2_INSTANCE");
    }
    if (in.stale_after_ms > 0 && in.now - resource.inventory_reported_at > in.stale_after_ms) {
      return inactive("STALE_INVENTORY");
    }
  }
  if (resource.type == kLambdaFunction) {
    const auto details = parse_details(resource.details_json);
    if (!supported_lambda_runtime(details.value("runtime", ""))) {
      return inactive("UNSUPPORTED_RUNTIME");
    }
  }
  if (!in.scan_outcome.empty()) {
    return inactive(in.scan_outcome);
  }
  if (resource.last_scanned_at == 0) {
    return {"ACTIVE", "PENDING_INITIAL_SCAN"};
  }
  return {"ACTIVE", "SUCCESSFUL"};
}

// Network reachability needs no agent: it follows the instance's enablement, exclusion and
// state, and is current once its account's network bundle was analysed.
std::pair<std::string, std::string> network_status(const CoverageInputs& in) {
  const auto& resource = in.resource;
  if (!in.account || !in.account->enabled.ec2) {
    return {"INACTIVE", "PENDING_DISABLE"};
  }
  if (resource.state == "terminated") {
    return {"INACTIVE", "RESOURCE_TERMINATED"};
  }
  if (resource.tags.contains("InspectorEc2Exclusion")) {
    return {"INACTIVE", "EXCLUDED_BY_TAG"};
  }
  if (resource.state == "stopped" || resource.state == "stopping") {
    return {"INACTIVE", "EC2_INSTANCE_STOPPED"};
  }
  if (in.network_analyzed) {
    return {"ACTIVE", "SUCCESSFUL"};
  }
  return {"ACTIVE", "PENDING_INITIAL_SCAN"};
}

}  // namespace

std::string repository_scan_frequency(const store::ResourceRecord& repository) {
  return parse_details(repository.details_json).value("scanFrequency", "");
}

bool supported_lambda_runtime(const std::string& runtime) {
  static const std::set<std::string> kSupported{
      "PYTHON_3_7",  "PYTHON_3_8",  "PYTHON_3_9",  "PYTHON_3_10", "PYTHON_3_11",
      "PYTHON_3_12", "PYTHON_3_13", "NODEJS_12_X", "NODEJS_14_X", "NODEJS_16_X",
      "NODEJS_18_X", "NODEJS_20_X", "NODEJS_22_X", "JAVA_8",      "JAVA_8_AL2",
      "JAVA_11",     "JAVA_17",     "JAVA_21",     "DOTNET_6",    "DOTNET_8",
      "RUBY_2_7",    "RUBY_3_2",    "RUBY_3_3",    "GO_1_X",      "PROVIDED_AL2",
      "PROVIDED_AL2023"};
  return kSupported.contains(runtime);
}

bool supported_os(const std::string& os_id) {
  static const std::set<std::string> kSupported{
      "",       "amzn",   "ubuntu", "debian", "alpine", "rhel",  "centos", "rocky",
      "almalinux", "ol",  "fedora", "sles",   "opensuse-leap", "photon", "wolfi",
      "chainguard", "bottlerocket", "busybox"};
  return kSupported.contains(os_id);
}

std::vector<store::CoverageRecord> decide_coverage(const CoverageInputs& inputs) {
  std::vector<store::CoverageRecord> rows;
  const auto make = [&](std::string scan_type, std::pair<std::string, std::string> status) {
    store::CoverageRecord row;
    row.resource_id = inputs.resource.id;
    row.account_id = inputs.resource.account_id;
    row.resource_type = inputs.resource.type;
    row.scan_type = std::move(scan_type);
    row.status_code = std::move(status.first);
    row.reason = std::move(status.second);
    row.last_scanned_at = inputs.resource.last_scanned_at;
    row.updated_at = inputs.now;
    rows.push_back(std::move(row));
  };
  make("PACKAGE", package_status(inputs));
  if (inputs.resource.type == kEc2Instance) {
    make("NETWORK", network_status(inputs));
  }
  return rows;
}

bool package_scan_active(const std::vector<store::CoverageRecord>& rows) {
  for (const auto& row : rows) {
    if (row.scan_type == "PACKAGE") {
      return row.status_code == "ACTIVE";
    }
  }
  return false;
}

bool scan_allowed(const std::vector<store::CoverageRecord>& rows) {
  for (const auto& row : rows) {
    if (row.scan_type == "PACKAGE") {
      return row.status_code == "ACTIVE" || row.reason == "INTERNAL_ERROR" ||
             row.reason == "ACCESS_DENIED" || row.reason == "UNSUPPORTED_OS";
    }
  }
  return false;
}

}  // namespace vigil::service::internal
