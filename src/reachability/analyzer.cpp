// The Analyzer: splits each instance's open ports into intervals where nothing changes,
// evaluates one port per interval, and merges neighbours with the same verdict.
#include "reachability/analyzer.hpp"

#include <algorithm>
#include <future>
#include <optional>
#include <thread>
#include <utility>

#include "reachability/internal/evaluator.hpp"
#include "reachability/internal/network_index.hpp"

namespace vigil::reachability {
namespace {

using internal::Evaluator;
using internal::InstanceView;
using internal::NetworkIndex;

constexpr size_t kMaxWorkers = 8;
constexpr size_t kInstancesPerWorker = 2000;

int protocol_number(Protocol protocol) {
  return protocol == Protocol::kUdp ? kProtocolUdp : kProtocolTcp;
}


}  // namespace

class Analyzer::Impl {
 public:
  Impl(const Environment& env, const AnalyzerOptions& options) : index(env, options) {}

  InstanceReachability analyze(const InstanceView& view) const {
    const auto& instance = *view.instance;
    InstanceReachability result;
    result.instance_id = instance.id;
    result.account_id = instance.owner_id;
    result.vpc_id = instance.vpc_id;
    result.state = instance.state;
    result.complete = view.missing.empty();
    result.ports.reserve(8);
    const Evaluator evaluator(index, view);
    for (const Protocol protocol : {Protocol::kTcp, Protocol::kUdp}) {
      const int number = protocol_number(protocol);
      const auto starts = evaluator.interval_starts(number);
      // The range being built: its first outcome and its end, emitted when the verdict changes.
      std::optional<internal::Outcome> current;
      PortRange range;
      const auto flush = [&] {
        if (current) {
          result.ports.push_back(port_of(protocol, range, *current));
          current.reset();
        }
      };
      for (size_t interval = 0; interval < starts.size(); ++interval) {
        const auto begin = static_cast<uint16_t>(starts[interval]);
        const auto end = static_cast<uint16_t>(
            interval + 1 < starts.size() ? starts[interval + 1] - 1 : 65535);
        auto outcome = evaluator.evaluate(number, begin);
        if (!outcome.opened) {
          if (!outcome.unknowns.empty()) {
            result.complete = false;  // a missing group might open it
          }
          flush();
          continue;
        }
        if (outcome.reachability_class() == ReachabilityClass::kUnknown) {
          result.complete = false;
        }
        if (current && current->same_verdict(outcome) && uint32_t{range.end} + 1 == begin) {
          range.end = end;
          continue;
        }
        flush();
        current = std::move(outcome);
        range = {begin, end};
      }
      flush();
    }
    ReachabilityClass summary = ReachabilityClass::kNone;
    for (const auto& port : result.ports) {
      if (exposure_rank(port.reachability) > exposure_rank(summary)) {
        summary = port.reachability;
      }
    }
    if (!result.complete && summary != ReachabilityClass::kInternet) {
      summary = ReachabilityClass::kUnknown;
    }
    result.reachability = summary;
    return result;
  }

  PortReachability port_of(Protocol protocol, PortRange range,
                           const internal::Outcome& outcome) const {
    PortReachability finding;
    finding.protocol = protocol;
    finding.port_range = range;
    finding.reachability = outcome.reachability_class();
    if (finding.reachability == ReachabilityClass::kInternet ||
        finding.reachability == ReachabilityClass::kVpc) {
      finding.path.reserve(outcome.path.size());
      for (const auto& step : outcome.path) {
        finding.path.push_back({*step.id, step.type, step.arn != nullptr ? *step.arn : ""});
      }
      finding.source = outcome.source != nullptr ? *outcome.source : "";
    }
    finding.security_groups.reserve(outcome.groups.size());
    for (const int group : outcome.groups) {
      finding.security_groups.push_back(index.groups[static_cast<size_t>(group)].group->id);
    }
    finding.reason = outcome.reason();
    return finding;
  }

