// The AWS network configuration the reachability analysis reads: instances, interfaces, security
// groups, NACLs, routes, gateways, peering, prefix lists and Elastic Load Balancing, as parsed
// from `aws ec2|elbv2 describe-*` output. Plain values; ids are kept as AWS spells them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.hpp"
#include "reachability/cidr.hpp"

namespace vigil::reachability {

// An inclusive port range (`begin` <= `end`).
struct PortRange {
  uint16_t begin = 0;
  uint16_t end = 65535;

  friend bool operator==(const PortRange&, const PortRange&) = default;
};

// IANA protocol numbers as security groups and NACLs name them; -1 is "all traffic".
inline constexpr int kAllProtocols = -1;
inline constexpr int kProtocolTcp = 6;
inline constexpr int kProtocolUdp = 17;

// A security group referenced by a rule (an entry of UserIdGroupPairs).
struct GroupReference {
  std::string group_id;
  std::string user_id;
  std::string vpc_id;
  std::string peering_id;

  friend bool operator==(const GroupReference&, const GroupReference&) = default;
};

// One IpPermissions entry: a protocol and port range with the sources (or, for egress rules,
// destinations) it allows.
struct SgPermission {
  int protocol = kAllProtocols;
  PortRange ports;  // 0-65535 when the protocol has no ports
  std::vector<Cidr> cidrs;  // IpRanges and Ipv6Ranges
  std::vector<std::string> prefix_list_ids;
  std::vector<GroupReference> groups;
  // Sources that did not parse (kept as written): what the rule admits is then unknown.
  std::vector<std::string> invalid_sources;

  friend bool operator==(const SgPermission&, const SgPermission&) = default;
};

struct SecurityGroup {
  std::string id;
  std::string name;
  std::string vpc_id;
  std::string owner_id;
  std::vector<SgPermission> inbound;
  std::vector<SgPermission> outbound;

  friend bool operator==(const SecurityGroup&, const SecurityGroup&) = default;
};

struct NaclEntry {
  int32_t rule_number = 0;
  bool egress = false;
  int protocol = kAllProtocols;
  std::optional<PortRange> ports;  // absent: every port
  bool allow = false;
  Cidr cidr;

  friend bool operator==(const NaclEntry&, const NaclEntry&) = default;
};

struct NetworkAcl {
  std::string id;
  std::string vpc_id;
  bool is_default = false;
  std::vector<std::string> subnet_ids;
  std::vector<NaclEntry> entries;

  friend bool operator==(const NetworkAcl&, const NetworkAcl&) = default;
};

enum class RouteTarget {
  kLocal,
  kInternetGateway,
  kEgressOnlyGateway,
  kNatGateway,
  kPeering,
  kTransitGateway,
  kVirtualGateway,
  kInstance,
  kNetworkInterface,
  kOther,
};

struct Route {
  std::optional<Cidr> destination;     // absent when the route names a prefix list
  std::string destination_prefix_list;  // DestinationPrefixListId
  RouteTarget target = RouteTarget::kOther;
  std::string target_id;  // "igw-…", "nat-…", "pcx-…", "local", …
  bool active = true;     // State != "blackhole"

  friend bool operator==(const Route&, const Route&) = default;
};

struct RouteTable {
  std::string id;
  std::string vpc_id;
  bool main = false;
  std::vector<std::string> subnet_ids;  // explicit associations
  std::vector<Route> routes;

  friend bool operator==(const RouteTable&, const RouteTable&) = default;
};

struct Subnet {
  std::string id;
  std::string vpc_id;
  std::string owner_id;
  std::vector<Cidr> cidrs;  // CidrBlock and associated IPv6 blocks

  friend bool operator==(const Subnet&, const Subnet&) = default;
};

struct Vpc {
  std::string id;
  std::string owner_id;
  std::vector<Cidr> cidrs;

  friend bool operator==(const Vpc&, const Vpc&) = default;
};

struct InternetGateway {
  std::string id;
  std::vector<std::string> attached_vpc_ids;  // attachments in state "available"/"attached"

  friend bool operator==(const InternetGateway&, const InternetGateway&) = default;
};

struct NatGateway {
  std::string id;
  std::string subnet_id;
  std::string vpc_id;
  std::string state;

  friend bool operator==(const NatGateway&, const NatGateway&) = default;
};

struct PeeringSide {
  std::string vpc_id;
  std::string owner_id;
  std::string region;
  std::vector<Cidr> cidrs;

  friend bool operator==(const PeeringSide&, const PeeringSide&) = default;
};

struct PeeringConnection {
  std::string id;
  std::string status;  // Status.Code: "active", "pending-acceptance", "deleted", …
  PeeringSide requester;
  PeeringSide accepter;

