// Per-port evaluation: security-group rules × (internet gateway route, NACL both ways, public
// address), load-balancer paths, and VPC / peered-VPC sources.
#include "reachability/internal/evaluator.hpp"

#include <algorithm>
#include <utility>

namespace vigil::reachability::internal {
namespace {

constexpr auto kInternetGateway = ComponentType::kInternetGateway;
constexpr auto kRouteTable = ComponentType::kRouteTable;
constexpr auto kNetworkAcl = ComponentType::kNetworkAcl;

void add_unique(std::vector<std::string>& out, std::string value) {
  if (std::find(out.begin(), out.end(), value) == out.end()) {
    out.push_back(std::move(value));
  }
}

void mark_unknown(Tri& tri, std::vector<std::string>& unknowns, std::string why) {
  if (tri != Tri::kYes) {
    tri = Tri::kUnknown;
  }
  add_unique(unknowns, std::move(why));
}

void blocked(Outcome& out, Reason reason) {
  if (reason_stage(reason.kind) > reason_stage(out.blocked.kind)) {
    out.blocked = reason;
  }
}

}  // namespace

Evaluator::Evaluator(const NetworkIndex& index, const InstanceView& instance)
    : index_(index), instance_(instance) {
  enis_.reserve(instance.enis.size());
  for (size_t position = 0; position < instance.enis.size(); ++position) {
    const auto& view = index.enis[static_cast<size_t>(instance.enis[position])];
    if (view.eni->device_index == 0 && primary_ == 0) {
      primary_ = position;
    }
    enis_.push_back({&view, view.eni->id.empty() ? &instance.instance->id : &view.eni->id,
                     !view.eni->public_ips.empty(), !view.eni->ipv6_addresses.empty()});
  }
  // The instance-level PublicIpAddress belongs to the primary interface.
  if (!enis_.empty() && instance.public_v4_on_primary) {
    enis_[primary_].public_v4 = true;
  }
}

std::vector<uint32_t> Evaluator::interval_starts(int protocol) const {
  std::vector<uint32_t> starts = {0};
  const size_t slot = transport_slot(protocol);
  for (const auto& eni : enis_) {
    for (const int group : eni.view->groups) {
      if (group == kNone) {
        continue;
      }
      for (const auto& permission : index_.groups[static_cast<size_t>(group)].inbound) {
        const int rule_protocol = permission.permission->protocol;
        if (rule_protocol != kAllProtocols && rule_protocol != protocol) {
          continue;
        }
        starts.push_back(permission.permission->ports.begin);
        starts.push_back(uint32_t{permission.permission->ports.end} + 1);
      }
    }
    if (eni.view->subnet != kNone) {
      const int nacl = index_.subnets[static_cast<size_t>(eni.view->subnet)].nacl;
      if (nacl != kNone) {
        const auto& cuts = index_.nacls[static_cast<size_t>(nacl)].profiles[slot].ingress_starts;
        starts.insert(starts.end(), cuts.begin(), cuts.end());
      }
    }
  }
  if (const auto it = index_.registrations.find(instance_.instance->id);
      it != index_.registrations.end()) {
    for (const auto& registration : it->second) {
      if (registration.protocol == protocol) {
        starts.push_back(registration.port);
        starts.push_back(uint32_t{registration.port} + 1);
      }
    }
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  while (!starts.empty() && starts.back() > 65535) {
    starts.pop_back();
  }
  return starts;
}

const SubnetWindow* Evaluator::window(const EniView& eni, int protocol, uint16_t port) const {
  if (eni.subnet == kNone) {
    return nullptr;
  }
  const auto& subnet = index_.subnets[static_cast<size_t>(eni.subnet)];
  const size_t slot = transport_slot(protocol);
  if (subnet.windows[slot].empty()) {
    return nullptr;
  }
  const auto& profile = index_.nacls[static_cast<size_t>(subnet.nacl)].profiles[slot];
  return &subnet.windows[slot][profile.interval_of(port)];
}

Outcome Evaluator::evaluate(int protocol, uint16_t port, bool with_vpc) const {
  Outcome out;
  for (const auto& eni : enis_) {
    for (size_t slot = 0; slot < eni.view->groups.size(); ++slot) {
      const int group = eni.view->groups[slot];
      if (group == kNone) {
        const std::string why = fmt::format("security group {} of {} is not in the bundle",
                                            eni.view->eni->group_ids[slot], *eni.name);
        mark_unknown(out.internet, out.unknowns, why);
        mark_unknown(out.vpc, out.unknowns, why);
        continue;
      }
      for (const auto& permission : index_.groups[static_cast<size_t>(group)].inbound) {
        if (!permission.matches(protocol, port)) {
          continue;
        }
        out.opened = true;
        if (std::find(out.groups.begin(), out.groups.end(), group) == out.groups.end()) {
          out.groups.push_back(group);
        }
        if (out.internet == Tri::kYes) {
          continue;
        }
        direct(out, eni, group, permission, protocol, port);
        // A rule admitting an internet-facing balancer whose targets are unknown might be the
        // end of an internet path.
        for (const auto& reference : permission.permission->groups) {
          const int referenced = index_.find_group(reference.group_id);
          if (referenced == kNone) {
            continue;
          }
          for (const int lb : index_.groups[static_cast<size_t>(referenced)].load_balancers) {
            const auto& balancer = index_.load_balancers[static_cast<size_t>(lb)];
            if (balancer.internet_facing && balancer.health_unknown) {
              mark_unknown(out.internet, out.unknowns,
                           fmt::format("targets of load balancer {} are unknown (a "
                                       "describe-target-health file is missing)",
                                       balancer.lb->name));
            }
          }
        }
      }
    }
  }
  if (out.internet != Tri::kYes) {
    balancers(out, protocol, port);
  }
  if (out.internet == Tri::kYes || !with_vpc) {
    return out;
  }
  for (const auto& eni : enis_) {
    for (const int group : eni.view->groups) {
      if (group == kNone) {
        continue;
      }
      for (const auto& permission : index_.groups[static_cast<size_t>(group)].inbound) {
        if (out.vpc == Tri::kYes) {
          return out;
        }
        if (!permission.matches(protocol, port)) {
          continue;
        }
        for (const auto& unknown : permission.unknowns) {
          mark_unknown(out.vpc, out.unknowns, unknown);
        }
        if (!permission.sources.empty()) {
          from_cidrs(out, eni, permission.sources, &permission.label, group, protocol, port);
        }
        for (const auto& reference : permission.permission->groups) {
          if (out.vpc != Tri::kYes) {
            from_group(out, eni, reference, group, protocol, port);
          }
        }
      }
    }
  }
  return out;
}

void Evaluator::finish_path(Outcome& out, const Eni& eni, int group) const {
  out.path.push_back({&index_.groups[static_cast<size_t>(group)].group->id,
                      ComponentType::kSecurityGroup, nullptr});
  if (!eni.view->eni->id.empty()) {
    out.path.push_back({&eni.view->eni->id, ComponentType::kNetworkInterface, nullptr});
  }
  out.path.push_back({&instance_.instance->id, ComponentType::kInstance, nullptr});
}

void Evaluator::direct(Outcome& out, const Eni& eni, int group, const PermView& permission,
                       int protocol, uint16_t port) const {
  for (const auto& unknown : permission.unknowns) {
    mark_unknown(out.internet, out.unknowns, unknown);
  }
  const auto& internet = public_families();
  if (!internet.meets(permission.sources, true, true)) {
    return;  // the rule admits no internet address
  }
  if (!internet.meets(permission.sources, eni.public_v4, eni.v6)) {
    const bool v4 = internet.meets(permission.sources, true, false);
    blocked(out, {v4 ? ReasonKind::kNoPublicIpv4 : ReasonKind::kNoIpv6, eni.name});
    return;
  }
  const auto& view = *eni.view;
  if (view.subnet == kNone) {
    mark_unknown(out.internet, out.unknowns,
                 fmt::format("subnet {} of {} is not in the bundle", view.eni->subnet_id, *eni.name));
    return;
  }
  const auto& subnet = index_.subnets[static_cast<size_t>(view.subnet)];
  if (subnet.route_table == kNone) {
    mark_unknown(out.internet, out.unknowns,
                 fmt::format("the route table of subnet {} is unknown", subnet.subnet->id));
    return;
  }
  const auto& table = index_.route_tables[static_cast<size_t>(subnet.route_table)];
  const SubnetWindow* window = this->window(view, protocol, port);
  bool routed = false;
  for (size_t route_index = 0; route_index < table.internet.size(); ++route_index) {
    const auto& route = table.internet[route_index];
    if (!route.reach_families.meets(permission.sources, eni.public_v4, eni.v6)) {
      continue;
    }
    if (route.unknown) {
      mark_unknown(out.internet, out.unknowns, route.unknown_reason);
      continue;
    }
    routed = true;
    if (window == nullptr) {
      mark_unknown(out.internet, out.unknowns,
                   fmt::format("the network ACL of subnet {} is unknown", subnet.subnet->id));
      continue;
    }
    const auto& acl_id = index_.nacls[static_cast<size_t>(subnet.nacl)].acl->id;
    if (!window->gateway_in[route_index].meets(permission.sources, eni.public_v4, eni.v6)) {
      blocked(out, {ReasonKind::kNaclInbound, &acl_id, nullptr, protocol, port});
      continue;
    }
    const auto& reached = window->gateway_ok[route_index];
    if (!reached.meets(permission.sources, eni.public_v4, eni.v6)) {
      blocked(out, {ReasonKind::kNaclReturn, &acl_id});
      continue;
    }
    out.internet = Tri::kYes;
    out.source = &permission.label;
    const auto& cidrs = permission.permission->cidrs;
    for (size_t position = 0; position < cidrs.size(); ++position) {
      if (reached.meets(cidrs[position], eni.public_v4, eni.v6)) {
        out.source = &permission.cidr_labels[position];
        break;
      }
    }
    out.path = {{&route.gateway_id, kInternetGateway, nullptr},
                {&table.table->id, kRouteTable, nullptr},
                {&acl_id, kNetworkAcl, nullptr}};
    finish_path(out, eni, group);
    return;
  }
  if (!routed) {
    const bool v4 = internet.meets(permission.sources, eni.public_v4, false);
    blocked(out, {ReasonKind::kNoGatewayRoute, &table.table->id,
                  v4 ? &table.default_v4 : &table.default_v6, protocol, port, v4});
  }
}

void Evaluator::balancers(Outcome& out, int protocol, uint16_t port) const {
  const auto it = index_.registrations.find(instance_.instance->id);
  if (it == index_.registrations.end() || enis_.empty()) {
    return;
  }
  const size_t slot = transport_slot(protocol);
  for (const auto& registration : it->second) {
    if (registration.protocol != protocol || registration.port != port) {
      continue;
    }
    const auto& listener = index_.listeners[static_cast<size_t>(registration.listener)];
    if (listener.ingress[slot] == Tri::kNo) {
      blocked(out, {ReasonKind::kBalancerText, &listener.reason[slot]});
      continue;
    }
    if (listener.ingress[slot] == Tri::kUnknown) {
      mark_unknown(out.internet, out.unknowns, listener.reason[slot]);
      continue;
    }
    const auto& lb = index_.load_balancers[static_cast<size_t>(listener.load_balancer)];
    const Eni* eni = &enis_[primary_];
    if (registration.eni != kNone) {
      for (const auto& candidate : enis_) {
        if (candidate.view == &index_.enis[static_cast<size_t>(registration.eni)]) {
          eni = &candidate;
        }
      }
    }
    int group = kNone;
    const Tri hop = balancer_hop(out, lb, *eni, protocol, port, group);
    if (hop == Tri::kUnknown) {
      mark_unknown(out.internet, out.unknowns,
                   fmt::format("the hop from load balancer {} to the instance is unknown",
                               lb.lb->name));
    }
    if (hop != Tri::kYes) {
      continue;
    }
    const auto* target_group = index_.target_group(registration.target_group);
    out.internet = Tri::kYes;
    out.source = &lb.lb->name;
    out.path = {{&listener.gateway[slot], kInternetGateway, nullptr},
                {&lb.lb->name, ComponentType::kLoadBalancer, &lb.lb->arn},
                {&listener.name, ComponentType::kListener, &listener.listener->arn},
                {&target_group->name, ComponentType::kTargetGroup,
                 &target_group->arn}};
    finish_path(out, *eni, group);
    return;
  }
}

Tri Evaluator::balancer_hop(Outcome& out, const LoadBalancerView& lb, const Eni& eni, int protocol,
                            uint16_t port, int& group) const {
  const bool has_groups = !lb.lb->group_ids.empty();
  // A balancer without security groups (a network load balancer) keeps the client's address
  // for instance targets: the instance must admit the internet. Otherwise it connects from
  // its own nodes, in its subnets.
  const CidrSet& sources = has_groups ? lb.subnet_cidrs : public_internet();
  const auto& view = *eni.view;
  if (view.subnet == kNone) {
    return Tri::kUnknown;
  }
  bool unknown = false;
  const auto& subnet = index_.subnets[static_cast<size_t>(view.subnet)];
  if (has_groups) {
    bool egress = false;
    for (const int lb_group : lb.groups) {
      if (lb_group == kNone) {
        unknown = true;
        continue;
      }
      for (const auto& permission : index_.groups[static_cast<size_t>(lb_group)].outbound) {
        if (!permission.matches(protocol, port)) {
          continue;
        }
        egress = egress || permission.sources.intersects(subnet.cidrs);
        for (const auto& reference : permission.permission->groups) {
          const auto& ids = view.eni->group_ids;
          egress = egress || std::find(ids.begin(), ids.end(), reference.group_id) != ids.end();
        }
      }
    }
    if (!egress) {
      if (!unknown) {
        blocked(out, {ReasonKind::kBalancerEgress, &lb.lb->name, nullptr, protocol, port});
      }
      return unknown ? Tri::kUnknown : Tri::kNo;
    }
  }
  for (const int candidate : view.groups) {
    if (group != kNone) {
      break;
    }
    if (candidate == kNone) {
      unknown = true;
      continue;
    }
    for (const auto& permission : index_.groups[static_cast<size_t>(candidate)].inbound) {
      if (!permission.matches(protocol, port)) {
        continue;
      }
      bool admits = permission.sources.intersects(sources);
      for (const auto& reference : permission.permission->groups) {
        const auto& ids = lb.lb->group_ids;
        admits = admits || std::find(ids.begin(), ids.end(), reference.group_id) != ids.end();
      }
      if (admits) {
        group = candidate;
        break;
      }
      unknown = unknown || !permission.unknowns.empty();
    }
  }
  if (group == kNone) {
    if (!unknown) {
      blocked(out, {ReasonKind::kBalancerAdmit, eni.name, &lb.lb->name, protocol, port});
    }
    return unknown ? Tri::kUnknown : Tri::kNo;
  }
  if (std::find(lb.subnets.begin(), lb.subnets.end(), view.subnet) != lb.subnets.end()) {
    return Tri::kYes;  // same subnet: no NACL on the way
  }
  if (subnet.nacl == kNone) {
    return Tri::kUnknown;
  }
  const auto& nacl = index_.nacls[static_cast<size_t>(subnet.nacl)];
  const auto& profile = nacl.profiles[transport_slot(protocol)];
  const bool passes = has_groups ? sources.intersected(profile.allowed_in(port))
                                       .intersects(profile.return_full)
                                 : sources.intersects(profile.ok_in(port));
  if (!passes) {
    blocked(out, {ReasonKind::kBalancerNacl, &nacl.acl->id, &lb.lb->name, protocol, port});
    return Tri::kNo;
  }
  return Tri::kYes;
}

void Evaluator::from_cidrs(Outcome& out, const Eni& eni, const CidrSet& sources,
                           const std::string* label, int group, int protocol,
                           uint16_t port) const {
  const auto& view = *eni.view;
  if (view.subnet == kNone) {
    mark_unknown(out.vpc, out.unknowns,
                 fmt::format("subnet {} of {} is not in the bundle", view.eni->subnet_id, *eni.name));
    return;
  }
  const auto& subnet = index_.subnets[static_cast<size_t>(view.subnet)];
  // Within one subnet traffic crosses no NACL and needs no route.
  if (sources.intersects(subnet.cidrs)) {
    out.vpc = Tri::kYes;
    out.source = label;
    out.path = {{&subnet.subnet->id, ComponentType::kSubnet, nullptr}};
    finish_path(out, eni, group);
    return;
  }
  if (subnet.vpc == kNone) {
    mark_unknown(out.vpc, out.unknowns,
                 fmt::format("VPC {} is not in the bundle", subnet.subnet->vpc_id));
    return;
  }
  const auto& vpc = index_.vpcs[static_cast<size_t>(subnet.vpc)];
  const SubnetWindow* window = this->window(view, protocol, port);
  if (window == nullptr) {
    bool peers = false;
    for (const auto& peer : vpc.peers) {
      peers = peers || sources.intersects(peer.remote_cidrs);
    }
    if (peers || sources.intersects(vpc.cidrs)) {
      mark_unknown(out.vpc, out.unknowns,
                   fmt::format("the network ACL of subnet {} is unknown", subnet.subnet->id));
    }
    return;
  }
  const auto& acl_id = index_.nacls[static_cast<size_t>(subnet.nacl)].acl->id;
  if (sources.intersects(window->vpc_ok)) {
    out.vpc = Tri::kYes;
    out.source = label;
    out.path = {{&vpc.vpc->id, ComponentType::kVpc, nullptr}, {&acl_id, kNetworkAcl, nullptr}};
    finish_path(out, eni, group);
    return;
  }
  if (vpc.peers.empty()) {
    return;
  }
  if (subnet.route_table == kNone) {
    mark_unknown(out.vpc, out.unknowns,
                 fmt::format("the route table of subnet {} is unknown", subnet.subnet->id));
    return;
  }
  const auto& table = index_.route_tables[static_cast<size_t>(subnet.route_table)];
  for (size_t peer = 0; peer < vpc.peers.size(); ++peer) {
    if (!sources.intersects(window->peer_ok[peer])) {
      continue;
    }
    // The replies route back through the same peering connection.
    out.vpc = Tri::kYes;
    out.source = label;
    const auto& peering =
        index_.env().peering_connections[static_cast<size_t>(vpc.peers[peer].peering)];
    out.path = {{&peering.id, ComponentType::kPeeringConnection, nullptr},
                {&table.table->id, kRouteTable, nullptr},
                {&acl_id, kNetworkAcl, nullptr}};
    finish_path(out, eni, group);
    return;
  }
  for (const auto& route : table.peering) {
    if (route.unknown && sources.intersects(route.reach)) {
      mark_unknown(out.vpc, out.unknowns, route.unknown_reason);
    }
  }
}

void Evaluator::from_group(Outcome& out, const Eni& eni, const GroupReference& reference,
                           int group, int protocol, uint16_t port) const {
  const int referenced = index_.find_group(reference.group_id);
  if (referenced == kNone) {
    mark_unknown(out.vpc, out.unknowns,
                 fmt::format("rule of {} references security group {}, which is not in the "
                             "bundle",
                             index_.groups[static_cast<size_t>(group)].group->id,
                             reference.group_id));
    return;
  }
  for (const auto& [subnet, count] : index_.groups[static_cast<size_t>(referenced)].members) {
    // This instance's own interfaces are not a source of traffic to itself.
    uint32_t own = 0;
    for (const auto& mine : enis_) {
      const auto& groups = mine.view->groups;
      if (mine.view->subnet == subnet &&
          std::find(groups.begin(), groups.end(), referenced) != groups.end()) {
        ++own;
      }
    }
    if (count <= own) {
      continue;
    }
    from_cidrs(out, eni, index_.subnets[static_cast<size_t>(subnet)].cidrs, &reference.group_id,
               group, protocol, port);
    if (out.vpc == Tri::kYes) {
      return;
    }
  }
}

}  // namespace vigil::reachability::internal
