// Precomputed address sets: what each NACL lets in and out per port interval, and which
// addresses each route table sends to an internet gateway or a peering connection after
// longest-prefix match.
#include <algorithm>
#include <utility>

#include "reachability/internal/network_index.hpp"

namespace vigil::reachability::internal {
namespace {

bool entry_matches_protocol(const NaclEntry& entry, int protocol) {
  return entry.protocol == kAllProtocols || entry.protocol == protocol;
}

bool entry_matches_port(const NaclEntry& entry, uint32_t port) {
  // "All traffic" entries carry no meaningful PortRange.
  if (entry.protocol == kAllProtocols || !entry.ports) {
    return true;
  }
  return entry.ports->begin <= port && port <= entry.ports->end;
}

// Splits 0-65535 where any entry's port range starts or ends, and evaluates each interval:
// entries in RuleNumber order, the first whose CIDR holds an address decides for it, and what
// no entry decides falls to the default deny.
void evaluate_direction(const std::vector<const NaclEntry*>& entries, int protocol,
                        std::vector<uint32_t>& starts, std::vector<CidrSet>& allowed) {
  starts = {0};
  for (const auto* entry : entries) {
    if (entry->protocol == protocol && entry->ports) {
      starts.push_back(entry->ports->begin);
      if (entry->ports->end < 65535) {
        starts.push_back(uint32_t{entry->ports->end} + 1);
      }
    }
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  allowed.clear();
  allowed.reserve(starts.size());
  for (const uint32_t port : starts) {
    CidrSet remaining = CidrSet::universe();
    CidrSet let_through;
    for (const auto* entry : entries) {
      if (remaining.empty()) {
        break;
      }
      if (!entry_matches_protocol(*entry, protocol) || !entry_matches_port(*entry, port) ||
          !remaining.intersects(entry->cidr)) {
        continue;
      }
      if (entry->allow) {
        let_through = let_through.united(remaining.intersected(CidrSet({entry->cidr})));
      }
      remaining = remaining.minus(entry->cidr);
    }
    allowed.push_back(std::move(let_through));
  }
}

// The destinations to which every port of [begin, end] is allowed out.
CidrSet allowed_for_range(const std::vector<uint32_t>& starts, const std::vector<CidrSet>& allowed,
                          PortRange range) {
  CidrSet out = CidrSet::universe();
  for (size_t interval = 0; interval < starts.size(); ++interval) {
    const uint32_t first = starts[interval];
    const uint32_t last = interval + 1 < starts.size() ? starts[interval + 1] - 1 : 65535;
    if (last < range.begin || first > range.end) {
      continue;
    }
    out = out.intersected(allowed[interval]);
    if (out.empty()) {
      break;
    }
  }
  return out;
}

std::string route_target_note(const Route& route) {
  switch (route.target) {
    case RouteTarget::kNatGateway:
      return " (a NAT gateway gives no inbound path)";
    case RouteTarget::kEgressOnlyGateway:
      return " (an egress-only internet gateway gives no inbound path)";
    case RouteTarget::kInternetGateway:
      return "";
    default:
      return route.active ? "" : " (blackhole)";
  }
}

}  // namespace

FamilySets::FamilySets(const CidrSet& all) {
  std::vector<Cidr> v4_blocks;
  std::vector<Cidr> v6_blocks;
  for (const auto& block : all.blocks()) {
    (block.family == IpFamily::kV4 ? v4_blocks : v6_blocks).push_back(block);
  }
  v4 = CidrSet(std::move(v4_blocks));
  v6 = CidrSet(std::move(v6_blocks));
}

const FamilySets& public_families() {
  static const FamilySets kPublic(public_internet());
  return kPublic;
}

void NetworkIndex::build_windows(SubnetView& subnet) const {
  if (subnet.nacl == kNone || subnet.vpc == kNone) {
    return;
  }
  const auto& vpc = vpcs[static_cast<size_t>(subnet.vpc)];
  const auto& nacl = nacls[static_cast<size_t>(subnet.nacl)];
  const RouteTableView* table = subnet.route_table == kNone
                                    ? nullptr
                                    : &route_tables[static_cast<size_t>(subnet.route_table)];
  // The peers' addresses this subnet routes back through their own peering connection.
  std::vector<CidrSet> peer_routed;
  if (table != nullptr) {
    for (const auto& peer : vpc.peers) {
      const std::string& peering_id = env_.peering_connections[static_cast<size_t>(peer.peering)].id;
      CidrSet routed;
      for (const auto& route : table->peering) {
        if (route.gateway_id == peering_id && !route.unknown) {
          routed = routed.united(route.reach);
        }
      }
      peer_routed.push_back(peer.remote_cidrs.intersected(routed));
    }
  }
  for (size_t slot = 0; slot < subnet.windows.size(); ++slot) {
    const auto& profile = nacl.profiles[slot];
    for (size_t interval = 0; interval < profile.ingress_starts.size(); ++interval) {
      const CidrSet& allowed = profile.ingress_allowed[interval];
      const CidrSet& ok = profile.ingress_ok[interval];
      SubnetWindow window;
      window.vpc_ok = vpc.cidrs.intersected(ok);
      if (table != nullptr) {
        for (const auto& route : table->internet) {
          window.gateway_in.emplace_back(route.reach.intersected(allowed));
          window.gateway_ok.emplace_back(route.reach.intersected(ok));
        }
        for (const auto& routed : peer_routed) {
          window.peer_ok.push_back(routed.intersected(ok));
        }
      }
      subnet.windows[slot].push_back(std::move(window));
    }
  }
}

NaclView NetworkIndex::build_nacl(const NetworkAcl& acl) const {
  NaclView view;
  view.acl = &acl;
  std::vector<const NaclEntry*> ingress;
  std::vector<const NaclEntry*> egress;
  for (const auto& entry : acl.entries) {
    (entry.egress ? egress : ingress).push_back(&entry);
  }
  const auto by_number = [](const NaclEntry* lhs, const NaclEntry* rhs) {
    return lhs->rule_number < rhs->rule_number;
  };
  std::stable_sort(ingress.begin(), ingress.end(), by_number);
  std::stable_sort(egress.begin(), egress.end(), by_number);
  for (const int protocol : {kProtocolTcp, kProtocolUdp}) {
    auto& profile = view.profiles[transport_slot(protocol)];
    evaluate_direction(ingress, protocol, profile.ingress_starts, profile.ingress_allowed);
    evaluate_direction(egress, protocol, profile.egress_starts, profile.egress_allowed);
    profile.return_full =
        allowed_for_range(profile.egress_starts, profile.egress_allowed, PortRange{1024, 65535});
    CidrSet return_clients;
    for (const auto& range : options_.client_ephemeral_ranges) {
      return_clients = return_clients.united(
          allowed_for_range(profile.egress_starts, profile.egress_allowed, range));
    }
    profile.ingress_ok.reserve(profile.ingress_allowed.size());
    for (const auto& allowed : profile.ingress_allowed) {
      profile.ingress_ok.push_back(allowed.intersected(return_clients));
    }
  }
  return view;
}

RouteTableView NetworkIndex::build_route_table(const RouteTable& table) {
  RouteTableView view;
  view.table = &table;
  const std::string where =
      fmt::format("{}: {}", bundle_file_name(BundleFile::kRouteTables), table.id);
  // Every destination block with the route it belongs to; a route to a prefix list owns the
  // list's entries.
  struct Destination {
    Cidr block;
    size_t route;
  };
  std::vector<Destination> destinations;
  std::vector<std::string> unknown_destination(table.routes.size());
  for (size_t position = 0; position < table.routes.size(); ++position) {
    const auto& route = table.routes[position];
    if (route.destination) {
      destinations.push_back({*route.destination, position});
      continue;
    }
    const int list = find(prefix_list_ids_, route.destination_prefix_list);
    if (list != kNone && env_.prefix_lists[static_cast<size_t>(list)].entries_known) {
      for (const auto& entry : env_.prefix_lists[static_cast<size_t>(list)].entries) {
        destinations.push_back({entry, position});
      }
    } else {
      unknown_destination[position] = fmt::format(
          "route table {} routes prefix list {}, whose entries are not in the bundle", table.id,
          route.destination_prefix_list);
    }
  }
  for (size_t position = 0; position < table.routes.size(); ++position) {
    const auto& route = table.routes[position];
    if (route.destination && route.destination->prefix == 0) {
      const std::string text = fmt::format("{} → {}{}", format_cidr(*route.destination),
                                           route.target_id, route_target_note(route));
      (route.destination->family == IpFamily::kV4 ? view.default_v4 : view.default_v6) = text;
    }
    if (route.target == RouteTarget::kNatGateway && env_.has(BundleFile::kNatGateways) &&
        find(nat_ids_, route.target_id) == kNone) {
      diagnose(where, fmt::format("route to NAT gateway {}, which is not in {}", route.target_id,
                                  bundle_file_name(BundleFile::kNatGateways)));
    }
    if (!route.active ||
        (route.target != RouteTarget::kInternetGateway && route.target != RouteTarget::kPeering)) {
      continue;
    }
    GatewayRoute gateway;
    gateway.gateway_id = route.target_id;
    if (!unknown_destination[position].empty()) {
      gateway.unknown = true;
      gateway.unknown_reason = unknown_destination[position];
    }
    // Longest-prefix match: this route owns its blocks minus every strictly more specific
    // block of any other route (blackholes included: they drop what they match).
    std::vector<Cidr> owned;
    for (const auto& destination : destinations) {
      if (destination.route != position) {
        continue;
      }
      CidrSet piece({destination.block});
      for (const auto& other : destinations) {
        if (other.route != position && other.block.prefix > destination.block.prefix &&
            contains(destination.block, other.block)) {
          piece = piece.minus(other.block);
        }
      }
      owned.insert(owned.end(), piece.blocks().begin(), piece.blocks().end());
    }
    gateway.reach = CidrSet(std::move(owned));
    if (route.target == RouteTarget::kInternetGateway) {
      gateway.reach = gateway.reach.intersected(public_internet());
      gateway.reach_families = FamilySets(gateway.reach);
      const int igw = find(igw_ids_, route.target_id);
      if (!env_.has(BundleFile::kInternetGateways)) {
        gateway.unknown = true;
        gateway.unknown_reason = fmt::format("internet gateway {} cannot be checked ({} is missing)",
                                             route.target_id,
                                             bundle_file_name(BundleFile::kInternetGateways));
      } else if (igw == kNone) {
        diagnose(where, fmt::format("route to internet gateway {}, which is not in {}",
                                    route.target_id,
                                    bundle_file_name(BundleFile::kInternetGateways)));
        gateway.unknown = true;
        gateway.unknown_reason = fmt::format("internet gateway {} is not in the bundle",
                                             route.target_id);
      } else {
        const auto& attached = env_.internet_gateways[static_cast<size_t>(igw)].attached_vpc_ids;
        if (std::find(attached.begin(), attached.end(), table.vpc_id) == attached.end()) {
          diagnose(where, fmt::format("routes to internet gateway {}, which is not attached to {}",
                                      route.target_id, table.vpc_id));
          continue;
        }
      }
      view.internet.push_back(std::move(gateway));
      continue;
    }
    const PeeringConnection* peering = find_peering(route.target_id);
    if (!env_.has(BundleFile::kPeeringConnections) || peering == nullptr) {
      if (env_.has(BundleFile::kPeeringConnections)) {
        diagnose(where, fmt::format("route to peering connection {}, which is not in {}",
                                    route.target_id,
                                    bundle_file_name(BundleFile::kPeeringConnections)));
      }
      gateway.unknown = true;
      gateway.unknown_reason =
          fmt::format("peering connection {} is not in the bundle", route.target_id);
    } else if (peering->status != "active") {
      continue;
    }
    view.peering.push_back(std::move(gateway));
  }
  return view;
}

}  // namespace vigil::reachability::internal
