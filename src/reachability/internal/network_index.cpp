// Building the NetworkIndex: id maps, subnet → route table / NACL resolution, security-group
// membership, and diagnostics for every reference the bundle cannot resolve.
#include "reachability/internal/network_index.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace vigil::reachability::internal {
namespace {

template <class T, class Id>
void index_by(const std::vector<T>& items, Id id_of, std::string_view file, std::string_view kind,
              std::unordered_map<std::string_view, int>& out, NetworkIndex& index,
              bool report_duplicates = true) {
  out.reserve(items.size());
  for (size_t position = 0; position < items.size(); ++position) {
    const std::string_view id = id_of(items[position]);
    if (!out.emplace(id, static_cast<int>(position)).second && report_duplicates) {
      index.diagnose(std::string(file),
                     fmt::format("{} {} appears more than once; the first is used", kind, id));
    }
  }
}

}  // namespace

size_t NaclProfile::interval_of(uint16_t port) const {
  const auto it = std::upper_bound(ingress_starts.begin(), ingress_starts.end(), uint32_t{port});
  return static_cast<size_t>(it - ingress_starts.begin()) - 1;
}

NetworkIndex::NetworkIndex(const Environment& env, const AnalyzerOptions& options)
    : env_(env), options_(options) {
  index_ids();
  build_vpcs_and_subnets();
  build_groups();
  build_interfaces();
  build_instances();
  build_load_balancers();
  for (auto& group : groups) {
    group.members.assign(group.member_subnets.begin(), group.member_subnets.end());
    std::sort(group.members.begin(), group.members.end());
  }
  build_listeners();
  build_registrations();
  // A dangling reference met from several places is reported once.
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<model::Diagnostic> unique;
  for (auto& diagnostic : diagnostics_) {
    if (seen.emplace(diagnostic.where, diagnostic.message).second) {
      unique.push_back(std::move(diagnostic));
    }
  }
  diagnostics_ = std::move(unique);
}

void NetworkIndex::diagnose(std::string where, std::string message) {
  diagnostics_.push_back({model::DiagnosticLevel::kWarning, std::move(where), std::move(message)});
}

const PeeringConnection* NetworkIndex::find_peering(std::string_view id) const {
  const int position = find(peering_ids_, id);
  return position == kNone ? nullptr : &env_.peering_connections[static_cast<size_t>(position)];
}

void NetworkIndex::index_ids() {
  const auto name = [](BundleFile file) { return bundle_file_name(file); };
  index_by(env_.instances, [](const Instance& item) -> std::string_view { return item.id; },
           name(BundleFile::kInstances), "instance", instance_ids_, *this);
  // Interfaces come both embedded in describe-instances and from describe-network-interfaces:
  // the same id twice is expected there.
  index_by(env_.interfaces, [](const NetworkInterface& item) -> std::string_view { return item.id; },
           name(BundleFile::kNetworkInterfaces), "interface", eni_ids_, *this, false);
  index_by(env_.security_groups, [](const SecurityGroup& item) -> std::string_view { return item.id; },
           name(BundleFile::kSecurityGroups), "security group", group_ids_, *this);
  index_by(env_.subnets, [](const Subnet& item) -> std::string_view { return item.id; },
           name(BundleFile::kSubnets), "subnet", subnet_ids_, *this);
  index_by(env_.vpcs, [](const Vpc& item) -> std::string_view { return item.id; },
           name(BundleFile::kVpcs), "VPC", vpc_ids_, *this);
  index_by(env_.route_tables, [](const RouteTable& item) -> std::string_view { return item.id; },
           name(BundleFile::kRouteTables), "route table", route_table_ids_, *this);
  index_by(env_.network_acls, [](const NetworkAcl& item) -> std::string_view { return item.id; },
           name(BundleFile::kNetworkAcls), "network ACL", nacl_ids_, *this);
  index_by(env_.internet_gateways,
           [](const InternetGateway& item) -> std::string_view { return item.id; },
           name(BundleFile::kInternetGateways), "internet gateway", igw_ids_, *this);
  index_by(env_.nat_gateways, [](const NatGateway& item) -> std::string_view { return item.id; },
           name(BundleFile::kNatGateways), "NAT gateway", nat_ids_, *this);
  index_by(env_.peering_connections,
           [](const PeeringConnection& item) -> std::string_view { return item.id; },
           name(BundleFile::kPeeringConnections), "peering connection", peering_ids_, *this);
  index_by(env_.prefix_lists, [](const PrefixList& item) -> std::string_view { return item.id; },
           name(BundleFile::kPrefixLists), "prefix list", prefix_list_ids_, *this);
  index_by(env_.load_balancers, [](const LoadBalancer& item) -> std::string_view { return item.arn; },
           name(BundleFile::kLoadBalancers), "load balancer", load_balancer_ids_, *this);
  index_by(env_.listeners, [](const Listener& item) -> std::string_view { return item.arn; },
           name(BundleFile::kListeners), "listener", listener_ids_, *this);
  index_by(env_.target_groups, [](const TargetGroup& item) -> std::string_view { return item.arn; },
           name(BundleFile::kTargetGroups), "target group", target_group_ids_, *this);
}

