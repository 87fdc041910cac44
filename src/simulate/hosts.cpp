// Hosts: one agent inventory document per managed instance, at hosts/<account>/<instance>.json.
#include <fmt/format.h>

#include <set>

#include "inventory/agent_document.hpp"
#include "simulate/internal/packages.hpp"
#include "simulate/internal/plan.hpp"

namespace vigil::simulate::internal {
namespace {

// How likely a package with a known vulnerable version is still at it, per patch level.
constexpr std::array<uint64_t, 3> kOldPercent = {0, 35, 80};

std::vector<std::string> groups_for(HostRole role, Rng& rng) {
  switch (role) {
    case HostRole::kWeb:
      return {"base", "web", "app"};
    case HostRole::kBastion:
      return {"base"};
    case HostRole::kApp:
      return rng.percent(50) ? std::vector<std::string>{"base", "app", "build"}
                             : std::vector<std::string>{"base", "app"};
    case HostRole::kDb:
      return {"base", "db"};
    case HostRole::kQueue:
      return {"base", "queue", "app"};
    case HostRole::kBuild:
      return {"base", "build", "app"};
  }
  return {"base"};
}

model::OsIdentity os_identity(HostOs os, int patch_level) {
  model::OsIdentity identity;
  if (os == HostOs::kAmazonLinux2023) {
    identity.id = "amzn";
    identity.version_id = "2023";
    identity.pretty_name = "Amazon Linux 2023.6.20241212";
    identity.kernel_release = patch_level == 2 ? "6.1.66-91.160.amzn2023.x86_64"
                                               : "6.1.119-129.201.amzn2023.x86_64";
  } else {
    identity.id = "ubuntu";
    identity.version_id = "22.04";
    identity.codename = "jammy";
    identity.pretty_name = "Ubuntu 22.04.5 LTS";
    identity.kernel_release = "5.15.0-1072-aws";
  }
  return identity;
}

void add_language_packages(const HostPlan& host, Rng& rng, uint64_t old_percent,
                           std::vector<model::Package>& packages) {
  const bool python_app = host.role == HostRole::kApp || host.role == HostRole::kQueue ||
                          host.role == HostRole::kBuild;
  const bool node_app = host.role == HostRole::kWeb || (host.role == HostRole::kApp && rng.percent(40));
  if (python_app) {
    const std::string site = host.os == HostOs::kAmazonLinux2023
                                 ? "srv/app/venv/lib/python3.11/site-packages"
                                 : "srv/app/venv/lib/python3.10/site-packages";
    for (const std::string group : {"base", "web", "data"}) {
      if (group != "base" && !rng.percent(60)) {
        continue;
      }
      for (const PackageSpec& spec : package_group(TableId::kPyPI, group)) {
        const std::string& version = pick_version(spec, rng, old_percent);
        std::string dist = spec.name;
        std::replace(dist.begin(), dist.end(), '-', '_');
        packages.push_back(language_package(
            TableId::kPyPI, spec.name, version,
            fmt::format("{}/{}-{}.dist-info/METADATA", site, dist, version)));
      }
    }
  }
  if (node_app) {
    for (const std::string group : {"base", "web"}) {
      for (const PackageSpec& spec : package_group(TableId::kNpm, group)) {
        const std::string& version = pick_version(spec, rng, old_percent);
        packages.push_back(language_package(
            TableId::kNpm, spec.name, version,
            fmt::format("srv/web/node_modules/{}/package.json", spec.name)));
      }
    }
  }
}

}  // namespace

Result<PartStats> write_hosts(const FleetPlan& plan, const std::filesystem::path& root) {
  PartStats stats;
  for (size_t index = 0; index < plan.hosts.size(); ++index) {
    const HostPlan& host = plan.hosts[index];
    if (!host.managed) {
      continue;
    }
    // One stream per host: a host's document depends only on the seed and its position.
    Rng rng(plan.options.seed, (static_cast<uint64_t>(Stream::kHosts) << 32) + index);
    const bool amazon = host.os == HostOs::kAmazonLinux2023;
    const TableId table = amazon ? TableId::kAmazonLinux2023 : TableId::kUbuntu2204;
    const OsContext os{amazon ? "amzn" : "ubuntu", amazon ? "2023" : "22.04",
                       amazon ? "2023" : "22.04", amazon ? "x86_64" : "amd64",
                       amazon ? "var/lib/rpm/rpmdb.sqlite" : "var/lib/dpkg/status"};
    const uint64_t old_percent = kOldPercent[static_cast<size_t>(host.patch_level)];

    inventory::AgentDocument document;
    document.host.hostname = host.hostname;
    document.host.machine_id = host.machine_id;
    document.host.instance_id = host.instance_id;
    document.host.account_id = plan.accounts[host.account].id;
    document.host.region = kRegion;
    document.host.instance_state = host.running ? "running" : "stopped";
    document.host.ami_id = host.ami_id;
    document.host.tags = {{"Name", host.name_tag},
                          {"Environment", host.environment},
                          {"Team", host.team},
                          {"Role", std::string(role_name(host.role))}};
    if (host.excluded) {
      document.host.tags["InspectorEc2Exclusion"] = "true";
    }
    document.inventory.target = "/";
    document.inventory.os = os_identity(host.os, host.patch_level);
    std::set<std::string> seen;
    for (const std::string& group : groups_for(host.role, rng)) {
      for (const PackageSpec& spec : package_group(table, group)) {
        if (!seen.insert(spec.name).second) {
          continue;
        }
        // The kernel follows the host's patch level as a whole, like its os identity.
        const bool kernel = spec.source == "kernel";
        const std::string& version =
            kernel ? (host.patch_level == 2 && amazon ? spec.old_version : spec.version)
                   : pick_version(spec, rng, old_percent);
        document.inventory.packages.push_back(os_package(spec, table, version, os));
      }
    }
    add_language_packages(host, rng, old_percent, document.inventory.packages);
    // The agent last reported a little before the world's "now"; stopped hosts days ago.
    const int64_t age = host.running ? static_cast<int64_t>(rng.between(60, 6 * 3600))
                                     : static_cast<int64_t>(rng.between(2, 40)) * 86400;
    document.collected_at = rfc3339(kWorldNow - age);
    document.agent_version = "vigil-agent 0.1.0";
    const auto path = root / "hosts" / plan.accounts[host.account].id / (host.instance_id + ".json");
    VIGIL_TRY(write_file(path, inventory::write_agent_document(document)));
    stats.documents += 1;
    stats.packages += document.inventory.packages.size();
  }
  return stats;
}

}  // namespace vigil::simulate::internal
