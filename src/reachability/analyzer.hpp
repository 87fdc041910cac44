// Network reachability of EC2 instances: which ports an attacker can reach, from the internet
// or from inside the VPC (and peered VPCs), through which gateways, route tables, NACLs,
// security groups and load balancers.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "reachability/environment.hpp"
#include "reachability/finding.hpp"

namespace vigil::reachability {

struct AnalyzerOptions {
  // Ephemeral port ranges clients may use; the return traffic of a connection passes the
  // subnet's outbound NACL when every port of at least one range is allowed back to the client.
  // Defaults: any client (1024-65535), Linux (32768-60999), Windows (49152-65535). Load
  // balancer nodes always use 1024-65535.
  std::vector<PortRange> client_ephemeral_ranges = {{1024, 65535}, {32768, 60999}, {49152, 65535}};
};

// Indexes an Environment once (hash maps by id, precomputed NACL and route sets) and answers
// reachability questions about its instances.
//
// The model (see finding.hpp for the result):
//  - Security groups: inbound rules by IPv4/IPv6 CIDR, by prefix list (with its entries), and
//    by referenced group (members are the subnets of the interfaces and load balancers carrying
//    it). Stateful: return traffic is implied.
//  - Network ACLs: per direction, lowest RuleNumber first, allow/deny, default deny; traffic
//    within one subnet does not cross them. The outbound ACL must let replies reach the
//    client's ephemeral ports.
//  - Routes: the subnet's explicit route table, else the VPC's main one; longest-prefix match,
//    so a more specific route (e.g. to a NAT gateway) takes addresses away from a 0.0.0.0/0 or
//    ::/0 route to an internet gateway. Only attached igw-* routes give an inbound internet path;
//    NAT and egress-only gateways give none.
//  - Internet class needs a public IPv4 address (auto-assigned or Elastic IP) for IPv4 sources
//    or an IPv6 address for IPv6 sources; VPC class covers the VPC's own CIDRs and those of
//    active peering connections the subnet routes back to through the pcx-*.
//  - Load balancers: internet-facing, with their own security groups, subnets, routes and NACLs;
//    listener port → default-action target groups (and, as describe-rules is not read, the
//    balancer's other target groups) → healthy registered targets (instance or IP) → the target
//    port on the instance, which must admit the balancer (its groups or subnets; client
//    addresses for a network balancer without security groups).
//
// The Environment must outlive the Analyzer and stay unchanged. All methods are const and
// thread-safe; analyze() spreads large environments over worker threads (one per core, at
// most 8, each with at least 2,000 instances) and returns the same result as a serial run.
class Analyzer {
 public:
  explicit Analyzer(const Environment& env, AnalyzerOptions options = {});
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Every instance (terminated ones skipped), in input order, with the environment's
  // diagnostics followed by the index's.
  [[nodiscard]] Analysis analyze() const;

  // One instance's analysis; nullopt when `instance_id` is not in the environment.
  [[nodiscard]] std::optional<InstanceReachability> analyze_instance(
      std::string_view instance_id) const;

  // The summary class of `instance_id` (see InstanceReachability::reachability); kUnknown when
  // the instance is not in the environment.
  [[nodiscard]] ReachabilityClass instance_reachability(std::string_view instance_id) const;

  // How far `port`/`protocol` on `instance_id` can be reached: kNone when no attached security
  // group opens it, kUnknown when the instance is not in the environment or the answer depends
  // on something missing. For the scorer, per listening port an agent reports.
  [[nodiscard]] ReachabilityClass port_reachability(std::string_view instance_id,
                                                    Protocol protocol, uint16_t port) const;

  // The same question with the evidence: the port as a one-port range, its class, and for
  // kInternet/kVpc the path and the rule source (as in analyze()); for kNone/kUnknown the
  // reason. nullopt when `instance_id` is not in the environment. The class always equals
  // port_reachability()'s.
  [[nodiscard]] std::optional<PortReachability> port_detail(std::string_view instance_id,
                                                            Protocol protocol,
                                                            uint16_t port) const;

  // Problems found while resolving references (dangling ids, unattached gateways, ...).
  [[nodiscard]] const std::vector<model::Diagnostic>& diagnostics() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Analyzes every instance of `env`: Analyzer(env).analyze().
[[nodiscard]] Analysis analyze(const Environment& env, const AnalyzerOptions& options = {});

}  // namespace vigil::reachability
