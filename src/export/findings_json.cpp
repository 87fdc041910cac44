// Findings as Inspector2 `Finding` objects (see /work/shared/docs/inspector2-reference.md §3).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/strings.hpp"
#include "export/findings.hpp"
#include "export/internal/common.hpp"
#include "export/internal/findings_common.hpp"

namespace vigil::exporter {
namespace {

using internal::OrderedJson;
using model::Ecosystem;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string finding_arn(const model::Finding& finding, const FindingsContext& context) {
  if (finding.id.rfind("arn:", 0) == 0) {
    return finding.id;
  }
  const std::string hash = internal::hash_hex(finding.id + "\n" + finding.vulnerability_id) +
                           internal::hash_hex(finding.resource_id + "\n" + finding.package.purl);
  return fmt::format("arn:vigil:inspector2:{}:{}:finding/{}",
                     context.resource.region.empty() ? "local" : context.resource.region,
                     finding.account_id.empty() ? context.resource.account_id : finding.account_id,
                     hash);
}

std::string_view resource_type(model::ResourceType type) {
  switch (type) {
    case model::ResourceType::kHost:
      return "AWS_EC2_INSTANCE";
    case model::ResourceType::kImage:
      return "AWS_ECR_CONTAINER_IMAGE";
    case model::ResourceType::kFunction:
      return "AWS_LAMBDA_FUNCTION";
    case model::ResourceType::kLayer:
      return "AWS_LAMBDA_LAYER";  // Vigil extension: Inspector has no layer resources
  }
  return "AWS_EC2_INSTANCE";
}

// Inspector's platform vocabulary: DEBIAN_12, UBUNTU_22_04, ALPINE_LINUX_3_18, AMAZON_LINUX_2023.
std::string platform(const model::OsIdentity& os) {
  if (os.id.empty()) {
    return {};
  }
  std::string version = os.version_id;
  std::string name = upper(os.id);
  if (os.id == "alpine") {
    name = "ALPINE_LINUX";
    version = version.substr(0, version.find('.', version.find('.') + 1));
  } else if (os.id == "amzn") {
    name = "AMAZON_LINUX";
  } else if (os.id == "debian" || os.id == "rhel" || os.id == "rocky" || os.id == "almalinux") {
    version = version.substr(0, version.find('.'));
  }
  for (char& c : version) {
    c = c == '.' ? '_' : c;
  }
  return version.empty() ? name : fmt::format("{}_{}", name, version);
}

OrderedJson resource_json(const model::Finding& finding, const FindingsContext& context) {
  const auto& resource = context.resource;
  OrderedJson out;
  out["type"] = resource_type(resource.type);
  out["id"] = finding.resource_id.empty() ? resource.id : finding.resource_id;
  out["partition"] = "aws";
  if (!resource.region.empty()) {
    out["region"] = resource.region;
  }
  if (!resource.tags.empty()) {
    out["tags"] = resource.tags;
  }
  const std::string os_platform = platform(context.os);
  OrderedJson details;
  if (resource.type == model::ResourceType::kHost) {
    details["awsEc2Instance"] = OrderedJson::object();
    if (!os_platform.empty()) {
      details["awsEc2Instance"]["platform"] = os_platform;
    }
  } else if (resource.type == model::ResourceType::kImage) {
    OrderedJson image;
    // "registry/repo:tag": the tag follows the last ':' after the last '/'.
    const size_t slash = resource.name.rfind('/');
    const size_t colon = resource.name.rfind(':');
    const bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
    image["repositoryName"] = tagged ? resource.name.substr(0, colon) : resource.name;
    if (tagged) {
      image["imageTags"] = OrderedJson::array({resource.name.substr(colon + 1)});
    }
    const size_t digest = resource.id.find("sha256:");
    if (digest != std::string::npos) {
      image["imageHash"] = resource.id.substr(digest);
    }
    if (!resource.account_id.empty()) {
      image["registry"] = resource.account_id;
    }
    if (!os_platform.empty()) {
      image["platform"] = os_platform;
    }
    details["awsEcrContainerImage"] = std::move(image);
  } else if (resource.type == model::ResourceType::kFunction) {
    details["awsLambdaFunction"] = {{"functionName", resource.name}};
  }
  if (!details.empty()) {
    out["details"] = std::move(details);
  }
  return out;
}

// Inspector's PackageManager values, from the evidence file name, else the ecosystem.
std::string_view package_manager(const model::Package& package) {
  if (model::is_os_ecosystem(package.ecosystem)) {
    return "OS";
  }
  const std::string path = package.locations.empty() ? "" : to_lower(package.locations.front());
  const std::string_view file = std::string_view(path).substr(path.rfind('/') + 1);
  struct FileRule {
    std::string_view suffix;
    std::string_view manager;
  };
  constexpr FileRule kRules[] = {
      {"package-lock.json", "NPM"},
      {"npm-shrinkwrap.json", "NPM"},
      {"yarn.lock", "YARN"},
      {"pipfile.lock", "PIPENV"},
      {"poetry.lock", "POETRY"},
      {"requirements.txt", "PIP"},
      {"go.mod", "GOMOD"},
      {"go.sum", "GOMOD"},
      {"pom.xml", "POM"},
      {"pom.properties", "POM"},
      {".jar", "JAR"},
      {".war", "JAR"},
      {".ear", "JAR"},
      {"gemfile.lock", "BUNDLER"},
      {".gemspec", "GEMSPEC"},
      {"cargo.lock", "CARGO"},
      {"composer.lock", "COMPOSER"},
      {".deps.json", "DOTNET_CORE"},
      {"packages.lock.json", "NUGET"},
      {".csproj", "NUGET"},
  };
  for (const auto& rule : kRules) {
    if (ends_with(file, rule.suffix)) {
      return rule.manager;
    }
  }
  if (path.find(".dist-info/") != std::string::npos ||
      path.find(".egg-info") != std::string::npos) {
    return "PYTHONPKG";
  }
  switch (package.ecosystem) {
    case Ecosystem::kNpm:
      return "NODEPKG";
    case Ecosystem::kPyPI:
      return "PYTHONPKG";
    case Ecosystem::kGo:
      return "GOBINARY";
    case Ecosystem::kMaven:
      return "JAR";
    case Ecosystem::kNuGet:
      return "NUGET";
    case Ecosystem::kRubyGems:
      return "GEMSPEC";
    case Ecosystem::kCratesIo:
      return "CARGO";
    case Ecosystem::kPackagist:
      return "COMPOSER";
    default:
      return "";
  }
}

struct SplitVersion {
  std::optional<long long> epoch;
  std::string version;
  std::string release;
};

// OS versions as Inspector reports them: epoch, version and release apart ("1:2.3-4.el9").
SplitVersion split_os_version(std::string_view text) {
  SplitVersion out{0, std::string(text), ""};
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    long long epoch = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + colon, epoch);
    // An epoch too long for 64 bits is kept inside the version rather than misreported.
    if (error == std::errc() && end == text.data() + colon) {
      out.epoch = epoch;
      text.remove_prefix(colon + 1);
    } else {
      out.epoch = std::nullopt;
    }
  }
  const size_t dash = text.rfind('-');
  out.version = std::string(text.substr(0, dash));
  if (dash != std::string_view::npos) {
    out.release = std::string(text.substr(dash + 1));
  }
  return out;
}

