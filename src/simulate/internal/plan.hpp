// The simulator's plan: every account and host decided up front from the seed, then written by
// the parts (hosts, network, functions, images). Internal to the simulate module.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "simulate/fleet.hpp"

namespace vigil::simulate::internal {

// Fixed reference time of the simulated world (so output does not depend on the clock).
inline constexpr int64_t kWorldNow = 1795651200;  // 2026-11-24T00:00:00Z
inline constexpr const char* kRegion = "us-east-1";

// Independent random streams, one per part.
enum class Stream : uint64_t { kPlan = 1, kHosts, kNetwork, kFunctions, kImages };

struct AccountPlan {
  std::string id;    // 12 digits
  std::string name;  // "management", "security", "workload-1", ...
  std::string role;  // "MANAGEMENT", "DELEGATED_ADMINISTRATOR", "MEMBER"
  std::string email;
  uint32_t index = 0;  // position, used for the VPC CIDR 10.<index>.0.0/16
};

enum class HostOs { kAmazonLinux2023, kUbuntu2204 };
enum class HostRole { kWeb, kBastion, kApp, kDb, kQueue, kBuild };

struct HostPlan {
  size_t account = 0;  // index into FleetPlan::accounts
  std::string instance_id;
  std::string hostname;  // "ip-10-1-32-17.ec2.internal"
  HostOs os = HostOs::kAmazonLinux2023;
  HostRole role = HostRole::kApp;
  bool running = true;
  bool managed = true;   // has an agent (writes a document)
  bool excluded = false;  // InspectorEc2Exclusion tag
  bool public_subnet = false;
  bool legacy_open = false;  // carries the wide-open legacy security group
  int zone = 0;              // 0 = a, 1 = b
  std::string private_ip;
  std::string public_ip;  // "" when none
  std::string environment;  // prod, staging, dev
  std::string team;
  std::string name_tag;
  std::string instance_type;
  std::string ami_id;
  std::string machine_id;
  std::string launch_time;  // RFC 3339
  int patch_level = 0;      // 0 current, 1 behind, 2 stale
};

struct FleetPlan {
  FleetOptions options;
  std::string organization_id;
  std::vector<AccountPlan> accounts;
  std::vector<HostPlan> hosts;
};

FleetPlan plan_fleet(const FleetOptions& options);

std::string_view role_name(HostRole role);  // "web", "bastion", ...
// RFC 3339 UTC "YYYY-MM-DDThh:mm:ssZ" for seconds since the epoch.
std::string rfc3339(int64_t seconds);
// The same instant as AWS CLI prints it: "YYYY-MM-DDThh:mm:ss+00:00".
std::string aws_time(int64_t seconds);

// Tallies of what a part wrote.
struct PartStats {
  uint64_t documents = 0;
  uint64_t packages = 0;
  uint64_t layers = 0;
  uint64_t items = 0;
};

Result<PartStats> write_hosts(const FleetPlan& plan, const std::filesystem::path& root);
Result<PartStats> write_network(const FleetPlan& plan, const std::filesystem::path& root);
Result<PartStats> write_functions(const FleetPlan& plan, const std::filesystem::path& root);
Result<PartStats> write_images(const FleetPlan& plan, const std::filesystem::path& root);
Result<void> write_organization(const FleetPlan& plan, const std::filesystem::path& root);

}  // namespace vigil::simulate::internal
