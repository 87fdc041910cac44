// Parsers for the VPC plumbing: NACLs, route tables, subnets, VPCs, internet and NAT gateways,
// peering connections and managed prefix lists.
#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "reachability/internal/parsers.hpp"

namespace vigil::reachability::internal {
namespace {

PeeringSide peering_side(const object& obj, std::string_view where, ParseContext& ctx) {
  PeeringSide side;
  side.vpc_id = std::string(str(obj, "VpcId"));
  side.owner_id = std::string(str(obj, "OwnerId"));
  side.region = std::string(str(obj, "Region"));
  std::vector<Cidr> cidrs;
  add_cidr(ctx, where, "CidrBlock", str(obj, "CidrBlock"), cidrs);
  each_object(obj, "CidrBlockSet", [&](const object& block, size_t) {
    add_cidr(ctx, where, "CidrBlockSet", str(block, "CidrBlock"), cidrs);
  });
  each_object(obj, "Ipv6CidrBlockSet", [&](const object& block, size_t) {
    add_cidr(ctx, where, "Ipv6CidrBlockSet", str(block, "Ipv6CidrBlock"), cidrs);
  });
  side.cidrs = CidrSet(std::move(cidrs)).blocks();
  return side;
}

}  // namespace

bool parse_network_acls(const object& root, ParseContext& ctx) {
  return each_object(root, "NetworkAcls", [&](const object& obj, size_t index) {
    NetworkAcl acl;
    acl.id = std::string(str(obj, "NetworkAclId"));
    const std::string where = item_where("NetworkAcls", index, acl.id);
    if (acl.id.empty()) {
      ctx.warn(where, "network ACL without NetworkAclId ignored");
      return;
    }
    acl.vpc_id = std::string(str(obj, "VpcId"));
    acl.is_default = bool_at(obj, "IsDefault").value_or(false);
    each_object(obj, "Associations", [&](const object& association, size_t) {
      if (const auto subnet = str(association, "SubnetId"); !subnet.empty()) {
        acl.subnet_ids.emplace_back(subnet);
      }
    });
    each_object(obj, "Entries", [&](const object& item, size_t entry_index) {
      const std::string entry_where = fmt::format("{}: Entries[{}]", where, entry_index);
      NaclEntry entry;
      const auto number = int_at(item, "RuleNumber");
      const auto egress = bool_at(item, "Egress");
      const auto protocol = parse_protocol(str(item, "Protocol"));
      const auto action = str(item, "RuleAction");
      if (!number || *number < 1 || *number > 32768 || !egress || !protocol ||
          (action != "allow" && action != "deny")) {
        ctx.warn(entry_where,
                 "entry needs RuleNumber (1-32768), Egress, Protocol and RuleAction allow|deny; "
                 "ignored");
        return;
      }
      entry.rule_number = static_cast<int32_t>(*number);
      entry.egress = *egress;
      entry.protocol = *protocol;
      entry.allow = action == "allow";
      std::string_view block = str(item, "CidrBlock");
      if (block.empty()) {
        block = str(item, "Ipv6CidrBlock");
      }
      if (block.empty()) {
        ctx.warn(entry_where, "entry without CidrBlock or Ipv6CidrBlock ignored");
        return;
      }
      const auto cidr = ctx.cidr(entry_where, "CidrBlock", block);
      if (!cidr) {
        return;
      }
      entry.cidr = *cidr;
      if (const auto range = obj_at(item, "PortRange")) {
        const auto from = int_at(*range, "From");
        const auto to = int_at(*range, "To");
        if (!from || !to || *from < 0 || *to > 65535 || *from > *to) {
          ctx.warn(entry_where, "entry with an invalid PortRange ignored");
          return;
        }
        entry.ports = PortRange{static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
      }
      acl.entries.push_back(entry);
    });
    if (acl.entries.size() > kMaxNaclEntries) {
      ctx.warn(where, fmt::format("{} entries is over the limit of {}; network ACL ignored",
                                  acl.entries.size(), kMaxNaclEntries));
      return;
    }
    ctx.env().network_acls.push_back(std::move(acl));
  });
}

bool parse_route_tables(const object& root, ParseContext& ctx) {
  return each_object(root, "RouteTables", [&](const object& obj, size_t index) {
    RouteTable table;
    table.id = std::string(str(obj, "RouteTableId"));
    const std::string where = item_where("RouteTables", index, table.id);
    if (table.id.empty()) {
      ctx.warn(where, "route table without RouteTableId ignored");
      return;
    }
    table.vpc_id = std::string(str(obj, "VpcId"));
    each_object(obj, "Associations", [&](const object& association, size_t) {
      if (bool_at(association, "Main").value_or(false)) {
        table.main = true;
      }
      if (const auto subnet = str(association, "SubnetId"); !subnet.empty()) {
        table.subnet_ids.emplace_back(subnet);
      }
    });
    each_object(obj, "Routes", [&](const object& item, size_t route_index) {
      const std::string route_where = fmt::format("{}: Routes[{}]", where, route_index);
      Route route;
      std::string_view destination = str(item, "DestinationCidrBlock");
      if (destination.empty()) {
        destination = str(item, "DestinationIpv6CidrBlock");
      }
      if (!destination.empty()) {
        route.destination = ctx.cidr(route_where, "DestinationCidrBlock", destination);
        if (!route.destination) {
          return;
        }
      } else {
        route.destination_prefix_list = std::string(str(item, "DestinationPrefixListId"));
        if (route.destination_prefix_list.empty()) {
          ctx.warn(route_where, "route without a destination ignored");
          return;
        }
      }
      route.active = str(item, "State") != "blackhole";
      const auto gateway = str(item, "GatewayId");
      struct Candidate {
        std::string_view id;
        RouteTarget target;
      };
      const Candidate candidates[] = {
          {str(item, "NatGatewayId"), RouteTarget::kNatGateway},
          {str(item, "VpcPeeringConnectionId"), RouteTarget::kPeering},
          {str(item, "TransitGatewayId"), RouteTarget::kTransitGateway},
          {str(item, "EgressOnlyInternetGatewayId"), RouteTarget::kEgressOnlyGateway},
          {str(item, "InstanceId"), RouteTarget::kInstance},
          {str(item, "NetworkInterfaceId"), RouteTarget::kNetworkInterface},
          {str(item, "LocalGatewayId"), RouteTarget::kOther},
          {str(item, "CarrierGatewayId"), RouteTarget::kOther},
      };
      if (gateway == "local") {
        route.target = RouteTarget::kLocal;
        route.target_id = "local";
      } else if (gateway.substr(0, 4) == "igw-") {
        route.target = RouteTarget::kInternetGateway;
        route.target_id = std::string(gateway);
      } else if (gateway.substr(0, 4) == "vgw-") {
        route.target = RouteTarget::kVirtualGateway;
        route.target_id = std::string(gateway);
      } else {
        for (const auto& candidate : candidates) {
          if (!candidate.id.empty()) {
            route.target = candidate.target;
            route.target_id = std::string(candidate.id);
            break;
          }
        }
        if (route.target_id.empty()) {
          route.target_id = std::string(gateway);
        }
      }
      table.routes.push_back(std::move(route));
    });
    if (table.routes.size() > kMaxRoutesPerTable) {
      ctx.warn(where, fmt::format("{} routes is over the limit of {}; route table ignored",
                                  table.routes.size(), kMaxRoutesPerTable));
      return;
    }
    ctx.env().route_tables.push_back(std::move(table));
  });
}

bool parse_subnets(const object& root, ParseContext& ctx) {
  return each_object(root, "Subnets", [&](const object& obj, size_t index) {
    Subnet subnet;
    subnet.id = std::string(str(obj, "SubnetId"));
    const std::string where = item_where("Subnets", index, subnet.id);
    if (subnet.id.empty()) {
      ctx.warn(where, "subnet without SubnetId ignored");
      return;
    }
    subnet.vpc_id = std::string(str(obj, "VpcId"));
    subnet.owner_id = std::string(str(obj, "OwnerId"));
    add_cidr(ctx, where, "CidrBlock", str(obj, "CidrBlock"), subnet.cidrs);
    each_object(obj, "Ipv6CidrBlockAssociationSet", [&](const object& block, size_t) {
      add_cidr(ctx, where, "Ipv6CidrBlock", str(block, "Ipv6CidrBlock"), subnet.cidrs);
    });
    ctx.env().subnets.push_back(std::move(subnet));
  });
}

bool parse_vpcs(const object& root, ParseContext& ctx) {
  return each_object(root, "Vpcs", [&](const object& obj, size_t index) {
    Vpc vpc;
    vpc.id = std::string(str(obj, "VpcId"));
    const std::string where = item_where("Vpcs", index, vpc.id);
    if (vpc.id.empty()) {
      ctx.warn(where, "VPC without VpcId ignored");
      return;
    }
    vpc.owner_id = std::string(str(obj, "OwnerId"));
    std::vector<Cidr> cidrs;
    add_cidr(ctx, where, "CidrBlock", str(obj, "CidrBlock"), cidrs);
    each_object(obj, "CidrBlockAssociationSet", [&](const object& block, size_t) {
      add_cidr(ctx, where, "CidrBlockAssociationSet", str(block, "CidrBlock"), cidrs);
    });
    each_object(obj, "Ipv6CidrBlockAssociationSet", [&](const object& block, size_t) {
      add_cidr(ctx, where, "Ipv6CidrBlock", str(block, "Ipv6CidrBlock"), cidrs);
    });
    vpc.cidrs = CidrSet(std::move(cidrs)).blocks();
    ctx.env().vpcs.push_back(std::move(vpc));
  });
}

bool parse_internet_gateways(const object& root, ParseContext& ctx) {
  return each_object(root, "InternetGateways", [&](const object& obj, size_t index) {
    InternetGateway gateway;
    gateway.id = std::string(str(obj, "InternetGatewayId"));
    if (gateway.id.empty()) {
      ctx.warn(item_where("InternetGateways", index, {}), "gateway without InternetGatewayId ignored");
      return;
    }
    each_object(obj, "Attachments", [&](const object& attachment, size_t) {
      const auto state = str(attachment, "State");
      if ((state == "available" || state == "attached") && !str(attachment, "VpcId").empty()) {
        gateway.attached_vpc_ids.emplace_back(str(attachment, "VpcId"));
      }
    });
    ctx.env().internet_gateways.push_back(std::move(gateway));
  });
}

bool parse_nat_gateways(const object& root, ParseContext& ctx) {
  return each_object(root, "NatGateways", [&](const object& obj, size_t index) {
    NatGateway gateway{std::string(str(obj, "NatGatewayId")), std::string(str(obj, "SubnetId")),
                       std::string(str(obj, "VpcId")), std::string(str(obj, "State"))};
    if (gateway.id.empty()) {
      ctx.warn(item_where("NatGateways", index, {}), "NAT gateway without NatGatewayId ignored");
      return;
    }
    ctx.env().nat_gateways.push_back(std::move(gateway));
  });
}

bool parse_peering_connections(const object& root, ParseContext& ctx) {
  return each_object(root, "VpcPeeringConnections", [&](const object& obj, size_t index) {
    PeeringConnection peering;
    peering.id = std::string(str(obj, "VpcPeeringConnectionId"));
    const std::string where = item_where("VpcPeeringConnections", index, peering.id);
    if (peering.id.empty()) {
      ctx.warn(where, "peering connection without VpcPeeringConnectionId ignored");
      return;
    }
    if (const auto status = obj_at(obj, "Status")) {
      peering.status = std::string(str(*status, "Code"));
    }
    const auto requester = obj_at(obj, "RequesterVpcInfo");
    const auto accepter = obj_at(obj, "AccepterVpcInfo");
    if (!requester || !accepter) {
      ctx.warn(where, "peering connection without RequesterVpcInfo/AccepterVpcInfo ignored");
      return;
    }
    peering.requester = peering_side(*requester, where, ctx);
    peering.accepter = peering_side(*accepter, where, ctx);
    ctx.env().peering_connections.push_back(std::move(peering));
  });
}

bool parse_prefix_lists(const object& root, ParseContext& ctx) {
  return each_object(root, "PrefixLists", [&](const object& obj, size_t index) {
    PrefixList list;
    list.id = std::string(str(obj, "PrefixListId"));
    const std::string where = item_where("PrefixLists", index, list.id);
    if (list.id.empty()) {
      ctx.warn(where, "prefix list without PrefixListId ignored");
      return;
    }
    list.name = std::string(str(obj, "PrefixListName"));
    // Not part of describe-managed-prefix-lists itself: a bundle may inline the entries that
    // get-managed-prefix-list-entries returns.
    list.entries_known = each_object(obj, "Entries", [&](const object& entry, size_t) {
      add_cidr(ctx, where, "Cidr", str(entry, "Cidr"), list.entries);
    });
    ctx.env().prefix_lists.push_back(std::move(list));
  });
}

bool parse_prefix_list_entries(const object& root, std::string_view prefix_list_id,
                               ParseContext& ctx) {
  std::vector<Cidr> entries;
  const bool listed = each_object(root, "Entries", [&](const object& entry, size_t index) {
    add_cidr(ctx, fmt::format("Entries[{}]", index), "Cidr", str(entry, "Cidr"), entries);
  });
  if (!listed) {
    return false;
  }
  auto& lists = ctx.env().prefix_lists;
  auto it = std::find_if(lists.begin(), lists.end(),
                         [&](const PrefixList& list) { return list.id == prefix_list_id; });
  if (it == lists.end()) {
    lists.push_back({std::string(prefix_list_id), {}, false, {}});
    it = std::prev(lists.end());
  }
  it->entries_known = true;
  it->entries.insert(it->entries.end(), entries.begin(), entries.end());
  return true;
}

}  // namespace vigil::reachability::internal