std::string os_remediation(const model::Package& package) {
  switch (package.ecosystem) {
    case Ecosystem::kDebian:
    case Ecosystem::kUbuntu:
      return fmt::format("apt-get update && apt-get install --only-upgrade {}", package.name);
    case Ecosystem::kAlpine:
      return fmt::format("apk upgrade {}", package.name);
    default:
      return fmt::format("yum update {}", package.name);
  }
}

OrderedJson vulnerable_package(const model::Finding& finding, const FindingsContext& context) {
  const auto& package = finding.package;
  const bool os = model::is_os_ecosystem(package.ecosystem);
  OrderedJson out;
  out["name"] = package.name;
  if (os) {
    const SplitVersion split = split_os_version(package.version);
    out["version"] = split.version;
    if (split.epoch) {
      out["epoch"] = *split.epoch;
    }
    if (!split.release.empty()) {
      out["release"] = split.release;
    }
  } else {
    out["version"] = package.version;
    out["epoch"] = 0;
  }
  if (!package.arch.empty()) {
    out["arch"] = upper(package.arch);
  }
  if (const auto manager = package_manager(package); !manager.empty()) {
    out["packageManager"] = manager;
  }
  if (!os && !package.locations.empty()) {
    const std::string& path = package.locations.front();
    // ECR reports paths inside the image without the leading '/'.
    out["filePath"] =
        context.resource.type == model::ResourceType::kImage && !path.empty() && path.front() == '/'
            ? path.substr(1)
            : path;
  }
  if (finding.fixed_in.empty()) {
    out["fixedInVersion"] = "NotAvailable";
  } else {
    out["fixedInVersion"] = os && finding.fixed_in.find(':') == std::string::npos
                                ? "0:" + finding.fixed_in
                                : finding.fixed_in;
    out["remediation"] = os ? os_remediation(package)
                            : fmt::format("Update {} to {}", package.name, finding.fixed_in);
  }
  // ECR names the image layer by digest, Lambda names the function layer by its ARN.
  if (internal::sha256_hex_of(package.layer_digest)) {
    out["sourceLayerHash"] = package.layer_digest;
  } else if (package.layer_digest.rfind("arn:", 0) == 0) {
    out["sourceLambdaLayerArn"] = package.layer_digest;
  }
  return out;
}

