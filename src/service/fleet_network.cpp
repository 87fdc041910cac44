// Network reachability in the fleet: an account's AWS CLI network bundle is stored, analysed
// (reachability::Analyzer), its internet-reachable port ranges reconciled as Inspector's
// NETWORK_REACHABILITY findings, and each instance's class fed to the package scorer.
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

#include "inventory/agent_document.hpp"
#include "reachability/analyzer.hpp"
#include "reachability/bundle.hpp"
#include "reachability/report.hpp"
#include "service/fleet_service.hpp"
#include "service/internal/finding_criteria.hpp"
#include "service/internal/fleet_coverage.hpp"
#include "service/package_reachability.hpp"
#include "sources/digest.hpp"
#include "sources/file_tree.hpp"

namespace vigil::service {

using nlohmann::json;

// An account's latest analysed bundle: the environment and an Analyzer over it (per-port
// questions for instances whose agent reports listening sockets), each instance's summary class
// and a signature of its open ranges (a change re-scores instances with sockets).
struct FleetService::NetworkState {
  std::map<std::string, reachability::ReachabilityClass, std::less<>> classes;
  std::map<std::string, std::string, std::less<>> signatures;
  std::unique_ptr<const reachability::Environment> env;
  std::unique_ptr<const reachability::Analyzer> analyzer;  // over *env; destroyed first
};

namespace {

constexpr std::size_t kDiagnosticSample = 20;
constexpr std::string_view kRemediation =
    "You can restrict access to your instance by modifying the Security Groups or ACLs in the "
    "network path.";

std::string bundle_key(const std::string& account_id) { return "network.bundle." + account_id; }

// Names load_bundle reads: flat describe-*.json and get-managed-prefix-list-entries.*.json.
bool is_bundle_file_name(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.find('\\') != std::string::npos ||
      !name.ends_with(".json")) {
    return false;
  }
  return name.starts_with("describe-") || name.starts_with("get-managed-prefix-list-entries.");
}

std::string sockets_key(const std::string& instance_id) { return "agent.sockets." + instance_id; }

// The open ranges of an instance with their classes ("tcp:22-22:3;..."): equal signatures give
// every port the same class.
std::string range_signature(const reachability::InstanceReachability& instance) {
  std::string out;
  for (const auto& port : instance.ports) {
    out += fmt::format("{}:{}-{}:{};", reachability::protocol_name(port.protocol),
                       port.port_range.begin, port.port_range.end,
                       static_cast<int>(port.reachability));
  }
  return out;
}

struct LoadedBundle {
  std::unique_ptr<reachability::Environment> env;
  std::unique_ptr<reachability::Analyzer> analyzer;
  reachability::Analysis analysis;
};

Result<LoadedBundle> analyze_files(const std::map<std::string, std::string>& files) {
  sources::MemoryFileTree tree;
  for (const auto& [name, content] : files) {
    tree.add_file(name, content);
  }
  auto env = reachability::load_bundle(tree);
  if (!env) {
    if (env.error().code == ErrorCode::kNotFound) {
      return fail(Error::invalid_argument("the network bundle holds no describe-*.json file"));
    }
    return fail(env.error());
  }
  LoadedBundle loaded;
  loaded.env = std::make_unique<reachability::Environment>(std::move(*env));
  loaded.analyzer = std::make_unique<reachability::Analyzer>(*loaded.env);
  loaded.analysis = loaded.analyzer->analyze();
  return loaded;
}

// Fills a NetworkState (a private type, hence `auto`) from a loaded bundle and its analysis.
void fill_state(auto& state, LoadedBundle&& loaded, const reachability::Analysis& analysis) {
  for (const auto& instance : analysis.instances) {
    state.classes.emplace(instance.instance_id, instance.reachability);
    state.signatures.emplace(instance.instance_id, range_signature(instance));
  }
  state.env = std::move(loaded.env);
  state.analyzer = std::move(loaded.analyzer);
}

// Inspector's NetworkReachabilityDetails for one range.
json network_details(const reachability::PortReachability& port) {
  json steps = json::array();
  for (const auto& step : port.path) {
    json item = {{"componentId", step.component_id},
                 {"componentType", std::string(reachability::component_type_name(step.component_type))}};
    if (!step.component_arn.empty()) {
      item["componentArn"] = step.component_arn;
    }
    steps.push_back(std::move(item));
  }
  return {{"openPortRange", {{"begin", port.port_range.begin}, {"end", port.port_range.end}}},
          {"protocol", std::string(reachability::protocol_name(port.protocol))},
          {"networkPath", {{"steps", std::move(steps)}}}};
}

// "arn:vigil:inspector2:<region>:<account>:finding/<32 hex>" from the account, instance,
// protocol and port range: the same open range keeps its finding across bundles.
std::string network_finding_arn(const std::string& region, const std::string& account_id,
                                const reachability::NetworkFinding& finding) {
  const std::string identity =
      fmt::format("{}\n{}\n{}\n{}\n{}-{}", kNetworkFinding, account_id, finding.instance_id,
                  reachability::protocol_name(finding.port.protocol), finding.port.port_range.begin,
                  finding.port.port_range.end);
  return fmt::format("arn:vigil:inspector2:{}:{}:finding/{}", region, account_id,
                     std::string(sources::digest_hex(sources::sha256_digest(identity))).substr(0, 32));
}

}  // namespace

