// Parsers for `aws elbv2 describe-*` output: load balancers, listeners, target groups and
// target health.
#include <algorithm>
#include <string>
#include <string_view>

#include "reachability/internal/parsers.hpp"

namespace vigil::reachability::internal {
namespace {

std::optional<uint16_t> port_at(const object& obj, std::string_view key) {
  const auto value = int_at(obj, key);
  if (!value || *value < 1 || *value > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(*value);
}

void add_unique(std::vector<std::string>& out, std::string_view value) {
  if (!value.empty() && std::find(out.begin(), out.end(), value) == out.end()) {
    out.emplace_back(value);
  }
}

}  // namespace

bool parse_load_balancers(const object& root, ParseContext& ctx) {
  return each_object(root, "LoadBalancers", [&](const object& obj, size_t index) {
    LoadBalancer lb;
    lb.arn = std::string(str(obj, "LoadBalancerArn"));
    if (lb.arn.empty()) {
      ctx.warn(fmt::format("LoadBalancers[{}]", index), "load balancer without LoadBalancerArn ignored");
      return;
    }
    lb.name = std::string(str(obj, "LoadBalancerName"));
    lb.scheme = std::string(str(obj, "Scheme"));
    lb.type = std::string(str(obj, "Type"));
    lb.vpc_id = std::string(str(obj, "VpcId"));
    if (const auto state = obj_at(obj, "State")) {
      lb.state = std::string(str(*state, "Code"));
    }
    each_object(obj, "AvailabilityZones", [&](const object& zone, size_t) {
      add_unique(lb.subnet_ids, str(zone, "SubnetId"));
    });
    lb.group_ids = str_array(obj, "SecurityGroups");
    ctx.env().load_balancers.push_back(std::move(lb));
  });
}

bool parse_listeners(const object& root, ParseContext& ctx) {
  return each_object(root, "Listeners", [&](const object& obj, size_t index) {
    Listener listener;
    listener.arn = std::string(str(obj, "ListenerArn"));
    const std::string where =
        listener.arn.empty() ? fmt::format("Listeners[{}]", index) : listener.arn;
    listener.load_balancer_arn = std::string(str(obj, "LoadBalancerArn"));
    const auto port = port_at(obj, "Port");
    if (listener.arn.empty() || listener.load_balancer_arn.empty() || !port) {
      ctx.warn(where, "listener needs ListenerArn, LoadBalancerArn and Port (1-65535); ignored");
      return;
    }
    listener.port = *port;
    listener.protocol = std::string(str(obj, "Protocol"));
    each_object(obj, "DefaultActions", [&](const object& action, size_t) {
      if (str(action, "Type") != "forward") {
        return;
      }
      add_unique(listener.target_group_arns, str(action, "TargetGroupArn"));
      if (const auto forward = obj_at(action, "ForwardConfig")) {
        each_object(*forward, "TargetGroups", [&](const object& group, size_t) {
          add_unique(listener.target_group_arns, str(group, "TargetGroupArn"));
        });
      }
    });
    ctx.env().listeners.push_back(std::move(listener));
  });
}

bool parse_target_groups(const object& root, ParseContext& ctx) {
  return each_object(root, "TargetGroups", [&](const object& obj, size_t index) {
    TargetGroup group;
    group.arn = std::string(str(obj, "TargetGroupArn"));
    group.name = std::string(str(obj, "TargetGroupName"));
    if (group.arn.empty()) {
      ctx.warn(fmt::format("TargetGroups[{}]", index), "target group without TargetGroupArn ignored");
      return;
    }
    group.protocol = std::string(str(obj, "Protocol"));
    group.port = port_at(obj, "Port");
    group.vpc_id = std::string(str(obj, "VpcId"));
    group.target_type = std::string(str(obj, "TargetType"));
    if (group.target_type.empty()) {
      group.target_type = "instance";
    }
    group.load_balancer_arns = str_array(obj, "LoadBalancerArns");
    ctx.env().target_groups.push_back(std::move(group));
  });
}

bool parse_target_health(const object& root, std::string_view group_name, ParseContext& ctx) {
  std::vector<TargetHealth> targets;
  const bool listed =
      each_object(root, "TargetHealthDescriptions", [&](const object& obj, size_t index) {
        TargetHealth health;
        if (const auto target = obj_at(obj, "Target")) {
          health.target_id = std::string(str(*target, "Id"));
          health.port = port_at(*target, "Port");
        }
        if (const auto state = obj_at(obj, "TargetHealth")) {
          health.state = std::string(str(*state, "State"));
        }
        if (health.target_id.empty()) {
          ctx.warn(fmt::format("TargetHealthDescriptions[{}]", index), "target without Id ignored");
          return;
        }
        targets.push_back(std::move(health));
      });
  if (!listed) {
    return false;
  }
  auto& groups = ctx.env().target_groups;
  const auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const TargetGroup& group) { return group.name == group_name; });
  if (it == groups.end()) {
    ctx.warn({}, fmt::format("no target group named \"{}\" in describe-target-groups.json; "
                             "file ignored",
                             group_name));
    return true;
  }
  it->health_known = true;
  it->targets.insert(it->targets.end(), targets.begin(), targets.end());
  return true;
}

}  // namespace vigil::reachability::internal