void NetworkIndex::build_vpcs_and_subnets() {
  vpcs.reserve(env_.vpcs.size());
  for (const auto& vpc : env_.vpcs) {
    vpcs.push_back({&vpc, CidrSet(vpc.cidrs), kNone, kNone, {}});
  }
  nacls.reserve(env_.network_acls.size());
  for (size_t position = 0; position < env_.network_acls.size(); ++position) {
    const auto& acl = env_.network_acls[position];
    nacls.push_back(build_nacl(acl));
    const int vpc = find_vpc(acl.vpc_id);
    if (acl.is_default && vpc != kNone && vpcs[static_cast<size_t>(vpc)].default_nacl == kNone) {
      vpcs[static_cast<size_t>(vpc)].default_nacl = static_cast<int>(position);
    }
  }
  route_tables.reserve(env_.route_tables.size());
  for (size_t position = 0; position < env_.route_tables.size(); ++position) {
    const auto& table = env_.route_tables[position];
    route_tables.push_back(build_route_table(table));
    const int vpc = find_vpc(table.vpc_id);
    if (table.main && vpc != kNone && vpcs[static_cast<size_t>(vpc)].main_route_table == kNone) {
      vpcs[static_cast<size_t>(vpc)].main_route_table = static_cast<int>(position);
    }
  }
  subnets.reserve(env_.subnets.size());
  for (const auto& subnet : env_.subnets) {
    const int vpc = find_vpc(subnet.vpc_id);
    if (vpc == kNone && env_.has(BundleFile::kVpcs)) {
      diagnose(fmt::format("{}: {}", bundle_file_name(BundleFile::kSubnets), subnet.id),
               fmt::format("VPC {} is not in {}", subnet.vpc_id, bundle_file_name(BundleFile::kVpcs)));
    }
    subnets.push_back({&subnet, vpc, kNone, kNone, CidrSet(subnet.cidrs), {}});
  }
  const auto associate = [&](const std::vector<std::string>& subnet_ids, int owner,
                             std::string_view owner_id, BundleFile file, int SubnetView::*slot) {
    for (const auto& subnet_id : subnet_ids) {
      const int subnet = find_subnet(subnet_id);
      if (subnet == kNone) {
        if (env_.has(BundleFile::kSubnets)) {
          diagnose(fmt::format("{}: {}", bundle_file_name(file), owner_id),
                   fmt::format("associated subnet {} is not in {}", subnet_id,
                               bundle_file_name(BundleFile::kSubnets)));
        }
        continue;
      }
      auto& view = subnets[static_cast<size_t>(subnet)];
      if (view.*slot == kNone) {
        view.*slot = owner;
      }
    }
  };
  for (size_t position = 0; position < env_.route_tables.size(); ++position) {
    const auto& table = env_.route_tables[position];
    associate(table.subnet_ids, static_cast<int>(position), table.id, BundleFile::kRouteTables,
              &SubnetView::route_table);
  }
  for (size_t position = 0; position < env_.network_acls.size(); ++position) {
    const auto& acl = env_.network_acls[position];
    associate(acl.subnet_ids, static_cast<int>(position), acl.id, BundleFile::kNetworkAcls,
              &SubnetView::nacl);
  }
  for (auto& view : subnets) {
    if (view.vpc == kNone) {
      continue;
    }
    const auto& vpc = vpcs[static_cast<size_t>(view.vpc)];
    if (view.route_table == kNone) {
      view.route_table = vpc.main_route_table;
      if (view.route_table == kNone && env_.has(BundleFile::kRouteTables)) {
        diagnose(fmt::format("{}: {}", bundle_file_name(BundleFile::kSubnets), view.subnet->id),
                 fmt::format("no route table is associated with the subnet and VPC {} has no "
                             "main route table",
                             vpc.vpc->id));
      }
    }
    if (view.nacl == kNone) {
      view.nacl = vpc.default_nacl;
      if (view.nacl == kNone && env_.has(BundleFile::kNetworkAcls)) {
        diagnose(fmt::format("{}: {}", bundle_file_name(BundleFile::kSubnets), view.subnet->id),
                 fmt::format("no network ACL is associated with the subnet and VPC {} has no "
                             "default network ACL",
                             vpc.vpc->id));
      }
    }
  }
  for (const auto& peering : env_.peering_connections) {
    if (peering.status != "active") {
      continue;
    }
    const auto link = [&](const PeeringSide& local, const PeeringSide& remote) {
      const int vpc = find_vpc(local.vpc_id);
      if (vpc != kNone) {
        vpcs[static_cast<size_t>(vpc)].peers.push_back(
            {find(peering_ids_, peering.id), remote.vpc_id, CidrSet(remote.cidrs)});
      }
    };
    link(peering.requester, peering.accepter);
    link(peering.accepter, peering.requester);
  }
  for (auto& view : subnets) {
    build_windows(view);
  }
}

