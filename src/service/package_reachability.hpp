// Per-package reachability on an EC2 instance: when the host agent reported listening sockets,
// a package that owns a listening executable is scored by how far that port can be reached
// (reachability::Analyzer::port_detail), not by the instance-wide class. See docs/scoring.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "inventory/agent_document.hpp"
#include "model/finding.hpp"
#include "model/inventory.hpp"
#include "scoring/risk.hpp"
#include "service/pipeline.hpp"

namespace vigil::reachability {
class Analyzer;
enum class ReachabilityClass;
}  // namespace vigil::reachability

namespace vigil::service {

// The analysis' class as the scorer's (fleet builds only, like apply_socket_reachability).
scoring::Reachability to_scoring(reachability::ReachabilityClass reach);

// Fills `context.package_reachability` and `context.reachability_rule` for instance
// `instance_id` whose agent reported `sockets`:
//  - each OS package of `inventory` owning a listening socket gets the widest class over its
//    sockets (INTERNET > UNKNOWN > VPC > NONE), a socket bound to a loopback address counting
//    as NONE, with a rule naming the protocol/port, the address, the process and the path
//    source ("tcp/22 on 0.0.0.0 (sshd, /usr/sbin/sshd) is reachable from the internet: source
//    0.0.0.0/0, path igw-… → … → i-…");
//  - every other package keeps `context.reachability` (the instance class), with a rule saying
//    so.
// `analyzer` must know the instance (callers check; otherwise everything would be UNKNOWN).
void apply_socket_reachability(const std::vector<inventory::ListeningSocket>& sockets,
                               const model::Inventory& inventory,
                               const reachability::Analyzer& analyzer, std::string_view instance_id,
                               ResourceContext& context);

// The reachability `package` is scored with under `context`, and the rule to state ("" when
// the context states none: no sockets were reported).
std::pair<scoring::Reachability, std::string_view> package_reachability(
    const ResourceContext& context, const model::Package& package);

// Adds `rule` to the finding's explanations: to the vigilRisk "reachability" step (inserted
// after "base", ×1.0, when the class did not change the score) and to Inspector's MAV
// adjustment when the attack vector was lowered.
void explain_reachability(model::Finding& finding, scoring::Reachability reach,
                          std::string_view rule);

}  // namespace vigil::service
