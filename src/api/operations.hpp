// The operation registry: every route the API serves, each bound to a handler. Operation groups
// live one per file (ops_findings.cpp, ops_coverage.cpp, ops_filters.cpp, ops_vigil.cpp,
// ops_org.cpp, ops_reports.cpp) and add themselves through their register_* function;
// default_registry() lists the groups explicitly.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/keys.hpp"
#include "api/model.hpp"
#include "api/protocol.hpp"
#include "store/store.hpp"

namespace vigil::service {
class FleetService;
}

namespace vigil::api {

class Metrics;

// Who is calling, resolved from the access key.
struct Caller {
  std::string access_key_id;
  std::string account_id;
  std::string role;            // admin, member, readonly
  bool sees_all = false;       // the delegated administrator's (or management) admin/readonly keys
  bool read_only() const { return role == kRoleReadOnly; }
  bool administrator() const { return sees_all && role == kRoleAdmin; }
  // The account scope handed to the store: empty = every account.
  std::vector<std::string> scope() const {
    return sees_all ? std::vector<std::string>{} : std::vector<std::string>{account_id};
  }
  // True when this caller may see data of `account_id`.
  bool can_see(const std::string& account) const { return sees_all || account == account_id; }
};

// What handlers work with. The fleet service owns the store; `fleet` is null only in tests that
// exercise read paths over a bare store.
struct ApiContext {
  store::Store* store = nullptr;
  service::FleetService* fleet = nullptr;
  KeyVault* keys = nullptr;
  Metrics* metrics = nullptr;
  std::string region = "us-east-1";
  std::string partition = "aws";
};

struct OpRequest {
  const Caller& caller;
  nlohmann::json input;  // validated body + URI labels + query members (Inspector ops)
  std::string_view body;  // raw body (Vigil ops that take documents)
  std::map<std::string, std::string> query;  // decoded query parameters (first value)
};

using Handler = std::function<ApiResult<Reply>(ApiContext&, const OpRequest&)>;

struct OperationSpec {
  std::string name;    // "ListFindings", or "VigilAgentInventory" for Vigil-only routes
  std::string method;  // "POST"
  std::string path;    // "/findings/list"; "{label}" segments bind URI members
  bool mutating = false;
  bool authenticated = true;
  // Inspector operations: the body is JSON validated against this model input shape.
  std::uint16_t input_shape = spec::kNoShape;
  bool implemented = true;  // false: a placeholder answering NotImplementedException
  Handler handler;
};

// A route match: the operation and its decoded URI labels.
struct RouteMatch {
  const OperationSpec* spec = nullptr;
  std::map<std::string, std::string> labels;
};

class Registry {
 public:
  // Adds an Inspector operation by model name (method, path and input shape from the model).
  // Aborts (programming error) when the name is not in the model. Returns the stored spec.
  OperationSpec& add_inspector(std::string_view name, bool mutating, Handler handler);
  // Adds a route outside the model (Vigil's own endpoints).
  OperationSpec& add(OperationSpec spec);

  // Finds the route for `method` and the raw (still percent-encoded) `path`. A known path with
  // another method, and an unknown path, both give nullopt.
  std::optional<RouteMatch> route(std::string_view method, std::string_view path) const;

  const std::vector<std::unique_ptr<OperationSpec>>& specs() const { return specs_; }
  // Model operations with no handler registered (served as NotImplementedException).
  std::vector<std::string_view> unimplemented() const;

 private:
  std::vector<std::unique_ptr<OperationSpec>> specs_;
  std::map<std::pair<std::string, std::string>, const OperationSpec*> exact_;
};

// The operation groups.
void register_findings_ops(Registry& registry);
void register_coverage_ops(Registry& registry);
void register_filter_ops(Registry& registry);
void register_vigil_ops(Registry& registry);
void register_org_ops(Registry& registry);
void register_report_ops(Registry& registry);

// Every group above, plus a NotImplementedException handler for the model's remaining
// operations, so every route of the model is recognised.
Registry default_registry();

}  // namespace vigil::api