OrderedJson adjusted_cvss(const model::Finding& finding, const model::CvssRecord& record) {
  OrderedJson adjustments = OrderedJson::array();
  std::string vector = record.vector;
  for (const auto& step : finding.inspector_adjustments) {
    adjustments.push_back(
        {{"metric", step.factor},
         {"reason",
          step.reason.empty() ? fmt::format("{} -> {}", step.from, step.to) : step.reason}});
    // Environmental metrics (MAV, ...) are appended to the vector they adjust.
    if (!step.to.empty() && std::all_of(step.factor.begin(), step.factor.end(), is_alpha)) {
      vector += fmt::format("/{}:{}", step.factor, step.to);
    }
  }
  return {{"adjustments", std::move(adjustments)},
          {"cvssSource", record.source},
          {"score", finding.inspector_score},
          {"scoreSource", record.source},
          {"scoringVector", vector},
          {"version", record.version}};
}

OrderedJson explanation(const std::vector<model::ScoreAdjustment>& steps) {
  OrderedJson out = OrderedJson::array();
  for (const auto& step : steps) {
    out.push_back(
        {{"factor", step.factor}, {"from", step.from}, {"to", step.to}, {"reason", step.reason}});
  }
  return out;
}

OrderedJson finding_json(const model::Finding& finding, const FindingsContext& context,
                         const std::string& updated_at) {
  OrderedJson out;
  out["findingArn"] = finding_arn(finding, context);
  out["awsAccountId"] =
      finding.account_id.empty() ? context.resource.account_id : finding.account_id;
  out["type"] = "PACKAGE_VULNERABILITY";
  out["title"] = finding.title.empty()
                     ? fmt::format("{} - {}", finding.vulnerability_id, finding.package.name)
                     : finding.title;
  // Inspector truncates descriptions to 1024 characters; ours are kept whole.
  out["description"] = finding.description.empty() ? finding.title : finding.description;
  out["severity"] = model::severity_name(finding.severity);
  out["status"] = model::finding_status_name(finding.status);
  out["firstObservedAt"] = internal::iso_timestamp(finding.first_observed_at);
  out["lastObservedAt"] = internal::iso_timestamp(finding.last_observed_at);
  out["updatedAt"] = updated_at;
  std::string remediation = finding.remediation;
  if (remediation.empty()) {
    remediation = finding.fixed_in.empty() ? "None Provided" : internal::fix_sentence(finding);
  }
  out["remediation"] = {{"recommendation", {{"text", remediation}}}};
  out["resources"] = OrderedJson::array({resource_json(finding, context)});

  OrderedJson details;
  details["vulnerabilityId"] = finding.vulnerability_id;
  details["source"] = internal::inspector_source(finding);
  details["sourceUrl"] = internal::vulnerability_url(finding.vulnerability_id);
  if (!finding.vendor_severity.empty()) {
    details["vendorSeverity"] = finding.vendor_severity;
  }
  details["cvss"] = OrderedJson::array();
  for (const auto& record : finding.cvss) {
    details["cvss"].push_back({{"baseScore", record.base_score},
                               {"scoringVector", record.vector},
                               {"source", record.source},
                               {"version", record.version}});
  }
  details["referenceUrls"] = finding.references;
  details["relatedVulnerabilities"] = finding.aliases;
  details["vulnerablePackages"] = OrderedJson::array({vulnerable_package(finding, context)});
  out["packageVulnerabilityDetails"] = std::move(details);

  out["fixAvailable"] = model::fix_available_name(finding.fix_available);
  out["exploitAvailable"] = finding.exploit_available ? "YES" : "NO";
  if (finding.exploit_available && !finding.exploit_last_seen.empty()) {
    out["exploitabilityDetails"] = {
        {"lastKnownExploitAt", internal::iso_timestamp(finding.exploit_last_seen)}};
  }
  if (finding.epss) {
    out["epss"] = {{"score", *finding.epss}};
  }
  if (const auto* record = internal::primary_cvss(finding.cvss)) {
    out["inspectorScore"] = finding.inspector_score;
    out["inspectorScoreDetails"] = {{"adjustedCvss", adjusted_cvss(finding, *record)}};
  }

  OrderedJson vigil;
  vigil["vigilRisk"] = finding.vigil_risk;
  vigil["explanation"] = explanation(finding.risk_explanation);
  if (finding.epss_percentile) {
    vigil["epssPercentile"] = *finding.epss_percentile;
  }
  vigil["knownRansomwareCampaignUse"] = finding.ransomware;
  if (!finding.suppression_reason.empty()) {
    vigil["suppressionReason"] = finding.suppression_reason;
  }
  if (!finding.package.purl.empty()) {
    vigil["purl"] = finding.package.purl;
  }
  if (!finding.sources.empty()) {
    vigil["advisorySources"] = finding.sources;
  }
  out["vigil"] = std::move(vigil);
  return out;
}

}  // namespace

std::string write_findings_json(const std::vector<model::Finding>& findings,
                                const FindingsContext& context) {
  const std::string updated_at = internal::export_time(context);
  OrderedJson out = OrderedJson::array();
  for (const auto& finding : findings) {
    out.push_back(finding_json(finding, context, updated_at));
  }
  return internal::dump(out);
}

}  // namespace vigil::exporter
