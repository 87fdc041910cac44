#include "service/fleet_events.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

#include "model/finding.hpp"
#include "sources/digest.hpp"

namespace vigil::service {
namespace {

using nlohmann::json;

std::tm utc(store::Timestamp ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return parts;
}

std::string rfc3339(store::Timestamp ms) {
  const auto parts = utc(ms);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", parts.tm_year + 1900, parts.tm_mon + 1,
                     parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

// Java Date.toString() with milliseconds, as Inspector's finding events spell timestamps:
// "Wed Sep 04 16:59:44.356 UTC 2024".
std::string java_date(store::Timestamp ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto parts = utc(ms);
  return fmt::format("{} {} {:02} {:02}:{:02}:{:02}.{:03} UTC {}", kDays[parts.tm_wday % 7],
                     kMonths[parts.tm_mon % 12], parts.tm_mday, parts.tm_hour, parts.tm_min,
                     parts.tm_sec, ms % 1000, parts.tm_year + 1900);
}

json finding_detail(const store::StoredFinding& stored) {
  const auto& finding = stored.finding;
  json cvss = json::array();
  for (const auto& record : finding.cvss) {
    cvss.push_back({{"baseScore", record.base_score},
                    {"scoringVector", record.vector},
                    {"source", record.source},
                    {"version", record.version}});
  }
  json package{{"name", finding.package.name}, {"version", finding.package.version}};
  if (!finding.package.arch.empty()) {
    package["arch"] = finding.package.arch;
  }
  if (!finding.fixed_in.empty()) {
    package["fixedInVersion"] = finding.fixed_in;
  }
  if (!finding.remediation.empty()) {
    package["remediation"] = finding.remediation;
  }
  if (!finding.package.layer_digest.empty()) {
    package["sourceLayerHash"] = finding.package.layer_digest;
  }
  if (!finding.package.locations.empty()) {
    package["filePath"] = finding.package.locations.front();
  }
  json resource{{"id", finding.resource_id},
                {"partition", "aws"},
                {"region", stored.region},
                {"type", stored.resource_type},
                {"tags", stored.resource_tags}};
  const auto details = json::parse(stored.resource_details_json, nullptr, false);
  if (details.is_object() && !details.empty()) {
    const char* member = stored.resource_type == "AWS_EC2_INSTANCE"          ? "awsEc2Instance"
                         : stored.resource_type == "AWS_ECR_CONTAINER_IMAGE" ? "awsEcrContainerImage"
                         : stored.resource_type == "AWS_LAMBDA_FUNCTION"     ? "awsLambdaFunction"
                                                                             : "other";
    resource["details"] = {{member, details}};
  }
  json detail{
      {"awsAccountId", finding.account_id},
      {"description", finding.description},
      {"exploitAvailable", finding.exploit_available ? "YES" : "NO"},
      {"findingArn", finding.id},
      {"firstObservedAt", java_date(stored.first_observed_at)},
      {"fixAvailable", std::string(model::fix_available_name(finding.fix_available))},
      {"inspectorScore", finding.inspector_score},
      {"lastObservedAt", java_date(stored.last_observed_at)},
      {"packageVulnerabilityDetails",
       {{"cvss", cvss},
        {"referenceUrls", finding.references},
        {"relatedVulnerabilities", finding.aliases},
        {"source", finding.sources.empty() ? "" : finding.sources.front()},
        {"vendorSeverity", finding.vendor_severity},
        {"vulnerabilityId", finding.vulnerability_id},
        {"vulnerablePackages", json::array({package})}}},
      {"remediation",
       {{"recommendation", {{"text", finding.remediation.empty() ? "None Provided" : finding.remediation}}}}},
      {"resources", json::array({resource})},
      {"severity", std::string(model::severity_name(finding.severity))},
      {"status", std::string(model::finding_status_name(finding.status))},
      {"title", finding.title},
      {"type", stored.type},
      {"updatedAt", java_date(stored.updated_at)}};
  if (finding.epss) {
    detail["epss"] = {{"score", *finding.epss}};
  }
  return detail;
}

}  // namespace

std::string eventbridge_json(const FleetEvent& event) {
  json detail;
  std::string detail_type;
  switch (event.kind) {
    case FleetEventKind::kFindingCreated:
    case FleetEventKind::kFindingUpdated:
    case FleetEventKind::kFindingClosed:
      detail_type = "Inspector2 Finding";
      detail = event.finding ? finding_detail(*event.finding) : json::object();
      break;
    case FleetEventKind::kScanCompleted: {
      detail_type = "Inspector2 Scan";
      detail = {{"scan-status", event.initial_scan ? "INITIAL_SCAN_COMPLETE" : "SCAN_COMPLETE"},
                {"finding-severity-counts", event.severity_counts},
                {"version", "1.0"}};
      if (event.resource_type == "AWS_EC2_INSTANCE") {
        detail["instance-id"] = event.resource_id;
      } else if (event.resource_type == "AWS_ECR_CONTAINER_IMAGE") {
        const auto slash = event.resource_id.rfind("/sha256:");
        if (slash != std::string::npos) {
          detail["repository-name"] = event.resource_id.substr(0, slash);
          detail["image-digest"] = event.resource_id.substr(slash + 1);
        }
      }
      break;
    }
    case FleetEventKind::kCoverageChanged: {
      detail_type = "Inspector2 Coverage";
      const auto time = event.time;
      const auto parts_ms = time % 1000;
      const std::string stamp = rfc3339(time);
      detail = {{"scanStatus",
                 {{"reason", event.coverage ? event.coverage->reason : ""},
                  {"statusCodeValue", event.coverage ? event.coverage->status_code : ""}}},
                {"scanType", event.coverage ? event.coverage->scan_type : ""},
                {"eventTimestamp", fmt::format("{}.{:03}000Z", stamp.substr(0, stamp.size() - 1), parts_ms)},
                {"version", "1.0"}};
      break;
    }
  }
  json envelope{{"version", "0"},
                {"detail-type", detail_type},
                {"source", "aws.inspector2"},
                {"account", event.account_id},
                {"time", rfc3339(event.time)},
                {"region", event.region},
                {"resources", json::array({event.resource_id})},
                {"detail", detail}};
  // A stable UUID-shaped id from the content, so a replayed event keeps its id.
  const auto digest = sources::sha256_digest(envelope.dump());
  const std::string_view hex = sources::digest_hex(digest);
  envelope["id"] = fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4),
                               hex.substr(12, 4), hex.substr(16, 4), hex.substr(20, 12));
  return envelope.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::unique_ptr<JsonLinesEventSink>> JsonLinesEventSink::open(
    const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) {
    return fail(Error::io("{}: cannot open the events file for appending", path.string()));
  }
  return std::unique_ptr<JsonLinesEventSink>(new JsonLinesEventSink(std::move(out)));
}

void JsonLinesEventSink::publish(const FleetEvent& event) {
  const auto line = eventbridge_json(event);
  std::lock_guard lock(mutex_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace vigil::service
