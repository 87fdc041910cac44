#include <algorithm>
#include <cmath>

#include "api/internal/wire.hpp"
#include "api/model.hpp"

namespace vigil::api::internal {
namespace {

using nlohmann::json;

ApiResult<store::StringFilter> string_filter(const json& value, const std::string& path) {
  store::StringFilter filter;
  const std::string comparison = value.value("comparison", "EQUALS");
  if (comparison == "EQUALS") {
    filter.op = store::StringOp::kEquals;
  } else if (comparison == "PREFIX") {
    filter.op = store::StringOp::kPrefix;
  } else if (comparison == "NOT_EQUALS") {
    filter.op = store::StringOp::kNotEquals;
  } else {
    return reject(ApiError::validation(fmt::format("{}: unknown comparison '{}'", path, comparison),
                                       {{path + ".comparison", "must be EQUALS, PREFIX or NOT_EQUALS"}}));
  }
  filter.value = value.value("value", "");
  return filter;
}

store::DateFilter date_filter(const json& value) {
  store::DateFilter filter;
  if (const auto start = value.find("startInclusive"); start != value.end()) {
    filter.start = timestamp_ms(*start).value_or(0);
  }
  if (const auto end = value.find("endInclusive"); end != value.end()) {
    filter.end = timestamp_ms(*end).value_or(0);
  }
  return filter;
}

store::NumberFilter number_filter(const json& value) {
  store::NumberFilter filter;
  if (const auto lower = value.find("lowerInclusive"); lower != value.end() && lower->is_number()) {
    filter.lower = lower->get<double>();
  }
  if (const auto upper = value.find("upperInclusive"); upper != value.end() && upper->is_number()) {
    filter.upper = upper->get<double>();
  }
  return filter;
}

ApiResult<void> check_mixing(const std::vector<store::StringFilter>& filters, const std::string& field) {
  const bool has_negative = std::any_of(filters.begin(), filters.end(), [](const auto& f) {
    return f.op == store::StringOp::kNotEquals;
  });
  const bool has_positive = std::any_of(filters.begin(), filters.end(), [](const auto& f) {
    return f.op != store::StringOp::kNotEquals;
  });
  if (has_negative && has_positive) {
    return reject(ApiError::validation(
        fmt::format("{}: NOT_EQUALS filters cannot be combined with EQUALS or PREFIX on one field",
                    field),
        {{field, "mixes NOT_EQUALS with EQUALS/PREFIX"}}));
  }
  return {};
}

}  // namespace

ApiResult<void> add_string_filters(store::Criteria& criteria, const std::string& field,
                                   const json& filters) {
  auto& list = criteria.strings[field];
  for (std::size_t index = 0; index < filters.size(); ++index) {
    VIGIL_API_ASSIGN(store::StringFilter filter,
                           string_filter(filters[index], fmt::format("{}[{}]", field, index)));
    list.push_back(std::move(filter));
  }
  return check_mixing(list, field);
}

ApiResult<store::Criteria> criteria_from_json(const json& criteria, std::string_view shape_name) {
  store::Criteria out;
  if (!criteria.is_object()) {
    return out;
  }
  const auto shape_index = spec::find_shape(shape_name);
  if (!shape_index) {
    return reject(ApiError::internal(fmt::format("model has no shape {}", shape_name)));
  }
  const spec::Shape& shape = spec::shape(*shape_index);
  for (const auto& [field, filters] : criteria.items()) {
    const spec::Member* member = spec::find_member(shape, field);
    if (member == nullptr || !filters.is_array()) {
      return reject(ApiError::validation(fmt::format("unknown filter criteria field '{}'", field),
                                         {{field, "unknown member"}}));
    }
    const std::string_view kind = spec::shape(spec::shape(member->shape).element).name;
    if (kind.ends_with("StringFilter")) {
      VIGIL_API_TRY(add_string_filters(out, field, filters));
    } else if (kind.ends_with("DateFilter")) {
      for (const json& filter : filters) {
        out.dates[field].push_back(date_filter(filter));
      }
    } else if (kind.ends_with("NumberFilter")) {
      for (const json& filter : filters) {
        out.numbers[field].push_back(number_filter(filter));
      }
    } else if (kind.ends_with("MapFilter")) {
      for (const json& filter : filters) {
        out.maps[field].push_back({filter.value("key", ""), filter.value("value", "")});
      }
    } else if (kind == "PortRangeFilter") {
      for (const json& filter : filters) {
        store::PortRangeFilter range;
        if (filter.contains("beginInclusive")) {
          range.begin_inclusive = filter["beginInclusive"].get<int>();
        }
        if (filter.contains("endInclusive")) {
          range.end_inclusive = filter["endInclusive"].get<int>();
        }
        out.ports[field].push_back(range);
      }
    } else if (kind == "PackageFilter") {
      for (std::size_t index = 0; index < filters.size(); ++index) {
        const json& filter = filters[index];
        store::PackageFilter package;
        const auto take = [&](const char* name,
                              std::optional<store::StringFilter>& slot) -> ApiResult<void> {
          if (const auto found = filter.find(name); found != filter.end() && !found->is_null()) {
            VIGIL_API_ASSIGN(slot, string_filter(*found, fmt::format("{}[{}].{}", field, index, name)));
          }
          return {};
        };
        VIGIL_API_TRY(take("name", package.name));
        VIGIL_API_TRY(take("version", package.version));
        VIGIL_API_TRY(take("release", package.release));
        VIGIL_API_TRY(take("architecture", package.architecture));
        VIGIL_API_TRY(take("sourceLayerHash", package.source_layer_hash));
        VIGIL_API_TRY(take("sourceLambdaLayerArn", package.source_lambda_layer_arn));
        VIGIL_API_TRY(take("filePath", package.file_path));
        if (const auto epoch = filter.find("epoch"); epoch != filter.end() && epoch->is_object()) {
          package.epoch = number_filter(*epoch);
        }
        out.packages.push_back(std::move(package));
      }
    } else {
      return reject(ApiError::validation(fmt::format("unsupported filter field '{}'", field),
                                         {{field, "unsupported"}}));
    }
  }
  return out;
}

std::string package_manager(const model::Package& package) {
  using model::Ecosystem;
  const std::string path = package.locations.empty() ? "" : package.locations.front();
  const auto ends = [&](std::string_view suffix) { return path.ends_with(suffix); };
  switch (package.ecosystem) {
    case Ecosystem::kDebian:
    case Ecosystem::kUbuntu:
    case Ecosystem::kAlpine:
    case Ecosystem::kAmazonLinux:
    case Ecosystem::kRedHat:
    case Ecosystem::kAlmaLinux:
    case Ecosystem::kRocky:
    case Ecosystem::kGeneric:
      return "OS";
    case Ecosystem::kPyPI:
      if (ends("requirements.txt")) {
        return "PIP";
      }
      if (ends("Pipfile.lock")) {
        return "PIPENV";
      }
      return ends("poetry.lock") ? "POETRY" : "PYTHONPKG";
    case Ecosystem::kNpm:
      if (ends("package-lock.json") || ends("npm-shrinkwrap.json")) {
        return "NPM";
      }
      return ends("yarn.lock") ? "YARN" : "NODEPKG";
    case Ecosystem::kGo:
      return ends("go.mod") || ends("go.sum") ? "GOMOD" : "GOBINARY";
    case Ecosystem::kMaven:
      return ends(".jar") || ends(".war") || ends(".ear") ? "JAR" : "POM";
    case Ecosystem::kNuGet:
      return "NUGET";
    case Ecosystem::kRubyGems:
      return ends("Gemfile.lock") ? "BUNDLER" : "GEMSPEC";
    case Ecosystem::kCratesIo:
      return "CARGO";
    case Ecosystem::kPackagist:
      return "COMPOSER";
  }
  return "OS";
}

json finding_json(const store::StoredFinding& stored, const std::string& partition) {
  const model::Finding& finding = stored.finding;
  json out;
  out["findingArn"] = finding.id;
  out["awsAccountId"] = finding.account_id;
  out["type"] = stored.type;
  std::string description = finding.description.empty() ? finding.title : finding.description;
  if (description.empty()) {
    description = finding.vulnerability_id;
  }
  if (description.size() > 1024) {
    description.resize(1024);
  }
  out["description"] = description;
  if (!finding.title.empty()) {
    out["title"] = finding.title;
  }
  json recommendation = {{"text", finding.remediation.empty() ? "None Provided" : finding.remediation}};
  out["remediation"] = {{"recommendation", recommendation}};
  out["severity"] = std::string(model::severity_name(finding.severity));
  out["status"] = std::string(model::finding_status_name(finding.status));
  out["firstObservedAt"] = epoch_seconds(stored.first_observed_at);
  out["lastObservedAt"] = epoch_seconds(stored.last_observed_at);
  out["updatedAt"] = epoch_seconds(stored.updated_at);
  json resource = {{"type", stored.resource_type},
                   {"id", finding.resource_id},
                   {"partition", partition},
                   {"region", stored.region},
                   {"tags", stored.resource_tags}};
  if (!stored.resource_details_json.empty()) {
    json details = json::parse(stored.resource_details_json, nullptr, false);
    if (!details.is_discarded() && details.is_object()) {
      resource["details"] = std::move(details);
    }
  }
  out["resources"] = json::array({resource});
  if (stored.type == "NETWORK_REACHABILITY") {
    json network = json::parse(stored.network_json.empty() ? "{}" : stored.network_json, nullptr, false);
    if (!network.is_discarded()) {
      out["networkReachabilityDetails"] = std::move(network);
    }
  } else {
    const model::Package& package = finding.package;
    json vulnerable = {{"name", package.name},
                       {"version", package.version.empty() ? "unknown" : package.version},
                       {"packageManager", package_manager(package)}};
    if (!package.arch.empty()) {
      vulnerable["arch"] = package.arch;
    }
    if (!package.locations.empty()) {
      vulnerable["filePath"] = package.locations.front();
    }
    vulnerable["fixedInVersion"] = finding.fixed_in.empty() ? "NotAvailable" : finding.fixed_in;
    if (!finding.remediation.empty()) {
      vulnerable["remediation"] = finding.remediation;
    }
    if (!package.layer_digest.empty()) {
      vulnerable["sourceLayerHash"] = package.layer_digest;
    }
    json cvss = json::array();
    for (const model::CvssRecord& record : finding.cvss) {
      cvss.push_back({{"baseScore", record.base_score},
                      {"scoringVector", record.vector},
                      {"version", record.version},
                      {"source", record.source}});
    }
    std::vector<std::string> related;
    for (const std::string& alias : finding.aliases) {
      if (alias != finding.vulnerability_id) {
        related.push_back(alias);
      }
    }
    const std::string source = finding.sources.empty() ? "NVD" : finding.sources.front();
    json details = {{"vulnerabilityId", finding.vulnerability_id},
                    {"source", source},
                    {"vulnerablePackages", json::array({vulnerable})},
                    {"cvss", cvss},
                    {"relatedVulnerabilities", related},
                    {"referenceUrls", finding.references}};
    if (!finding.vendor_severity.empty()) {
      details["vendorSeverity"] = finding.vendor_severity;
    }
    if (finding.vulnerability_id.starts_with("CVE-")) {
      details["sourceUrl"] = "https://nvd.nist.gov/vuln/detail/" + finding.vulnerability_id;
    }
    out["packageVulnerabilityDetails"] = std::move(details);
    out["fixAvailable"] = std::string(model::fix_available_name(finding.fix_available));
  }
  out["exploitAvailable"] = finding.exploit_available ? "YES" : "NO";
  if (finding.exploit_available && !finding.exploit_last_seen.empty()) {
    if (const auto when = timestamp_ms(json(finding.exploit_last_seen))) {
      out["exploitabilityDetails"] = {{"lastKnownExploitAt", epoch_seconds(*when)}};
    }
  }
  if (finding.epss) {
    out["epss"] = {{"score", *finding.epss}};
  }
  if (finding.inspector_score > 0.0) {
    out["inspectorScore"] = finding.inspector_score;
    const model::CvssRecord* base = nullptr;
    for (const model::CvssRecord& record : finding.cvss) {
      if (base == nullptr || record.version > base->version) {
        base = &record;
      }
    }
    if (base != nullptr) {
      json adjustments = json::array();
      for (const model::ScoreAdjustment& adjustment : finding.inspector_adjustments) {
        adjustments.push_back({{"metric", adjustment.factor}, {"reason", adjustment.reason}});
      }
      out["inspectorScoreDetails"] = {{"adjustedCvss",
                                       {{"scoreSource", base->source},
                                        {"cvssSource", base->source},
                                        {"version", base->version},
                                        {"score", finding.inspector_score},
                                        {"scoringVector", base->vector},
                                        {"adjustments", adjustments}}}};
    }
  }
  return out;
}

json covered_resource_json(const store::CoverageRecord& row, const store::ResourceRecord* resource) {
  json out = {{"resourceType", row.resource_type},
              {"resourceId", row.resource_id},
              {"accountId", row.account_id},
              {"scanType", row.scan_type},
              {"scanStatus", {{"statusCode", row.status_code}, {"reason", row.reason}}}};
  if (row.last_scanned_at > 0) {
    out["lastScannedAt"] = epoch_seconds(row.last_scanned_at);
  }
  if (resource != nullptr) {
    if (!resource->scan_mode.empty()) {
      out["scanMode"] = resource->scan_mode;
    }
    const json details = json::parse(resource->details_json.empty() ? "{}" : resource->details_json,
                                     nullptr, false);
    const auto get = [&](const char* section, const char* key) -> json {
      if (details.is_object() && details.contains(section) && details[section].is_object() &&
          details[section].contains(key)) {
        return details[section][key];
      }
      return nullptr;
    };
    if (row.resource_type == "AWS_EC2_INSTANCE") {
      json ec2 = {{"tags", resource->tags}};
      if (const json ami = get("awsEc2Instance", "imageId"); ami.is_string()) {
        ec2["amiId"] = ami;
      }
      const json platform = get("awsEc2Instance", "platform");
      ec2["platform"] = platform.is_string() && platform.get<std::string>().starts_with("WINDOWS")
                            ? "WINDOWS"
                            : (platform.is_string() ? "LINUX" : "UNKNOWN");
      out["resourceMetadata"] = {{"ec2", ec2}};
    } else if (row.resource_type == "AWS_ECR_CONTAINER_IMAGE") {
      json image = json::object();
      if (const json tags = get("awsEcrContainerImage", "imageTags"); tags.is_array()) {
        image["tags"] = tags;
      }
      out["resourceMetadata"] = {{"ecrImage", image}};
    } else if (row.resource_type == "AWS_ECR_REPOSITORY") {
      out["resourceMetadata"] = {{"ecrRepository", {{"name", resource->name}}}};
    } else if (row.resource_type == "AWS_LAMBDA_FUNCTION") {
      json function = {{"functionTags", resource->tags}, {"functionName", resource->name}};
      if (const json runtime = get("awsLambdaFunction", "runtime"); runtime.is_string()) {
        function["runtime"] = runtime;
      }
      if (const json layers = get("awsLambdaFunction", "layers"); layers.is_array()) {
        function["layers"] = layers;
      }
      out["resourceMetadata"] = {{"lambdaFunction", function}};
    }
  }
  return out;
}

json filter_json(const store::FilterRecord& filter) {
  json criteria = json::parse(filter.criteria_json.empty() ? "{}" : filter.criteria_json, nullptr, false);
  if (criteria.is_discarded()) {
    criteria = json::object();
  }
  json out = {{"arn", filter.arn},
              {"ownerId", filter.owner_id},
              {"name", filter.name},
              {"criteria", criteria},
              {"action", filter.action},
              {"createdAt", epoch_seconds(filter.created_at)},
              {"updatedAt", epoch_seconds(filter.updated_at)},
              {"tags", filter.tags}};
  if (!filter.description.empty()) {
    out["description"] = filter.description;
  }
  if (!filter.reason.empty()) {
    out["reason"] = filter.reason;
  }
  return out;
}

}  // namespace vigil::api::internal
