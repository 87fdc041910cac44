// Network: per account, the `aws ec2 describe-* --output json` files the reachability module
// reads (reachability/bundle.hpp), covering every simulated instance. One VPC per account with
// public subnets behind an internet gateway and private subnets behind a NAT gateway.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "simulate/internal/plan.hpp"
#include "simulate/archive_writer.hpp"
#include "simulate/random.hpp"

namespace vigil::simulate::internal {
namespace {

using nlohmann::ordered_json;

struct Ids {
  std::string vpc, igw, nat, nat_eni, eip, rtb_public, rtb_private, rtb_main, acl;
  std::array<std::string, 4> subnets;  // public-a, public-b, private-a, private-b
  std::map<std::string, std::string> groups;  // name -> sg id
  std::string nat_public_ip;
};

constexpr std::array<std::string_view, 4> kSubnetNames = {"public-a", "public-b", "private-a",
                                                          "private-b"};
constexpr std::array<std::string_view, 4> kSubnetCidrs = {"0.0/20", "16.0/20", "32.0/19", "64.0/19"};

ordered_json tags(std::initializer_list<std::pair<std::string, std::string>> items) {
  ordered_json out = ordered_json::array();
  for (const auto& [key, value] : items) {
    out.push_back({{"Key", key}, {"Value", value}});
  }
  return out;
}

ordered_json ip_range(const std::string& cidr, const std::string& description = "") {
  ordered_json range = {{"CidrIp", cidr}};
  if (!description.empty()) {
    range["Description"] = description;
  }
  return range;
}

ordered_json permission(int from, int to, ordered_json ranges, ordered_json groups,
                        const std::string& protocol = "tcp") {
  return {{"IpProtocol", protocol}, {"FromPort", from},          {"ToPort", to},
          {"IpRanges", ranges},     {"Ipv6Ranges", ordered_json::array()},
          {"PrefixListIds", ordered_json::array()}, {"UserIdGroupPairs", groups}};
}

ordered_json from_group(const Ids& ids, const std::string& name, const std::string& owner) {
  return ordered_json::array({{{"GroupId", ids.groups.at(name)}, {"UserId", owner}}});
}

ordered_json security_groups(const Ids& ids, const std::string& owner) {
  const ordered_json none = ordered_json::array();
  const ordered_json anywhere = ordered_json::array({ip_range("0.0.0.0/0")});
  const ordered_json egress = ordered_json::array(
      {{{"IpProtocol", "-1"}, {"IpRanges", anywhere}, {"Ipv6Ranges", none},
        {"PrefixListIds", none}, {"UserIdGroupPairs", none}}});
  std::map<std::string, std::pair<std::string, ordered_json>> rules;
  rules["web"] = {"web servers: HTTP/HTTPS from the internet",
                  ordered_json::array({permission(80, 80, anywhere, none),
                                       permission(443, 443, anywhere, none),
                                       permission(22, 22, none, from_group(ids, "bastion", owner))})};
  rules["bastion"] = {"bastion: SSH from anywhere",
                      ordered_json::array({permission(22, 22, ordered_json::array({ip_range(
                                                                  "0.0.0.0/0", "ops ssh")}),
                                                      none)})};
  rules["app"] = {"application tier",
                  ordered_json::array({permission(8080, 8080, none, from_group(ids, "web", owner)),
                                       permission(22, 22, none, from_group(ids, "bastion", owner))})};
  rules["db"] = {"databases",
                 ordered_json::array({permission(5432, 5432, none, from_group(ids, "app", owner)),
                                      permission(3306, 3306, none, from_group(ids, "app", owner)),
                                      permission(6379, 6379, none, from_group(ids, "app", owner)),
                                      permission(22, 22, none, from_group(ids, "bastion", owner))})};
  rules["queue"] = {"message brokers",
                    ordered_json::array({permission(5672, 5672, none, from_group(ids, "app", owner)),
                                         permission(15672, 15672, ordered_json::array({ip_range(
                                                                      "10.0.0.0/8")}),
                                                    none),
                                         permission(22, 22, none, from_group(ids, "bastion", owner))})};
  rules["build"] = {"CI runners",
                    ordered_json::array({permission(22, 22, none, from_group(ids, "bastion", owner))})};
  rules["legacy-open"] = {"temporary - remove after migration",
                          ordered_json::array({permission(0, 65535, anywhere, none)})};
  ordered_json groups = ordered_json::array();
  for (const auto& [name, rule] : rules) {
    groups.push_back({{"Description", rule.first},
                      {"GroupName", name},
                      {"IpPermissions", rule.second},
                      {"OwnerId", owner},
                      {"GroupId", ids.groups.at(name)},
                      {"IpPermissionsEgress", egress},
                      {"Tags", tags({{"Name", name}})},
                      {"VpcId", ids.vpc}});
  }
  return {{"SecurityGroups", groups}};
}

ordered_json eni_groups(const Ids& ids, const HostPlan& host) {
  const std::string role(role_name(host.role));
  ordered_json groups = ordered_json::array({{{"GroupId", ids.groups.at(role)}, {"GroupName", role}}});
  if (host.legacy_open) {
    groups.push_back({{"GroupId", ids.groups.at("legacy-open")}, {"GroupName", "legacy-open"}});
  }
  return groups;
}

std::string dns_name(const std::string& ip) {
  std::string dashed = ip;
  for (char& c : dashed) {
    c = c == '.' ? '-' : c;
  }
  return "ip-" + dashed + ".ec2.internal";
}

std::string public_dns(const std::string& ip) {
  std::string dashed = ip;
  for (char& c : dashed) {
    c = c == '.' ? '-' : c;
  }
  return "ec2-" + dashed + ".compute-1.amazonaws.com";
}

ordered_json interface_of(const Ids& ids, const HostPlan& host, const std::string& owner,
                          const std::string& eni, bool for_instance) {
  const std::string subnet = ids.subnets[(host.public_subnet ? 0 : 2) + static_cast<size_t>(host.zone)];
  ordered_json address = {{"Primary", true},
                          {"PrivateDnsName", dns_name(host.private_ip)},
                          {"PrivateIpAddress", host.private_ip}};
  ordered_json association;
  if (!host.public_ip.empty()) {
    association = {{"IpOwnerId", "amazon"},
                   {"PublicDnsName", public_dns(host.public_ip)},
                   {"PublicIp", host.public_ip}};
    address["Association"] = association;
  }
  ordered_json attachment = {{"AttachTime", host.launch_time},
                             {"AttachmentId", "eni-attach-" + eni.substr(4)},
                             {"DeleteOnTermination", true},
                             {"DeviceIndex", 0},
                             {"NetworkCardIndex", 0},
                             {"Status", "attached"}};
  if (!for_instance) {
    attachment["InstanceId"] = host.instance_id;
    attachment["InstanceOwnerId"] = owner;
  }
  ordered_json eni_json;
  if (!association.is_null()) {
    eni_json["Association"] = association;
  }
  eni_json["Attachment"] = attachment;
  if (!for_instance) {
    eni_json["AvailabilityZone"] = fmt::format("{}{}", kRegion, host.zone == 0 ? 'a' : 'b');
  }
  eni_json["Description"] = "";
  eni_json["Groups"] = eni_groups(ids, host);
  eni_json["InterfaceType"] = "interface";
  eni_json["Ipv6Addresses"] = ordered_json::array();
  eni_json["MacAddress"] = fmt::format("0e:{}:{}:{}:{}:{}", eni.substr(4, 2), eni.substr(6, 2),
                                       eni.substr(8, 2), eni.substr(10, 2), eni.substr(12, 2));
  eni_json["NetworkInterfaceId"] = eni;
  eni_json["OwnerId"] = owner;
  eni_json["PrivateDnsName"] = dns_name(host.private_ip);
  eni_json["PrivateIpAddress"] = host.private_ip;
  eni_json["PrivateIpAddresses"] = ordered_json::array({address});
  eni_json["SourceDestCheck"] = true;
  eni_json["Status"] = "in-use";
  eni_json["SubnetId"] = subnet;
  eni_json["VpcId"] = ids.vpc;
  return eni_json;
}

ordered_json instance_of(const Ids& ids, const HostPlan& host, const std::string& owner,
                         const std::string& eni) {
  const std::string subnet = ids.subnets[(host.public_subnet ? 0 : 2) + static_cast<size_t>(host.zone)];
  ordered_json instance;
  instance["AmiLaunchIndex"] = 0;
  instance["ImageId"] = host.ami_id;
  instance["InstanceId"] = host.instance_id;
  instance["InstanceType"] = host.instance_type;
  instance["KeyName"] = "ops-2024";
  instance["LaunchTime"] = host.launch_time;
  instance["Monitoring"] = {{"State", "disabled"}};
  instance["Placement"] = {{"AvailabilityZone", fmt::format("{}{}", kRegion, host.zone == 0 ? 'a' : 'b')},
                           {"GroupName", ""},
                           {"Tenancy", "default"}};
  instance["PrivateDnsName"] = dns_name(host.private_ip);
  instance["PrivateIpAddress"] = host.private_ip;
  instance["ProductCodes"] = ordered_json::array();
  instance["PublicDnsName"] = host.public_ip.empty() ? "" : public_dns(host.public_ip);
  if (!host.public_ip.empty()) {
    instance["PublicIpAddress"] = host.public_ip;
  }
  instance["State"] = host.running ? ordered_json{{"Code", 16}, {"Name", "running"}}
                                   : ordered_json{{"Code", 80}, {"Name", "stopped"}};
  instance["StateTransitionReason"] =
      host.running ? "" : fmt::format("User initiated ({} GMT)", rfc3339(kWorldNow - 5 * 86400).substr(0, 19));
  instance["SubnetId"] = subnet;
  instance["VpcId"] = ids.vpc;
  instance["Architecture"] = "x86_64";
  instance["EnaSupport"] = true;
  instance["Hypervisor"] = "xen";
  instance["IamInstanceProfile"] = {
      {"Arn", fmt::format("arn:aws:iam::{}:instance-profile/{}-{}", owner, host.team, role_name(host.role))},
      {"Id", "AIPA" + host.machine_id.substr(0, 17)}};
  instance["NetworkInterfaces"] = ordered_json::array({interface_of(ids, host, owner, eni, true)});
  instance["RootDeviceName"] = "/dev/xvda";
  instance["RootDeviceType"] = "ebs";
  instance["SecurityGroups"] = eni_groups(ids, host);
  instance["SourceDestCheck"] = true;
  ordered_json host_tags = tags({{"Name", host.name_tag},
                                 {"Environment", host.environment},
                                 {"Team", host.team},
                                 {"Role", std::string(role_name(host.role))}});
  if (host.excluded) {
    host_tags.push_back({{"Key", "InspectorEc2Exclusion"}, {"Value", "true"}});
  }
  if (!host.managed) {
    host_tags.push_back({{"Key", "ManagedBy"}, {"Value", "legacy"}});
  }
  instance["Tags"] = host_tags;
  instance["VirtualizationType"] = "hvm";
  instance["MetadataOptions"] = {{"State", "applied"},
                                 {"HttpTokens", host.managed ? "required" : "optional"},
                                 {"HttpPutResponseHopLimit", 2},
                                 {"HttpEndpoint", "enabled"}};
  instance["PlatformDetails"] = "Linux/UNIX";
  return instance;
}

Result<void> write_json(const std::filesystem::path& dir, const std::string& name,
                        const ordered_json& document) {
  return write_file(dir / name, document.dump(4) + "\n");
}

}  // namespace

Result<PartStats> write_network(const FleetPlan& plan, const std::filesystem::path& root) {
  PartStats stats;
  for (size_t account_index = 0; account_index < plan.accounts.size(); ++account_index) {
    const AccountPlan& account = plan.accounts[account_index];
    const std::string& owner = account.id;
    Rng rng(plan.options.seed, (static_cast<uint64_t>(Stream::kNetwork) << 32) + account_index);
    Ids ids;
    ids.vpc = "vpc-0" + rng.hex(16);
    ids.igw = "igw-0" + rng.hex(16);
    ids.nat = "nat-0" + rng.hex(16);
    ids.nat_eni = "eni-0" + rng.hex(16);
    ids.eip = "eipalloc-0" + rng.hex(16);
    ids.rtb_public = "rtb-0" + rng.hex(16);
    ids.rtb_private = "rtb-0" + rng.hex(16);
    ids.rtb_main = "rtb-0" + rng.hex(16);
    ids.acl = "acl-0" + rng.hex(16);
    for (auto& subnet : ids.subnets) {
      subnet = "subnet-0" + rng.hex(16);
    }
    for (const char* name : {"web", "bastion", "app", "db", "queue", "build", "legacy-open"}) {
      ids.groups[name] = "sg-0" + rng.hex(16);
    }
    ids.nat_public_ip = fmt::format("44.{}.{}.{}", rng.between(192, 223), rng.below(256), rng.between(1, 254));
    const uint32_t octet = account.index % 256;
    const std::string vpc_cidr = fmt::format("10.{}.0.0/16", octet);
    const std::string created = aws_time(kWorldNow - 700LL * 86400);
    const auto dir = root / "network" / owner;

    ordered_json reservations = ordered_json::array();
    ordered_json interfaces = ordered_json::array();
    for (const HostPlan& host : plan.hosts) {
      if (host.account != account_index) {
        continue;
      }
      const std::string eni = "eni-0" + rng.hex(16);
      reservations.push_back({{"Groups", ordered_json::array()},
                              {"Instances", ordered_json::array({instance_of(ids, host, owner, eni)})},
                              {"OwnerId", owner},
                              {"ReservationId", "r-0" + rng.hex(16)}});
      interfaces.push_back(interface_of(ids, host, owner, eni, false));
      stats.items += 1;
    }
    interfaces.push_back({{"Association", {{"IpOwnerId", "amazon"}, {"PublicIp", ids.nat_public_ip}}},
                          {"AvailabilityZone", fmt::format("{}a", kRegion)},
                          {"Description", "Interface for NAT Gateway " + ids.nat},
                          {"Groups", ordered_json::array()},
                          {"InterfaceType", "nat_gateway"},
                          {"NetworkInterfaceId", ids.nat_eni},
                          {"OwnerId", owner},
                          {"PrivateIpAddress", fmt::format("10.{}.0.5", octet)},
                          {"RequesterManaged", true},
                          {"SourceDestCheck", false},
                          {"Status", "in-use"},
                          {"SubnetId", ids.subnets[0]},
                          {"VpcId", ids.vpc}});
    VIGIL_TRY(write_json(dir, "describe-instances.json", {{"Reservations", reservations}}));
    VIGIL_TRY(write_json(dir, "describe-network-interfaces.json", {{"NetworkInterfaces", interfaces}}));
    VIGIL_TRY(write_json(dir, "describe-security-groups.json", security_groups(ids, owner)));

    ordered_json vpcs = ordered_json::array(
        {{{"CidrBlock", vpc_cidr},
          {"DhcpOptionsId", "dopt-0" + rng.hex(16)},
          {"State", "available"},
          {"VpcId", ids.vpc},
          {"OwnerId", owner},
          {"InstanceTenancy", "default"},
          {"CidrBlockAssociationSet",
           ordered_json::array({{{"AssociationId", "vpc-cidr-assoc-0" + rng.hex(16)},
                                 {"CidrBlock", vpc_cidr},
                                 {"CidrBlockState", {{"State", "associated"}}}}})},
          {"IsDefault", false},
          {"Tags", tags({{"Name", account.name + "-vpc"}})}}});
    VIGIL_TRY(write_json(dir, "describe-vpcs.json", {{"Vpcs", vpcs}}));

    ordered_json subnets = ordered_json::array();
    for (size_t index = 0; index < ids.subnets.size(); ++index) {
      const bool is_public = index < 2;
      const std::string cidr = fmt::format("10.{}.{}", octet, kSubnetCidrs[index]);
      subnets.push_back({{"AvailabilityZone", fmt::format("{}{}", kRegion, index % 2 == 0 ? 'a' : 'b')},
                         {"AvailableIpAddressCount", is_public ? 4000 : 8000},
                         {"CidrBlock", cidr},
                         {"DefaultForAz", false},
                         {"MapPublicIpOnLaunch", is_public},
                         {"State", "available"},
                         {"SubnetId", ids.subnets[index]},
                         {"VpcId", ids.vpc},
                         {"OwnerId", owner},
                         {"AssignIpv6AddressOnCreation", false},
                         {"Ipv6CidrBlockAssociationSet", ordered_json::array()},
                         {"Tags", tags({{"Name", std::string(kSubnetNames[index])}})},
                         {"SubnetArn", fmt::format("arn:aws:ec2:{}:{}:subnet/{}", kRegion, owner,
                                                   ids.subnets[index])}});
    }
    VIGIL_TRY(write_json(dir, "describe-subnets.json", {{"Subnets", subnets}}));

    const auto local_route = ordered_json{{"DestinationCidrBlock", vpc_cidr},
                                          {"GatewayId", "local"},
                                          {"Origin", "CreateRouteTable"},
                                          {"State", "active"}};
    const auto association = [&rng](const std::string& table, const std::string& subnet) {
      return ordered_json{{"Main", false},
                          {"RouteTableAssociationId", "rtbassoc-0" + rng.hex(16)},
                          {"RouteTableId", table},
                          {"SubnetId", subnet},
                          {"AssociationState", {{"State", "associated"}}}};
    };
    ordered_json route_tables = ordered_json::array();
    route_tables.push_back(
        {{"Associations", ordered_json::array({{{"Main", true},
                                                {"RouteTableAssociationId", "rtbassoc-0" + rng.hex(16)},
                                                {"RouteTableId", ids.rtb_main},
                                                {"AssociationState", {{"State", "associated"}}}}})},
         {"PropagatingVgws", ordered_json::array()},
         {"RouteTableId", ids.rtb_main},
         {"Routes", ordered_json::array({local_route})},
         {"Tags", tags({{"Name", "main"}})},
         {"VpcId", ids.vpc},
         {"OwnerId", owner}});
    route_tables.push_back(
        {{"Associations", ordered_json::array({association(ids.rtb_public, ids.subnets[0]),
                                               association(ids.rtb_public, ids.subnets[1])})},
         {"PropagatingVgws", ordered_json::array()},
         {"RouteTableId", ids.rtb_public},
         {"Routes", ordered_json::array({local_route,
                                         {{"DestinationCidrBlock", "0.0.0.0/0"},
                                          {"GatewayId", ids.igw},
                                          {"Origin", "CreateRoute"},
                                          {"State", "active"}}})},
         {"Tags", tags({{"Name", "public"}})},
         {"VpcId", ids.vpc},
         {"OwnerId", owner}});
    route_tables.push_back(
        {{"Associations", ordered_json::array({association(ids.rtb_private, ids.subnets[2]),
                                               association(ids.rtb_private, ids.subnets[3])})},
         {"PropagatingVgws", ordered_json::array()},
         {"RouteTableId", ids.rtb_private},
         {"Routes", ordered_json::array({local_route,
                                         {{"DestinationCidrBlock", "0.0.0.0/0"},
                                          {"NatGatewayId", ids.nat},
                                          {"Origin", "CreateRoute"},
                                          {"State", "active"}}})},
         {"Tags", tags({{"Name", "private"}})},
         {"VpcId", ids.vpc},
         {"OwnerId", owner}});
    VIGIL_TRY(write_json(dir, "describe-route-tables.json", {{"RouteTables", route_tables}}));

    ordered_json acl_associations = ordered_json::array();
    for (const auto& subnet : ids.subnets) {
      acl_associations.push_back({{"NetworkAclAssociationId", "aclassoc-0" + rng.hex(16)},
                                  {"NetworkAclId", ids.acl},
                                  {"SubnetId", subnet}});
    }
    ordered_json entries = ordered_json::array();
    for (const bool egress : {true, false}) {
      entries.push_back({{"CidrBlock", "0.0.0.0/0"}, {"Egress", egress}, {"Protocol", "-1"},
                         {"RuleAction", "allow"}, {"RuleNumber", 100}});
      entries.push_back({{"CidrBlock", "0.0.0.0/0"}, {"Egress", egress}, {"Protocol", "-1"},
                         {"RuleAction", "deny"}, {"RuleNumber", 32767}});
    }
    VIGIL_TRY(write_json(dir, "describe-network-acls.json",
                         {{"NetworkAcls", ordered_json::array({{{"Associations", acl_associations},
                                                                {"Entries", entries},
                                                                {"IsDefault", true},
                                                                {"NetworkAclId", ids.acl},
                                                                {"Tags", ordered_json::array()},
                                                                {"VpcId", ids.vpc},
                                                                {"OwnerId", owner}}})}}));
    VIGIL_TRY(write_json(
        dir, "describe-internet-gateways.json",
        {{"InternetGateways",
          ordered_json::array({{{"Attachments", ordered_json::array({{{"State", "available"},
                                                                      {"VpcId", ids.vpc}}})},
                                {"InternetGatewayId", ids.igw},
                                {"OwnerId", owner},
                                {"Tags", tags({{"Name", account.name + "-igw"}})}}})}}));
    VIGIL_TRY(write_json(
        dir, "describe-nat-gateways.json",
        {{"NatGateways",
          ordered_json::array({{{"CreateTime", created},
                                {"NatGatewayAddresses",
                                 ordered_json::array({{{"AllocationId", ids.eip},
                                                       {"NetworkInterfaceId", ids.nat_eni},
                                                       {"PrivateIp", fmt::format("10.{}.0.5", octet)},
                                                       {"PublicIp", ids.nat_public_ip},
                                                       {"IsPrimary", true},
                                                       {"Status", "succeeded"}}})},
                                {"NatGatewayId", ids.nat},
                                {"State", "available"},
                                {"SubnetId", ids.subnets[0]},
                                {"VpcId", ids.vpc},
                                {"Tags", tags({{"Name", account.name + "-nat"}})},
                                {"ConnectivityType", "public"}}})}}));
    stats.documents += 1;
  }
  return stats;
}

}  // namespace vigil::simulate::internal
