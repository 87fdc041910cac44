// Deciding the fleet: accounts, then every host's OS, role, state, placement and tags.
#include <array>
#include <ctime>
#include <fmt/format.h>

#include "simulate/internal/plan.hpp"
#include "simulate/random.hpp"

namespace vigil::simulate::internal {
namespace {

constexpr std::array<std::string_view, 8> kTeams = {"payments", "identity", "search",   "checkout",
                                                    "platform", "data",     "mobile-api", "growth"};
constexpr std::array<std::string_view, 6> kAppTypes = {"t3.medium", "t3.large", "m6i.large",
                                                       "m6i.xlarge", "c6i.large", "r6i.large"};

HostRole pick_role(Rng& rng) {
  const uint64_t roll = rng.below(100);
  if (roll < 20) return HostRole::kWeb;
  if (roll < 24) return HostRole::kBastion;
  if (roll < 70) return HostRole::kApp;
  if (roll < 82) return HostRole::kDb;
  if (roll < 88) return HostRole::kQueue;
  return HostRole::kBuild;
}

std::string public_ip(Rng& rng) {
  // Addresses in EC2's us-east-1 ranges (3.208.0.0/12, 54.144.0.0/12, 18.204.0.0/14).
  switch (rng.below(3)) {
    case 0:
      return fmt::format("3.{}.{}.{}", rng.between(208, 223), rng.below(256), rng.between(1, 254));
    case 1:
      return fmt::format("54.{}.{}.{}", rng.between(144, 159), rng.below(256), rng.between(1, 254));
    default:
      return fmt::format("18.{}.{}.{}", rng.between(204, 207), rng.below(256), rng.between(1, 254));
  }
}

}  // namespace

std::string_view role_name(HostRole role) {
  switch (role) {
    case HostRole::kWeb:
      return "web";
    case HostRole::kBastion:
      return "bastion";
    case HostRole::kApp:
      return "app";
    case HostRole::kDb:
      return "db";
    case HostRole::kQueue:
      return "queue";
    case HostRole::kBuild:
      return "build";
  }
  return "app";
}

std::string rfc3339(int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", parts.tm_year + 1900,
                     parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

std::string aws_time(int64_t seconds) {
  std::string text = rfc3339(seconds);
  text.pop_back();
  return text + "+00:00";
}

FleetPlan plan_fleet(const FleetOptions& options) {
  FleetPlan plan;
  plan.options = options;
  Rng rng(options.seed, static_cast<uint64_t>(Stream::kPlan));
  plan.organization_id = "o-" + rng.hex(10);
  for (uint64_t index = 0; index < options.accounts; ++index) {
    AccountPlan account;
    account.index = static_cast<uint32_t>(index);
    account.id = rng.digits(12);
    if (index == 0) {
      account.name = "management";
      account.role = "MANAGEMENT";
    } else if (index == 1) {
      account.name = "security";
      account.role = "DELEGATED_ADMINISTRATOR";
    } else {
      account.name = fmt::format("workload-{}", index - 1);
      account.role = "MEMBER";
    }
    account.email = fmt::format("aws+{}@example.com", account.name);
    plan.accounts.push_back(std::move(account));
  }

  // Per account and subnet, the next free host number.
  std::vector<std::array<uint32_t, 4>> next_ip(plan.accounts.size(), {10, 10, 10, 10});
  for (uint64_t index = 0; index < options.hosts; ++index) {
    HostPlan host;
    // Workloads live mostly in member accounts; the management account holds a few hosts.
    host.account = plan.accounts.size() == 1 ? 0 : rng.percent(8) ? 0 : 1 + rng.index(plan.accounts.size() - 1);
    host.instance_id = "i-0" + rng.hex(16);
    host.os = rng.percent(60) ? HostOs::kAmazonLinux2023 : HostOs::kUbuntu2204;
    host.role = pick_role(rng);
    host.running = !rng.percent(8);
    host.managed = !rng.percent(7);
    host.excluded = rng.percent(3);
    host.public_subnet = host.role == HostRole::kWeb || host.role == HostRole::kBastion;
    host.legacy_open = host.role == HostRole::kApp && rng.percent(3);
    if (host.legacy_open) {
      host.public_subnet = true;
    }
    host.zone = static_cast<int>(rng.below(2));
    const size_t subnet = (host.public_subnet ? 0 : 2) + static_cast<size_t>(host.zone);
    // public-a 10.N.0.0/20, public-b 10.N.16.0/20, private-a 10.N.32.0/19, private-b 10.N.64.0/19
    static constexpr std::array<uint32_t, 4> kBase = {0, 16, 32, 64};
    const uint32_t number = next_ip[host.account][subnet]++;
    const uint32_t account_octet = plan.accounts[host.account].index % 256;
    host.private_ip = fmt::format("10.{}.{}.{}", account_octet, kBase[subnet] + number / 250,
                                  number % 250 + 4);
    std::string dashed = host.private_ip;
    for (char& c : dashed) {
      c = c == '.' ? '-' : c;
    }
    host.hostname = "ip-" + dashed + ".ec2.internal";
    if (host.public_subnet && host.running) {
      host.public_ip = public_ip(rng);
    }
    const uint64_t env = rng.below(10);
    host.environment = env < 6 ? "prod" : env < 8 ? "staging" : "dev";
    host.team = std::string(rng.pick(kTeams));
    host.name_tag = fmt::format("{}-{}-{}-{:03}", host.team, role_name(host.role),
                                host.environment, index % 1000);
    host.instance_type = host.role == HostRole::kBastion ? "t3.micro" : std::string(rng.pick(kAppTypes));
    const uint64_t patch = rng.below(10);
    host.patch_level = patch < 3 ? 0 : patch < 7 ? 1 : 2;
    // One AMI per OS and patch level: hosts launched from the same image share it.
    Rng ami_rng(options.seed, 1000 + static_cast<uint64_t>(host.os) * 10 +
                                  static_cast<uint64_t>(host.patch_level));
    host.ami_id = "ami-0" + ami_rng.hex(16);
    host.machine_id = rng.hex(32);
    host.launch_time = aws_time(kWorldNow - static_cast<int64_t>(rng.between(3600, 400LL * 86400)));
    plan.hosts.push_back(std::move(host));
  }
  return plan;
}

}  // namespace vigil::simulate::internal