PermView NetworkIndex::view_of(const SgPermission& permission, std::string_view where) {
  PermView view;
  view.permission = &permission;
  std::vector<Cidr> blocks = permission.cidrs;
  for (const auto& list_id : permission.prefix_list_ids) {
    const int position = find(prefix_list_ids_, list_id);
    if (position != kNone && env_.prefix_lists[static_cast<size_t>(position)].entries_known) {
      const auto& entries = env_.prefix_lists[static_cast<size_t>(position)].entries;
      blocks.insert(blocks.end(), entries.begin(), entries.end());
      continue;
    }
    view.unknowns.push_back(
        fmt::format("entries of prefix list {} are not in the bundle", list_id));
    if (position == kNone && env_.has(BundleFile::kPrefixLists)) {
      diagnose(std::string(where), fmt::format("rule references prefix list {}, which is not in {}",
                                               list_id, bundle_file_name(BundleFile::kPrefixLists)));
    }
  }
  for (const auto& text : permission.invalid_sources) {
    view.unknowns.push_back(fmt::format("a rule source \"{}\" does not parse", text));
  }
  view.sources = CidrSet(std::move(blocks));
  for (const auto& block : permission.cidrs) {
    view.cidr_labels.push_back(format_cidr(block));
  }
  if (!permission.cidrs.empty()) {
    view.label = view.cidr_labels.front();
  } else if (!permission.prefix_list_ids.empty()) {
    view.label = permission.prefix_list_ids.front();
  } else if (!permission.groups.empty()) {
    view.label = permission.groups.front().group_id;
  }
  return view;
}

void NetworkIndex::build_groups() {
  groups.reserve(env_.security_groups.size());
  for (const auto& group : env_.security_groups) {
    GroupView view;
    view.group = &group;
    const std::string where =
        fmt::format("{}: {}", bundle_file_name(BundleFile::kSecurityGroups), group.id);
    for (const auto& permission : group.inbound) {
      view.inbound.push_back(view_of(permission, where));
      for (const auto& reference : permission.groups) {
        if (find_group(reference.group_id) == kNone) {
          diagnose(where,
                   fmt::format("inbound rule references security group {}{}, which is not in {}",
                               reference.group_id,
                               reference.user_id.empty() || reference.user_id == group.owner_id
                                   ? std::string()
                                   : fmt::format(" (account {})", reference.user_id),
                               bundle_file_name(BundleFile::kSecurityGroups)));
        }
      }
    }
    for (const auto& permission : group.outbound) {
      view.outbound.push_back(view_of(permission, where));
    }
    groups.push_back(std::move(view));
  }
  // Prefix lists referenced but exported without their entries: one note each.
  std::set<std::string_view> noted;
  for (const auto& view : groups) {
    for (const auto& permission : view.inbound) {
      for (const auto& list_id : permission.permission->prefix_list_ids) {
        const int position = find(prefix_list_ids_, list_id);
        if (position != kNone && !env_.prefix_lists[static_cast<size_t>(position)].entries_known &&
            noted.insert(list_id).second) {
          diagnose(std::string(bundle_file_name(BundleFile::kPrefixLists)),
                   fmt::format("entries of {} are not in the bundle "
                               "(get-managed-prefix-list-entries.{}.json); rules using it are "
                               "UNKNOWN",
                               list_id, list_id));
        }
      }
    }
  }
}

