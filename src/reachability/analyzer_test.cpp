#include "reachability/analyzer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::reachability {
namespace {

Cidr analyzer_cidr(const char* text) { return parse_cidr(text).value(); }

SgPermission tcp(uint16_t begin, uint16_t end, std::vector<const char*> sources) {
  SgPermission permission;
  permission.protocol = kProtocolTcp;
  permission.ports = {begin, end};
  for (const char* source : sources) {
    permission.cidrs.push_back(analyzer_cidr(source));
  }
  return permission;
}

NaclEntry entry(int32_t number, bool egress, int protocol, bool allow, const char* block,
                std::optional<PortRange> ports = std::nullopt) {
  return {number, egress, protocol, ports, allow, analyzer_cidr(block)};
}

// One VPC (10.0.0.0/16) with an attached internet gateway, one subnet (10.0.1.0/24) whose main
// route table sends 0.0.0.0/0 and ::/0 to it, an allow-all NACL, and one running instance with a
// public IP and security group sg-1 (no rules until a test adds them).
struct World {
  Environment env;

  World() {
    env.present.fill(true);
    env.vpcs.push_back({"vpc-1", "111122223333", {analyzer_cidr("10.0.0.0/16"), analyzer_cidr("2600:1f18::/56")}});
    env.subnets.push_back(
        {"subnet-1", "vpc-1", "111122223333", {analyzer_cidr("10.0.1.0/24"), analyzer_cidr("2600:1f18:0:1::/64")}});
    env.internet_gateways.push_back({"igw-1", {"vpc-1"}});
    RouteTable table{"rtb-1", "vpc-1", true, {}, {}};
    table.routes.push_back({analyzer_cidr("10.0.0.0/16"), "", RouteTarget::kLocal, "local", true});
    table.routes.push_back({analyzer_cidr("0.0.0.0/0"), "", RouteTarget::kInternetGateway, "igw-1", true});
    table.routes.push_back({analyzer_cidr("::/0"), "", RouteTarget::kInternetGateway, "igw-1", true});
    env.route_tables.push_back(table);
    NetworkAcl acl{"acl-1", "vpc-1", true, {"subnet-1"}, {}};
    for (const bool egress : {false, true}) {
      acl.entries.push_back(entry(100, egress, kAllProtocols, true, "0.0.0.0/0"));
      acl.entries.push_back(entry(101, egress, kAllProtocols, true, "::/0"));
    }
    env.network_acls.push_back(acl);
    env.security_groups.push_back({"sg-1", "web", "vpc-1", "111122223333", {}, {}});
    add_instance("i-1", "eni-1", "10.0.1.10", "203.0.113.10");
  }

  void add_instance(const std::string& id, const std::string& eni_id, const char* private_ip,
                    const std::string& public_ip, std::vector<std::string> groups = {"sg-1"},
                    std::string subnet = "subnet-1") {
    NetworkInterface eni;
    eni.id = eni_id;
    eni.subnet_id = subnet;
    eni.vpc_id = "vpc-1";
    eni.instance_id = id;
    eni.device_index = 0;
    eni.group_ids = groups;
    eni.private_addresses = {analyzer_cidr(private_ip)};
    if (!public_ip.empty()) {
      eni.public_ips = {public_ip};
    }
    env.interfaces.push_back(eni);
    env.instances.push_back({id, "111122223333", "running", "", subnet, "vpc-1", public_ip,
                             groups, {eni_id}});
  }

  SecurityGroup& group(const std::string& id = "sg-1") {
    for (auto& group : env.security_groups) {
      if (group.id == id) {
        return group;
      }
    }
    env.security_groups.push_back({id, id, "vpc-1", "111122223333", {}, {}});
    return env.security_groups.back();
  }
  NetworkAcl& acl() { return env.network_acls.front(); }
  RouteTable& routes() { return env.route_tables.front(); }

