// Findings operations: ListFindings, BatchGetFindingDetails, ListFindingAggregations.
#include <array>
#include <cmath>

#include "api/internal/ops_common.hpp"
#include "api/internal/wire.hpp"
#include "api/operations.hpp"

namespace vigil::api {
namespace {

using nlohmann::json;
using internal::json_reply;

constexpr std::size_t kDefaultPage = 50;

ApiResult<Reply> list_findings(ApiContext& context, const OpRequest& request) {
  store::FindingQuery query;
  VIGIL_API_ASSIGN(query.criteria, internal::criteria_from_json(
                                       request.input.value("filterCriteria", json::object()),
                                       "FilterCriteria"));
  query.account_scope = request.caller.scope();
  if (const auto sort = request.input.find("sortCriteria"); sort != request.input.end()) {
    query.sort_field = sort->value("field", "");
    query.sort_order = sort->value("sortOrder", "DESC") == "ASC" ? store::SortOrder::kAscending
                                                                 : store::SortOrder::kDescending;
  }
  query.limit = internal::max_results(request.input, kDefaultPage);
  VIGIL_API_ASSIGN(query.cursor, internal::page_cursor(request.input, "ListFindings"));
  VIGIL_API_ASSIGN(const store::Page<store::StoredFinding> page, context.store->list_findings(query));
  json findings = json::array();
  for (const store::StoredFinding& finding : page.items) {
    findings.push_back(internal::finding_json(finding, context.partition));
  }
  json out = {{"findings", std::move(findings)}};
  internal::set_next_token(out, "ListFindings", page.next_cursor);
  return json_reply(std::move(out));
}

ApiResult<Reply> batch_get_finding_details(ApiContext& context, const OpRequest& request) {
  json details = json::array();
  json errors = json::array();
  for (const json& arn_json : request.input.at("findingArns")) {
    const std::string arn = arn_json.get<std::string>();
    VIGIL_API_ASSIGN(const std::optional<store::StoredFinding> stored, context.store->finding(arn));
    // A finding of an account the caller cannot see is reported exactly like a missing one.
    if (!stored || !request.caller.can_see(stored->finding.account_id)) {
      errors.push_back({{"findingArn", arn},
                        {"errorCode", "FINDING_DETAILS_NOT_FOUND"},
                        {"errorMessage", "No finding details found for this ARN."}});
      continue;
    }
    const model::Finding& finding = stored->finding;
    json detail = {{"findingArn", arn},
                   {"referenceUrls", finding.references},
                   {"cwes", json::array()},
                   {"evidences", json::array()},
                   {"ttps", json::array()},
                   {"tools", json::array()},
                   {"riskScore", static_cast<int>(std::lround(finding.vigil_risk * 10.0))}};
    if (finding.epss) {
      detail["epssScore"] = *finding.epss;
    }
    if (finding.exploit_available) {
      json cisa = {{"action", finding.remediation.empty() ? "Apply updates per vendor instructions."
                                                          : finding.remediation}};
      if (const auto added = timestamp_ms(json(finding.exploit_last_seen))) {
        cisa["dateAdded"] = epoch_seconds(*added);
        detail["exploitObserved"] = {{"lastSeen", epoch_seconds(*added)},
                                     {"firstSeen", epoch_seconds(*added)}};
      }
      detail["cisaData"] = std::move(cisa);
    }
    details.push_back(std::move(detail));
  }
  return json_reply({{"findingDetails", std::move(details)}, {"errors", std::move(errors)}});
}

// How one aggregation request member's filters map onto finding criteria.
enum class FilterKind { kStrings, kDates, kNumbers, kMaps, kEnumEquals, kPackageName, kLayerHash };

struct FilterBinding {
  std::string_view request_field;
  std::string_view criteria_field;
  FilterKind kind;
};

struct AggregationBinding {
  std::string_view type;
  std::string_view member;  // request and response union member
  std::string_view key;     // response field carrying AggregationRow::key
  std::vector<FilterBinding> filters;
};

const std::vector<AggregationBinding>& aggregation_bindings() {
  static const std::vector<AggregationBinding> kBindings = {
      {"ACCOUNT", "accountAggregation", "accountId",
       {{"findingType", "findingType", FilterKind::kEnumEquals},
        {"resourceType", "resourceType", FilterKind::kEnumEquals}}},
      {"AMI", "amiAggregation", "ami", {{"amis", "ec2InstanceImageId", FilterKind::kStrings}}},
      {"AWS_ECR_CONTAINER", "awsEcrContainerAggregation", "resourceId",
       {{"resourceIds", "resourceId", FilterKind::kStrings},
        {"imageShas", "ecrImageHash", FilterKind::kStrings},
        {"repositories", "ecrImageRepositoryName", FilterKind::kStrings},
        {"architectures", "ecrImageArchitecture", FilterKind::kStrings},
        {"imageTags", "ecrImageTags", FilterKind::kStrings},
        {"lastInUseAt", "ecrImageLastInUseAt", FilterKind::kDates},
        {"inUseCount", "ecrImageInUseCount", FilterKind::kNumbers}}},
      {"AWS_EC2_INSTANCE", "ec2InstanceAggregation", "instanceId",
       {{"amis", "ec2InstanceImageId", FilterKind::kStrings},
        {"instanceIds", "resourceId", FilterKind::kStrings},
        {"instanceTags", "resourceTags", FilterKind::kMaps}}},
      {"FINDING_TYPE", "findingTypeAggregation", "findingType",
       {{"findingType", "findingType", FilterKind::kEnumEquals},
        {"resourceType", "resourceType", FilterKind::kEnumEquals}}},
      {"IMAGE_LAYER", "imageLayerAggregation", "layerHash",
       {{"repositories", "ecrImageRepositoryName", FilterKind::kStrings},
        {"resourceIds", "resourceId", FilterKind::kStrings},
        {"layerHashes", "", FilterKind::kLayerHash}}},
      {"PACKAGE", "packageAggregation", "packageName",
       {{"packageNames", "", FilterKind::kPackageName}}},
      {"REPOSITORY", "repositoryAggregation", "repository",
       {{"repositories", "ecrImageRepositoryName", FilterKind::kStrings}}},
      {"TITLE", "titleAggregation", "title",
       {{"titles", "title", FilterKind::kStrings},
        {"vulnerabilityIds", "vulnerabilityId", FilterKind::kStrings},
        {"resourceType", "resourceType", FilterKind::kEnumEquals},
        {"findingType", "findingType", FilterKind::kEnumEquals}}},
      {"LAMBDA_LAYER", "lambdaLayerAggregation", "layerArn",
       {{"functionNames", "lambdaFunctionName", FilterKind::kStrings},
        {"resourceIds", "resourceId", FilterKind::kStrings},
        {"layerArns", "lambdaFunctionLayers", FilterKind::kStrings}}},
      {"AWS_LAMBDA_FUNCTION", "lambdaFunctionAggregation", "resourceId",
       {{"resourceIds", "resourceId", FilterKind::kStrings},
        {"functionNames", "lambdaFunctionName", FilterKind::kStrings},
        {"runtimes", "lambdaFunctionRuntime", FilterKind::kStrings},
        {"functionTags", "resourceTags", FilterKind::kMaps}}},
  };
  return kBindings;
}

ApiResult<void> bind_filters(const AggregationBinding& binding, const json& request,
                             store::Criteria& criteria) {
  for (const auto& [name, value] : request.items()) {
    if (name == "sortBy" || name == "sortOrder" || value.is_null()) {
      continue;
    }
    const auto found = std::find_if(binding.filters.begin(), binding.filters.end(),
                                    [&](const FilterBinding& b) { return b.request_field == name; });
    if (found == binding.filters.end()) {
      return reject(ApiError::validation(
          fmt::format("{}.{} is not supported by Vigil", binding.member, name),
          {{fmt::format("aggregationRequest.{}.{}", binding.member, name), "unsupported filter"}}));
    }
    const std::string field(found->criteria_field);
    switch (found->kind) {
      case FilterKind::kStrings:
        VIGIL_API_TRY(internal::add_string_filters(criteria, field, value));
        break;
      case FilterKind::kEnumEquals:
        criteria.strings[field].push_back({store::StringOp::kEquals, value.get<std::string>()});
        break;
      case FilterKind::kDates:
      case FilterKind::kNumbers:
      case FilterKind::kMaps: {
        // Same JSON shapes as FilterCriteria's date/number/map filters.
        VIGIL_API_ASSIGN(store::Criteria converted,
                         internal::criteria_from_json(json{{field, value}}, "FilterCriteria"));
        for (auto& [key, list] : converted.dates) {
          criteria.dates[key] = std::move(list);
        }
        for (auto& [key, list] : converted.numbers) {
          criteria.numbers[key] = std::move(list);
        }
        for (auto& [key, list] : converted.maps) {
          criteria.maps[key] = std::move(list);
        }
        break;
      }
      case FilterKind::kPackageName:
      case FilterKind::kLayerHash: {
        store::Criteria names;
        VIGIL_API_TRY(internal::add_string_filters(names, "x", value));
        for (const store::StringFilter& filter : names.strings["x"]) {
          store::PackageFilter package;
          if (found->kind == FilterKind::kPackageName) {
            package.name = filter;
          } else {
            package.source_layer_hash = filter;
          }
          criteria.packages.push_back(std::move(package));
        }
        break;
      }
    }
  }
  return {};
}

json aggregation_json(const AggregationBinding& binding, const store::AggregationRow& row) {
  static const std::array<std::string_view, 7> kCounts = {
      "exploitAvailableCount", "fixAvailableCount", "affectedInstances", "networkFindings",
      "affectedImages",        "inUseCount",        "exploitAvailableActiveFindingsCount"};
  json out = {{std::string(binding.key), row.key},
              {"severityCounts",
               {{"all", row.all}, {"critical", row.critical}, {"high", row.high}, {"medium", row.medium}}}};
  for (const auto& [name, text] : row.attrs) {
    if (std::find(kCounts.begin(), kCounts.end(), name) != kCounts.end()) {
      out[name] = std::strtoll(text.c_str(), nullptr, 10);
    } else if (name == "lastModifiedAt" || name == "lastInUseAt") {
      out[name] = epoch_seconds(std::strtoll(text.c_str(), nullptr, 10));
    } else if (name == "imageTags") {
      json tags = json::parse(text, nullptr, false);
      out[name] = tags.is_array() ? tags : json::array();
    } else if (!text.empty()) {
      out[name] = text;
    }
  }
  return out;
}

ApiResult<Reply> list_finding_aggregations(ApiContext& context, const OpRequest& request) {
  const std::string type = request.input.at("aggregationType").get<std::string>();
  const auto binding = std::find_if(aggregation_bindings().begin(), aggregation_bindings().end(),
                                    [&](const AggregationBinding& b) { return b.type == type; });
  if (binding == aggregation_bindings().end()) {
    return reject(ApiError::validation(fmt::format("aggregationType {} is not supported", type),
                                       {{"aggregationType", "unsupported by Vigil"}}));
  }
  store::AggregationQuery query;
  query.aggregation_type = type;
  query.account_scope = request.caller.scope();
  if (const auto accounts = request.input.find("accountIds"); accounts != request.input.end()) {
    VIGIL_API_TRY(internal::add_string_filters(query.criteria, "awsAccountId", *accounts));
  }
  if (const auto aggregation = request.input.find("aggregationRequest");
      aggregation != request.input.end()) {
    const auto member = aggregation->find(std::string(binding->member));
    if (member == aggregation->end()) {
      return reject(ApiError::validation(
          fmt::format("aggregationRequest must set {} for aggregationType {}", binding->member, type),
          {{"aggregationRequest", fmt::format("expected member {}", binding->member)}}));
    }
    VIGIL_API_TRY(bind_filters(*binding, *member, query.criteria));
    query.sort_by = member->value("sortBy", "CRITICAL");
    query.sort_order = member->value("sortOrder", "DESC") == "ASC" ? store::SortOrder::kAscending
                                                                   : store::SortOrder::kDescending;
  }
  query.limit = internal::max_results(request.input, kDefaultPage);
  VIGIL_API_ASSIGN(query.cursor, internal::page_cursor(request.input, "ListFindingAggregations"));
  VIGIL_API_ASSIGN(const store::Page<store::AggregationRow> page,
                   context.store->aggregate_findings(query));
  json responses = json::array();
  for (const store::AggregationRow& row : page.items) {
    responses.push_back({{std::string(binding->member), aggregation_json(*binding, row)}});
  }
  json out = {{"aggregationType", type}, {"responses", std::move(responses)}};
  internal::set_next_token(out, "ListFindingAggregations", page.next_cursor);
  return json_reply(std::move(out));
}

}  // namespace

void register_findings_ops(Registry& registry) {
  registry.add_inspector("ListFindings", false, list_findings);
  registry.add_inspector("BatchGetFindingDetails", false, batch_get_finding_details);
  registry.add_inspector("ListFindingAggregations", false, list_finding_aggregations);
}

}  // namespace vigil::api
