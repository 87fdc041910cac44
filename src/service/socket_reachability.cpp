// Per-package reachability from the host agent's listening sockets (reachability::Analyzer).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "model/ecosystem.hpp"
#include "reachability/analyzer.hpp"
#include "service/package_reachability.hpp"

namespace vigil::service {
namespace {

using reachability::ReachabilityClass;


bool is_loopback(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

std::string describe_socket(const inventory::ListeningSocket& socket) {
  std::string text = fmt::format("{}/{} on {}", socket.protocol, socket.port, socket.local_address);
  if (!socket.process_name.empty() || !socket.executable.empty()) {
    text += fmt::format(" ({}{}{})", socket.process_name,
                        socket.process_name.empty() || socket.executable.empty() ? "" : ", ",
                        socket.executable);
  }
  return text;
}

struct Verdict {
  ReachabilityClass reach = ReachabilityClass::kNone;
  std::string rule;
};

Verdict judge(const inventory::ListeningSocket& socket, const reachability::Analyzer& analyzer,
              std::string_view instance_id) {
  const std::string where = describe_socket(socket);
  if (is_loopback(socket.local_address)) {
    return {ReachabilityClass::kNone,
            fmt::format("{} is bound to the loopback address only (no network path)", where)};
  }
  const auto protocol =
      socket.protocol == "udp" ? reachability::Protocol::kUdp : reachability::Protocol::kTcp;
  const auto detail = analyzer.port_detail(instance_id, protocol, socket.port);
  if (!detail) {
    return {ReachabilityClass::kUnknown,
            fmt::format("{}: the instance is not in the network bundle", where)};
  }
  std::string path;
  for (const auto& step : detail->path) {
    path += (path.empty() ? "" : " -> ") + step.component_id;
  }
  switch (detail->reachability) {
    case ReachabilityClass::kInternet:
      return {detail->reachability,
              fmt::format("{} is reachable from the internet: source {}, path {}", where,
                          detail->source, path)};
    case ReachabilityClass::kVpc:
      return {detail->reachability,
              fmt::format("{} is reachable only from inside the VPC: source {}, path {}", where,
                          detail->source, path)};
    case ReachabilityClass::kNone:
      return {detail->reachability, fmt::format("{} is not reachable: {}", where, detail->reason)};
    case ReachabilityClass::kUnknown:
      break;
  }
  return {ReachabilityClass::kUnknown,
          fmt::format("{} has unknown reachability: {}", where, detail->reason)};
}

}  // namespace

scoring::Reachability to_scoring(ReachabilityClass reach) {
  switch (reach) {
    case ReachabilityClass::kInternet:
      return scoring::Reachability::kInternet;
    case ReachabilityClass::kVpc:
      return scoring::Reachability::kVpc;
    case ReachabilityClass::kNone:
      return scoring::Reachability::kNone;
    case ReachabilityClass::kUnknown:
      break;
  }
  return scoring::Reachability::kUnknown;
}

void apply_socket_reachability(const std::vector<inventory::ListeningSocket>& sockets,
                               const model::Inventory& inventory,
                               const reachability::Analyzer& analyzer, std::string_view instance_id,
                               ResourceContext& context) {
  // The widest verdict per owning package, and how many listening sockets it has.
  std::map<std::string, std::pair<Verdict, size_t>, std::less<>> by_owner;
  for (const auto& socket : sockets) {
    if (socket.package.empty()) {
      continue;
    }
    Verdict verdict = judge(socket, analyzer, instance_id);
    auto [entry, inserted] = by_owner.try_emplace(socket.package, verdict, 0);
    ++entry->second.second;
    if (!inserted && reachability::exposure_rank(verdict.reach) >
                         reachability::exposure_rank(entry->second.first.reach)) {
      entry->second.first = std::move(verdict);
    }
  }
  context.package_reachability.clear();
  for (const auto& package : inventory.packages) {
    const auto owner = by_owner.find(package.name);
    if (owner == by_owner.end() || !model::is_os_ecosystem(package.ecosystem)) {
      continue;
    }
    const auto& [verdict, count] = owner->second;
    PackageReachability entry;
    entry.reachability = to_scoring(verdict.reach);
    entry.rule = count > 1 ? fmt::format("widest of the package's {} listening sockets: {}", count,
                                         verdict.rule)
                           : "the package's listening socket: " + verdict.rule;
    context.package_reachability[{package.ecosystem, package.name}] = std::move(entry);
  }
  context.reachability_rule =
      fmt::format("the package owns no listening socket: the instance's class ({}) applies",
                  scoring::reachability_name(context.reachability));
}

}  // namespace vigil::service
