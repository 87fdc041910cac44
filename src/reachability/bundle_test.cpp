#include "reachability/bundle.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vigil::reachability {
namespace {

std::string all_diagnostics(const Environment& env) {
  std::string out;
  for (const auto& diagnostic : env.diagnostics) {
    out += diagnostic.where + ": " + diagnostic.message + "\n";
  }
  return out;
}

TEST(BundleTest, SecurityGroupRulesKeepEverySourceKind) {
  Environment env;
  ASSERT_TRUE(add_document(env, "describe-security-groups.json", R"({
    "SecurityGroups": [{
      "GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1", "OwnerId": "111122223333",
      "SomeFutureField": {"nested": [1, 2, 3]},
      "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
         "PrefixListIds": [{"PrefixListId": "pl-1"}],
         "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "444455556666",
                               "VpcPeeringConnectionId": "pcx-1", "PeeringStatus": "active"}]},
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "17", "FromPort": 53, "ToPort": 53, "IpRanges": []}
      ],
      "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    }]})"));
  ASSERT_EQ(env.security_groups.size(), 1u);
  const auto& group = env.security_groups[0];
  ASSERT_EQ(group.inbound.size(), 4u);
  EXPECT_EQ(group.inbound[0].protocol, kProtocolTcp);
  EXPECT_EQ(group.inbound[0].ports, (PortRange{443, 443}));
  EXPECT_EQ(group.inbound[0].cidrs.size(), 2u);
  EXPECT_EQ(group.inbound[0].prefix_list_ids, std::vector<std::string>{"pl-1"});
  ASSERT_EQ(group.inbound[0].groups.size(), 1u);
  EXPECT_EQ(group.inbound[0].groups[0].peering_id, "pcx-1");
  EXPECT_EQ(group.inbound[1].protocol, kAllProtocols);
  EXPECT_EQ(group.inbound[1].ports, (PortRange{0, 65535}));
  EXPECT_EQ(group.inbound[2].protocol, 1);
  EXPECT_EQ(group.inbound[3].protocol, kProtocolUdp);
  EXPECT_EQ(group.outbound.size(), 1u);
  EXPECT_TRUE(env.diagnostics.empty()) << all_diagnostics(env);
}

TEST(BundleTest, MalformedItemsBecomeDiagnostics) {
  Environment env;
  ASSERT_TRUE(add_document(env, "describe-security-groups.json", R"({
    "SecurityGroups": [
      {"GroupName": "no-id"},
      {"GroupId": "sg-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 90000, "ToPort": 90001},
        {"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "gre2", "FromPort": 1, "ToPort": 2},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "IpRanges": [{"CidrIp": "300.0.0.0/8"}, {"CidrIp": "10.0.0.0/8"}]}
      ]}
    ]})"));
  ASSERT_EQ(env.security_groups.size(), 1u);
  ASSERT_EQ(env.security_groups[0].inbound.size(), 1u);
  EXPECT_EQ(env.security_groups[0].inbound[0].cidrs.size(), 1u);
  const std::string text = all_diagnostics(env);
  for (const char* needle : {"SecurityGroups[0]: security group without GroupId",
                             "sg-1: IpPermissions[0]: tcp rule with invalid port range 90000-90001",
                             "sg-1: IpPermissions[1]: tcp rule without FromPort/ToPort",
                             "unknown IpProtocol \"gre2\"", "\"300.0.0.0/8\" is not an IPv4"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << " in\n" << text;
  }
}

TEST(BundleTest, WrongOrBrokenDocumentsAreReportedAndNotMarkedPresent) {
  Environment env;
  EXPECT_TRUE(add_document(env, "describe-subnets.json", R"({"Vpcs": []})"));
  EXPECT_TRUE(add_document(env, "describe-vpcs.json", R"({"Vpcs": [)"));
  EXPECT_TRUE(add_document(env, "describe-route-tables.json", R"([1, 2])"));
  EXPECT_FALSE(add_document(env, "notes.json", "{}"));
  EXPECT_FALSE(env.has(BundleFile::kSubnets));
  EXPECT_FALSE(env.has(BundleFile::kVpcs));
  EXPECT_FALSE(env.has(BundleFile::kRouteTables));
  const std::string text = all_diagnostics(env);
  EXPECT_NE(text.find("describe-subnets.json: missing Subnets"), std::string::npos) << text;
  EXPECT_NE(text.find("describe-vpcs.json: not valid JSON"), std::string::npos) << text;
  EXPECT_NE(text.find("describe-route-tables.json: not a JSON object"), std::string::npos) << text;
}

TEST(BundleTest, InstancesCarryTheirInterfaces) {
  Environment env;
  ASSERT_TRUE(add_document(env, "describe-instances.json", R"({
    "Reservations": [{"OwnerId": "111122223333", "Instances": [{
      "InstanceId": "i-1", "State": {"Code": 16, "Name": "running"},
      "SubnetId": "subnet-1", "VpcId": "vpc-1", "PublicIpAddress": "54.1.2.3",
      "Tags": [{"Key": "team", "Value": "a"}, {"Key": "Name", "Value": "web"}],
      "SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web"}],
      "NetworkInterfaces": [{
        "NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "VpcId": "vpc-1",
        "Attachment": {"DeviceIndex": 0, "Status": "attached"},
        "Association": {"IpOwnerId": "111122223333", "PublicIp": "54.1.2.3"},
        "Groups": [{"GroupId": "sg-1"}],
        "PrivateIpAddress": "10.0.1.5",
        "PrivateIpAddresses": [
          {"Primary": true, "PrivateIpAddress": "10.0.1.5",
           "Association": {"IpOwnerId": "111122223333", "PublicIp": "54.1.2.3"}},
          {"Primary": false, "PrivateIpAddress": "10.0.1.6",
           "Association": {"IpOwnerId": "amazon", "PublicIp": "54.1.2.4"}}],
        "Ipv6Addresses": [{"Ipv6Address": "2600:1f18::5"}]
      }]
    }]}]})"));
  ASSERT_EQ(env.instances.size(), 1u);
  EXPECT_EQ(env.instances[0].owner_id, "111122223333");
  EXPECT_EQ(env.instances[0].name, "web");
  EXPECT_EQ(env.instances[0].interface_ids, std::vector<std::string>{"eni-1"});
  ASSERT_EQ(env.interfaces.size(), 1u);
  const auto& eni = env.interfaces[0];
  EXPECT_EQ(eni.instance_id, "i-1");
  EXPECT_EQ(eni.device_index, 0);
  EXPECT_EQ(eni.public_ips, (std::vector<std::string>{"54.1.2.3", "54.1.2.4"}));
  EXPECT_TRUE(eni.elastic_ip);
  EXPECT_EQ(eni.private_addresses.size(), 3u);
  EXPECT_EQ(eni.ipv6_addresses, std::vector<std::string>{"2600:1f18::5"});
}