  ReachabilityClass port(uint16_t number, Protocol protocol = Protocol::kTcp,
                         const char* instance = "i-1", AnalyzerOptions options = {}) const {
    return Analyzer(env, options).port_reachability(instance, protocol, number);
  }
  InstanceReachability instance(const char* id = "i-1") const {
    return Analyzer(env).analyze_instance(id).value();
  }
};

TEST(AnalyzerTest, OpenPortWithPublicIpAndGatewayRouteIsInternet) {
  World world;
  world.group().inbound.push_back(tcp(22, 22, {"0.0.0.0/0"}));
  EXPECT_EQ(world.port(22), ReachabilityClass::kInternet);
  EXPECT_EQ(world.port(23), ReachabilityClass::kNone);
  EXPECT_EQ(world.port(22, Protocol::kUdp), ReachabilityClass::kNone);
  const auto result = world.instance();
  ASSERT_EQ(result.ports.size(), 1u);
  EXPECT_EQ(result.ports[0].source, "0.0.0.0/0");
  EXPECT_EQ(result.ports[0].path.front().component_id, "igw-1");
  EXPECT_EQ(result.ports[0].path.back().component_id, "i-1");
  EXPECT_EQ(result.reachability, ReachabilityClass::kInternet);
}

TEST(AnalyzerTest, WithoutPublicAddressOnlyTheVpcReaches) {
  World world;
  world.env.interfaces.front().public_ips.clear();
  world.env.instances.front().public_ip.clear();
  world.group().inbound.push_back(tcp(22, 22, {"0.0.0.0/0"}));
  EXPECT_EQ(world.port(22), ReachabilityClass::kVpc);
  EXPECT_EQ(world.instance().ports.at(0).reason, "eni-1 has no public IPv4 address");
}

TEST(AnalyzerTest, InstanceLevelPublicIpCountsForThePrimaryInterface) {
  World world;
  world.env.interfaces.front().public_ips.clear();  // only PublicIpAddress on the instance
  world.group().inbound.push_back(tcp(22, 22, {"0.0.0.0/0"}));
  EXPECT_EQ(world.port(22), ReachabilityClass::kInternet);
}

TEST(AnalyzerTest, NaclRulesApplyLowestNumberFirst) {
  World world;
  world.group().inbound.push_back(tcp(22, 22, {"0.0.0.0/0"}));
  auto& entries = world.acl().entries;
  entries.push_back(entry(50, false, kProtocolTcp, false, "0.0.0.0/0", PortRange{22, 22}));
  EXPECT_EQ(world.port(22), ReachabilityClass::kVpc) << "rule 50 deny precedes rule 100 allow";
  // An allow for one internet range at a lower number than the deny reopens it.
  entries.push_back(entry(40, false, kProtocolTcp, true, "198.51.100.0/24", PortRange{22, 22}));
  EXPECT_EQ(world.port(22), ReachabilityClass::kInternet);
  // ... but not for a private range.
  entries.back() = entry(40, false, kProtocolTcp, true, "192.168.0.0/16", PortRange{22, 22});
  EXPECT_EQ(world.port(22), ReachabilityClass::kVpc);
  EXPECT_EQ(world.instance().ports.at(0).reason,
            "network ACL acl-1 denies inbound tcp/22 from the internet");
}

TEST(AnalyzerTest, DenyOfAnotherProtocolOrPortDoesNotMatch) {
  World world;
  world.group().inbound.push_back(tcp(22, 22, {"0.0.0.0/0"}));
  world.acl().entries.push_back(entry(10, false, kProtocolUdp, false, "0.0.0.0/0"));
  world.acl().entries.push_back(entry(11, false, kProtocolTcp, false, "0.0.0.0/0", PortRange{23, 80}));
  EXPECT_EQ(world.port(22), ReachabilityClass::kInternet);
}

TEST(AnalyzerTest, RepliesNeedTheClientsEphemeralPortsOut) {
  struct Case {
    PortRange out_ports;
    ReachabilityClass want;
  };
  const Case cases[] = {
      {{1024, 65535}, ReachabilityClass::kInternet},  // everything
      {{32768, 65535}, ReachabilityClass::kInternet},  // covers Linux 32768-60999
      {{49152, 65535}, ReachabilityClass::kInternet},  // covers Windows 49152-65535
      {{32768, 60000}, ReachabilityClass::kVpc},       // covers no client's whole range
      {{0, 1023}, ReachabilityClass::kVpc},
  };
  for (const auto& test : cases) {
    World world;
    world.group().inbound.push_back(tcp(443, 443, {"0.0.0.0/0"}));
    auto& entries = world.acl().entries;
    std::erase_if(entries, [](const NaclEntry& item) { return item.egress; });
    entries.push_back(entry(100, true, kProtocolTcp, true, "0.0.0.0/0", test.out_ports));
    EXPECT_EQ(world.port(443), test.want) << test.out_ports.begin << "-" << test.out_ports.end;
  }
  World world;
  world.group().inbound.push_back(tcp(443, 443, {"0.0.0.0/0"}));
  std::erase_if(world.acl().entries, [](const NaclEntry& item) { return item.egress; });
  world.acl().entries.push_back(entry(100, true, kProtocolTcp, true, "0.0.0.0/0", PortRange{1024, 5000}));
  EXPECT_EQ(world.port(443), ReachabilityClass::kVpc);
  AnalyzerOptions options;
  options.client_ephemeral_ranges = {{1024, 5000}};  // e.g. old BSD clients
  EXPECT_EQ(world.port(443, Protocol::kTcp, "i-1", options), ReachabilityClass::kInternet);
}

TEST(AnalyzerTest, MoreSpecificRouteTakesAddressesFromTheGateway) {
  World world;
  world.group().inbound.push_back(tcp(22, 22, {"198.51.100.0/24"}));
  auto& routes = world.routes().routes;
  routes.push_back({analyzer_cidr("198.51.100.0/24"), "", RouteTarget::kNatGateway, "nat-1", true});
  EXPECT_EQ(world.port(22), ReachabilityClass::kNone) << "the only source routes to a NAT";
  world.group().inbound.push_back(tcp(22, 22, {"0.0.0.0/0"}));
  EXPECT_EQ(world.port(22), ReachabilityClass::kInternet) << "other sources still route to igw";
  routes.push_back({analyzer_cidr("0.0.0.0/1"), "", RouteTarget::kNatGateway, "nat-1", true});
  routes.push_back({analyzer_cidr("128.0.0.0/1"), "", RouteTarget::kNatGateway, "nat-1", true});
  EXPECT_EQ(world.port(22), ReachabilityClass::kVpc) << "two /1 routes cover the whole default";
}

TEST(AnalyzerTest, BlackholeAndUnattachedGatewaysGiveNoPath) {
  World world;
  world.group().inbound.push_back(tcp(22, 22, {"0.0.0.0/0"}));
  world.routes().routes[1].active = false;
  EXPECT_EQ(world.port(22), ReachabilityClass::kVpc);
  world.routes().routes[1].active = true;
  world.env.internet_gateways.front().attached_vpc_ids.clear();
  EXPECT_EQ(world.port(22), ReachabilityClass::kVpc);
}

TEST(AnalyzerTest, Ipv6SourcesNeedAnIpv6Address) {
  World world;
  world.group().inbound.push_back(tcp(443, 443, {"::/0"}));
  EXPECT_EQ(world.port(443), ReachabilityClass::kVpc);
  world.env.interfaces.front().ipv6_addresses = {"2600:1f18:0:1::10"};
  EXPECT_EQ(world.port(443), ReachabilityClass::kInternet);
}

TEST(AnalyzerTest, AdjacentRangesWithTheSameVerdictMerge) {
  World world;
  world.group().inbound.push_back(tcp(1000, 2000, {"0.0.0.0/0"}));
  world.group().inbound.push_back(tcp(2001, 3000, {"0.0.0.0/0"}));
  world.group().inbound.push_back(tcp(2500, 4000, {"10.0.0.0/16"}));
  const auto result = world.instance();
  ASSERT_EQ(result.ports.size(), 2u);
  EXPECT_EQ(result.ports[0].port_range, (PortRange{1000, 3000}));
  EXPECT_EQ(result.ports[0].reachability, ReachabilityClass::kInternet);
  EXPECT_EQ(result.ports[1].port_range, (PortRange{3001, 4000}));
  EXPECT_EQ(result.ports[1].reachability, ReachabilityClass::kVpc);
}

TEST(AnalyzerTest, AllTrafficRuleOpensEveryTcpAndUdpPort) {
  World world;
  SgPermission all;
  all.cidrs = {analyzer_cidr("10.0.0.0/8")};
  world.group().inbound.push_back(all);
  const auto result = world.instance();
  ASSERT_EQ(result.ports.size(), 2u);
  EXPECT_EQ(result.ports[0].protocol, Protocol::kTcp);
  EXPECT_EQ(result.ports[0].port_range, (PortRange{0, 65535}));
  EXPECT_EQ(result.ports[1].protocol, Protocol::kUdp);
  EXPECT_EQ(result.ports[1].reachability, ReachabilityClass::kVpc);
}

TEST(AnalyzerTest, GroupReferenceReachesFromItsMembersSubnets) {
  World world;
  world.env.subnets.push_back({"subnet-2", "vpc-1", "111122223333", {analyzer_cidr("10.0.2.0/24")}});
  world.acl().subnet_ids.push_back("subnet-2");
  SgPermission from_app = tcp(5432, 5432, {});
  from_app.groups.push_back({"sg-app", "", "", ""});
  world.group().inbound.push_back(from_app);
  world.group("sg-app");
  EXPECT_EQ(world.port(5432), ReachabilityClass::kNone) << "no member yet";
  world.add_instance("i-2", "eni-2", "10.0.2.20", "", {"sg-app"}, "subnet-2");
  EXPECT_EQ(world.port(5432), ReachabilityClass::kVpc);
  // A NACL denying the members' subnet blocks it again.
  world.acl().entries.push_back(entry(10, false, kAllProtocols, false, "10.0.2.0/24"));
  EXPECT_EQ(world.port(5432), ReachabilityClass::kNone);
}

TEST(AnalyzerTest, MissingGroupMakesTheAnswerUnknown) {
  World world;
  world.group().inbound.push_back(tcp(22, 22, {"10.0.0.0/16"}));
  world.env.interfaces.front().group_ids.push_back("sg-missing");
  EXPECT_EQ(world.port(22), ReachabilityClass::kUnknown);
  EXPECT_EQ(world.port(8080), ReachabilityClass::kUnknown) << "sg-missing might open it";
  const auto result = world.instance();
  EXPECT_FALSE(result.complete);
  EXPECT_EQ(result.reachability, ReachabilityClass::kUnknown);
  const Analyzer analyzer(world.env);
  ASSERT_FALSE(analyzer.diagnostics().empty());
  EXPECT_NE(analyzer.diagnostics().front().message.find("sg-missing"), std::string::npos);
}

TEST(AnalyzerTest, PortDetailGivesThePathAndAgreesWithPortReachability) {
  World world;
  world.group().inbound.push_back(tcp(443, 443, {"0.0.0.0/0"}));
  world.group().inbound.push_back(tcp(5432, 5432, {"10.0.0.0/16"}));
  const Analyzer analyzer(world.env);
  const auto open = analyzer.port_detail("i-1", Protocol::kTcp, 443);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->reachability, ReachabilityClass::kInternet);
  EXPECT_EQ(open->port_range, (PortRange{443, 443}));
  EXPECT_EQ(open->source, "0.0.0.0/0");
  ASSERT_FALSE(open->path.empty());
  EXPECT_EQ(open->path.front().component_id, "igw-1");
  const auto inside = analyzer.port_detail("i-1", Protocol::kTcp, 5432);
  ASSERT_TRUE(inside.has_value());
  EXPECT_EQ(inside->reachability, ReachabilityClass::kVpc);
  EXPECT_FALSE(inside->reason.empty());
  const auto closed = analyzer.port_detail("i-1", Protocol::kTcp, 8080);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->reachability, ReachabilityClass::kNone);
  EXPECT_TRUE(closed->path.empty());
  EXPECT_FALSE(closed->reason.empty());
  for (const uint16_t port : {uint16_t{22}, uint16_t{443}, uint16_t{5432}, uint16_t{8080}}) {
    for (const Protocol protocol : {Protocol::kTcp, Protocol::kUdp}) {
      EXPECT_EQ(analyzer.port_detail("i-1", protocol, port)->reachability,
                analyzer.port_reachability("i-1", protocol, port))
          << port;
    }
  }
  EXPECT_FALSE(analyzer.port_detail("i-nope", Protocol::kTcp, 443).has_value());
}