Result<NetworkIngestResult> FleetService::ingest_network_bundle(
    const std::map<std::string, std::string>& files, const std::string& account_id) {
  std::map<std::string, std::string> kept;
  for (const auto& [name, content] : files) {
    if (is_bundle_file_name(name)) {
      kept.emplace(name, content);
    }
  }
  if (kept.empty()) {
    return fail(Error::invalid_argument(
        "the network bundle holds no describe-*.json file (got {} file(s))", files.size()));
  }
  return apply_network_bundle(std::move(kept), account_id);
}

Result<NetworkIngestResult> FleetService::ingest_network_directory(const std::filesystem::path& dir,
                                                                   const std::string& account_id) {
  VIGIL_ASSIGN_OR_RETURN(const auto tree, sources::open_directory(dir));
  std::map<std::string, std::string> files;
  std::optional<Error> problem;
  VIGIL_TRY(tree->walk([&](const sources::FileInfo& info) {
    if (info.type != sources::FileType::kRegular || info.path.find('/') != std::string::npos ||
        !is_bundle_file_name(info.path)) {
      return true;
    }
    auto content = tree->read(info.path);
    if (!content) {
      problem = content.error();
      return false;
    }
    files.emplace(info.path, std::move(*content));
    return true;
  }));
  if (problem) {
    return fail(problem->with_context(dir.string()));
  }
  if (files.empty()) {
    return fail(Error::not_found("{}: no network bundle file (describe-*.json)", dir.string()));
  }
  return apply_network_bundle(std::move(files), account_id);
}

Result<scoring::Reachability> FleetService::instance_reachability(const std::string& account_id,
                                                                  const std::string& instance_id) {
  VIGIL_ASSIGN_OR_RETURN(const auto state, network_state(account_id));
  if (!state) {
    return scoring::Reachability::kUnknown;
  }
  const auto found = state->classes.find(instance_id);
  return found == state->classes.end() ? scoring::Reachability::kUnknown : to_scoring(found->second);
}

Result<std::shared_ptr<const FleetService::NetworkState>> FleetService::network_state(
    const std::string& account_id) {
  std::lock_guard lock(network_mutex_);
  if (const auto found = network_.find(account_id); found != network_.end()) {
    return found->second;
  }
  VIGIL_ASSIGN_OR_RETURN(const auto stored, store_->meta(bundle_key(account_id)));
  std::shared_ptr<const NetworkState> state;
  if (stored && !stored->empty()) {
    const json document = json::parse(*stored, nullptr, false);
    if (!document.is_object() || !document.contains("files") || !document["files"].is_object()) {
      return fail(Error::parse("store meta {}: not a stored network bundle", bundle_key(account_id)));
    }
    std::map<std::string, std::string> files;
    for (const auto& [name, content] : document["files"].items()) {
      if (content.is_string()) {
        files.emplace(name, content.get<std::string>());
      }
    }
    VIGIL_ASSIGN_OR_RETURN(auto loaded, analyze_files(files));
    auto fresh = std::make_shared<NetworkState>();
    const reachability::Analysis analysis = std::move(loaded.analysis);
    fill_state(*fresh, std::move(loaded), analysis);
    state = std::move(fresh);
  }
  network_[account_id] = state;
  return state;
}

