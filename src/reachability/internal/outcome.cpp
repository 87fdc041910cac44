// Outcomes of evaluating a port: their class, and the text explaining why a port is not
// reachable from the internet.
#include <string>

#include "reachability/internal/evaluator.hpp"

namespace vigil::reachability::internal {
namespace {

const char* protocol_text(int protocol) { return protocol == kProtocolUdp ? "udp" : "tcp"; }

}  // namespace

int reason_stage(ReasonKind kind) {
  switch (kind) {
    case ReasonKind::kUnset:
      return 0;
    case ReasonKind::kNoPublicIpv4:
    case ReasonKind::kNoIpv6:
      return 1;
    case ReasonKind::kNoGatewayRoute:
      return 2;
    case ReasonKind::kBalancerText:
    case ReasonKind::kBalancerEgress:
    case ReasonKind::kBalancerAdmit:
    case ReasonKind::kBalancerNacl:
      return 3;
    case ReasonKind::kNaclInbound:
      return 4;
    case ReasonKind::kNaclReturn:
      return 5;
  }
  return 0;
}

std::string describe(const Reason& reason) {
  const auto& first = reason.first != nullptr ? *reason.first : std::string();
  const auto& second = reason.second != nullptr ? *reason.second : std::string();
  switch (reason.kind) {
    case ReasonKind::kUnset:
      break;
    case ReasonKind::kNoPublicIpv4:
      return fmt::format("{} has no public IPv4 address", first);
    case ReasonKind::kNoIpv6:
      return fmt::format("{} has no IPv6 address", first);
    case ReasonKind::kNoGatewayRoute:
      return fmt::format(
          "route table {} has no route from the internet through an internet gateway ({})", first,
          !second.empty() ? second : (reason.v4 ? "no 0.0.0.0/0 route" : "no ::/0 route"));
    case ReasonKind::kBalancerText:
      return first;
    case ReasonKind::kBalancerEgress:
      return fmt::format(
          "the security groups of load balancer {} do not allow outbound {}/{} to the instance",
          first, protocol_text(reason.protocol), reason.port);
    case ReasonKind::kBalancerAdmit:
      return fmt::format("the security groups of {} do not admit load balancer {} on {}/{}", first,
                         second, protocol_text(reason.protocol), reason.port);
    case ReasonKind::kBalancerNacl:
      return fmt::format("network ACL {} blocks traffic from load balancer {} on {}/{}", first,
                         second, protocol_text(reason.protocol), reason.port);
    case ReasonKind::kNaclInbound:
      return fmt::format("network ACL {} denies inbound {}/{} from the internet", first,
                         protocol_text(reason.protocol), reason.port);
    case ReasonKind::kNaclReturn:
      return fmt::format(
          "network ACL {} blocks the replies (outbound to the client's ephemeral ports)", first);
  }
  return "no security group rule admits the internet on this port";
}

ReachabilityClass Outcome::reachability_class() const {
  if (internet == Tri::kYes) {
    return ReachabilityClass::kInternet;
  }
  if (internet == Tri::kUnknown) {
    return ReachabilityClass::kUnknown;
  }
  if (vpc == Tri::kYes) {
    return ReachabilityClass::kVpc;
  }
  if (vpc == Tri::kUnknown) {
    return ReachabilityClass::kUnknown;
  }
  return ReachabilityClass::kNone;
}

std::string Outcome::reason() const {
  switch (reachability_class()) {
    case ReachabilityClass::kInternet:
      return {};
    case ReachabilityClass::kUnknown: {
      std::string text;
      for (const auto& unknown : unknowns) {
        text += text.empty() ? unknown : "; " + unknown;
      }
      return text;
    }
    case ReachabilityClass::kVpc:
    case ReachabilityClass::kNone:
      break;
  }
  return describe(blocked);
}

bool Outcome::same_verdict(const Outcome& other) const {
  const auto reach = reachability_class();
  const bool same_source = source == other.source ||
                           (source != nullptr && other.source != nullptr && *source == *other.source);
  if (reach != other.reachability_class() || path != other.path || !same_source ||
      groups != other.groups) {
    return false;
  }
  switch (reach) {
    case ReachabilityClass::kInternet:
      return true;
    case ReachabilityClass::kUnknown:
      return unknowns == other.unknowns;
    case ReachabilityClass::kVpc:
    case ReachabilityClass::kNone:
      break;
  }
  // Reasons naming the port differ port by port; compare their text only then.
  return blocked == other.blocked || describe(blocked) == describe(other.blocked);
}

}  // namespace vigil::reachability::internal
