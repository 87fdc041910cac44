#include "service/internal/finding_criteria.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "model/finding.hpp"

namespace vigil::service::internal {
namespace {

using Values = std::vector<std::string>;

// The finding's resource details and network details, parsed on first use.
class FindingView {
 public:
  explicit FindingView(const store::StoredFinding& finding) : stored_(finding) {}

  const nlohmann::json& details() {
    if (!details_) {
      details_ = nlohmann::json::parse(stored_.resource_details_json, nullptr, false);
      if (details_->is_discarded() || !details_->is_object()) {
        details_ = nlohmann::json::object();
      }
    }
    return *details_;
  }
  const nlohmann::json& network() {
    if (!network_) {
      network_ = nlohmann::json::parse(stored_.network_json, nullptr, false);
      if (network_->is_discarded() || !network_->is_object()) {
        network_ = nlohmann::json::object();
      }
    }
    return *network_;
  }

  // The string values of a details member (a string, a number or an array of strings).
  Values detail_strings(const char* member) {
    Values out;
    const auto& object = details();
    const auto it = object.find(member);
    if (it == object.end()) {
      return out;
    }
    if (it->is_string()) {
      out.push_back(it->get<std::string>());
    } else if (it->is_number_integer()) {
      out.push_back(std::to_string(it->get<std::int64_t>()));
    } else if (it->is_array()) {
      for (const auto& item : *it) {
        if (item.is_string()) {
          out.push_back(item.get<std::string>());
        } else if (item.is_object() && item.contains("arn") && item["arn"].is_string()) {
          out.push_back(item["arn"].get<std::string>());  // Lambda layers as objects
        }
      }
    }
    return out;
  }
  // A details member holding epoch seconds, as milliseconds.
  std::optional<store::Timestamp> detail_time(const char* member) {
    const auto& object = details();
    const auto it = object.find(member);
    if (it == object.end() || !it->is_number()) {
      return std::nullopt;
    }
    return static_cast<store::Timestamp>(it->get<double>() * 1000.0);
  }
  std::optional<double> detail_number(const char* member) {
    const auto& object = details();
    const auto it = object.find(member);
    if (it == object.end() || !it->is_number()) {
      return std::nullopt;
    }
    return it->get<double>();
  }

  const store::StoredFinding& stored() const { return stored_; }

