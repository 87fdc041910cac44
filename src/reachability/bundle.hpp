// Reading a bundle: a directory of `aws ... --output json` files, each named after its command
// (describe-instances.json, describe-security-groups.json, ...), into an Environment.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "reachability/environment.hpp"
#include "sources/file_tree.hpp"

namespace vigil::reachability {

// Reads the bundle at the top level of `tree`:
//   describe-instances.json, describe-network-interfaces.json, describe-security-groups.json,
//   describe-network-acls.json, describe-route-tables.json, describe-subnets.json,
//   describe-vpcs.json, describe-internet-gateways.json, describe-nat-gateways.json,
//   describe-vpc-peering-connections.json, describe-managed-prefix-lists.json (ec2), and
//   describe-load-balancers.json, describe-listeners.json, describe-target-groups.json (elbv2);
//   plus one file per call for commands that take an id and whose output does not name it:
//   describe-listeners.<LoadBalancerName>.json, describe-target-health.<TargetGroupName>.json and
//   get-managed-prefix-list-entries.<PrefixListId>.json.
// Other files (README.md, expected.json, ...) are ignored; an unrecognised describe-*.json gets
// an info diagnostic. Unknown fields are ignored. A missing file the analysis needs, a file that
// is not JSON or not that command's output, and items lacking their id are diagnostics on the
// returned Environment. Returns kNotFound when the tree holds no bundle file at all, kIo when it
// cannot be listed. Thread-compatible (reads `tree` only).
[[nodiscard]] Result<Environment> load_bundle(const sources::FileTree& tree);

// Parses one document `text` named `file_name` (a bundle file name as above) into `env`, as
// load_bundle does for each file; problems become diagnostics on `env`. Files that depend on
// others (target health, listeners per balancer, prefix-list entries) must come after the
// target groups and prefix lists they complete. Returns false when `file_name` is not a bundle
// file name (nothing is read).
bool add_document(Environment& env, std::string_view file_name, std::string_view text);

// Adds a warning to `env` for each file the analysis needs that was not read (instances,
// security groups, subnets, route tables, NACLs, VPCs, internet gateways; listeners and target
// groups when load balancers were read). load_bundle calls it; callers building an Environment
// with add_document call it once at the end.
void note_missing_files(Environment& env);

}  // namespace vigil::reachability