void NetworkIndex::build_interfaces() {
  enis.reserve(eni_ids_.size());
  std::unordered_map<std::string_view, int> view_ids;  // id -> EniView index
  view_ids.reserve(eni_ids_.size());
  for (size_t position = 0; position < env_.interfaces.size(); ++position) {
    const auto& eni = env_.interfaces[position];
    if (find(eni_ids_, eni.id) != static_cast<int>(position)) {
      continue;  // a repeated id: the first occurrence is the one indexed
    }
    EniView view;
    view.eni = &eni;
    view.subnet = find_subnet(eni.subnet_id);
    const std::string where = fmt::format("{}: {}", eni.instance_id.empty()
                                                         ? bundle_file_name(BundleFile::kNetworkInterfaces)
                                                         : bundle_file_name(BundleFile::kInstances),
                                          eni.instance_id.empty() ? eni.id : eni.instance_id);
    if (view.subnet == kNone && env_.has(BundleFile::kSubnets)) {
      diagnose(where, fmt::format("interface {} is in subnet {}, which is not in {}", eni.id,
                                  eni.subnet_id, bundle_file_name(BundleFile::kSubnets)));
    }
    for (const auto& group_id : eni.group_ids) {
      const int group = find_group(group_id);
      view.groups.push_back(group);
      if (group == kNone) {
        if (env_.has(BundleFile::kSecurityGroups)) {
          diagnose(where, fmt::format("interface {} uses security group {}, which is not in {}",
                                      eni.id, group_id,
                                      bundle_file_name(BundleFile::kSecurityGroups)));
        }
        continue;
      }
      if (view.subnet != kNone) {
        ++groups[static_cast<size_t>(group)].member_subnets[view.subnet];
      }
    }
    view_ids.emplace(eni.id, static_cast<int>(enis.size()));
    enis.push_back(std::move(view));
  }
  eni_ids_ = std::move(view_ids);
}

void NetworkIndex::build_instances() {
  std::unordered_map<std::string_view, std::vector<int>> attached;
  for (size_t position = 0; position < enis.size(); ++position) {
    const auto& eni = *enis[position].eni;
    if (!eni.instance_id.empty()) {
      attached[eni.instance_id].push_back(static_cast<int>(position));
    }
  }
  instances.reserve(env_.instances.size());
  for (const auto& instance : env_.instances) {
    InstanceView view;
    view.instance = &instance;
    for (const auto& eni_id : instance.interface_ids) {
      const int eni = find(eni_ids_, eni_id);
      if (eni != kNone && std::find(view.enis.begin(), view.enis.end(), eni) == view.enis.end()) {
        view.enis.push_back(eni);
      }
    }
    if (view.enis.empty()) {
      if (const auto it = attached.find(instance.id); it != attached.end()) {
        view.enis = it->second;
      }
    }
    const std::string where = fmt::format("{}: {}", bundle_file_name(BundleFile::kInstances), instance.id);
    if (view.enis.empty() && instance.state != "terminated") {
      view.missing.push_back("no network interface is known for the instance");
      diagnose(where, "no network interface is known for the instance (NetworkInterfaces is "
                      "empty and describe-network-interfaces.json lists none attached to it)");
    }
    // The instance-level PublicIpAddress belongs to the primary interface.
    view.public_v4_on_primary = !instance.public_ip.empty();
    instances.push_back(std::move(view));
  }
}

}  // namespace vigil::reachability::internal
