// Rendering an Analysis: JSON (per-instance ranges, Inspector-shaped NETWORK_REACHABILITY
// findings, counts, diagnostics) and a plain-text table for terminals.
#pragma once

#include <string>

#include "reachability/finding.hpp"

namespace vigil::reachability {

// The title Inspector gives a finding: "Port 22 is reachable from an Internet Gateway - TCP"
// ("Port range 8000-8080 …" for a range; "… through load balancer <name> …" for that path).
std::string finding_title(const NetworkFinding& finding);

// Inspector's description: "On the instance i-…, the port range 22-22 is reachable from the
// InternetGateway igw-… from an attached ENI eni-…."
std::string finding_description(const NetworkFinding& finding);

// The analysis as a JSON document (2-space indented, trailing newline):
//   {"summary": {instances, internet, vpc, none, unknown, findings},
//    "instances": [{instanceId, accountId, vpcId, state, reachability, complete,
//                   ports: [{protocol, openPortRange{begin,end}, reachability, source,
//                            securityGroups, networkPath{steps[{componentId, componentType,
//                            componentArn?}]}, reason}]}],
//    "findings": [{type: "NETWORK_REACHABILITY", awsAccountId, title, description, remediation,
//                  resources[{type: "AWS_EC2_INSTANCE", id, details.awsEc2Instance.vpcId}],
//                  networkReachabilityDetails{openPortRange, protocol, networkPath}}],
//    "diagnostics": [{level, where, message}]}
// Deterministic for a given Analysis.
std::string render_json(const Analysis& analysis);

// One block per instance: its class, then one line per range with class, source and path
// ("igw-1 > rtb-1 > acl-1 > sg-1 > eni-1 > i-1") or the reason it is not internet-reachable.
// Diagnostics are not included (the CLI prints them to stderr).
std::string render_table(const Analysis& analysis);

}  // namespace vigil::reachability