  friend bool operator==(const PeeringConnection&, const PeeringConnection&) = default;
};

struct PrefixList {
  std::string id;
  std::string name;
  bool entries_known = false;  // a get-managed-prefix-list-entries file (or Entries) was read
  std::vector<Cidr> entries;

  friend bool operator==(const PrefixList&, const PrefixList&) = default;
};

struct NetworkInterface {
  std::string id;
  std::string subnet_id;
  std::string vpc_id;
  std::string owner_id;
  std::string instance_id;  // Attachment.InstanceId; empty when not attached to an instance
  int device_index = -1;
  std::string interface_type;
  std::string description;
  std::vector<std::string> group_ids;
  std::vector<Cidr> private_addresses;  // host blocks, IPv4 and IPv6
  std::vector<std::string> public_ips;  // IPv4, from Association.PublicIp
  bool elastic_ip = false;              // an Association carries an AllocationId
  std::vector<std::string> ipv6_addresses;

  friend bool operator==(const NetworkInterface&, const NetworkInterface&) = default;
};

struct Instance {
  std::string id;
  std::string owner_id;  // the reservation's OwnerId (the account)
  std::string state;     // State.Name
  std::string name;      // the Name tag
  std::string subnet_id;
  std::string vpc_id;
  std::string public_ip;
  std::vector<std::string> group_ids;
  std::vector<std::string> interface_ids;  // in DeviceIndex order as listed

  friend bool operator==(const Instance&, const Instance&) = default;
};

struct LoadBalancer {
  std::string arn;
  std::string name;
  std::string scheme;  // "internet-facing" or "internal"
  std::string type;    // "application", "network", "gateway"
  std::string vpc_id;
  std::string state;   // State.Code; "" when absent
  std::vector<std::string> subnet_ids;
  std::vector<std::string> group_ids;

  friend bool operator==(const LoadBalancer&, const LoadBalancer&) = default;
};

struct Listener {
  std::string arn;
  std::string load_balancer_arn;
  uint16_t port = 0;
  std::string protocol;  // HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, QUIC, …
  std::vector<std::string> target_group_arns;  // forwarded to by the default actions

  friend bool operator==(const Listener&, const Listener&) = default;
};

struct TargetHealth {
  std::string target_id;  // instance id, IP address, Lambda or ALB ARN
  std::optional<uint16_t> port;
  std::string state;  // "healthy", "unhealthy", "initial", …

  friend bool operator==(const TargetHealth&, const TargetHealth&) = default;
};

struct TargetGroup {
  std::string arn;
  std::string name;
  std::string protocol;
  std::optional<uint16_t> port;
  std::string vpc_id;
  std::string target_type;  // "instance", "ip", "lambda", "alb"
  std::vector<std::string> load_balancer_arns;
  bool health_known = false;  // a describe-target-health.<name>.json file was read
  std::vector<TargetHealth> targets;

  friend bool operator==(const TargetGroup&, const TargetGroup&) = default;
};

// The inputs a bundle can hold; each is one `aws` command's output.
enum class BundleFile : uint8_t {
  kInstances,
  kNetworkInterfaces,
  kSecurityGroups,
  kNetworkAcls,
  kRouteTables,
  kSubnets,
  kVpcs,
  kInternetGateways,
  kNatGateways,
  kPeeringConnections,
  kPrefixLists,
  kLoadBalancers,
  kListeners,
  kTargetGroups,
};
inline constexpr size_t kBundleFileCount = 14;

// Everything read from one bundle. Objects appear in input order; nothing is deduplicated
// except by the loader (a repeated id keeps the first and adds a diagnostic).
struct Environment {
  std::vector<Instance> instances;
  std::vector<NetworkInterface> interfaces;
  std::vector<SecurityGroup> security_groups;
  std::vector<NetworkAcl> network_acls;
  std::vector<RouteTable> route_tables;
  std::vector<Subnet> subnets;
  std::vector<Vpc> vpcs;
  std::vector<InternetGateway> internet_gateways;
  std::vector<NatGateway> nat_gateways;
  std::vector<PeeringConnection> peering_connections;
  std::vector<PrefixList> prefix_lists;
  std::vector<LoadBalancer> load_balancers;
  std::vector<Listener> listeners;
  std::vector<TargetGroup> target_groups;
  // present[BundleFile] is true when that file was read and parsed as the expected document.
  std::array<bool, kBundleFileCount> present{};
  std::vector<model::Diagnostic> diagnostics;

  [[nodiscard]] bool has(BundleFile file) const { return present[static_cast<size_t>(file)]; }
};

// The file name a bundle uses for `file` ("describe-instances.json").
std::string_view bundle_file_name(BundleFile file);

}  // namespace vigil::reachability