Result<NetworkIngestResult> FleetService::apply_network_bundle(
    std::map<std::string, std::string> files, std::string account_id) {
  std::lock_guard ingest_lock(network_ingest_mutex_);
  NetworkIngestResult result;
  result.files = files.size();

  const auto started = std::chrono::steady_clock::now();
  VIGIL_ASSIGN_OR_RETURN(auto loaded, analyze_files(files));
  const reachability::Analysis analysis = std::move(loaded.analysis);
  result.analysis_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

  // The account: the caller's, which every instance's owner must match, or the owners' one.
  std::set<std::string> owners;
  for (const auto& instance : analysis.instances) {
    if (!instance.account_id.empty()) {
      owners.insert(instance.account_id);
    }
  }
  if (account_id.empty()) {
    if (owners.size() != 1) {
      return fail(Error::invalid_argument(
          "the network bundle's instances belong to {} accounts; name the account",
          owners.size()));
    }
    account_id = *owners.begin();
  } else if (!owners.empty() && (owners.size() > 1 || *owners.begin() != account_id)) {
    return fail(Error::invalid_argument("the network bundle holds instances of account {}, not {}",
                                        *owners.rbegin() == account_id ? *owners.begin()
                                                                       : *owners.rbegin(),
                                        account_id));
  }
  VIGIL_TRY(ensure_account(account_id));
  result.account_id = account_id;
  // The instances become resources as with import_ec2_instances. A malformed document (the
  // analysis has diagnostics for it too) is reported, not fatal: what parsed is still analysed.
  std::vector<std::string> import_problems;
  if (const auto instances = files.find("describe-instances.json"); instances != files.end()) {
    if (auto imported = import_ec2_instances(instances->second, account_id); !imported) {
      if (imported.error().code != ErrorCode::kParse) {
        return fail(imported.error().with_context("describe-instances.json"));
      }
      import_problems.push_back("error describe-instances.json: instance import stopped: " +
                                imported.error().message);
    }
  }

  // The previous analysis (loaded from the previous bundle after a restart) tells which classes
  // changed; then the new bundle replaces it durably.
  VIGIL_ASSIGN_OR_RETURN(const auto previous, network_state(account_id));
  const json bundle = {{"files", files}};
  VIGIL_TRY(store_->put_meta(bundle_key(account_id), bundle.dump(-1, ' ', false,
                                                                 json::error_handler_t::replace)));
  const auto time = now();
  VIGIL_TRY(store_->put_meta("network.analyzed." + account_id, std::to_string(time)));
  auto state = std::make_shared<NetworkState>();
  fill_state(*state, std::move(loaded), analysis);
  for (const auto& instance : analysis.instances) {
    switch (instance.reachability) {
      case reachability::ReachabilityClass::kInternet: ++result.internet; break;
      case reachability::ReachabilityClass::kVpc: ++result.vpc; break;
      case reachability::ReachabilityClass::kNone: ++result.none; break;
      case reachability::ReachabilityClass::kUnknown: ++result.unknown; break;
    }
  }
  result.instances = analysis.instances.size();
  {
    std::lock_guard lock(network_mutex_);
    network_[account_id] = state;
  }
  result.diagnostics = analysis.diagnostics.size() + import_problems.size();
  result.diagnostic_messages = std::move(import_problems);
  for (const auto& diagnostic : analysis.diagnostics) {
    if (result.diagnostic_messages.size() == kDiagnosticSample) {
      break;
    }
    result.diagnostic_messages.push_back(fmt::format("{} {}: {}", model::diagnostic_level_name(diagnostic.level),
                                                     diagnostic.where, diagnostic.message));
  }

  // Findings per instance; instances gone from the bundle get none (their findings close).
  std::map<std::string, std::vector<reachability::NetworkFinding>> by_instance;
  for (const auto& instance : analysis.instances) {
    by_instance[instance.instance_id];
  }
  if (previous) {
    for (const auto& entry : previous->classes) {
      by_instance[entry.first];
    }
  }
  for (auto& finding : reachability::internet_findings(analysis)) {
    by_instance[finding.instance_id].push_back(std::move(finding));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto rules, suppression_rules());
  // A port range whose class changed matters to an instance scored by its listening sockets
  // even when the instance's summary class stayed.
  const auto ranges_changed = [&](const std::string& instance_id) {
    if (!previous) {
      return true;
    }
    const auto before = previous->signatures.find(instance_id);
    const auto after = state->signatures.find(instance_id);
    const bool had = before != previous->signatures.end();
    const bool has = after != state->signatures.end();
    return had != has || (had && before->second != after->second);
  };
  const auto has_sockets = [&](const std::string& instance_id) {
    const auto stored = store_->meta(sockets_key(instance_id));
    return !stored || (*stored && !(*stored)->empty());  // an unreadable row: re-score anyway
  };
  for (auto& [instance_id, network_findings] : by_instance) {
    const auto new_class = state->classes.find(instance_id);
    const auto reach_now = new_class == state->classes.end()
                               ? reachability::ReachabilityClass::kUnknown
                               : new_class->second;
    auto reach_before = reachability::ReachabilityClass::kUnknown;
    if (previous) {
      if (const auto old = previous->classes.find(instance_id); old != previous->classes.end()) {
        reach_before = old->second;
      }
    }
    bool rematch = false;
    {
      std::lock_guard lock(resource_lock(instance_id));
      VIGIL_ASSIGN_OR_RETURN(const auto resource, store_->resource(instance_id));
      if (!resource || resource->account_id != account_id || resource->type != kEc2Instance) {
        continue;  // not an instance of this account (a bundle without describe-instances)
      }
      VIGIL_ASSIGN_OR_RETURN(const auto rows, refresh_coverage_locked(*resource, nullptr));
      std::string network_status;
      std::string network_reason;
      for (const auto& row : rows) {
        if (row.scan_type == "NETWORK") {
          network_status = row.status_code;
          network_reason = row.reason;
        }
      }
      if (network_reason == "EC2_INSTANCE_STOPPED") {
        // As with package findings, a stopped instance keeps what it had.
      } else {
        std::vector<store::StoredFinding> observed;
        if (network_status == "ACTIVE") {
          const std::string region = resource->region.empty() ? config_.region : resource->region;
          for (const auto& finding : network_findings) {
            store::StoredFinding stored;
            stored.type = std::string(kNetworkFinding);
            stored.resource_type = resource->type;
            stored.region = region;
            stored.resource_tags = resource->tags;
            stored.resource_details_json = resource->details_json;
            stored.network_json = network_details(finding.port).dump();
            stored.first_observed_at = time;
            stored.last_observed_at = time;
            stored.updated_at = time;
            model::Finding& model_finding = stored.finding;
            model_finding.id = network_finding_arn(region, account_id, finding);
            model_finding.resource_id = instance_id;
            model_finding.account_id = account_id;
            model_finding.title = reachability::finding_title(finding);
            model_finding.description = reachability::finding_description(finding);
            model_finding.remediation = std::string(kRemediation);
            // Inspector's one published sample (TCP/22 from an internet gateway) is MEDIUM;
            // every internet-reachable range is reported so (docs/service.md).
            model_finding.severity = model::Severity::kMedium;
            model_finding.status = model::FindingStatus::kActive;
            for (const auto& rule : rules) {
              if (internal::matches_criteria(stored, rule.criteria)) {
                model_finding.status = model::FindingStatus::kSuppressed;
                model_finding.suppression_reason = rule.reason.empty() ? rule.name : rule.reason;
                break;
              }
            }
            observed.push_back(std::move(stored));
          }
        }
        result.open_findings += observed.size();
        VIGIL_ASSIGN_OR_RETURN(const auto summary,
                               store_->reconcile_findings(instance_id, std::string(kNetworkFinding),
                                                          std::move(observed), time));
        result.created += summary.created;
        result.reopened += summary.reopened;
        result.closed += summary.closed;
        publish_finding_changes(instance_id, summary.changed_ids, time);
      }
      rematch = !resource->inventory_hash.empty() &&
                (reach_now != reach_before ||
                 (ranges_changed(instance_id) && has_sockets(instance_id)));
    }
    if (rematch) {
      VIGIL_TRY(enqueue("rematch", instance_id, R"({"trigger":"network"})"));
      ++result.rematches;
    }
  }
  return result;
}

