// Internal: the Environment indexed for evaluation. Every lookup is a hash map by id; NACL
// decisions and longest-prefix route sets are precomputed once per NACL and route table, so
// evaluating an (instance, rule) pair is a handful of CIDR-set intersections. Built once,
// immutable afterwards (safe to share between threads).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reachability/analyzer.hpp"
#include "reachability/cidr.hpp"
#include "reachability/environment.hpp"

namespace vigil::reachability::internal {

inline constexpr int kNone = -1;

// Three-valued answers: an unresolved reference yields kUnknown, never a guess.
enum class Tri : uint8_t { kNo, kUnknown, kYes };

// Index 0 for TCP, 1 for UDP.
inline size_t transport_slot(int protocol) { return protocol == kProtocolUdp ? 1 : 0; }

// One NACL's decisions for one transport protocol.
struct NaclProfile {
  std::vector<uint32_t> ingress_starts;  // sorted interval starts, the first is 0
  std::vector<CidrSet> ingress_allowed;  // per interval: the source addresses let in
  std::vector<CidrSet> ingress_ok;       // … whose replies to client ports also get out
  std::vector<uint32_t> egress_starts;
  std::vector<CidrSet> egress_allowed;  // per interval: the destination addresses let out
  CidrSet return_full;                  // destinations all of 1024-65535 can return to

  [[nodiscard]] size_t interval_of(uint16_t port) const;
  [[nodiscard]] const CidrSet& allowed_in(uint16_t port) const {
    return ingress_allowed[interval_of(port)];
  }
  [[nodiscard]] const CidrSet& ok_in(uint16_t port) const { return ingress_ok[interval_of(port)]; }
};

struct NaclView {
  const NetworkAcl* acl = nullptr;
  std::array<NaclProfile, 2> profiles;  // by transport_slot
};

// A set of addresses split by IP family, so that a check can leave out the family an interface
// has no address of without building a new set.
struct FamilySets {
  CidrSet v4;
  CidrSet v6;

  FamilySets() = default;
  explicit FamilySets(const CidrSet& all);
  // True if `sources` meets this set in a family that is enabled.
  [[nodiscard]] bool meets(const CidrSet& sources, bool v4_enabled, bool v6_enabled) const {
    return (v4_enabled && sources.intersects(v4)) || (v6_enabled && sources.intersects(v6));
  }
  [[nodiscard]] bool meets(const Cidr& block, bool v4_enabled, bool v6_enabled) const {
    return block.family == IpFamily::kV4 ? v4_enabled && v4.intersects(block)
                                         : v6_enabled && v6.intersects(block);
  }
};

// public_internet() split by family.
const FamilySets& public_families();

// The addresses a route table sends to one gateway (longest-prefix match applied).
struct GatewayRoute {
  std::string gateway_id;
  CidrSet reach;  // for internet gateways: only public addresses
  FamilySets reach_families;
  bool unknown = false;
  std::string unknown_reason;
};

// What can reach the interfaces of one subnet on the ports of one NACL ingress interval, for
// one transport: the route, NACL-inbound and NACL-return checks folded into one set per source
// kind, so that checking a rule is an intersection test without allocation.
struct SubnetWindow {
  std::vector<FamilySets> gateway_in;  // per route table `internet` route: reach ∩ NACL inbound
  std::vector<FamilySets> gateway_ok;  // … ∩ replies let out to the client's ephemeral ports
  CidrSet vpc_ok;                      // the VPC's own addresses, NACL inbound and return
  std::vector<CidrSet> peer_ok;        // per VPC peer: its CIDRs routed back through its pcx, NACL
};

struct RouteTableView {
  const RouteTable* table = nullptr;
  std::vector<GatewayRoute> internet;  // attached igw-* routes
  std::vector<GatewayRoute> peering;   // pcx-* routes
  std::string default_v4;              // "0.0.0.0/0 → nat-…", for explanations
  std::string default_v6;
};

struct SubnetView {
  const Subnet* subnet = nullptr;
  int vpc = kNone;
  int route_table = kNone;
  int nacl = kNone;
  CidrSet cidrs;
  // By transport slot, one window per ingress interval of the subnet's NACL (its
  // NaclProfile::ingress_starts); empty when the NACL or the VPC is unknown. The gateway and
  // peer parts are empty when the route table is unknown.
  std::array<std::vector<SubnetWindow>, 2> windows;
};

// A peering connection seen from one of its VPCs.
struct PeerLink {
  int peering = kNone;
  std::string remote_vpc_id;
  CidrSet remote_cidrs;
};

struct VpcView {
  const Vpc* vpc = nullptr;
  CidrSet cidrs;
  int main_route_table = kNone;
  int default_nacl = kNone;
  std::vector<PeerLink> peers;  // active connections only
};

// A security-group rule with its CIDR and prefix-list sources merged into one set.
struct PermView {
  const SgPermission* permission = nullptr;
  CidrSet sources;
  // Why what the rule admits is partly unknown (prefix-list entries not exported, a source
  // that does not parse); empty when fully known.
  std::vector<std::string> unknowns;
  std::string label;                       // the first source, for display ("0.0.0.0/0")
  std::vector<std::string> cidr_labels;    // permission->cidrs formatted, in order