TEST(AnalyzerTest, UnknownInstanceIsUnknown) {
  World world;
  const Analyzer analyzer(world.env);
  EXPECT_EQ(analyzer.port_reachability("i-nope", Protocol::kTcp, 22), ReachabilityClass::kUnknown);
  EXPECT_EQ(analyzer.instance_reachability("i-nope"), ReachabilityClass::kUnknown);
  EXPECT_FALSE(analyzer.analyze_instance("i-nope").has_value());
}

TEST(AnalyzerTest, TerminatedInstancesAreSkipped) {
  World world;
  world.env.instances.front().state = "terminated";
  EXPECT_TRUE(Analyzer(world.env).analyze().instances.empty());
}

TEST(AnalyzerTest, ClosedInstanceIsNone) {
  World world;
  EXPECT_EQ(world.instance().reachability, ReachabilityClass::kNone);
  EXPECT_TRUE(world.instance().ports.empty());
}

// A private instance behind a load balancer in subnet-1 (which routes to the IGW).
struct Balanced : World {
  Balanced(bool balancer_groups, const char* scheme = "internet-facing") {
    env.subnets.push_back({"subnet-p", "vpc-1", "111122223333", {analyzer_cidr("10.0.9.0/24")}});
    acl().subnet_ids.push_back("subnet-p");
    RouteTable private_table{"rtb-p", "vpc-1", false, {"subnet-p"}, {}};
    private_table.routes.push_back({analyzer_cidr("10.0.0.0/16"), "", RouteTarget::kLocal, "local", true});
    env.route_tables.push_back(private_table);
    add_instance("i-app", "eni-app", "10.0.9.5", "", {"sg-app"}, "subnet-p");
    LoadBalancer lb{"arn:lb", "front", scheme, balancer_groups ? "application" : "network",
                    "vpc-1", "active", {"subnet-1"}, {}};
    if (balancer_groups) {
      lb.group_ids = {"sg-lb"};
      group("sg-lb").inbound.push_back(tcp(443, 443, {"0.0.0.0/0"}));
      SgPermission anywhere;
      anywhere.cidrs = {analyzer_cidr("0.0.0.0/0")};
      group("sg-lb").outbound.push_back(anywhere);
    }
    env.load_balancers.push_back(lb);
    env.listeners.push_back({"arn:listener/x/y/l1", "arn:lb", 443, "TCP", {"arn:tg"}});
    TargetGroup target_group;
    target_group.arn = "arn:tg";
    target_group.name = "app";
    target_group.protocol = "TCP";
    target_group.port = 8443;
    target_group.vpc_id = "vpc-1";
    target_group.target_type = "instance";
    target_group.load_balancer_arns = {"arn:lb"};
    target_group.health_known = true;
    target_group.targets = {{"i-app", 8443, "healthy"}};
    env.target_groups.push_back(target_group);
  }
};

