// Parsers for `aws ec2 describe-*` output about compute: instances, their interfaces and
// security groups (parse_vpc.cpp has the network plumbing).
#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.hpp"
#include "reachability/internal/parsers.hpp"

namespace vigil::reachability::internal {
namespace {

std::string name_tag(const object& obj, std::string_view key) {
  std::string name;
  each_object(obj, key, [&](const object& tag, size_t) {
    if (str(tag, "Key") == "Name") {
      name = std::string(str(tag, "Value"));
    }
  });
  return name;
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

std::string item_where(std::string_view list, size_t index, std::string_view id) {
  if (!id.empty()) {
    return std::string(id);
  }
  return fmt::format("{}[{}]", list, index);
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

}  // namespace vigil::reachability::internal
