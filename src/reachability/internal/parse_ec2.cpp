// Parsers for `aws ec2 describe-*` output: instances, interfaces, security groups, NACLs, route
// tables, subnets, VPCs, gateways, peering connections and managed prefix lists.
#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.hpp"
#include "reachability/internal/parsers.hpp"

namespace vigil::reachability::internal {
namespace {

std::string item_where(std::string_view list, size_t index, std::string_view id) {
  if (!id.empty()) {
    return std::string(id);
  }
  return fmt::format("{}[{}]", list, index);
}

std::string name_tag(const object& obj, std::string_view key) {
  std::string name;
  each_object(obj, key, [&](const object& tag, size_t) {
    if (str(tag, "Key") == "Name") {
      name = std::string(str(tag, "Value"));
    }
  });
  return name;
}

void add_cidr(ParseContext& ctx, std::string_view where, std::string_view field,
              std::string_view text, std::vector<Cidr>& out) {
  if (text.empty()) {
    return;
  }
  if (auto cidr = ctx.cidr(where, field, text)) {
    out.push_back(*cidr);
  }
}

// Reads an ENI in either shape (describe-network-interfaces, or the NetworkInterfaces of an
// instance in describe-instances, which lacks a few fields).
NetworkInterface interface_from(const object& obj, std::string_view instance_id,
                                std::string_view owner_id, std::string_view where,
                                ParseContext& ctx) {
  NetworkInterface eni;
  eni.id = std::string(str(obj, "NetworkInterfaceId"));
  eni.subnet_id = std::string(str(obj, "SubnetId"));
  eni.vpc_id = std::string(str(obj, "VpcId"));
  eni.owner_id = std::string(str(obj, "OwnerId"));
  if (eni.owner_id.empty()) {
    eni.owner_id = std::string(owner_id);
  }
  eni.interface_type = std::string(str(obj, "InterfaceType"));
  eni.description = std::string(str(obj, "Description"));
  eni.instance_id = std::string(instance_id);
  if (const auto attachment = obj_at(obj, "Attachment")) {
    if (eni.instance_id.empty()) {
      eni.instance_id = std::string(str(*attachment, "InstanceId"));
    }
    if (const auto index = int_at(*attachment, "DeviceIndex"); index && *index >= 0 && *index < 1024) {
      eni.device_index = static_cast<int>(*index);
    }
  }
  each_object(obj, "Groups", [&](const object& group, size_t) {
    if (const auto id = str(group, "GroupId"); !id.empty()) {
      eni.group_ids.emplace_back(id);
    }
  });
  auto note_association = [&](const object& holder) {
    if (const auto association = obj_at(holder, "Association")) {
      if (const auto ip = str(*association, "PublicIp"); !ip.empty()) {
        eni.public_ips.emplace_back(ip);
        const auto ip_owner = str(*association, "IpOwnerId");
        if (!str(*association, "AllocationId").empty() ||
            (!ip_owner.empty() && ip_owner != "amazon")) {
          eni.elastic_ip = true;
        }
      }
    }
  };
  note_association(obj);
  add_cidr(ctx, where, "PrivateIpAddress", str(obj, "PrivateIpAddress"), eni.private_addresses);
  each_object(obj, "PrivateIpAddresses", [&](const object& address, size_t) {
    const auto ip = str(address, "PrivateIpAddress");
    if (ip != str(obj, "PrivateIpAddress")) {
      add_cidr(ctx, where, "PrivateIpAddresses", ip, eni.private_addresses);
    }
    note_association(address);
  });
  // The primary address's association repeats the interface's own: keep each IP once.
  std::vector<std::string> unique_ips;
  for (auto& ip : eni.public_ips) {
    if (std::find(unique_ips.begin(), unique_ips.end(), ip) == unique_ips.end()) {
      unique_ips.push_back(std::move(ip));
    }
  }
  eni.public_ips = std::move(unique_ips);
  each_object(obj, "Ipv6Addresses", [&](const object& address, size_t) {
    const auto ip = str(address, "Ipv6Address");
    if (!ip.empty()) {
      eni.ipv6_addresses.emplace_back(ip);
      add_cidr(ctx, where, "Ipv6Addresses", ip, eni.private_addresses);
    }
  });
  return eni;
}

bool parse_permission(const object& obj, std::string_view where, ParseContext& ctx,
                      SgPermission& permission) {
  const auto protocol_text = str(obj, "IpProtocol");
  const auto protocol = parse_protocol(protocol_text);
  if (!protocol) {
    ctx.warn(where, protocol_text.empty()
                        ? std::string("rule without IpProtocol ignored")
                        : fmt::format("rule with unknown IpProtocol \"{}\" ignored", protocol_text));
    return false;
  }
  permission.protocol = *protocol;
  if (*protocol == kProtocolTcp || *protocol == kProtocolUdp) {
    const auto from = int_at(obj, "FromPort");
    const auto to = int_at(obj, "ToPort");
    if (!from || !to) {
      ctx.warn(where, fmt::format("{} rule without FromPort/ToPort ignored", protocol_text));
      return false;
    }
    if (*from < 0 || *to > 65535 || *from > *to) {
      ctx.warn(where, fmt::format("{} rule with invalid port range {}-{} ignored", protocol_text,
                                  *from, *to));
      return false;
    }
    permission.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
  }
  const auto add_source = [&](std::string_view field, std::string_view text) {
    const size_t before = permission.cidrs.size();
    add_cidr(ctx, where, field, text, permission.cidrs);
    if (!text.empty() && permission.cidrs.size() == before) {
      permission.invalid_sources.emplace_back(text);
    }
  };
  each_object(obj, "IpRanges", [&](const object& range, size_t) {
    add_source("CidrIp", str(range, "CidrIp"));
  });
  each_object(obj, "Ipv6Ranges", [&](const object& range, size_t) {
    add_source("CidrIpv6", str(range, "CidrIpv6"));
  });
  each_object(obj, "PrefixListIds", [&](const object& list, size_t) {
    if (const auto id = str(list, "PrefixListId"); !id.empty()) {
      permission.prefix_list_ids.emplace_back(id);
    }
  });
  each_object(obj, "UserIdGroupPairs", [&](const object& pair, size_t) {
    GroupReference reference{std::string(str(pair, "GroupId")), std::string(str(pair, "UserId")),
                             std::string(str(pair, "VpcId")),
                             std::string(str(pair, "VpcPeeringConnectionId"))};
    if (reference.group_id.empty()) {
      ctx.warn(where, "UserIdGroupPairs entry without GroupId ignored");
      return;
    }
    permission.groups.push_back(std::move(reference));
  });
  return true;
}

void parse_permissions(const object& obj, std::string_view key, std::string_view where,
                       ParseContext& ctx, std::vector<SgPermission>& out) {
  each_object(obj, key, [&](const object& item, size_t index) {
    SgPermission permission;
    if (parse_permission(item, fmt::format("{}: {}[{}]", where, key, index), ctx, permission)) {
      out.push_back(std::move(permission));
    }
  });
}

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

void ParseContext::warn(std::string_view where, std::string message) {
  env_.diagnostics.push_back({model::DiagnosticLevel::kWarning,
                              where.empty() ? file_ : fmt::format("{}: {}", file_, where),
                              std::move(message)});
}

std::optional<Cidr> ParseContext::cidr(std::string_view where, std::string_view field,
                                       std::string_view text) {
  auto parsed = parse_cidr(text);
  if (!parsed) {
    warn(where, fmt::format("{}: {} (ignored)", field, parsed.error().message));
    return std::nullopt;
  }
  return *parsed;
}

std::optional<int> parse_protocol(std::string_view text) {
  const std::string lower = to_lower(text);
  if (lower == "-1" || lower == "all") {
    return kAllProtocols;
  }
  if (lower == "tcp") {
    return kProtocolTcp;
  }
  if (lower == "udp") {
    return kProtocolUdp;
  }
  if (lower == "icmp") {
    return 1;
  }
  if (lower == "icmpv6") {
    return 58;
  }
  if (lower.empty() || lower.size() > 3) {
    return std::nullopt;
  }
  int number = 0;
  for (char c : lower) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    number = number * 10 + (c - '0');
  }
  if (number > 255) {
    return std::nullopt;
  }
  return number;
}

bool parse_instances(const object& root, ParseContext& ctx) {
  // Usually one instance and one interface per reservation: reserve to avoid regrowing
  // vectors of large structs on big organisations.
  if (const auto reservations = arr_at(root, "Reservations")) {
    ctx.env().instances.reserve(ctx.env().instances.size() + reservations->size());
    ctx.env().interfaces.reserve(ctx.env().interfaces.size() + reservations->size());
  }
  return each_object(root, "Reservations", [&](const object& reservation, size_t reservation_index) {
    const auto owner = str(reservation, "OwnerId");
    const bool listed = each_object(reservation, "Instances", [&](const object& obj, size_t index) {
      Instance instance;
      instance.id = std::string(str(obj, "InstanceId"));
      const std::string where =
          instance.id.empty() ? fmt::format("Reservations[{}].Instances[{}]", reservation_index, index)
                              : instance.id;
      if (instance.id.empty()) {
        ctx.warn(where, "instance without InstanceId ignored");
        return;
      }
      instance.owner_id = std::string(owner);
      if (const auto state = obj_at(obj, "State")) {
        instance.state = std::string(str(*state, "Name"));
      }
      instance.name = name_tag(obj, "Tags");
      instance.subnet_id = std::string(str(obj, "SubnetId"));
      instance.vpc_id = std::string(str(obj, "VpcId"));
      instance.public_ip = std::string(str(obj, "PublicIpAddress"));
      each_object(obj, "SecurityGroups", [&](const object& group, size_t) {
        if (const auto id = str(group, "GroupId"); !id.empty()) {
          instance.group_ids.emplace_back(id);
        }
      });
      each_object(obj, "NetworkInterfaces", [&](const object& item, size_t eni_index) {
        auto eni = interface_from(item, instance.id, owner, where, ctx);
        if (eni.id.empty()) {
          ctx.warn(fmt::format("{}: NetworkInterfaces[{}]", where, eni_index),
                   "interface without NetworkInterfaceId ignored");
          return;
        }
        instance.interface_ids.push_back(eni.id);
        ctx.env().interfaces.push_back(std::move(eni));
      });
      ctx.env().instances.push_back(std::move(instance));
    });
    if (!listed) {
      ctx.warn(fmt::format("Reservations[{}]", reservation_index), "missing Instances");
    }
  });
}

bool parse_network_interfaces(const object& root, ParseContext& ctx) {
  if (const auto items = arr_at(root, "NetworkInterfaces")) {
    ctx.env().interfaces.reserve(ctx.env().interfaces.size() + items->size());
  }
  return each_object(root, "NetworkInterfaces", [&](const object& obj, size_t index) {
    const std::string where = item_where("NetworkInterfaces", index, str(obj, "NetworkInterfaceId"));
    auto eni = interface_from(obj, {}, {}, where, ctx);
    if (eni.id.empty()) {
      ctx.warn(where, "interface without NetworkInterfaceId ignored");
      return;
    }
    ctx.env().interfaces.push_back(std::move(eni));
  });
}

bool parse_security_groups(const object& root, ParseContext& ctx) {
  return each_object(root, "SecurityGroups", [&](const object& obj, size_t index) {
    SecurityGroup group;
    group.id = std::string(str(obj, "GroupId"));
    const std::string where = item_where("SecurityGroups", index, group.id);
    if (group.id.empty()) {
      ctx.warn(where, "security group without GroupId ignored");
      return;
    }
    group.name = std::string(str(obj, "GroupName"));
    group.vpc_id = std::string(str(obj, "VpcId"));
    group.owner_id = std::string(str(obj, "OwnerId"));
    parse_permissions(obj, "IpPermissions", where, ctx, group.inbound);
    parse_permissions(obj, "IpPermissionsEgress", where, ctx, group.outbound);
    for (const auto* rules : {&group.inbound, &group.outbound}) {
      size_t count = 0;
      for (const auto& permission : *rules) {
        count += std::max<size_t>(1, permission.cidrs.size() + permission.prefix_list_ids.size() +
                                         permission.groups.size() +
                                         permission.invalid_sources.size());
      }
      if (count > kMaxRulesPerGroup) {
        ctx.warn(where, fmt::format("{} rules in one direction is over the limit of {}; "
                                    "security group ignored",
                                    count, kMaxRulesPerGroup));
        return;
      }
    }
    ctx.env().security_groups.push_back(std::move(group));
  });
}

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
