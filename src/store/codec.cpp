#include "store/internal/codec.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "store/internal/finding_json_writer.hpp"

namespace vigil::store::internal {

namespace {

using nlohmann::json;

// Reads member `key` into `out` when present and not null; type mismatches throw (caught by the
// callers' adapters).
template <class T>
void read(const json& object, const char* key, T& out) {
  const auto found = object.find(key);
  if (found != object.end() && !found->is_null()) {
    found->get_to(out);
  }
}

template <class T>
void read_optional(const json& object, const char* key, std::optional<T>& out) {
  const auto found = object.find(key);
  if (found != object.end() && !found->is_null()) {
    out = found->get<T>();
  } else {
    out.reset();
  }
}

constexpr std::array<std::pair<model::Severity, std::string_view>, 6> kSeverities{{
    {model::Severity::kUntriaged, "UNTRIAGED"},
    {model::Severity::kInformational, "INFORMATIONAL"},
    {model::Severity::kLow, "LOW"},
    {model::Severity::kMedium, "MEDIUM"},
    {model::Severity::kHigh, "HIGH"},
    {model::Severity::kCritical, "CRITICAL"},
}};

std::optional<model::FixAvailable> parse_fix(std::string_view name) {
  for (const auto value :
       {model::FixAvailable::kYes, model::FixAvailable::kNo, model::FixAvailable::kPartial}) {
    if (model::fix_available_name(value) == name) {
      return value;
    }
  }
  return std::nullopt;
}

json package_to_json(const model::Package& package) {
  json out{{"ecosystem", model::ecosystem_name(package.ecosystem)},
          {"name", package.name},
          {"version", package.version},
          {"arch", package.arch},
          {"sourceName", package.source_name},
          {"sourceVersion", package.source_version},
          {"distroRelease", package.distro_release},
          {"locations", package.locations},
          {"purl", package.purl},
          {"layerDigest", package.layer_digest}};
  // Written only when set, so documents stored before these members existed stay identical.
  if (!package.owner_purl.empty()) {
    out["ownerPurl"] = package.owner_purl;
  }
  if (!package.cpes.empty()) {
    out["cpes"] = package.cpes;
  }
  return out;
}

model::Package package_from_json(const json& object) {
  model::Package package;
  std::string ecosystem;
  read(object, "ecosystem", ecosystem);
  if (!ecosystem.empty()) {
    auto parsed = model::parse_ecosystem(ecosystem);
    if (!parsed) {
      throw std::invalid_argument(parsed.error().message);
    }
    package.ecosystem = parsed->ecosystem;
  }
  read(object, "name", package.name);
  read(object, "version", package.version);
  read(object, "arch", package.arch);
  read(object, "sourceName", package.source_name);
  read(object, "sourceVersion", package.source_version);
  read(object, "distroRelease", package.distro_release);
  read(object, "locations", package.locations);
  read(object, "purl", package.purl);
  read(object, "layerDigest", package.layer_digest);
  read(object, "ownerPurl", package.owner_purl);
  read(object, "cpes", package.cpes);
  return package;
}

json adjustments_to_json(const std::vector<model::ScoreAdjustment>& adjustments) {
  json out = json::array();
  for (const auto& step : adjustments) {
    out.push_back(
        {{"factor", step.factor}, {"from", step.from}, {"to", step.to}, {"reason", step.reason}});
  }
  return out;
}

std::vector<model::ScoreAdjustment> adjustments_from_json(const json& array) {
  std::vector<model::ScoreAdjustment> out;
  for (const auto& item : array) {
    model::ScoreAdjustment step;
    read(item, "factor", step.factor);
    read(item, "from", step.from);
    read(item, "to", step.to);
    read(item, "reason", step.reason);
    out.push_back(std::move(step));
  }
  return out;
}

json model_finding_to_json(const model::Finding& finding) {
  json cvss = json::array();
  for (const auto& record : finding.cvss) {
    cvss.push_back({{"version", record.version},
                    {"vector", record.vector},
                    {"baseScore", record.base_score},
                    {"source", record.source}});
  }
  json out = {{"id", finding.id},
              {"resourceId", finding.resource_id},
              {"accountId", finding.account_id},
              {"package", package_to_json(finding.package)},
              {"vulnerabilityId", finding.vulnerability_id},
              {"aliases", finding.aliases},
              {"sources", finding.sources},
              {"title", finding.title},
              {"description", finding.description},
              {"references", finding.references},
              {"fixedIn", finding.fixed_in},
              {"remediation", finding.remediation},
              {"fixAvailable", model::fix_available_name(finding.fix_available)},
              {"vendorSeverity", finding.vendor_severity},
              {"severity", model::severity_name(finding.severity)},
              {"cvss", std::move(cvss)},
              {"exploitAvailable", finding.exploit_available},
              {"exploitLastSeen", finding.exploit_last_seen},
              {"ransomware", finding.ransomware},
              {"inspectorScore", finding.inspector_score},
              {"inspectorAdjustments", adjustments_to_json(finding.inspector_adjustments)},
              {"vigilRisk", finding.vigil_risk},
              {"riskExplanation", adjustments_to_json(finding.risk_explanation)},
              {"firstObservedAt", finding.first_observed_at},
              {"lastObservedAt", finding.last_observed_at}};
  if (finding.epss) {
    out["epss"] = *finding.epss;
  }
  if (finding.epss_percentile) {
    out["epssPercentile"] = *finding.epss_percentile;
  }
  return out;
}

model::Finding model_finding_from_json(const json& object) {
  model::Finding finding;
  read(object, "id", finding.id);
  read(object, "resourceId", finding.resource_id);
  read(object, "accountId", finding.account_id);
  if (const auto package = object.find("package"); package != object.end()) {
    finding.package = package_from_json(*package);
  }
  read(object, "vulnerabilityId", finding.vulnerability_id);
  read(object, "aliases", finding.aliases);
  read(object, "sources", finding.sources);
  read(object, "title", finding.title);
  read(object, "description", finding.description);
  read(object, "references", finding.references);
  read(object, "fixedIn", finding.fixed_in);
  read(object, "remediation", finding.remediation);
  std::string text;
  read(object, "fixAvailable", text);
  finding.fix_available = parse_fix(text).value_or(model::FixAvailable::kNo);
  read(object, "vendorSeverity", finding.vendor_severity);
  text.clear();
  read(object, "severity", text);
  finding.severity = parse_severity(text).value_or(model::Severity::kUntriaged);
  if (const auto cvss = object.find("cvss"); cvss != object.end()) {
    for (const auto& item : *cvss) {
      model::CvssRecord record;
      read(item, "version", record.version);
      read(item, "vector", record.vector);
      read(item, "baseScore", record.base_score);
      read(item, "source", record.source);
      finding.cvss.push_back(std::move(record));
    }
  }
  read(object, "exploitAvailable", finding.exploit_available);
  read(object, "exploitLastSeen", finding.exploit_last_seen);
  read(object, "ransomware", finding.ransomware);
  read_optional(object, "epss", finding.epss);
  read_optional(object, "epssPercentile", finding.epss_percentile);
  read(object, "inspectorScore", finding.inspector_score);
  if (const auto steps = object.find("inspectorAdjustments"); steps != object.end()) {
    finding.inspector_adjustments = adjustments_from_json(*steps);
  }
  read(object, "vigilRisk", finding.vigil_risk);
  if (const auto steps = object.find("riskExplanation"); steps != object.end()) {
    finding.risk_explanation = adjustments_from_json(*steps);
  }
  text.clear();
  read(object, "status", text);
  finding.status = parse_finding_status(text).value_or(model::FindingStatus::kActive);
  read(object, "suppressionReason", finding.suppression_reason);
  read(object, "firstObservedAt", finding.first_observed_at);
  read(object, "lastObservedAt", finding.last_observed_at);
  return finding;
}

json string_filter_to_json(const StringFilter& filter) {
  const char* op = filter.op == StringOp::kEquals   ? "EQUALS"
                   : filter.op == StringOp::kPrefix ? "PREFIX"
                                                    : "NOT_EQUALS";
  return {{"comparison", op}, {"value", filter.value}};
}

StringFilter string_filter_from_json(const json& object) {
  StringFilter filter;
  std::string op;
  read(object, "comparison", op);
  if (op == "EQUALS") {
    filter.op = StringOp::kEquals;
  } else if (op == "PREFIX") {
    filter.op = StringOp::kPrefix;
  } else if (op == "NOT_EQUALS") {
    filter.op = StringOp::kNotEquals;
  } else {
    throw std::invalid_argument("unknown string comparison '" + op + "'");
  }
  read(object, "value", filter.value);
  return filter;
}

json number_filter_to_json(const NumberFilter& filter) {
  json out = json::object();
  if (filter.lower) {
    out["lowerInclusive"] = *filter.lower;
  }
  if (filter.upper) {
    out["upperInclusive"] = *filter.upper;
  }
  return out;
}

NumberFilter number_filter_from_json(const json& object) {
  NumberFilter filter;
  read_optional(object, "lowerInclusive", filter.lower);
  read_optional(object, "upperInclusive", filter.upper);
  return filter;
}

// The members of PackageFilter with their JSON names, for both directions.
template <class Filter, class Visit>
void for_each_package_member(Filter& filter, Visit&& visit) {
  visit("name", filter.name);
  visit("version", filter.version);
  visit("epochNumber", filter.epoch_number);
  visit("release", filter.release);
  visit("architecture", filter.architecture);
  visit("sourceLayerHash", filter.source_layer_hash);
  visit("sourceLambdaLayerArn", filter.source_lambda_layer_arn);
  visit("filePath", filter.file_path);
}

// Drops members that hold their default ("" , [], {}, false) from `object` and its nested
// objects: the reader restores them, and stored documents shrink by a third. Numbers stay (an
// optional EPSS of 0 must not become "absent").
void prune_defaults(json& object) {
  for (auto member = object.begin(); member != object.end();) {
    json& value = member.value();
    if (value.is_object()) {
      prune_defaults(value);
    } else if (value.is_array()) {
      for (auto& item : value) {
        if (item.is_object()) {
          prune_defaults(item);
        }
      }
    }
    const bool empty = (value.is_string() && value.get_ref<const std::string&>().empty()) ||
                       ((value.is_array() || value.is_object()) && value.empty()) ||
                       (value.is_boolean() && !value.get<bool>()) || value.is_null();
    member = empty ? object.erase(member) : std::next(member);
  }
}

// Runs `body` and turns library exceptions into kParse errors naming `what`.
template <class T, class Body>
Result<T> guarded(std::string_view what, Body&& body) {
  try {
    return body();
  } catch (const std::exception& error) {
    return fail(Error::parse("stored {}: {}", what, error.what()));
  }
}

}  // namespace

std::optional<model::Severity> parse_severity(std::string_view name) {
  for (const auto& [value, text] : kSeverities) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

int severity_rank(model::Severity severity) { return static_cast<int>(severity); }

std::optional<model::FindingStatus> parse_finding_status(std::string_view name) {
  for (const auto value : {model::FindingStatus::kActive, model::FindingStatus::kSuppressed,
                           model::FindingStatus::kClosed}) {
    if (model::finding_status_name(value) == name) {
      return value;
    }
  }
  return std::nullopt;
}

// The tree-building original of finding_to_json (finding_json_writer.cpp writes the same bytes
// directly); kept as the differential test's reference.
std::string finding_to_json_reference(const StoredFinding& finding) {
  json out = {{"finding", model_finding_to_json(finding.finding)},
              {"type", finding.type},
              {"resourceType", finding.resource_type},
              {"region", finding.region},
              {"resourceTags", finding.resource_tags},
              {"resourceDetails", finding.resource_details_json},
              {"network", finding.network_json}};
  prune_defaults(out);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<StoredFinding> finding_from_json(std::string_view text) {
  return guarded<StoredFinding>("finding", [&] {
    const json object = json::parse(text);
    StoredFinding finding;
    if (const auto inner = object.find("finding"); inner != object.end()) {
      finding.finding = model_finding_from_json(*inner);
    }
    read(object, "type", finding.type);
    read(object, "resourceType", finding.resource_type);
    read(object, "region", finding.region);
    read(object, "resourceTags", finding.resource_tags);
    read(object, "resourceDetails", finding.resource_details_json);
    read(object, "network", finding.network_json);
    read(object, "firstObservedAt", finding.first_observed_at);
    read(object, "lastObservedAt", finding.last_observed_at);
    read(object, "updatedAt", finding.updated_at);
    read(object, "closedAt", finding.closed_at);
    read(object, "stale", finding.stale);
    return finding;
  });
}

std::string inventory_to_json(const model::Inventory& inventory) {
  json packages = json::array();
  for (const auto& package : inventory.packages) {
    packages.push_back(package_to_json(package));
  }
  json diagnostics = json::array();
  for (const auto& diagnostic : inventory.diagnostics) {
    diagnostics.push_back({{"level", static_cast<int>(diagnostic.level)},
                           {"where", diagnostic.where},
                           {"message", diagnostic.message}});
  }
  const json out = {{"target", inventory.target},
                    {"os",
                     {{"id", inventory.os.id},
                      {"versionId", inventory.os.version_id},
                      {"codename", inventory.os.codename},
                      {"prettyName", inventory.os.pretty_name},
                      {"kernelRelease", inventory.os.kernel_release},
                      {"endOfLife", inventory.os.end_of_life}}},
                    {"packages", std::move(packages)},
                    {"diagnostics", std::move(diagnostics)},
                    {"complete", inventory.complete}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string criteria_to_json(const Criteria& criteria) {
  json out = json::object();
  for (const auto& [field, filters] : criteria.strings) {
    json& list = out["strings"][field] = json::array();
    for (const auto& filter : filters) {
      list.push_back(string_filter_to_json(filter));
    }
  }
  for (const auto& [field, filters] : criteria.dates) {
    json& list = out["dates"][field] = json::array();
    for (const auto& filter : filters) {
      list.push_back({{"startInclusive", filter.start}, {"endInclusive", filter.end}});
    }
  }
  for (const auto& [field, filters] : criteria.numbers) {
    json& list = out["numbers"][field] = json::array();
    for (const auto& filter : filters) {
      list.push_back(number_filter_to_json(filter));
    }
  }
  for (const auto& [field, filters] : criteria.maps) {
    json& list = out["maps"][field] = json::array();
    for (const auto& filter : filters) {
      list.push_back({{"key", filter.key}, {"value", filter.value}});
    }
  }
  for (const auto& [field, filters] : criteria.ports) {
    json& list = out["ports"][field] = json::array();
    for (const auto& filter : filters) {
      json item = json::object();
      if (filter.begin_inclusive) {
        item["beginInclusive"] = *filter.begin_inclusive;
      }
      if (filter.end_inclusive) {
        item["endInclusive"] = *filter.end_inclusive;
      }
      list.push_back(std::move(item));
    }
  }
  for (const auto& filter : criteria.packages) {
    json item = json::object();
    for_each_package_member(filter,
                            [&](const char* name, const std::optional<StringFilter>& member) {
                              if (member) {
                                item[name] = string_filter_to_json(*member);
                              }
                            });
    if (filter.epoch) {
      item["epoch"] = number_filter_to_json(*filter.epoch);
    }
    out["packages"].push_back(std::move(item));
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Criteria> criteria_from_json(std::string_view text) {
  return guarded<Criteria>("criteria", [&] {
    const json object = json::parse(text);
    Criteria criteria;
    const auto each = [&](const char* group, auto&& add) {
      if (const auto found = object.find(group); found != object.end()) {
        for (const auto& [field, list] : found->items()) {
          for (const auto& item : list) {
            add(field, item);
          }
        }
      }
    };
    each("strings", [&](const std::string& field, const json& item) {
      criteria.strings[field].push_back(string_filter_from_json(item));
    });
    each("dates", [&](const std::string& field, const json& item) {
      DateFilter filter;
      read(item, "startInclusive", filter.start);
      read(item, "endInclusive", filter.end);
      criteria.dates[field].push_back(filter);
    });
    each("numbers", [&](const std::string& field, const json& item) {
      criteria.numbers[field].push_back(number_filter_from_json(item));
    });
    each("maps", [&](const std::string& field, const json& item) {
      MapFilter filter;
      read(item, "key", filter.key);
      read(item, "value", filter.value);
      criteria.maps[field].push_back(std::move(filter));
    });
    each("ports", [&](const std::string& field, const json& item) {
      PortRangeFilter filter;
      read_optional(item, "beginInclusive", filter.begin_inclusive);
      read_optional(item, "endInclusive", filter.end_inclusive);
      criteria.ports[field].push_back(filter);
    });
    if (const auto packages = object.find("packages"); packages != object.end()) {
      for (const auto& item : *packages) {
        PackageFilter filter;
        for_each_package_member(filter, [&](const char* name, std::optional<StringFilter>& member) {
          if (const auto found = item.find(name); found != item.end()) {
            member = string_filter_from_json(*found);
          }
        });
        if (const auto epoch = item.find("epoch"); epoch != item.end()) {
          filter.epoch = number_filter_from_json(*epoch);
        }
        criteria.packages.push_back(std::move(filter));
      }
    }
    return criteria;
  });
}

std::string tags_to_json(const std::map<std::string, std::string>& tags) {
  return json(tags).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::map<std::string, std::string>> tags_from_json(std::string_view text) {
  return guarded<std::map<std::string, std::string>>(
      "tags", [&] { return json::parse(text).get<std::map<std::string, std::string>>(); });
}

std::string organization_to_json(const OrganizationConfig& config) {
  const json out = {{"organizationId", config.organization_id},
                    {"autoEnable",
                     {{"ec2", config.auto_enable.ec2},
                      {"ecr", config.auto_enable.ecr},
                      {"lambda", config.auto_enable.lambda},
                      {"lambdaCode", config.auto_enable.lambda_code}}},
                    {"ecrRescanDuration", config.ecr_rescan_duration},
                    {"ecrPullDateRescanDuration", config.ecr_pull_date_rescan_duration},
                    {"staleInventoryAfterMs", config.stale_inventory_after_ms}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<OrganizationConfig> organization_from_json(std::string_view text) {
  return guarded<OrganizationConfig>("organization", [&] {
    const json object = json::parse(text);
    OrganizationConfig config;
    read(object, "organizationId", config.organization_id);
    if (const auto auto_enable = object.find("autoEnable"); auto_enable != object.end()) {
      read(*auto_enable, "ec2", config.auto_enable.ec2);
      read(*auto_enable, "ecr", config.auto_enable.ecr);
      read(*auto_enable, "lambda", config.auto_enable.lambda);
      read(*auto_enable, "lambdaCode", config.auto_enable.lambda_code);
    }
    read(object, "ecrRescanDuration", config.ecr_rescan_duration);
    read(object, "ecrPullDateRescanDuration", config.ecr_pull_date_rescan_duration);
    read(object, "staleInventoryAfterMs", config.stale_inventory_after_ms);
    return config;
  });
}

}  // namespace vigil::store::internal
