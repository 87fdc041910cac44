// Vigil's own endpoints (outside the Inspector2 model, same SigV4 authentication): agent
// inventory push, registry notifications, repository/image/function registration, EC2 instance
// import, network bundles, database status, SLA report, health and Prometheus metrics.
#include "api/internal/ops_common.hpp"
#include "api/metrics.hpp"
#include "api/operations.hpp"
#include "service/fleet_service.hpp"

namespace vigil::api {
namespace {

using nlohmann::json;
using internal::json_reply;

json ingest_json(const service::IngestResult& result) {
  return {{"resourceId", result.resource_id},
          {"accountId", result.account_id},
          {"changed", result.changed},
          {"jobId", result.job_id}};
}

// The account a write is made for: the caller's, unless an organisation-wide key names another.
ApiResult<std::string> target_account(const Caller& caller, const json& body) {
  const std::string named = internal::string_member(body, "accountId");
  if (named.empty() || named == caller.account_id) {
    return caller.account_id;
  }
  if (!caller.sees_all) {
    return reject(ApiError::access_denied(fmt::format(
        "Account {} cannot act for account {}.", caller.account_id, named)));
  }
  return named;
}

ApiResult<json> parse_object(std::string_view body) {
  json parsed = json::parse(body.empty() ? std::string_view("{}") : body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return reject(ApiError::cannot_parse("The request body must be a JSON object."));
  }
  return parsed;
}

// Organisation-wide keys push documents for any account; others only for their own.
std::string caller_account_for_ingest(const Caller& caller) {
  return caller.sees_all ? std::string() : caller.account_id;
}

ApiResult<Reply> agent_inventory(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const service::IngestResult result,
                   fleet->ingest_agent_document(request.body, caller_account_for_ingest(request.caller)));
  if (!request.caller.can_see(result.account_id)) {
    return reject(ApiError::access_denied("The document names another account."));
  }
  return json_reply(ingest_json(result));
}

ApiResult<Reply> registry_notifications(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const auto results,
                   fleet->ingest_registry_notification(request.body, request.caller.account_id));
  json images = json::array();
  for (const service::IngestResult& result : results) {
    images.push_back(ingest_json(result));
  }
  return json_reply({{"images", std::move(images)}});
}

ApiResult<Reply> put_repository(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const json body, parse_object(request.body));
  service::RepositorySettings settings;
  VIGIL_API_ASSIGN(settings.account_id, target_account(request.caller, body));
  settings.name = internal::string_member(body, "name");
  if (const std::string frequency = internal::string_member(body, "scanFrequency"); !frequency.empty()) {
    settings.scan_frequency = frequency;
  }
  if (body.contains("tags") && body["tags"].is_object()) {
    for (const auto& [key, value] : body["tags"].items()) {
      if (value.is_string()) {
        settings.tags[key] = value.get<std::string>();
      }
    }
  }
  VIGIL_API_ASSIGN(const std::string arn, fleet->put_repository(settings));
  return json_reply({{"repositoryArn", arn}});
}

ApiResult<Reply> register_image(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const json body, parse_object(request.body));
  service::ImageRegistration image;
  VIGIL_API_ASSIGN(image.account_id, target_account(request.caller, body));
  image.repository = internal::string_member(body, "repository");
  image.source = internal::string_member(body, "source");
  image.digest = internal::string_member(body, "digest");
  if (body.contains("tags") && body["tags"].is_array()) {
    for (const json& tag : body["tags"]) {
      if (tag.is_string()) {
        image.tags.push_back(tag.get<std::string>());
      }
    }
  }
  if (body.contains("pushedAt")) {
    image.pushed_at = timestamp_ms(body["pushedAt"]).value_or(0);
  }
  VIGIL_API_ASSIGN(const service::IngestResult result, fleet->register_image(image));
  return json_reply(ingest_json(result));
}

ApiResult<Reply> register_function(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const json body, parse_object(request.body));
  service::FunctionRegistration function;
  VIGIL_API_ASSIGN(function.account_id, target_account(request.caller, body));
  if (!body.contains("configuration") || !body["configuration"].is_object()) {
    return reject(ApiError::validation("configuration (get-function-configuration output) is required",
                                       {{"configuration", "required member is missing"}}));
  }
  function.config_json = body["configuration"].dump();
  function.code_zip = internal::string_member(body, "codeZip");
  if (body.contains("layerZips") && body["layerZips"].is_array()) {
    for (const json& layer : body["layerZips"]) {
      if (layer.is_string()) {
        function.layer_zips.emplace_back(layer.get<std::string>());
      }
    }
  }
  if (body.contains("tags") && body["tags"].is_object()) {
    for (const auto& [key, value] : body["tags"].items()) {
      if (value.is_string()) {
        function.tags[key] = value.get<std::string>();
      }
    }
  }
  VIGIL_API_ASSIGN(const service::IngestResult result, fleet->register_function(function));
  return json_reply(ingest_json(result));
}

ApiResult<Reply> import_instances(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const service::Ec2ImportResult result,
                   fleet->import_ec2_instances(request.body, caller_account_for_ingest(request.caller)));
  return json_reply({{"instances", result.instances},
                     {"created", result.created},
                     {"resourceIds", result.resource_ids}});
}