  [[nodiscard]] bool matches(int protocol, uint16_t port) const {
    return (permission->protocol == kAllProtocols || permission->protocol == protocol) &&
           permission->ports.begin <= port && port <= permission->ports.end;
  }
};

struct GroupView {
  const SecurityGroup* group = nullptr;
  std::vector<PermView> inbound;
  std::vector<PermView> outbound;
  std::unordered_map<int, uint32_t> member_subnets;  // subnet -> interfaces/balancers in it
  std::vector<std::pair<int, uint32_t>> members;     // member_subnets sorted by subnet
  std::vector<int> load_balancers;                   // balancers carrying this group
};

struct EniView {
  const NetworkInterface* eni = nullptr;
  int subnet = kNone;
  std::vector<int> groups;  // kNone for a group missing from the bundle
};

struct LoadBalancerView {
  const LoadBalancer* lb = nullptr;
  std::vector<int> subnets;
  std::vector<int> groups;  // kNone for missing ones
  CidrSet subnet_cidrs;
  bool internet_facing = false;
  bool health_unknown = false;  // a target group it forwards to has no target-health file
};

// One listener's verdict on the internet reaching it, per transport.
struct ListenerView {
  int load_balancer = kNone;
  const Listener* listener = nullptr;
  std::string name;  // the listener id, the last segment of its ARN
  std::array<bool, 2> transports{};
  std::array<Tri, 2> ingress{Tri::kNo, Tri::kNo};
  std::array<std::string, 2> gateway;  // the igw-* of the path when kYes
  std::array<std::string, 2> reason;   // why not, when kNo/kUnknown
};

// A healthy target of an internet-facing balancer: instance port reached through a listener.
struct Registration {
  int listener = kNone;
  int target_group = kNone;
  int protocol = kProtocolTcp;
  uint16_t port = 0;
  int eni = kNone;  // the interface holding the target IP (ip targets); kNone: primary ENI
};

struct InstanceView {
  const Instance* instance = nullptr;
  std::vector<int> enis;
  bool public_v4_on_primary = false;  // PublicIpAddress, credited to the primary interface
  std::vector<std::string> missing;   // references that could not be resolved
};

class NetworkIndex {
 public:
  NetworkIndex(const Environment& env, const AnalyzerOptions& options);

  const Environment& env() const { return env_; }
  const std::vector<model::Diagnostic>& diagnostics() const { return diagnostics_; }

  std::vector<InstanceView> instances;
  std::vector<EniView> enis;
  std::vector<GroupView> groups;
  std::vector<SubnetView> subnets;
  std::vector<VpcView> vpcs;
  std::vector<RouteTableView> route_tables;
  std::vector<NaclView> nacls;
  std::vector<LoadBalancerView> load_balancers;
  std::vector<ListenerView> listeners;
  std::unordered_map<std::string_view, std::vector<Registration>> registrations;  // by instance

  int find_instance(std::string_view id) const { return find(instance_ids_, id); }
  int find_group(std::string_view id) const { return find(group_ids_, id); }
  int find_subnet(std::string_view id) const { return find(subnet_ids_, id); }
  int find_vpc(std::string_view id) const { return find(vpc_ids_, id); }
  const PeeringConnection* find_peering(std::string_view id) const;
  const TargetGroup* target_group(int index) const { return &env_.target_groups[static_cast<size_t>(index)]; }

  // The sources of `permission` as a set, with prefix lists expanded.
  PermView view_of(const SgPermission& permission, std::string_view where);

  void diagnose(std::string where, std::string message);

 private:
  static int find(const std::unordered_map<std::string_view, int>& map, std::string_view id) {
    const auto it = map.find(id);
    return it == map.end() ? kNone : it->second;
  }
  void index_ids();
  void build_vpcs_and_subnets();
  void build_groups();
  void build_interfaces();
  void build_instances();
  void build_load_balancers();
  void build_listeners();
  void build_registrations();
  NaclView build_nacl(const NetworkAcl& acl) const;
  RouteTableView build_route_table(const RouteTable& table);
  void build_windows(SubnetView& subnet) const;

  const Environment& env_;
  AnalyzerOptions options_;
  std::vector<model::Diagnostic> diagnostics_;
  std::unordered_map<std::string_view, int> instance_ids_, eni_ids_, group_ids_, subnet_ids_,
      vpc_ids_, route_table_ids_, nacl_ids_, igw_ids_, nat_ids_, peering_ids_, prefix_list_ids_,
      load_balancer_ids_, listener_ids_, target_group_ids_;
};

}  // namespace vigil::reachability::internal