  NetworkIndex index;
};

Analyzer::Analyzer(const Environment& env, AnalyzerOptions options)
    : impl_(std::make_unique<Impl>(env, options)) {}

Analyzer::~Analyzer() = default;

Analysis Analyzer::analyze() const {
  Analysis analysis;
  analysis.diagnostics = impl_->index.env().diagnostics;
  const auto& extra = impl_->index.diagnostics();
  analysis.diagnostics.insert(analysis.diagnostics.end(), extra.begin(), extra.end());
  std::vector<const InstanceView*> live;
  live.reserve(impl_->index.instances.size());
  for (const auto& view : impl_->index.instances) {
    if (view.instance->state != "terminated") {
      live.push_back(&view);
    }
  }
  analysis.instances.resize(live.size());
  // Instances are independent and the index is immutable: large environments are shared out
  // to worker threads (worker w takes every n-th instance from w), each writing only its own
  // slots, so the output does not depend on scheduling.
  const size_t workers = std::min<size_t>(
      {std::max(1u, std::thread::hardware_concurrency()), kMaxWorkers,
       (live.size() + kInstancesPerWorker - 1) / kInstancesPerWorker});
  const auto run = [&](size_t worker) {
    for (size_t position = worker; position < live.size(); position += workers) {
      analysis.instances[position] = impl_->analyze(*live[position]);
    }
  };
  std::vector<std::future<void>> pending;
  for (size_t worker = 1; worker < workers; ++worker) {
    pending.push_back(std::async(std::launch::async, run, worker));
  }
  run(0);
  for (auto& task : pending) {
    task.get();  // rethrows what a worker threw (std::bad_alloc)
  }
  return analysis;
}

std::optional<InstanceReachability> Analyzer::analyze_instance(std::string_view instance_id) const {
  const int position = impl_->index.find_instance(instance_id);
  if (position == internal::kNone) {
    return std::nullopt;
  }
  return impl_->analyze(impl_->index.instances[static_cast<size_t>(position)]);
}

ReachabilityClass Analyzer::instance_reachability(std::string_view instance_id) const {
  const auto result = analyze_instance(instance_id);
  return result ? result->reachability : ReachabilityClass::kUnknown;
}

ReachabilityClass Analyzer::port_reachability(std::string_view instance_id, Protocol protocol,
                                              uint16_t port) const {
  const int position = impl_->index.find_instance(instance_id);
  if (position == internal::kNone) {
    return ReachabilityClass::kUnknown;
  }
  const auto& view = impl_->index.instances[static_cast<size_t>(position)];
  if (!view.missing.empty()) {
    return ReachabilityClass::kUnknown;
  }
  const Evaluator evaluator(impl_->index, view);
  const auto outcome = evaluator.evaluate(protocol_number(protocol), port);
  if (!outcome.opened) {
    return outcome.unknowns.empty() ? ReachabilityClass::kNone : ReachabilityClass::kUnknown;
  }
  return outcome.reachability_class();
}

std::optional<PortReachability> Analyzer::port_detail(std::string_view instance_id,
                                                      Protocol protocol, uint16_t port) const {
  const int position = impl_->index.find_instance(instance_id);
  if (position == internal::kNone) {
    return std::nullopt;
  }
  const auto& view = impl_->index.instances[static_cast<size_t>(position)];
  const Evaluator evaluator(impl_->index, view);
  const auto outcome = evaluator.evaluate(protocol_number(protocol), port);
  PortReachability detail = impl_->port_of(protocol, {port, port}, outcome);
  if (!view.missing.empty()) {
    detail.reachability = ReachabilityClass::kUnknown;  // as port_reachability()
    detail.path.clear();
    detail.source.clear();
    detail.reason = "the instance's network configuration is incomplete in the bundle";
  } else if (!outcome.opened) {
    detail.reachability =
        outcome.unknowns.empty() ? ReachabilityClass::kNone : ReachabilityClass::kUnknown;
    detail.path.clear();
    detail.source.clear();
    if (detail.reason.empty()) {
      detail.reason = "no attached security group opens it";
    }
  }
  return detail;
}

const std::vector<model::Diagnostic>& Analyzer::diagnostics() const {
  return impl_->index.diagnostics();
}

Analysis analyze(const Environment& env, const AnalyzerOptions& options) {
  return Analyzer(env, options).analyze();
}

std::string_view reachability_class_name(ReachabilityClass reachability) {
  switch (reachability) {
    case ReachabilityClass::kUnknown:
      return "UNKNOWN";
    case ReachabilityClass::kNone:
      return "NONE";
    case ReachabilityClass::kVpc:
      return "VPC";
    case ReachabilityClass::kInternet:
      return "INTERNET";
  }
  return "UNKNOWN";
}

int exposure_rank(ReachabilityClass reachability) {
  switch (reachability) {
    case ReachabilityClass::kNone:
      return 0;
    case ReachabilityClass::kVpc:
      return 1;
    case ReachabilityClass::kUnknown:
      return 2;
    case ReachabilityClass::kInternet:
      return 3;
  }
  return 2;
}

std::string_view component_type_name(ComponentType type) {
  switch (type) {
    case ComponentType::kInternetGateway:
      return "AWS::EC2::InternetGateway";
    case ComponentType::kRouteTable:
      return "AWS::EC2::RouteTable";
    case ComponentType::kNetworkAcl:
      return "AWS::EC2::NetworkAcl";
    case ComponentType::kSecurityGroup:
      return "AWS::EC2::SecurityGroup";
    case ComponentType::kNetworkInterface:
      return "AWS::EC2::NetworkInterface";
    case ComponentType::kInstance:
      return "AWS::EC2::Instance";
    case ComponentType::kSubnet:
      return "AWS::EC2::Subnet";
    case ComponentType::kVpc:
      return "AWS::EC2::VPC";
    case ComponentType::kPeeringConnection:
      return "AWS::EC2::VPCPeeringConnection";
    case ComponentType::kLoadBalancer:
      return "AWS::ElasticLoadBalancingV2::LoadBalancer";
    case ComponentType::kListener:
      return "AWS::ElasticLoadBalancingV2::Listener";
    case ComponentType::kTargetGroup:
      return "AWS::ElasticLoadBalancingV2::TargetGroup";
  }
  return "AWS::EC2::Instance";
}

std::string_view protocol_name(Protocol protocol) {
  return protocol == Protocol::kUdp ? "UDP" : "TCP";
}

std::vector<NetworkFinding> internet_findings(const Analysis& analysis) {
  std::vector<NetworkFinding> out;
  for (const auto& instance : analysis.instances) {
    for (const auto& port : instance.ports) {
      if (port.reachability == ReachabilityClass::kInternet) {
        out.push_back({instance.instance_id, instance.account_id, instance.vpc_id, port});
      }
    }
  }
  return out;
}

}  // namespace vigil::reachability
