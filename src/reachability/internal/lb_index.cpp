// Load balancers in the NetworkIndex: whether the internet reaches each listener, and which
// instance ports each internet-facing listener forwards to (healthy registered targets).
#include <algorithm>
#include <set>
#include <utility>

#include "reachability/internal/network_index.hpp"

namespace vigil::reachability::internal {
namespace {

// The transports a listener or target-group protocol carries: {TCP, UDP}.
std::array<bool, 2> transports_of(std::string_view protocol) {
  if (protocol == "UDP" || protocol == "QUIC") {
    return {false, true};
  }
  if (protocol == "TCP_UDP" || protocol == "TCP_QUIC") {
    return {true, true};
  }
  return {true, false};  // HTTP, HTTPS, TCP, TLS (and GENEVE, which carries no listener port)
}

bool balancer_is_up(std::string_view state) {
  return state.empty() || state == "active" || state == "active_impaired";
}

}  // namespace

void NetworkIndex::build_load_balancers() {
  load_balancers.reserve(env_.load_balancers.size());
  for (size_t position = 0; position < env_.load_balancers.size(); ++position) {
    const auto& lb = env_.load_balancers[position];
    const std::string where =
        fmt::format("{}: {}", bundle_file_name(BundleFile::kLoadBalancers), lb.name);
    LoadBalancerView view;
    view.lb = &lb;
    view.internet_facing = lb.scheme == "internet-facing";
    std::vector<Cidr> cidrs;
    for (const auto& subnet_id : lb.subnet_ids) {
      const int subnet = find_subnet(subnet_id);
      if (subnet == kNone) {
        if (env_.has(BundleFile::kSubnets)) {
          diagnose(where, fmt::format("subnet {} is not in {}", subnet_id,
                                      bundle_file_name(BundleFile::kSubnets)));
        }
        continue;
      }
      view.subnets.push_back(subnet);
      const auto& blocks = subnets[static_cast<size_t>(subnet)].cidrs.blocks();
      cidrs.insert(cidrs.end(), blocks.begin(), blocks.end());
    }
    view.subnet_cidrs = CidrSet(std::move(cidrs));
    for (const auto& group_id : lb.group_ids) {
      const int group = find_group(group_id);
      view.groups.push_back(group);
      if (group == kNone) {
        if (env_.has(BundleFile::kSecurityGroups)) {
          diagnose(where, fmt::format("security group {} is not in {}", group_id,
                                      bundle_file_name(BundleFile::kSecurityGroups)));
        }
        continue;
      }
      // The balancer's nodes sit in its subnets and carry its groups: members for rules that
      // reference them.
      auto& group_view = groups[static_cast<size_t>(group)];
      group_view.load_balancers.push_back(static_cast<int>(position));
      for (const int subnet : view.subnets) {
        ++group_view.member_subnets[subnet];
      }
    }
    load_balancers.push_back(std::move(view));
  }
}

void NetworkIndex::build_listeners() {
  listeners.reserve(env_.listeners.size());
  for (const auto& listener : env_.listeners) {
    ListenerView view;
    view.listener = &listener;
    view.name = listener.arn.substr(listener.arn.rfind('/') + 1);  // npos + 1 == 0: the whole ARN
    view.load_balancer = find(load_balancer_ids_, listener.load_balancer_arn);
    view.transports = transports_of(listener.protocol);
    if (view.load_balancer == kNone) {
      if (env_.has(BundleFile::kLoadBalancers)) {
        diagnose(fmt::format("{}: {}", bundle_file_name(BundleFile::kListeners), listener.arn),
                 fmt::format("load balancer {} is not in {}", listener.load_balancer_arn,
                             bundle_file_name(BundleFile::kLoadBalancers)));
      }
      listeners.push_back(std::move(view));
      continue;
    }
    const auto& lb = load_balancers[static_cast<size_t>(view.load_balancer)];
    for (const int protocol : {kProtocolTcp, kProtocolUdp}) {
      const size_t slot = transport_slot(protocol);
      if (!view.transports[slot]) {
        continue;
      }
      auto& verdict = view.ingress[slot];
      auto& reason = view.reason[slot];
      if (!lb.internet_facing) {
        reason = fmt::format("load balancer {} is internal", lb.lb->name);
        continue;
      }
      if (!balancer_is_up(lb.lb->state)) {
        reason = fmt::format("load balancer {} is {}", lb.lb->name, lb.lb->state);
        continue;
      }
      // Which internet sources the balancer's own security groups admit on the listener port
      // (a balancer without groups admits every client).
      bool unknown = false;
      std::string unknown_reason;
      CidrSet admitted;
      if (lb.lb->group_ids.empty()) {
        admitted = public_internet();
      }
      for (const int group : lb.groups) {
        if (group == kNone) {
          unknown = true;
          unknown_reason = fmt::format("a security group of load balancer {} is not in the bundle",
                                       lb.lb->name);
          continue;
        }
        for (const auto& permission : groups[static_cast<size_t>(group)].inbound) {
          if (!permission.matches(protocol, listener.port)) {
            continue;
          }
          admitted = admitted.united(permission.sources.intersected(public_internet()));
          if (!permission.unknowns.empty()) {
            unknown = true;
            unknown_reason = permission.unknowns.front();
          }
        }
      }
      if (admitted.empty()) {
        verdict = unknown ? Tri::kUnknown : Tri::kNo;
        reason = unknown ? unknown_reason
                         : fmt::format("the security groups of load balancer {} do not admit the "
                                       "internet on port {}",
                                       lb.lb->name, listener.port);
        continue;
      }
      for (const int subnet : lb.subnets) {
        const auto& subnet_view = subnets[static_cast<size_t>(subnet)];
        if (subnet_view.route_table == kNone || subnet_view.nacl == kNone) {
          unknown = true;
          unknown_reason = fmt::format("route table or network ACL of subnet {} is unknown",
                                       subnet_view.subnet->id);
          continue;
        }
        const auto& profile =
            nacls[static_cast<size_t>(subnet_view.nacl)].profiles[slot];
        for (const auto& route : route_tables[static_cast<size_t>(subnet_view.route_table)].internet) {
          const CidrSet candidates = admitted.intersected(route.reach);
          if (candidates.empty()) {
            continue;
          }
          if (route.unknown) {
            unknown = true;
            unknown_reason = route.unknown_reason;
            continue;
          }
          if (candidates.intersects(profile.ok_in(listener.port))) {
            verdict = Tri::kYes;
            view.gateway[slot] = route.gateway_id;
            break;
          }
        }
        if (verdict == Tri::kYes) {
          break;
        }
      }
      if (verdict != Tri::kYes) {
        verdict = unknown ? Tri::kUnknown : Tri::kNo;
        reason = unknown ? unknown_reason
                         : fmt::format("no subnet of load balancer {} has an internet gateway "
                                       "route and network ACLs admitting port {}",
                                       lb.lb->name, listener.port);
      }
    }
    listeners.push_back(std::move(view));
  }
}

void NetworkIndex::build_registrations() {
  // Target groups each balancer reaches through a listener's default actions; the others it
  // is attached to are reached through listener rules, which the bundle does not hold, so they
  // count for every listener of the balancer.
  std::unordered_map<int, std::set<int>> by_default;  // balancer -> target groups
  std::vector<std::vector<int>> forwarded(listeners.size());
  for (size_t position = 0; position < listeners.size(); ++position) {
    const auto& view = listeners[position];
    for (const auto& arn : view.listener->target_group_arns) {
      const int group = find(target_group_ids_, arn);
      if (group == kNone) {
        if (env_.has(BundleFile::kTargetGroups)) {
          diagnose(fmt::format("{}: {}", bundle_file_name(BundleFile::kListeners), view.listener->arn),
                   fmt::format("forwards to target group {}, which is not in {}", arn,
                               bundle_file_name(BundleFile::kTargetGroups)));
        }
        continue;
      }
      forwarded[position].push_back(group);
      if (view.load_balancer != kNone) {
        by_default[view.load_balancer].insert(group);
      }
    }
  }
  std::unordered_map<int, std::vector<int>> attached;  // balancer -> target groups naming it
  for (size_t group = 0; group < env_.target_groups.size(); ++group) {
    for (const auto& arn : env_.target_groups[group].load_balancer_arns) {
      const int balancer = find(load_balancer_ids_, arn);
      if (balancer != kNone) {
        attached[balancer].push_back(static_cast<int>(group));
      }
    }
  }
  for (size_t position = 0; position < listeners.size(); ++position) {
    const int balancer = listeners[position].load_balancer;
    if (balancer == kNone) {
      continue;
    }
    const auto& defaults = by_default[balancer];
    for (const int group : attached[balancer]) {
      if (!defaults.count(group)) {
        forwarded[position].push_back(group);
      }
    }
  }

  std::unordered_map<std::string, int> eni_by_address;  // built on the first ip target
  std::set<int> health_noted;
  for (size_t position = 0; position < listeners.size(); ++position) {
    const auto& view = listeners[position];
    if (view.load_balancer == kNone) {
      continue;
    }
    auto& lb = load_balancers[static_cast<size_t>(view.load_balancer)];
    if (!lb.internet_facing) {
      continue;
    }
    for (const int group_index : forwarded[position]) {
      const auto& group = env_.target_groups[static_cast<size_t>(group_index)];
      const std::string where =
          fmt::format("{}: {}", bundle_file_name(BundleFile::kTargetGroups), group.name);
      if (!group.health_known) {
        lb.health_unknown = true;
        if (health_noted.insert(group_index).second) {
          diagnose(where, fmt::format("targets unknown: describe-target-health.{}.json is missing",
                                      group.name));
        }
        continue;
      }
      const auto transports = transports_of(group.protocol.empty() ? view.listener->protocol
                                                                   : group.protocol);
      for (const auto& target : group.targets) {
        if (target.state != "healthy") {
          continue;
        }
        const auto port = target.port ? target.port : group.port;
        if (!port) {
          diagnose(where, fmt::format("target {} has no port", target.target_id));
          continue;
        }
        Registration registration{static_cast<int>(position), group_index, kProtocolTcp, *port,
                                  kNone};
        std::string_view instance_id = target.target_id;
        if (group.target_type == "ip") {
          if (eni_by_address.empty()) {
            for (size_t eni = 0; eni < enis.size(); ++eni) {
              for (const auto& address : enis[eni].eni->private_addresses) {
                eni_by_address.emplace(format_cidr(address), static_cast<int>(eni));
              }
            }
          }
          const auto parsed = parse_cidr(target.target_id);
          const auto it = parsed ? eni_by_address.find(format_cidr(*parsed)) : eni_by_address.end();
          if (it == eni_by_address.end() || enis[static_cast<size_t>(it->second)].eni->instance_id.empty()) {
            continue;  // an IP outside the bundle's instances (on premises, another service)
          }
          registration.eni = it->second;
          instance_id = enis[static_cast<size_t>(it->second)].eni->instance_id;
        } else if (group.target_type != "instance") {
          continue;  // lambda and alb targets are not instances
        }
        const int instance = find_instance(instance_id);
        if (instance == kNone) {
          if (env_.has(BundleFile::kInstances)) {
            diagnose(where, fmt::format("target {} is not in {}", target.target_id,
                                        bundle_file_name(BundleFile::kInstances)));
          }
          continue;
        }
        auto& list = registrations[env_.instances[static_cast<size_t>(instance)].id];
        for (const int protocol : {kProtocolTcp, kProtocolUdp}) {
          if (transports[transport_slot(protocol)]) {
            registration.protocol = protocol;
            list.push_back(registration);
          }
        }
      }
    }
  }
}

}  // namespace vigil::reachability::internal
