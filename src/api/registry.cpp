#include <cstdlib>
#include <iostream>
#include <set>

#include "api/operations.hpp"
#include "api/sigv4.hpp"
#include "core/strings.hpp"

namespace vigil::api {
namespace {

bool has_label(std::string_view path) { return path.find('{') != std::string_view::npos; }

// Matches "/tags/{resourceArn}" against "/tags/arn%3Aaws..."; labels are decoded once.
bool match_template(std::string_view pattern, std::string_view path,
                    std::map<std::string, std::string>& labels) {
  const std::vector<std::string_view> want = split(pattern, '/');
  const std::vector<std::string_view> have = split(path, '/');
  if (want.size() != have.size()) {
    return false;
  }
  for (std::size_t index = 0; index < want.size(); ++index) {
    const std::string_view segment = want[index];
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
      if (have[index].empty()) {
        return false;
      }
      labels[std::string(segment.substr(1, segment.size() - 2))] = uri_decode(have[index]);
      continue;
    }
    if (segment != have[index]) {
      return false;
    }
  }
  return true;
}

}  // namespace

OperationSpec& Registry::add_inspector(std::string_view name, bool mutating, Handler handler) {
  const spec::Operation* operation = spec::find_operation(name);
  if (operation == nullptr) {
    std::cerr << "vigil api: operation " << name << " is not in the Inspector2 model\n";
    std::abort();
  }
  OperationSpec spec;
  spec.name = std::string(name);
  spec.method = std::string(operation->method);
  spec.path = std::string(operation->path);
  spec.mutating = mutating;
  spec.input_shape = operation->input;
  spec.handler = std::move(handler);
  return add(std::move(spec));
}

OperationSpec& Registry::add(OperationSpec spec) {
  auto owned = std::make_unique<OperationSpec>(std::move(spec));
  if (!has_label(owned->path)) {
    exact_[{owned->method, owned->path}] = owned.get();
  }
  specs_.push_back(std::move(owned));
  return *specs_.back();
}

std::optional<RouteMatch> Registry::route(std::string_view method, std::string_view path) const {
  const auto found = exact_.find({std::string(method), std::string(path)});
  if (found != exact_.end()) {
    return RouteMatch{found->second, {}};
  }
  for (const auto& spec : specs_) {
    if (spec->method != method || !has_label(spec->path)) {
      continue;
    }
    RouteMatch match{spec.get(), {}};
    if (match_template(spec->path, path, match.labels)) {
      return match;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> Registry::unimplemented() const {
  std::set<std::string_view> served;
  for (const auto& spec : specs_) {
    if (spec->implemented) {
      served.insert(spec->name);
    }
  }
  std::vector<std::string_view> missing;
  for (const spec::Operation& operation : spec::operations()) {
    if (!served.contains(operation.name)) {
      missing.push_back(operation.name);
    }
  }
  return missing;
}

Registry default_registry() {
  Registry registry;
  register_findings_ops(registry);
  register_coverage_ops(registry);
  register_filter_ops(registry);
  register_vigil_ops(registry);
  register_org_ops(registry);
  register_report_ops(registry);
  std::set<std::string_view> served;
  for (const auto& spec : registry.specs()) {
    served.insert(spec->name);
  }
  for (const spec::Operation& operation : spec::operations()) {
    if (served.contains(operation.name)) {
      continue;
    }
    const std::string name(operation.name);
    registry
        .add_inspector(operation.name, false,
                       [name](ApiContext&, const OpRequest&) -> ApiResult<Reply> {
                         return reject(ApiError::not_implemented(
                             fmt::format("{} is not implemented by Vigil", name)));
                       })
        .implemented = false;
  }
  return registry;
}

}  // namespace vigil::api