TEST(AnalyzerTest, BalancerPathNeedsTheTargetToAdmitTheBalancer) {
  Balanced world(true);
  world.group("sg-app");
  EXPECT_EQ(world.port(8443, Protocol::kTcp, "i-app"), ReachabilityClass::kNone);
  SgPermission from_lb = tcp(8443, 8443, {});
  from_lb.groups.push_back({"sg-lb", "", "", ""});
  world.group("sg-app").inbound.push_back(from_lb);
  EXPECT_EQ(world.port(8443, Protocol::kTcp, "i-app"), ReachabilityClass::kInternet);
  const auto result = world.instance("i-app");
  ASSERT_EQ(result.ports.size(), 1u);
  EXPECT_EQ(result.ports[0].source, "front");
  EXPECT_EQ(result.ports[0].path.at(2).component_id, "l1");
  EXPECT_EQ(result.ports[0].path.at(3).component_arn, "arn:tg");
  // Unhealthy targets receive nothing.
  world.env.target_groups.front().targets.front().state = "unhealthy";
  EXPECT_EQ(world.port(8443, Protocol::kTcp, "i-app"), ReachabilityClass::kVpc);
  // Targets unknown: the answer is unknown.
  world.env.target_groups.front().health_known = false;
  EXPECT_EQ(world.port(8443, Protocol::kTcp, "i-app"), ReachabilityClass::kUnknown);
}

TEST(AnalyzerTest, InternalBalancerGivesNoInternetPath) {
  Balanced world(true, "internal");
  SgPermission from_lb = tcp(8443, 8443, {});
  from_lb.groups.push_back({"sg-lb", "", "", ""});
  world.group("sg-app").inbound.push_back(from_lb);
  EXPECT_EQ(world.port(8443, Protocol::kTcp, "i-app"), ReachabilityClass::kVpc);
}

TEST(AnalyzerTest, NetworkBalancerWithoutGroupsPassesClientAddresses) {
  Balanced world(false);
  world.group("sg-app").inbound.push_back(tcp(8443, 8443, {"10.0.0.0/16"}));
  EXPECT_EQ(world.port(8443, Protocol::kTcp, "i-app"), ReachabilityClass::kVpc)
      << "client IPs are preserved: a VPC-only rule does not admit internet clients";
  world.group("sg-app").inbound.push_back(tcp(8443, 8443, {"0.0.0.0/0"}));
  EXPECT_EQ(world.port(8443, Protocol::kTcp, "i-app"), ReachabilityClass::kInternet);
}

}  // namespace
}  // namespace vigil::reachability
