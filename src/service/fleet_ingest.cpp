// How resources arrive: agent inventories, EC2 instance lists, repositories, images (by API or
// registry notification) and functions.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/strings.hpp"
#include "inventory/agent_document.hpp"
#include "service/fleet_service.hpp"
#include "service/internal/fleet_coverage.hpp"
#include "sources/function_bundle.hpp"

namespace vigil::service {
namespace {

using nlohmann::json;

json parse_object(const std::string& text) {
  auto parsed = json::parse(text, nullptr, false);
  return parsed.is_object() ? parsed : json::object();
}

// Inspector's platform spelling for an OS ("AMAZON_LINUX_2023", "UBUNTU_22_04", "DEBIAN_12").
std::string platform_name(const model::OsIdentity& os) {
  if (os.id.empty()) {
    return "";
  }
  std::string prefix = to_lower(os.id) == "amzn" ? "AMAZON_LINUX" : os.id;
  if (os.id == "alpine") {
    prefix = "ALPINE_LINUX";
  }
  std::string version = os.version_id;
  if (os.id == "alpine") {
    const auto parts = split(version, '.');
    version = parts.size() >= 2 ? fmt::format("{}.{}", parts[0], parts[1]) : version;
  }
  std::string out = prefix + (version.empty() ? "" : "_" + version);
  for (char& c : out) {
    c = (c == '.' || c == '-' || c == ' ') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// Lambda's runtime identifier in Inspector's Runtime spelling: "python3.12" -> "PYTHON_3_12".
std::string inspector_runtime(std::string_view runtime) {
  std::string out;
  for (size_t pos = 0; pos < runtime.size(); ++pos) {
    const char c = runtime[pos];
    const bool digit = c >= '0' && c <= '9';
    if (digit && pos > 0 && std::isalpha(static_cast<unsigned char>(runtime[pos - 1])) != 0 &&
        !(out.size() >= 2 && out.ends_with("AL"))) {
      out += '_';
    }
    out += (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_sha256_digest(std::string_view digest) {
  if (digest.size() != 71 || !digest.starts_with("sha256:")) {
    return false;
  }
  for (char c : digest.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool is_repository_name(std::string_view name) {
  if (name.empty() || name.size() > 256) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
          c == '/')) {
      return false;
    }
  }
  return true;
}

const json* json_member(const json& object, const char* name) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const json& object, const char* name) {
  const json* value = json_member(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

Result<std::int64_t> FleetService::enqueue(const std::string& kind, const std::string& resource_id,
                                           const std::string& payload) {
  store::Job job;
  job.kind = kind;
  job.resource_id = resource_id;
  job.payload = payload;
  job.enqueued_at = now();
  VIGIL_ASSIGN_OR_RETURN(const auto id, store_->enqueue(job));
  signal_queue();
  return id;
}

Result<IngestResult> FleetService::ingest_agent_document(std::string_view text,
                                                         const std::string& caller_account) {
  VIGIL_ASSIGN_OR_RETURN(auto document, inventory::parse_agent_document(text));
  const auto& host = document.host;
  if (!host.account_id.empty() && !caller_account.empty() && host.account_id != caller_account) {
    return fail(Error::invalid_argument("host.accountId {} is not the caller's account {}",
                                        host.account_id, caller_account));
  }
  const std::string account_id = host.account_id.empty() ? caller_account : host.account_id;
  if (account_id.empty()) {
    return fail(Error::invalid_argument("the document names no account (host.accountId)"));
  }
  if (host.instance_id.empty()) {
    return fail(Error::invalid_argument("the document names no instance (host.instanceId)"));
  }
  VIGIL_TRY(ensure_account(account_id));
  const std::string hash =
      document.content_hash.empty() ? inventory::agent_content_hash(document) : document.content_hash;

  std::lock_guard lock(resource_lock(host.instance_id));
  VIGIL_ASSIGN_OR_RETURN(const auto existing, store_->resource(host.instance_id));
  if (existing && existing->account_id != account_id) {
    return fail(Error::conflict("instance {} belongs to account {}", host.instance_id,
                                existing->account_id));
  }
  const auto time = now();
  store::ResourceRecord record = existing.value_or(store::ResourceRecord{});
  if (!existing) {
    record.id = host.instance_id;
    record.account_id = account_id;
    record.type = std::string(kEc2Instance);
    record.created_at = time;
  }
  record.region = host.region.empty() ? (record.region.empty() ? config_.region : record.region)
                                      : host.region;
  record.name = host.hostname;
  for (const auto& [key, value] : host.tags) {
    record.tags[key] = value;
  }
  record.state = host.instance_state.empty() ? "running" : host.instance_state;
  record.scan_mode = "EC2_SSM_AGENT_BASED";
  auto details = parse_object(record.details_json);
  if (!host.ami_id.empty()) {
    details["imageId"] = host.ami_id;
  }
  if (const auto platform = platform_name(document.inventory.os); !platform.empty()) {
    details["platform"] = platform;
  }
  record.details_json = details.dump();
  record.inventory_reported_at = time;
  record.updated_at = time;

  IngestResult result{record.id, account_id, false, 0};
  if (existing && existing->inventory_hash == hash) {
    VIGIL_TRY(store_->put_resource(record));
    VIGIL_TRY(refresh_coverage_locked(record, nullptr));
    return result;
  }
  VIGIL_TRY(store_->put_resource(record));
  VIGIL_TRY(store_->put_inventory(record.id, hash, document.inventory));
  VIGIL_TRY(store_listening_sockets(document));
  record.inventory_hash = hash;
  VIGIL_TRY(store_->put_resource(record));
  VIGIL_TRY(refresh_coverage_locked(record, nullptr));
  VIGIL_ASSIGN_OR_RETURN(result.job_id, enqueue("scan_inventory", record.id, R"({"trigger":"inventory"})"));
  result.changed = true;
  return result;
}

Result<Ec2ImportResult> FleetService::import_ec2_instances(std::string_view text,
                                                           const std::string& caller_account) {
  const auto document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return fail(Error::parse("describe-instances: not a JSON object"));
  }
  const json* reservations = json_member(document, "Reservations");
  if (reservations == nullptr || !reservations->is_array()) {
    return fail(Error::parse("describe-instances: missing Reservations array"));
  }
  Ec2ImportResult result;
  size_t reservation_idx = 0;
  for (const auto& reservation : *reservations) {
    const std::string where = fmt::format("describe-instances: Reservations[{}]", reservation_idx++);
    std::string account_id = string_member(reservation, "OwnerId");
    if (account_id.empty()) {
      account_id = caller_account;
    }
    if (!caller_account.empty() && account_id != caller_account) {
      return fail(Error::invalid_argument("{}: OwnerId {} is not the caller's account", where,
                                          account_id));
    }
    VIGIL_TRY(ensure_account(account_id).map_error(
        [&](const Error& error) { return error.with_context(where); }));
    const json* instances = json_member(reservation, "Instances");
    if (instances == nullptr || !instances->is_array()) {
      return fail(Error::parse("{}: missing Instances array", where));
    }
    for (const auto& instance : *instances) {
      const std::string id = string_member(instance, "InstanceId");
      if (id.empty()) {
        return fail(Error::parse("{}: an instance has no InstanceId", where));
      }
      std::lock_guard lock(resource_lock(id));
      VIGIL_ASSIGN_OR_RETURN(const auto existing, store_->resource(id));
      if (existing && existing->account_id != account_id) {
        return fail(Error::conflict("instance {} belongs to account {}", id, existing->account_id));
      }
      const auto time = now();
      store::ResourceRecord record = existing.value_or(store::ResourceRecord{});
      if (!existing) {
        record.id = id;
        record.account_id = account_id;
        record.type = std::string(kEc2Instance);
        record.region = config_.region;
        record.created_at = time;
        ++result.created;
      }
      const json* state = json_member(instance, "State");
      record.state = state != nullptr ? string_member(*state, "Name") : "";
      if (const json* tags = json_member(instance, "Tags"); tags != nullptr && tags->is_array()) {
        for (const auto& tag : *tags) {
          const std::string key = string_member(tag, "Key");
          if (!key.empty()) {
            record.tags[key] = string_member(tag, "Value");
            if (key == "Name" && record.name.empty()) {
              record.name = record.tags[key];
            }
          }
        }
      }
      auto details = parse_object(record.details_json);
      for (const auto& [from, to] : {std::pair{"ImageId", "imageId"}, std::pair{"InstanceType", "type"},
                                     std::pair{"VpcId", "vpcId"}, std::pair{"SubnetId", "subnetId"},
                                     std::pair{"KeyName", "keyName"}}) {
        if (const auto value = string_member(instance, from); !value.empty()) {
          details[to] = value;
        }
      }
      json addresses = json::array();
      for (const char* field : {"PrivateIpAddress", "PublicIpAddress"}) {
        if (const auto value = string_member(instance, field); !value.empty()) {
          addresses.push_back(value);
        }
      }
      if (!addresses.empty()) {
        details["ipV4Addresses"] = addresses;
      }
      record.details_json = details.dump();
      record.updated_at = time;
      VIGIL_TRY(store_->put_resource(record));
      if (record.state == "terminated") {
        VIGIL_ASSIGN_OR_RETURN(const auto closed, store_->close_findings(record.id, time));
        publish_finding_changes(record.id, closed.changed_ids, time);
      }
      VIGIL_TRY(refresh_coverage_locked(record, nullptr));
      result.resource_ids.push_back(id);
      ++result.instances;
    }
  }
  return result;
}

Result<std::string> FleetService::put_repository(const RepositorySettings& settings) {
  if (!is_repository_name(settings.name)) {
    return fail(Error::invalid_argument("repository name '{}' is invalid", settings.name));
  }
  if (settings.scan_frequency != "MANUAL" && settings.scan_frequency != "SCAN_ON_PUSH" &&
      settings.scan_frequency != "CONTINUOUS_SCAN") {
    return fail(Error::invalid_argument(
        "scan frequency '{}' (expected MANUAL, SCAN_ON_PUSH or CONTINUOUS_SCAN)",
        settings.scan_frequency));
  }
  VIGIL_TRY(ensure_account(settings.account_id));
  const auto arn = fmt::format("arn:aws:ecr:{}:{}:repository/{}", config_.region,
                               settings.account_id, settings.name);
  {
    std::lock_guard lock(resource_lock(arn));
    VIGIL_ASSIGN_OR_RETURN(const auto existing, store_->resource(arn));
    store::ResourceRecord record = existing.value_or(store::ResourceRecord{});
    const auto time = now();
    if (!existing) {
      record.id = arn;
      record.account_id = settings.account_id;
      record.region = config_.region;
      record.type = std::string(kEcrRepository);
      record.created_at = time;
    }
    record.name = settings.name;
    record.tags = settings.tags;
    record.details_json = json{{"name", settings.name}, {"scanFrequency", settings.scan_frequency}}.dump();
    record.updated_at = time;
    VIGIL_TRY(store_->put_resource(record));
    VIGIL_TRY(refresh_coverage_locked(record, nullptr));
  }
  // Its images' coverage follows the repository's frequency.
  VIGIL_ASSIGN_OR_RETURN(const auto images, store_->resources({settings.account_id},
                                                              std::string(kEcrImage)));
  for (const auto& image : images) {
    if (image.id.starts_with(arn + "/")) {
      std::lock_guard lock(resource_lock(image.id));
      VIGIL_TRY(refresh_coverage_locked(image, nullptr));
    }
  }
  return arn;
}

Result<IngestResult> FleetService::register_image(const ImageRegistration& image) {
  VIGIL_TRY(ensure_account(image.account_id));
  const auto repository_arn = fmt::format("arn:aws:ecr:{}:{}:repository/{}", config_.region,
                                          image.account_id, image.repository);
  VIGIL_ASSIGN_OR_RETURN(const auto repository, store_->resource(repository_arn));
  if (!repository) {
    return fail(Error::not_found("repository {} is not registered", repository_arn));
  }
  VIGIL_ASSIGN_OR_RETURN(const auto target, sources::parse_image_target(image.source));
  std::string digest = image.digest;
  if (digest.empty()) {
    VIGIL_ASSIGN_OR_RETURN(const auto info, sources::inspect_image(target, image_options_));
    digest = info.manifest_digest.empty() ? info.config_digest : info.manifest_digest;
  }
  if (!is_sha256_digest(digest)) {
    return fail(Error::invalid_argument("image digest '{}' is not sha256:<64 hex>", digest));
  }
  const auto id = repository_arn + "/" + digest;
  const auto time = now();
  std::lock_guard lock(resource_lock(id));
  VIGIL_ASSIGN_OR_RETURN(const auto existing, store_->resource(id));
  store::ResourceRecord record = existing.value_or(store::ResourceRecord{});
  auto details = parse_object(record.details_json);
  if (!existing) {
    record.id = id;
    record.account_id = image.account_id;
    record.region = config_.region;
    record.type = std::string(kEcrImage);
    record.created_at = time;
    details["imageTags"] = json::array();
  }
  details["repositoryName"] = image.repository;
  details["imageHash"] = digest;
  details["registry"] = image.account_id;
  for (const auto& tag : image.tags) {
    if (std::find(details["imageTags"].begin(), details["imageTags"].end(), tag) ==
        details["imageTags"].end()) {
      details["imageTags"].push_back(tag);
    }
  }
  // A push restarts the rescan-duration clock.
  details["pushedAt"] = static_cast<double>(image.pushed_at == 0 ? time : image.pushed_at) / 1000.0;
  record.details_json = details.dump();
  record.name = image.repository + (image.tags.empty() ? "@" + digest : ":" + image.tags.front());
  record.updated_at = time;
  VIGIL_TRY(store_->put_resource(record));
  VIGIL_TRY(refresh_coverage_locked(record, nullptr));
  IngestResult result{id, image.account_id, false, 0};
  if (internal::repository_scan_frequency(*repository) == "MANUAL") {
    return result;
  }
  VIGIL_ASSIGN_OR_RETURN(result.job_id,
                         enqueue("scan_image", id, json{{"source", image.source}}.dump()));
  result.changed = true;
  return result;
}

Result<std::vector<IngestResult>> FleetService::ingest_registry_notification(
    std::string_view text, const std::string& account_id) {
  const auto envelope = json::parse(text, nullptr, false);
  const json* events = envelope.is_discarded() ? nullptr : json_member(envelope, "events");
  if (events == nullptr || !events->is_array()) {
    return fail(Error::parse("registry notification: expected an object with an events array"));
  }
  std::vector<IngestResult> results;
  size_t event_idx = 0;
  for (const auto& event : *events) {
    const std::string where = fmt::format("registry notification: events[{}]", event_idx++);
    if (string_member(event, "action") != "push") {
      continue;
    }
    const json* target = json_member(event, "target");
    if (target == nullptr) {
      return fail(Error::parse("{}: missing target", where));
    }
    const auto media_type = string_member(*target, "mediaType");
    // Blob pushes and manifest lists carry no scannable image of their own.
    if (media_type != "application/vnd.oci.image.manifest.v1+json" &&
        media_type != "application/vnd.docker.distribution.manifest.v2+json") {
      continue;
    }
    const auto repository = string_member(*target, "repository");
    const auto digest = string_member(*target, "digest");
    const json* request = json_member(event, "request");
    const auto host = request != nullptr ? string_member(*request, "host") : "";
    if (repository.empty() || digest.empty() || host.empty()) {
      return fail(Error::parse("{}: target.repository, target.digest and request.host are required",
                               where));
    }
    const auto repository_arn = fmt::format("arn:aws:ecr:{}:{}:repository/{}", config_.region,
                                            account_id, repository);
    VIGIL_ASSIGN_OR_RETURN(const auto known, store_->resource(repository_arn));
    if (!known) {
      continue;  // repositories Vigil was not told about are not scanned
    }
    ImageRegistration image;
    image.account_id = account_id;
    image.repository = repository;
    image.source = fmt::format("registry:{}/{}@{}", host, repository, digest);
    image.digest = digest;
    if (const auto tag = string_member(*target, "tag"); !tag.empty()) {
      image.tags.push_back(tag);
    }
    VIGIL_ASSIGN_OR_RETURN(auto result, register_image(image));
    results.push_back(std::move(result));
  }
  return results;
}

Result<IngestResult> FleetService::register_function(const FunctionRegistration& function) {
  VIGIL_ASSIGN_OR_RETURN(const auto config, sources::parse_function_config(function.config_json));
  const auto raw = parse_object(function.config_json);
  std::string account_id = function.account_id;
  std::string region = config_.region;
  if (const auto parts = split(config.arn, ':'); parts.size() >= 7 && parts[2] == "lambda") {
    if (!account_id.empty() && parts[4] != account_id) {
      return fail(Error::invalid_argument("FunctionArn account {} is not {}", parts[4], account_id));
    }
    account_id = std::string(parts[4]);
    region = std::string(parts[3]);
  }
  VIGIL_TRY(ensure_account(account_id));
  const auto id = fmt::format("arn:aws:lambda:{}:{}:function:{}:$LATEST", region, account_id,
                              config.name);
  json layers = json::array();
  for (const auto& layer : config.layers) {
    layers.push_back(layer.arn);
  }
  json architectures = json::array();
  for (const auto& architecture : config.architectures) {
    architectures.push_back(to_lower(architecture) == "arm64" ? "ARM64" : "X86_64");
  }
  json details{{"functionName", config.name},
               {"runtime", inspector_runtime(config.runtime)},
               {"codeSha256", config.code_sha256},
               {"version", "$LATEST"},
               {"executionRoleArn", string_member(raw, "Role")},
               {"layers", layers},
               {"packageType", to_lower(config.package_type) == "image" ? "IMAGE" : "ZIP"},
               {"architectures", architectures}};
  const auto time = now();
  std::lock_guard lock(resource_lock(id));
  VIGIL_ASSIGN_OR_RETURN(const auto existing, store_->resource(id));
  store::ResourceRecord record = existing.value_or(store::ResourceRecord{});
  if (!existing) {
    record.id = id;
    record.account_id = account_id;
    record.type = std::string(kLambdaFunction);
    record.created_at = time;
  }
  record.region = region;
  record.name = config.name;
  record.tags = function.tags;
  record.details_json = details.dump();
  record.updated_at = time;
  VIGIL_TRY(store_->put_resource(record));
  VIGIL_TRY(refresh_coverage_locked(record, nullptr));
  json layer_paths = json::array();
  for (const auto& path : function.layer_zips) {
    layer_paths.push_back(path.string());
  }
  IngestResult result{id, account_id, true, 0};
  VIGIL_ASSIGN_OR_RETURN(
      result.job_id,
      enqueue("scan_function", id,
              json{{"config", function.config_json}, {"code", function.code_zip.string()},
                   {"layers", layer_paths}}
                  .dump()));
  return result;
}

}  // namespace vigil::service
