// Internal: the verdict for one instance, one protocol, one port — from the internet (direct,
// or through an internet-facing load balancer) and from the VPC and its peers — with the path
// that proves it or the reason it fails. Paths and reasons hold references into the index and
// are only turned into text for the ranges reported, so evaluating a port allocates nothing on
// the common paths.
#pragma once

#include <string>
#include <vector>

#include "reachability/finding.hpp"
#include "reachability/internal/network_index.hpp"

namespace vigil::reachability::internal {

// A path step referring to strings owned by the environment or the index.
struct StepRef {
  const std::string* id = nullptr;
  ComponentType type = ComponentType::kInstance;
  const std::string* arn = nullptr;

  friend bool operator==(const StepRef&, const StepRef&) = default;
};

// Why the internet does not reach a port, as the furthest stage an attempt got to.
enum class ReasonKind {
  kUnset,
  kNoPublicIpv4,     // first: interface
  kNoIpv6,           // first: interface
  kNoGatewayRoute,   // first: route table, second: its default route text; v4
  kBalancerText,     // first: the listener's precomputed reason
  kBalancerEgress,   // first: balancer name; protocol, port
  kBalancerAdmit,    // first: interface, second: balancer name; protocol, port
  kBalancerNacl,     // first: NACL, second: balancer name; protocol, port
  kNaclInbound,      // first: NACL; protocol, port
  kNaclReturn,       // first: NACL
};

struct Reason {
  ReasonKind kind = ReasonKind::kUnset;
  const std::string* first = nullptr;
  const std::string* second = nullptr;
  int protocol = kProtocolTcp;
  uint16_t port = 0;
  bool v4 = true;

  friend bool operator==(const Reason&, const Reason&) = default;
};

// How far an attempt of `kind` got: the furthest explains the verdict.
int reason_stage(ReasonKind kind);
std::string describe(const Reason& reason);

struct Outcome {
  Tri internet = Tri::kNo;
  Tri vpc = Tri::kNo;
  std::vector<StepRef> path;  // of the widest kYes
  const std::string* source = nullptr;
  std::vector<int> groups;  // attached groups opening the port (index order of discovery)
  Reason blocked;
  std::vector<std::string> unknowns;  // what the answer is missing
  bool opened = false;

  [[nodiscard]] ReachabilityClass reachability_class() const;
  // The text for NetworkFinding::reason.
  [[nodiscard]] std::string reason() const;
  // Same class, path, source, groups and explanation: neighbouring ranges merge.
  [[nodiscard]] bool same_verdict(const Outcome& other) const;
};

class Evaluator {
 public:
  Evaluator(const NetworkIndex& index, const InstanceView& instance);

  // Evaluates `port`/`protocol`. With `with_vpc` false, VPC sources are not examined when the
  // internet does not reach the port (callers that only need the internet verdict).
  [[nodiscard]] Outcome evaluate(int protocol, uint16_t port, bool with_vpc = true) const;

  // Where the answer can change along 0-65535 for `protocol`: rule, NACL and target ports.
  [[nodiscard]] std::vector<uint32_t> interval_starts(int protocol) const;

 private:
  struct Eni {
    const EniView* view = nullptr;
    const std::string* name = nullptr;  // the ENI id, or the instance id when unnamed
    bool public_v4 = false;
    bool v6 = false;
  };

  void direct(Outcome& out, const Eni& eni, int group, const PermView& permission, int protocol,
              uint16_t port) const;
  void balancers(Outcome& out, int protocol, uint16_t port) const;
  Tri balancer_hop(Outcome& out, const LoadBalancerView& lb, const Eni& eni, int protocol,
                   uint16_t port, int& group) const;
  void from_cidrs(Outcome& out, const Eni& eni, const CidrSet& sources, const std::string* label,
                  int group, int protocol, uint16_t port) const;
  void from_group(Outcome& out, const Eni& eni, const GroupReference& reference, int group,
                  int protocol, uint16_t port) const;
  void finish_path(Outcome& out, const Eni& eni, int group) const;
  const SubnetWindow* window(const EniView& eni, int protocol, uint16_t port) const;

  const NetworkIndex& index_;
  const InstanceView& instance_;
  std::vector<Eni> enis_;
  size_t primary_ = 0;
};

}  // namespace vigil::reachability::internal