TEST(BundleTest, RoutesNameTheirTargets) {
  Environment env;
  ASSERT_TRUE(add_document(env, "describe-route-tables.json", R"({"RouteTables": [{
    "RouteTableId": "rtb-1", "VpcId": "vpc-1",
    "Associations": [{"Main": true, "RouteTableId": "rtb-1"},
                     {"Main": false, "SubnetId": "subnet-1", "RouteTableId": "rtb-1"}],
    "Routes": [
      {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
      {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"},
      {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"},
      {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-1", "State": "blackhole"},
      {"DestinationPrefixListId": "pl-1", "GatewayId": "igw-1"},
      {"DestinationCidrBlock": "192.168.0.0/16", "InstanceId": "i-9", "NetworkInterfaceId": "eni-9"},
      {"GatewayId": "igw-1"}
    ]}]})"));
  ASSERT_EQ(env.route_tables.size(), 1u);
  const auto& table = env.route_tables[0];
  EXPECT_TRUE(table.main);
  EXPECT_EQ(table.subnet_ids, std::vector<std::string>{"subnet-1"});
  ASSERT_EQ(table.routes.size(), 6u);
  EXPECT_EQ(table.routes[0].target, RouteTarget::kLocal);
  EXPECT_EQ(table.routes[1].target, RouteTarget::kNatGateway);
  EXPECT_EQ(table.routes[2].target, RouteTarget::kEgressOnlyGateway);
  EXPECT_EQ(table.routes[3].target, RouteTarget::kPeering);
  EXPECT_FALSE(table.routes[3].active);
  EXPECT_EQ(table.routes[4].destination_prefix_list, "pl-1");
  EXPECT_EQ(table.routes[4].target, RouteTarget::kInternetGateway);
  EXPECT_EQ(table.routes[5].target, RouteTarget::kInstance);
  EXPECT_NE(all_diagnostics(env).find("route without a destination"), std::string::npos);
}

TEST(BundleTest, NaclEntriesNeedTheirRequiredFields) {
  Environment env;
  ASSERT_TRUE(add_document(env, "describe-network-acls.json", R"({"NetworkAcls": [{
    "NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false,
    "Associations": [{"SubnetId": "subnet-1"}],
    "Entries": [
      {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "6", "RuleAction": "deny",
       "RuleNumber": 90, "PortRange": {"From": 22, "To": 22}},
      {"Ipv6CidrBlock": "::/0", "Egress": true, "Protocol": "-1", "RuleAction": "allow",
       "RuleNumber": 101},
      {"Ipv6CidrBlock": "::/0", "Egress": true, "Protocol": "-1", "RuleAction": "deny",
       "RuleNumber": 32768},
      {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "6", "RuleAction": "maybe",
       "RuleNumber": 100},
      {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "6", "RuleAction": "allow",
       "RuleNumber": 110, "PortRange": {"From": 10, "To": 5}}
    ]}]})"));
  ASSERT_EQ(env.network_acls.size(), 1u);
  const auto& entries = env.network_acls[0].entries;
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].ports, (PortRange{22, 22}));
  EXPECT_FALSE(entries[0].allow);
  EXPECT_EQ(entries[2].rule_number, 32768);
  const std::string text = all_diagnostics(env);
  EXPECT_NE(text.find("Entries[3]: entry needs"), std::string::npos) << text;
  EXPECT_NE(text.find("Entries[4]: entry with an invalid PortRange"), std::string::npos) << text;
}

