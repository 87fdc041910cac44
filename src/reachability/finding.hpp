// What the reachability analysis concludes: per instance and per open port range, how far an
// attacker can reach it (internet, VPC, nowhere) and through which components, in the shape of
// Inspector's NETWORK_REACHABILITY findings (openPortRange, protocol, networkPath.steps).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.hpp"
#include "reachability/environment.hpp"

namespace vigil::reachability {

// From where a port can be reached. kUnknown: the bundle lacks something the answer depends on
// (a missing file, a dangling reference, prefix-list entries not exported).
enum class ReachabilityClass { kUnknown, kNone, kVpc, kInternet };

// "UNKNOWN", "NONE", "VPC", "INTERNET".
std::string_view reachability_class_name(ReachabilityClass reachability);

// How exposed a class is, for taking the widest: INTERNET 3 > UNKNOWN 2 (it might be the
// internet) > VPC 1 > NONE 0.
int exposure_rank(ReachabilityClass reachability);

// The transport protocols Inspector reports on.
enum class Protocol { kTcp, kUdp };

// "TCP", "UDP".
std::string_view protocol_name(Protocol protocol);

// The kinds of component a network path goes through.
enum class ComponentType {
  kInternetGateway,
  kRouteTable,
  kNetworkAcl,
  kSecurityGroup,
  kNetworkInterface,
  kInstance,
  kSubnet,
  kVpc,
  kPeeringConnection,
  kLoadBalancer,
  kListener,
  kTargetGroup,
};

// The CloudFormation-style name Inspector uses as componentType: "AWS::EC2::InternetGateway",
// "AWS::EC2::VPCPeeringConnection", "AWS::ElasticLoadBalancingV2::Listener", ...
std::string_view component_type_name(ComponentType type);

// One component on a network path, as Inspector's NetworkPath step: componentId ("igw-…",
// "sg-…", a load balancer's name), componentType and, for components with an ARN (load
// balancers, listeners, target groups), componentArn.
struct PathStep {
  std::string component_id;
  ComponentType component_type = ComponentType::kInstance;
  std::string component_arn;

  friend bool operator==(const PathStep&, const PathStep&) = default;
};

// One protocol and port range of an instance that an attached security group opens, with the
// class of the widest source that reaches it and the path that proves it.
struct PortReachability {
  Protocol protocol = Protocol::kTcp;
  PortRange port_range;
  ReachabilityClass reachability = ReachabilityClass::kUnknown;
  // Source side first, instance last: InternetGateway → RouteTable → NetworkAcl → SecurityGroup
  // → NetworkInterface → Instance, or InternetGateway → LoadBalancer → Listener → TargetGroup →
  // SecurityGroup → NetworkInterface → Instance; for VPC class the VPC, subnet or peering
  // connection comes first. Empty for kNone and kUnknown.
  std::vector<PathStep> path;
  // The attached security groups with an inbound rule opening this range, in attachment order.
  std::vector<std::string> security_groups;
  // The rule source the path starts from ("0.0.0.0/0", "::/0", "sg-…", "pl-…", or the load
  // balancer's name); empty for kNone and kUnknown.
  std::string source;
  // Why the range is not reachable from the internet (for kVpc and kNone), or what the answer
  // is missing (kUnknown); empty for kInternet.
  std::string reason;

  friend bool operator==(const PortReachability&, const PortReachability&) = default;
};

// A NETWORK_REACHABILITY finding: a range of an instance reachable from the internet.
struct NetworkFinding {
  std::string instance_id;
  std::string account_id;  // the AWS account that owns the instance
  std::string vpc_id;
  PortReachability port;  // reachability == kInternet

  friend bool operator==(const NetworkFinding&, const NetworkFinding&) = default;
};

// The analysis of one instance: every open range, and the maximum class over them.
struct InstanceReachability {
  std::string instance_id;
  std::string account_id;
  std::string vpc_id;
  std::string state;
  // kInternet if any range is; otherwise kUnknown if any range is or the instance's evaluation
  // was incomplete (e.g. an attached security group is missing); otherwise kVpc if any range is;
  // otherwise kNone (including an instance with no open range).
  ReachabilityClass reachability = ReachabilityClass::kUnknown;
  bool complete = true;
  std::vector<PortReachability> ports;  // by protocol, then port

  friend bool operator==(const InstanceReachability&, const InstanceReachability&) = default;
};

struct Analysis {
  std::vector<InstanceReachability> instances;  // in describe-instances order
  // The bundle's diagnostics, then those of resolving references (dangling ids, ...).
  std::vector<model::Diagnostic> diagnostics;

  friend bool operator==(const Analysis&, const Analysis&) = default;
};

// The NETWORK_REACHABILITY findings of `analysis`: the ranges reachable from the internet.
std::vector<NetworkFinding> internet_findings(const Analysis& analysis);

}  // namespace vigil::reachability