// POST /vigil/v1/network {accountId?, files: {"describe-instances.json": <output>, ...}} or
// {accountId?, path: DIR}: one account's network bundle. File values may be the command's JSON
// output itself or that output as a string. Without accountId, an organisation-wide key lets
// the bundle's instance owners name the account; other keys act for their own account.
ApiResult<Reply> network_bundle(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const json body, parse_object(request.body));
  std::string account = request.caller.sees_all ? std::string() : request.caller.account_id;
  if (!internal::string_member(body, "accountId").empty()) {
    VIGIL_API_ASSIGN(account, target_account(request.caller, body));
  }
  const bool has_files = body.contains("files");
  const bool has_path = body.contains("path");
  if (has_files == has_path) {
    return reject(ApiError::validation("Give exactly one of files (file name -> JSON) or path.",
                                       {{has_files ? "path" : "files", "give exactly one"}}));
  }
  service::NetworkIngestResult result;
  if (has_files) {
    if (!body["files"].is_object()) {
      return reject(ApiError::validation("files must map bundle file names to their JSON.",
                                         {{"files", "must be an object"}}));
    }
    std::map<std::string, std::string> files;
    for (const auto& [name, content] : body["files"].items()) {
      files.emplace(name, content.is_string() ? content.get<std::string>() : content.dump());
    }
    VIGIL_API_ASSIGN(result, fleet->ingest_network_bundle(files, account));
  } else {
    const std::string path = internal::string_member(body, "path");
    if (path.empty()) {
      return reject(ApiError::validation("path must name a bundle directory.",
                                         {{"path", "must be a non-empty string"}}));
    }
    VIGIL_API_ASSIGN(result, fleet->ingest_network_directory(path, account));
  }
  if (!request.caller.can_see(result.account_id)) {
    return reject(ApiError::access_denied("The bundle names another account."));
  }
  return json_reply({{"accountId", result.account_id},
                     {"files", result.files},
                     {"instances", result.instances},
                     {"reachability",
                      {{"INTERNET", result.internet},
                       {"VPC", result.vpc},
                       {"NONE", result.none},
                       {"UNKNOWN", result.unknown}}},
                     {"networkFindings", result.open_findings},
                     {"created", result.created},
                     {"reopened", result.reopened},
                     {"closed", result.closed},
                     {"rematchJobs", result.rematches},
                     {"diagnostics", result.diagnostics},
                     {"diagnosticSample", result.diagnostic_messages},
                     {"analysisMs", result.analysis_ms}});
}

ApiResult<Reply> db_status(ApiContext& context, const OpRequest&) {
  VIGIL_API_ASSIGN(const std::optional<std::string> version, context.store->meta("vulndb.version"));
  VIGIL_API_ASSIGN(const std::size_t pending, context.store->pending_jobs());
  return json_reply({{"vulndbVersionApplied", version ? std::strtoll(version->c_str(), nullptr, 10) : 0},
                     {"pendingJobs", pending},
                     {"storeSchemaVersion", context.store->schema_version()}});
}

ApiResult<Reply> sla_report(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  VIGIL_API_ASSIGN(const std::vector<service::SlaRow> rows, fleet->sla_report(request.caller.scope()));
  json out = json::array();
  for (const service::SlaRow& row : rows) {
    out.push_back({{"accountId", row.account_id},
                   {"severity", row.severity},
                   {"resourceType", row.resource_type},
                   {"open", row.open},
                   {"overdue", row.overdue},
                   {"closedWithinSla", row.closed_within_sla},
                   {"closedLate", row.closed_late},
                   {"meanTimeToRemediateDays", row.mean_time_to_remediate_days}});
  }
  return json_reply({{"rows", std::move(out)}});
}

ApiResult<Reply> healthz(ApiContext& context, const OpRequest&) {
  if (auto organization = context.store->organization(); !organization) {
    return reject(ApiError::internal("store unavailable"));
  }
  return json_reply({{"status", "ok"}});
}

ApiResult<Reply> metrics(ApiContext& context, const OpRequest&) {
  std::map<std::string, double> gauges;
  if (auto pending = context.store->pending_jobs()) {
    gauges["vigil_scan_queue_pending"] = static_cast<double>(*pending);
  }
  Reply reply;
  reply.text = context.metrics != nullptr ? context.metrics->render(gauges) : std::string();
  reply.content_type = "text/plain; version=0.0.4";
  return reply;
}

OperationSpec route(std::string name, std::string method, std::string path, bool mutating,
                    Handler handler) {
  OperationSpec spec;
  spec.name = std::move(name);
  spec.method = std::move(method);
  spec.path = std::move(path);
  spec.mutating = mutating;
  spec.handler = std::move(handler);
  return spec;
}

}  // namespace

void register_vigil_ops(Registry& registry) {
  registry.add(route("VigilAgentInventory", "POST", "/vigil/v1/agent/inventory", true, agent_inventory));
  registry.add(route("VigilRegistryNotifications", "POST", "/vigil/v1/registry/notifications", true,
                     registry_notifications));
  registry.add(route("VigilPutRepository", "POST", "/vigil/v1/repositories", true, put_repository));
  registry.add(route("VigilRegisterImage", "POST", "/vigil/v1/images", true, register_image));
  registry.add(route("VigilRegisterFunction", "POST", "/vigil/v1/functions", true, register_function));
  registry.add(route("VigilImportInstances", "POST", "/vigil/v1/instances", true, import_instances));
  registry.add(route("VigilNetworkBundle", "POST", "/vigil/v1/network", true, network_bundle));
  registry.add(route("VigilDbStatus", "GET", "/vigil/v1/db/status", false, db_status));
  registry.add(route("VigilSlaReport", "GET", "/vigil/v1/sla", false, sla_report));
  registry.add(route("VigilMetrics", "GET", "/metrics", false, metrics));
  OperationSpec health = route("VigilHealth", "GET", "/healthz", false, healthz);
  health.authenticated = false;
  registry.add(std::move(health));
}

}  // namespace vigil::api