TEST(BundleTest, PerObjectFilesCompleteTheirObjects) {
  Environment env;
  ASSERT_TRUE(add_document(env, "describe-target-groups.json", R"({"TargetGroups": [
    {"TargetGroupArn": "arn:tg/web", "TargetGroupName": "web", "Protocol": "HTTP", "Port": 8080,
     "TargetType": "instance", "LoadBalancerArns": ["arn:lb"]}]})"));
  ASSERT_TRUE(add_document(env, "describe-target-health.web.json", R"({"TargetHealthDescriptions": [
    {"Target": {"Id": "i-1", "Port": 8080}, "TargetHealth": {"State": "healthy"}},
    {"Target": {"Id": "i-2"}, "TargetHealth": {"State": "draining"}}]})"));
  ASSERT_TRUE(add_document(env, "describe-target-health.gone.json",
                           R"({"TargetHealthDescriptions": []})"));
  ASSERT_TRUE(add_document(env, "get-managed-prefix-list-entries.pl-9.json",
                           R"({"Entries": [{"Cidr": "13.32.0.0/15"}]})"));
  ASSERT_TRUE(add_document(env, "describe-listeners.front.json", R"({"Listeners": [
    {"ListenerArn": "arn:l/1", "LoadBalancerArn": "arn:lb", "Port": 443, "Protocol": "HTTPS",
     "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
       {"TargetGroupArn": "arn:tg/web", "Weight": 1}, {"TargetGroupArn": "arn:tg/api"}]}},
       {"Type": "redirect"}]},
    {"ListenerArn": "arn:l/2", "LoadBalancerArn": "arn:lb", "Port": 0, "Protocol": "HTTP"}]})"));
  const auto& group = env.target_groups.at(0);
  EXPECT_TRUE(group.health_known);
  ASSERT_EQ(group.targets.size(), 2u);
  EXPECT_EQ(group.targets[0].port, std::optional<uint16_t>(8080));
  EXPECT_FALSE(group.targets[1].port.has_value());
  ASSERT_EQ(env.prefix_lists.size(), 1u);
  EXPECT_TRUE(env.prefix_lists[0].entries_known);
  ASSERT_EQ(env.listeners.size(), 1u);
  EXPECT_EQ(env.listeners[0].target_group_arns,
            (std::vector<std::string>{"arn:tg/web", "arn:tg/api"}));
  EXPECT_TRUE(env.has(BundleFile::kListeners));
  const std::string text = all_diagnostics(env);
  EXPECT_NE(text.find("no target group named \"gone\""), std::string::npos) << text;
  EXPECT_NE(text.find("listener needs ListenerArn, LoadBalancerArn and Port"), std::string::npos)
      << text;
}

TEST(BundleTest, LoadBundleReadsATreeAndNotesMissingFiles) {
  sources::MemoryFileTree tree;
  tree.add_file("README.md", "# not json");
  tree.add_file("expected.json", "{}");
  tree.add_file("describe-flow-logs.json", "{}");
  tree.add_file("nested/describe-instances.json", R"({"Reservations": []})");
  tree.add_file("describe-instances.json", R"({"Reservations": []})");
  const auto env = load_bundle(tree);
  ASSERT_TRUE(env.has_value()) << env.error().message;
  EXPECT_TRUE(env->has(BundleFile::kInstances));
  const std::string text = all_diagnostics(*env);
  EXPECT_NE(text.find("describe-flow-logs.json: not a command the analysis reads"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("describe-security-groups.json: missing from the bundle"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("expected.json"), std::string::npos) << text;

  sources::MemoryFileTree empty;
  empty.add_file("README.md", "hello");
  const auto none = load_bundle(empty);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vigil::reachability