 private:
  const store::StoredFinding& stored_;
  std::optional<nlohmann::json> details_;
  std::optional<nlohmann::json> network_;
};

// Values of a string field; nullopt for a field the evaluator does not know.
std::optional<Values> string_values(FindingView& view, const std::string& field) {
  const auto& stored = view.stored();
  const auto& finding = stored.finding;
  if (field == "findingArn") {
    return Values{finding.id};
  }
  if (field == "awsAccountId") {
    return Values{finding.account_id};
  }
  if (field == "findingType") {
    return Values{stored.type};
  }
  if (field == "severity") {
    return Values{std::string(model::severity_name(finding.severity))};
  }
  if (field == "findingStatus") {
    return Values{std::string(model::finding_status_name(finding.status))};
  }
  if (field == "title") {
    return Values{finding.title};
  }
  if (field == "resourceType") {
    return Values{stored.resource_type};
  }
  if (field == "resourceId") {
    return Values{finding.resource_id};
  }
  if (field == "vulnerabilityId") {
    return Values{finding.vulnerability_id};
  }
  if (field == "vulnerabilitySource") {
    return finding.sources;
  }
  if (field == "vendorSeverity") {
    return Values{finding.vendor_severity};
  }
  if (field == "relatedVulnerabilities") {
    return finding.aliases;
  }
  if (field == "fixAvailable") {
    return Values{std::string(model::fix_available_name(finding.fix_available))};
  }
  if (field == "exploitAvailable") {
    return Values{finding.exploit_available ? "YES" : "NO"};
  }
  if (field == "ec2InstanceImageId") {
    return view.detail_strings("imageId");
  }
  if (field == "ec2InstanceVpcId") {
    return view.detail_strings("vpcId");
  }
  if (field == "ec2InstanceSubnetId") {
    return view.detail_strings("subnetId");
  }
  if (field == "ecrImageArchitecture") {
    return view.detail_strings("architecture");
  }
  if (field == "ecrImageRegistry") {
    return view.detail_strings("registry");
  }
  if (field == "ecrImageRepositoryName") {
    return view.detail_strings("repositoryName");
  }
  if (field == "ecrImageTags") {
    return view.detail_strings("imageTags");
  }
  if (field == "ecrImageHash") {
    return view.detail_strings("imageHash");
  }
  if (field == "lambdaFunctionName") {
    return view.detail_strings("functionName");
  }
  if (field == "lambdaFunctionLayers") {
    return view.detail_strings("layers");
  }
  if (field == "lambdaFunctionRuntime") {
    return view.detail_strings("runtime");
  }
  if (field == "lambdaFunctionExecutionRoleArn") {
    return view.detail_strings("executionRoleArn");
  }
  if (field == "networkProtocol") {
    const auto& network = view.network();
    if (network.contains("protocol") && network["protocol"].is_string()) {
      return Values{network["protocol"].get<std::string>()};
    }
    return Values{};
  }
  if (field == "componentId" || field == "componentType") {
    Values out;
    const auto& network = view.network();
    const char* member = field == "componentId" ? "componentId" : "componentType";
    if (network.contains("networkPath") && network["networkPath"].is_object()) {
      const auto& steps = network["networkPath"].value("steps", nlohmann::json::array());
      for (const auto& step : steps) {
        if (step.is_object() && step.contains(member) && step[member].is_string()) {
          out.push_back(step[member].get<std::string>());
        }
      }
    }
    return out;
  }
  if (field.starts_with("codeVulnerability") || field.starts_with("codeRepository")) {
    return Values{};  // package and network findings carry no code details
  }
  return std::nullopt;
}

bool string_matches(const store::StringFilter& filter, const std::string& value) {
  switch (filter.op) {
    case store::StringOp::kEquals:
      return value == filter.value;
    case store::StringOp::kPrefix:
      return value.starts_with(filter.value);
    case store::StringOp::kNotEquals:
      return value != filter.value;
  }
  return false;
}

bool string_field_matches(const Values& values, const std::vector<store::StringFilter>& filters) {
  bool any_positive = false;
  bool positive_hit = false;
  for (const auto& filter : filters) {
    if (filter.op == store::StringOp::kNotEquals) {
      for (const auto& value : values) {
        if (value == filter.value) {
          return false;  // "none of these"
        }
      }
      continue;
    }
    any_positive = true;
    for (const auto& value : values) {
      if (string_matches(filter, value)) {
        positive_hit = true;
      }
    }
  }
  return !any_positive || positive_hit;
}

std::optional<store::Timestamp> date_value(FindingView& view, const std::string& field, bool& known) {
  known = true;
  const auto& stored = view.stored();
  if (field == "firstObservedAt") {
    return stored.first_observed_at;
  }
  if (field == "lastObservedAt") {
    return stored.last_observed_at;
  }
  if (field == "updatedAt") {
    return stored.updated_at;
  }
  if (field == "ecrImagePushedAt") {
    return view.detail_time("pushedAt");
  }
  if (field == "ecrImageLastInUseAt") {
    return view.detail_time("lastInUseAt");
  }
  if (field == "lambdaFunctionLastModifiedAt") {
    return view.detail_time("lastModifiedAt");
  }
  known = false;
  return std::nullopt;
}

std::optional<double> number_value(FindingView& view, const std::string& field, bool& known) {
  known = true;
  const auto& finding = view.stored().finding;
  if (field == "inspectorScore") {
    return finding.inspector_score;
  }
  if (field == "epssScore") {
    return finding.epss;
  }
  if (field == "ecrImageInUseCount") {
    return view.detail_number("inUseCount");
  }
  known = false;
  return std::nullopt;
}

// The package's release (after the last '-') and epoch (before ':') for OS packages.
struct PackageParts {
  std::string version;
  std::string release;
  double epoch = 0;
};
PackageParts split_version(const model::Package& package) {
  PackageParts parts;
  std::string_view version = package.version;
  if (const size_t colon = version.find(':'); colon != std::string_view::npos) {
    double epoch = 0;
    for (char c : version.substr(0, colon)) {
      if (c < '0' || c > '9' || epoch > 1e9) {
        epoch = 0;
        break;
      }
      epoch = epoch * 10 + (c - '0');
    }
    parts.epoch = epoch;
    version.remove_prefix(colon + 1);
  }
  if (model::is_os_ecosystem(package.ecosystem)) {
    if (const size_t dash = version.rfind('-'); dash != std::string_view::npos) {
      parts.release = std::string(version.substr(dash + 1));
      version = version.substr(0, dash);
    }
  }
  parts.version = std::string(version);
  return parts;
}

bool optional_string_matches(const std::optional<store::StringFilter>& filter,
                             const std::string& value) {
  return !filter || string_matches(*filter, value);
}

bool package_matches(const store::PackageFilter& filter, const model::Package& package) {
  const auto parts = split_version(package);
  if (!optional_string_matches(filter.name, package.name) ||
      !optional_string_matches(filter.version, parts.version) ||
      !optional_string_matches(filter.release, parts.release) ||
      !optional_string_matches(filter.architecture, package.arch) ||
      !optional_string_matches(filter.source_layer_hash, package.layer_digest) ||
      !optional_string_matches(filter.source_lambda_layer_arn, package.layer_digest) ||
      !optional_string_matches(filter.file_path,
                               package.locations.empty() ? "" : package.locations.front()) ||
      !optional_string_matches(filter.epoch_number, fmt::format("{}", parts.epoch))) {
    return false;
  }
  if (filter.epoch) {
    if ((filter.epoch->lower && parts.epoch < *filter.epoch->lower) ||
        (filter.epoch->upper && parts.epoch > *filter.epoch->upper)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool matches_criteria(const store::StoredFinding& finding, const store::Criteria& criteria) {
  FindingView view(finding);
  for (const auto& [field, filters] : criteria.strings) {
    const auto values = string_values(view, field);
    if (!values || !string_field_matches(*values, filters)) {
      return false;
    }
  }
  for (const auto& [field, filters] : criteria.dates) {
    bool known = false;
    const auto value = date_value(view, field, known);
    if (!known || !value) {
      return false;
    }
    bool hit = filters.empty();
    for (const auto& filter : filters) {
      if ((filter.start == 0 || *value >= filter.start) && (filter.end == 0 || *value <= filter.end)) {
        hit = true;
      }
    }
    if (!hit) {
      return false;
    }
  }
  for (const auto& [field, filters] : criteria.numbers) {
    bool known = false;
    const auto value = number_value(view, field, known);
    if (!known || !value) {
      return false;
    }
    bool hit = filters.empty();
    for (const auto& filter : filters) {
      if ((!filter.lower || *value >= *filter.lower) && (!filter.upper || *value <= *filter.upper)) {
        hit = true;
      }
    }
    if (!hit) {
      return false;
    }
  }
  for (const auto& [field, filters] : criteria.maps) {
    if (field != "resourceTags") {
      return false;
    }
    bool hit = filters.empty();
    for (const auto& filter : filters) {
      const auto it = finding.resource_tags.find(filter.key);
      if (it != finding.resource_tags.end() && (filter.value.empty() || it->second == filter.value)) {
        hit = true;
      }
    }
    if (!hit) {
      return false;
    }
  }
  for (const auto& [field, filters] : criteria.ports) {
    const auto& network = view.network();
    if (field != "portRange" || !network.contains("openPortRange")) {
      return false;
    }
    const auto& range = network["openPortRange"];
    const int begin = range.value("begin", 0);
    const int end = range.value("end", 65535);
    bool hit = filters.empty();
    for (const auto& filter : filters) {
      if (end >= filter.begin_inclusive.value_or(0) && begin <= filter.end_inclusive.value_or(65535)) {
        hit = true;
      }
    }
    if (!hit) {
      return false;
    }
  }
  if (!criteria.packages.empty()) {
    bool hit = false;
    for (const auto& filter : criteria.packages) {
      hit = hit || package_matches(filter, finding.finding.package);
    }
    if (!hit) {
      return false;
    }
  }
  return true;
}

}  // namespace vigil::service::internal