Result<void> FleetService::store_listening_sockets(const inventory::AgentDocument& document) {
  const auto& sockets = document.listening_sockets;
  const std::string key = sockets_key(document.host.instance_id);
  if (!sockets) {
    VIGIL_ASSIGN_OR_RETURN(const auto stored, store_->meta(key));
    if (!stored || stored->empty()) {
      return {};  // nothing to clear: no row per socket-less host
    }
  }
  return store_->put_meta(key, sockets ? inventory::write_listening_sockets(*sockets) : "");
}

Result<void> FleetService::resolve_reachability(const std::string& account_id,
                                                const std::string& instance_id,
                                                const model::Inventory& inventory,
                                                ResourceContext& context) {
  VIGIL_ASSIGN_OR_RETURN(context.reachability, instance_reachability(account_id, instance_id));
  VIGIL_ASSIGN_OR_RETURN(const auto stored, store_->meta(sockets_key(instance_id)));
  if (!stored || stored->empty()) {
    return {};  // the agent reported no sockets: the instance's class for every package
  }
  VIGIL_ASSIGN_OR_RETURN(const auto state, network_state(account_id));
  if (!state || !state->analyzer || !state->classes.contains(instance_id)) {
    return {};  // no analysed bundle knows the instance: nothing per port to say
  }
  auto sockets = inventory::parse_listening_sockets(*stored);
  if (!sockets) {
    return fail(sockets.error().with_context("store meta " + sockets_key(instance_id)));
  }
  apply_socket_reachability(*sockets, inventory, *state->analyzer, instance_id, context);
  return {};
}

}  // namespace vigil::service
