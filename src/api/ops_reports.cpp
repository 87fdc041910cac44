// Findings reports (CreateFindingsReport, GetFindingsReportStatus, CancelFindingsReport), SBOM
// exports (CreateSbomExport, GetSbomExport, CancelSbomExport) and SearchVulnerabilities.
//
// Reports stand in for S3 with a directory: s3Destination {bucketName, keyPrefix} maps to
// <data_dir>/exports/<bucketName>/<keyPrefix>/ (kmsKeyArn is recorded, not used). A findings
// report is one file <reportId>.csv or <reportId>.json; an SBOM export is a directory
// <reportId>/ holding one <resource>.cdx.json or <resource>.spdx.json per resource. Both are
// written under a temporary name and renamed when complete, so a visible file is whole.
//
// Jobs run on one background thread (the "report runner") in the order they were created; each
// job opens its own store connection, so a job still running when the service shuts down never
// touches a closed store. Status moves IN_PROGRESS -> SUCCEEDED / FAILED, or CANCELLED when a
// cancel arrives first (the partial output is then deleted).
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "api/internal/crypto.hpp"
#include "api/internal/ops_common.hpp"
#include "api/internal/time.hpp"
#include "api/internal/wire.hpp"
#include "api/operations.hpp"
#include "core/strings.hpp"
#include "export/sbom.hpp"
#include "scoring/cvss.hpp"
#include "service/fleet_service.hpp"
#include "vulndb/database.hpp"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0"
#endif

namespace vigil::api {
namespace {

namespace fs = std::filesystem;
using internal::json_reply;
using nlohmann::json;

constexpr std::string_view kFindingsKind = "findings";
constexpr std::string_view kSbomKind = "sbom";
constexpr std::size_t kReportPage = 500;
constexpr std::size_t kMaxPrefix = 512;

// ---- The background runner

class ReportRunner {
 public:
  static ReportRunner& instance() {
    static ReportRunner runner;
    return runner;
  }
  ReportRunner(const ReportRunner&) = delete;
  ReportRunner& operator=(const ReportRunner&) = delete;

  // Queues `task`; it runs on the runner's thread after the tasks queued before it.
  void submit(std::function<void()> task) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(task));
    if (!thread_.joinable()) {
      thread_ = std::thread([this] { loop(); });
    }
    cv_.notify_one();
  }

  // Serialises status transitions (a job finishing versus a cancel arriving).
  std::mutex& status_mutex() { return status_mutex_; }

  // At exit: the queued jobs still run (each is bounded), then the thread ends.
  ~ReportRunner() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      cv_.notify_one();
    }
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  ReportRunner() = default;

  void loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) {
          return;
        }
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
  std::mutex status_mutex_;
};

// ---- Destinations and records

ApiResult<std::string> new_report_id() {
  VIGIL_API_ASSIGN(std::string bytes, internal::random_bytes(16));
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  const std::string hex = internal::to_hex(bytes);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
}

bool valid_bucket(std::string_view name) {
  if (name.size() < 3 || name.size() > 63 || name.find("..") != std::string_view::npos) {
    return false;
  }
  const auto edge = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!edge(name.front()) || !edge(name.back())) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return edge(c) || c == '-' || c == '.'; });
}

// The directory standing in for s3Destination, or ValidationException for a bucket name S3
// would refuse or a key prefix that could leave the export directory.
ApiResult<fs::path> destination_dir(ApiContext& context, const json& destination) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const std::string bucket = destination.at("bucketName").get<std::string>();
  if (!valid_bucket(bucket)) {
    return reject(ApiError::validation(
        fmt::format("'{}' is not a valid bucket name.", bucket),
        {{"s3Destination.bucketName", "3-63 characters: a-z, 0-9, '.', '-'"}}));
  }
  fs::path dir = fleet->config().data_dir / "exports" / bucket;
  const std::string prefix = internal::string_member(destination, "keyPrefix");
  if (prefix.size() > kMaxPrefix) {
    return reject(ApiError::validation("keyPrefix is too long.",
                                       {{"s3Destination.keyPrefix", "at most 512 characters"}}));
  }
  for (const std::string_view segment : split(prefix, '/')) {
    const bool bad_char = std::any_of(segment.begin(), segment.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f;
    });
    if (segment == "." || segment == ".." || bad_char) {
      return reject(ApiError::validation(
          fmt::format("keyPrefix '{}' is not allowed.", prefix),
          {{"s3Destination.keyPrefix", "no '.', '..', control characters or backslashes"}}));
    }
    if (!segment.empty()) {
      dir /= std::string(segment);
    }
  }
  return dir;
}

// The report `id` of `kind` when the caller may see it (its own account's, or any for the
// organisation's administrators); ResourceNotFoundException otherwise.
ApiResult<store::ReportRecord> visible_report(ApiContext& context, const Caller& caller,
                                              const std::string& id, std::string_view kind) {
  VIGIL_API_ASSIGN(const std::optional<store::ReportRecord> report, context.store->report(id));
  if (!report || report->kind != kind || !caller.can_see(report->account_id)) {
    return reject(ApiError::not_found(fmt::format("Report {} was not found.", id)));
  }
  return *report;
}

// Records the end of a job unless it was cancelled meanwhile; returns false when cancelled.
bool finish(store::Store& store, store::ReportRecord record, const std::string& status,
            const std::string& error_code, const std::string& error_message) {
  std::lock_guard lock(ReportRunner::instance().status_mutex());
  const auto current = store.report(record.id);
  if (!current || !*current || (*current)->status != "IN_PROGRESS") {
    return false;
  }
  record.status = status;
  record.error_code = error_code;
  record.error_message = error_message;
  record.updated_at = store::now_ms();
  return store.put_report(record).has_value();
}

bool cancelled(store::Store& store, const std::string& id) {
  const auto current = store.report(id);
  return current && *current && (*current)->status == "CANCELLED";
}

ApiResult<Reply> cancel_report(ApiContext& context, const OpRequest& request,
                               std::string_view kind) {
  const std::string id = request.input.at("reportId").get<std::string>();
  VIGIL_API_ASSIGN(store::ReportRecord report, visible_report(context, request.caller, id, kind));
  std::lock_guard lock(ReportRunner::instance().status_mutex());
  VIGIL_API_ASSIGN(report, visible_report(context, request.caller, id, kind));
  if (report.status != "IN_PROGRESS") {
    return reject(ApiError::validation(
        fmt::format("Report {} is {} and can no longer be cancelled.", id, report.status),
        {{"reportId", "not in progress"}}));
  }
  report.status = "CANCELLED";
  report.updated_at = store::now_ms();
  VIGIL_API_TRY(context.store->put_report(report));
  return json_reply({{"reportId", id}});
}

// ---- Findings reports

std::string csv_cell(std::string text) {
  // Cells a spreadsheet would run as a formula are prefixed with an apostrophe.
  if (!text.empty() && (text.front() == '=' || text.front() == '+' || text.front() == '@' ||
                        text.front() == '\t' || text.front() == '\r')) {
    text.insert(text.begin(), '\'');
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) {
    return text;
  }
  std::string out = "\"";
  for (const char c : text) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

std::string text_of(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  return value.is_null() ? std::string() : value.dump();
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> kColumns = {"AWS Account Id",
                                                    "Severity",
                                                    "Fix Available",
                                                    "Finding Type",
                                                    "Title",
                                                    "Description",
                                                    "Finding ARN",
                                                    "First Seen",
                                                    "Last Seen",
                                                    "Last Updated",
                                                    "Resource ID",
                                                    "Resource Type",
                                                    "Region",
                                                    "Resource Tags",
                                                    "Affected Packages",
                                                    "Package Installed Version",
                                                    "Fixed in Version",
                                                    "Remediation",
                                                    "Inspector Score",
                                                    "Status",
                                                    "Vulnerability Id",
                                                    "Vendor",
                                                    "Vendor Severity",
                                                    "Exploit Available",
                                                    "EPSS Score"};
  return kColumns;
}

std::string csv_row(const json& finding) {
  const json empty = json::object();
  const json& resource = finding.contains("resources") && !finding["resources"].empty()
                             ? finding["resources"][0]
                             : empty;
  const json& details = finding.value("/packageVulnerabilityDetails"_json_pointer, empty);
  const json packages = details.value("vulnerablePackages", json::array());
  std::string names, versions, fixed;
  for (const json& package : packages) {
    const auto join = [](std::string& to, const std::string& part) {
      to += (to.empty() ? "" : "; ") + part;
    };
    join(names, package.value("name", ""));
    join(versions, package.value("version", ""));
    join(fixed, package.value("fixedInVersion", ""));
  }
  std::string tags;
  const json resource_tags = resource.value("tags", json::object());
  for (const auto& [key, value] : resource_tags.items()) {
    tags += (tags.empty() ? "" : "; ") + key + "=" + text_of(value);
  }
  const std::vector<std::string> cells = {
      finding.value("awsAccountId", ""),
      finding.value("severity", ""),
      finding.value("fixAvailable", ""),
      finding.value("type", ""),
      finding.value("title", ""),
      finding.value("description", ""),
      finding.value("findingArn", ""),
      text_of(finding.value("firstObservedAt", json())),
      text_of(finding.value("lastObservedAt", json())),
      text_of(finding.value("updatedAt", json())),
      resource.value("id", ""),
      resource.value("type", ""),
      resource.value("region", ""),
      tags,
      names,
      versions,
      fixed,
      finding.value("/remediation/recommendation/text"_json_pointer, std::string()),
      text_of(finding.value("inspectorScore", json())),
      finding.value("status", ""),
      details.value("vulnerabilityId", ""),
      details.value("source", ""),
      details.value("vendorSeverity", ""),
      finding.value("exploitAvailable", ""),
      text_of(finding.value("/epss/score"_json_pointer, json()))};
  std::string line;
  for (std::size_t index = 0; index < cells.size(); ++index) {
    line += (index == 0 ? "" : ",") + csv_cell(cells[index]);
  }
  return line + "\r\n";
}

struct FindingsJob {
  store::ReportRecord record;
  store::FindingQuery query;
  fs::path data_dir;
  fs::path output;  // final file
  std::string partition;
};

// Writes the report; returns the number of findings, or an error message.
tl::expected<std::size_t, std::string> write_findings(store::Store& store, const FindingsJob& job,
                                                      const fs::path& temp) {
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) {
    return tl::unexpected(fmt::format("cannot write {}", temp.string()));
  }
  const bool csv = job.record.format == "CSV";
  if (csv) {
    std::string header;
    for (const std::string& column : csv_columns()) {
      header += (header.empty() ? "" : ",") + column;
    }
    out << header << "\r\n";
  } else {
    out << "{\"findings\":[";
  }
  store::FindingQuery query = job.query;
  query.limit = kReportPage;
  std::size_t count = 0;
  do {
    if (cancelled(store, job.record.id)) {
      return tl::unexpected(std::string("cancelled"));
    }
    auto page = store.list_findings(query);
    if (!page) {
      return tl::unexpected(page.error().message);
    }
    for (const store::StoredFinding& finding : page->items) {
      const json wire = internal::finding_json(finding, job.partition);
      if (csv) {
        out << csv_row(wire);
      } else {
        out << (count == 0 ? "" : ",") << wire.dump(-1, ' ', false, json::error_handler_t::replace);
      }
      ++count;
    }
    query.cursor = page->next_cursor;
  } while (!query.cursor.empty());
  if (!csv) {
    out << "]}\n";
  }
  out.close();
  if (!out) {
    return tl::unexpected(fmt::format("cannot write {}", temp.string()));
  }
  return count;
}

void run_findings_job(const FindingsJob& job) {
  auto opened = store::open_sqlite_store(job.data_dir.string());
  if (!opened) {
    return;  // the store is gone (shut down and removed); nothing can record the outcome
  }
  store::Store& store = **opened;
  std::error_code ignored;
  fs::create_directories(job.output.parent_path(), ignored);
  const fs::path temp = job.output.string() + ".partial";
  auto written = write_findings(store, job, temp);
  if (!written || *written == 0) {
    fs::remove(temp, ignored);
    if (!written) {
      finish(store, job.record, "FAILED", "INTERNAL_ERROR", written.error());
    } else {
      finish(store, job.record, "FAILED", "NO_FINDINGS_FOUND",
             "No findings match the report's filter criteria.");
    }
    return;
  }
  std::lock_guard lock(ReportRunner::instance().status_mutex());
  if (cancelled(store, job.record.id)) {
    fs::remove(temp, ignored);
    return;
  }
  fs::rename(temp, job.output, ignored);
  store::ReportRecord record = job.record;
  record.status = ignored ? "FAILED" : "SUCCEEDED";
  record.error_code = ignored ? "INTERNAL_ERROR" : "";
  record.error_message = ignored ? ignored.message() : "";
  record.updated_at = store::now_ms();
  (void)store.put_report(record);
}

ApiResult<Reply> create_findings_report(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  const json criteria_json = request.input.value("filterCriteria", json::object());
  FindingsJob job;
  VIGIL_API_ASSIGN(job.query.criteria,
                   internal::criteria_from_json(criteria_json, "FilterCriteria"));
  // Inspector: only ACTIVE findings unless findingStatus is filtered.
  if (!job.query.criteria.strings.contains("findingStatus")) {
    job.query.criteria.strings["findingStatus"].push_back({store::StringOp::kEquals, "ACTIVE"});
  }
  job.query.account_scope = request.caller.scope();
  const json& destination = request.input.at("s3Destination");
  VIGIL_API_ASSIGN(const fs::path dir, destination_dir(context, destination));
  VIGIL_API_ASSIGN(const std::string id, new_report_id());
  const std::string format = request.input.at("reportFormat").get<std::string>();
  job.output = dir / (id + (format == "CSV" ? ".csv" : ".json"));
  job.data_dir = fleet->config().data_dir;
  job.partition = context.partition;
  store::ReportRecord& record = job.record;
  record.id = id;
  record.kind = std::string(kFindingsKind);
  record.account_id = request.caller.account_id;
  record.format = format;
  record.status = "IN_PROGRESS";
  record.request_json =
      json{{"filterCriteria", criteria_json}, {"destination", destination}}.dump();
  record.destination = job.output.string();
  record.created_at = store::now_ms();
  record.updated_at = record.created_at;
  VIGIL_API_TRY(context.store->put_report(record));
  ReportRunner::instance().submit([job = std::move(job)] { run_findings_job(job); });
  return json_reply({{"reportId", id}});
}

json status_json(const store::ReportRecord& report) {
  json out = {{"reportId", report.id}, {"status", report.status}};
  if (!report.error_code.empty()) {
    out["errorCode"] = report.error_code;
  }
  if (!report.error_message.empty()) {
    out["errorMessage"] = report.error_message;
  }
  return out;
}

ApiResult<Reply> get_findings_report_status(ApiContext& context, const OpRequest& request) {
  const std::string id = internal::string_member(request.input, "reportId");
  if (id.empty()) {
    return reject(ApiError::validation("Vigil needs a reportId.", {{"reportId", "required"}}));
  }
  VIGIL_API_ASSIGN(const store::ReportRecord report,
                   visible_report(context, request.caller, id, kFindingsKind));
  json out = status_json(report);
  const json saved = json::parse(report.request_json, nullptr, false);
  if (saved.is_object()) {
    out["destination"] = saved.value("destination", json::object());
    out["filterCriteria"] = saved.value("filterCriteria", json::object());
  }
  return json_reply(std::move(out));
}

// ---- SBOM exports

// The values a ResourceFilterCriteria field sees on `resource` (several for image tags).
std::vector<std::string> resource_values(const store::ResourceRecord& resource, const json& details,
                                         const std::string& field) {
  if (field == "accountId") {
    return {resource.account_id};
  }
  if (field == "resourceId") {
    return {resource.id};
  }
  if (field == "resourceType") {
    return {resource.type};
  }
  const auto member = [&](const char* name) -> std::vector<std::string> {
    const auto found = details.find(name);
    if (found == details.end()) {
      return {};
    }
    if (found->is_string()) {
      return {found->get<std::string>()};
    }
    std::vector<std::string> values;
    if (found->is_array()) {
      for (const json& value : *found) {
        if (value.is_string()) {
          values.push_back(value.get<std::string>());
        }
      }
    }
    return values;
  };
  if (field == "ecrRepositoryName" && resource.type == service::kEcrImage) {
    return member("repositoryName");
  }
  if (field == "ecrImageTags" && resource.type == service::kEcrImage) {
    return member("imageTags");
  }
  if (field == "lambdaFunctionName" && resource.type == service::kLambdaFunction) {
    return member("functionName");
  }
  return {};
}

// EQUALS filters of a field are OR-ed, NOT_EQUALS filters AND-ed ("none of these").
bool string_filters_pass(const json& filters, const std::vector<std::string>& values) {
  bool has_equals = false;
  bool equals_hit = false;
  for (const json& filter : filters) {
    const std::string value = filter.at("value").get<std::string>();
    const bool present = std::find(values.begin(), values.end(), value) != values.end();
    if (filter.at("comparison").get<std::string>() == "NOT_EQUALS") {
      if (present) {
        return false;
      }
    } else {
      has_equals = true;
      equals_hit = equals_hit || present;
    }
  }
  return !has_equals || equals_hit;
}

bool map_filters_pass(const json& filters, const std::map<std::string, std::string>& tags) {
  for (const json& filter : filters) {
    const auto found = tags.find(filter.at("key").get<std::string>());
    if (found != tags.end() &&
        (!filter.contains("value") || filter["value"].get<std::string>() == found->second)) {
      return true;
    }
  }
  return false;
}

bool resource_matches(const store::ResourceRecord& resource, const json& criteria) {
  json details =
      json::parse(resource.details_json.empty() ? "{}" : resource.details_json, nullptr, false);
  if (!details.is_object()) {
    details = json::object();
  }
  for (const auto& [field, filters] : criteria.items()) {
    if (field == "ec2InstanceTags" || field == "lambdaFunctionTags") {
      const bool applies = field == "ec2InstanceTags" ? resource.type == service::kEc2Instance
                                                      : resource.type == service::kLambdaFunction;
      if (!applies || !map_filters_pass(filters, resource.tags)) {
        return false;
      }
    } else if (!string_filters_pass(filters, resource_values(resource, details, field))) {
      return false;
    }
  }
  return true;
}

exporter::SbomSubject sbom_subject(const store::ResourceRecord& resource) {
  exporter::SbomSubject subject;
  subject.id = resource.id;
  subject.name = resource.name.empty() ? resource.id : resource.name;
  const json details =
      json::parse(resource.details_json.empty() ? "{}" : resource.details_json, nullptr, false);
  if (resource.type == service::kEcrImage) {
    subject.kind = exporter::SubjectKind::kImage;
    if (details.is_object()) {
      subject.digest = details.value("imageHash", "");
      const json tags = details.value("imageTags", json::array());
      if (!tags.empty() && tags.front().is_string()) {
        subject.version = tags.front().get<std::string>();
      }
    }
  } else if (resource.type == service::kLambdaFunction) {
    subject.kind = exporter::SubjectKind::kFunction;
    subject.version = "$LATEST";
  } else {
    subject.kind = exporter::SubjectKind::kHost;
  }
  return subject;
}

std::string file_stem(const std::string& resource_id) {
  std::string out;
  for (const char c : resource_id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    out += plain ? c : '_';
  }
  if (out.size() > 160 || out.front() == '.') {
    return internal::sha256_hex(resource_id);
  }
  return out;
}

struct SbomJob {
  store::ReportRecord record;
  json criteria;
  std::vector<std::string> scope;
  fs::path data_dir;
  fs::path output;  // final directory
};

// Writes one SBOM per matching resource with an inventory; returns how many, or an error.
tl::expected<std::size_t, std::string> write_sboms(store::Store& store, const SbomJob& job,
                                                   const fs::path& temp) {
  auto resources = store.resources(job.scope);
  if (!resources) {
    return tl::unexpected(resources.error().message);
  }
  std::error_code error;
  fs::create_directories(temp, error);
  if (error) {
    return tl::unexpected(fmt::format("cannot create {}: {}", temp.string(), error.message()));
  }
  const bool spdx = job.record.format == "SPDX_2_3";
  std::size_t count = 0;
  for (const store::ResourceRecord& resource : *resources) {
    if (resource.type == service::kEcrRepository || resource.state == "terminated" ||
        !resource_matches(resource, job.criteria)) {
      continue;
    }
    if (cancelled(store, job.record.id)) {
      return tl::unexpected(std::string("cancelled"));
    }
    auto inventory = store.inventory(resource.id);
    if (!inventory) {
      return tl::unexpected(inventory.error().message);
    }
    if (!*inventory) {
      continue;
    }
    exporter::SbomDocument document;
    document.subject = sbom_subject(resource);
    document.inventory = std::move(**inventory);
    document.tool_version = VIGIL_VERSION;
    auto text = spdx ? exporter::write_spdx(document) : exporter::write_cyclonedx(document);
    if (!text) {
      return tl::unexpected(text.error().message);
    }
    std::ofstream out(temp / (file_stem(resource.id) + (spdx ? ".spdx.json" : ".cdx.json")),
                      std::ios::binary | std::ios::trunc);
    out << *text;
    out.close();
    if (!out) {
      return tl::unexpected(fmt::format("cannot write the SBOM of {}", resource.id));
    }
    ++count;
  }
  return count;
}

void run_sbom_job(const SbomJob& job) {
  auto opened = store::open_sqlite_store(job.data_dir.string());
  if (!opened) {
    return;
  }
  store::Store& store = **opened;
  std::error_code ignored;
  const fs::path temp = job.output.string() + ".partial";
  fs::remove_all(temp, ignored);
  auto written = write_sboms(store, job, temp);
  if (!written) {
    fs::remove_all(temp, ignored);
    finish(store, job.record, "FAILED", "INTERNAL_ERROR", written.error());
    return;
  }
  std::lock_guard lock(ReportRunner::instance().status_mutex());
  if (cancelled(store, job.record.id)) {
    fs::remove_all(temp, ignored);
    return;
  }
  fs::rename(temp, job.output, ignored);
  store::ReportRecord record = job.record;
  record.status = ignored ? "FAILED" : "SUCCEEDED";
  record.error_code = ignored ? "INTERNAL_ERROR" : "";
  record.error_message = ignored ? ignored.message() : "";
  record.updated_at = store::now_ms();
  (void)store.put_report(record);
}

ApiResult<Reply> create_sbom_export(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  SbomJob job;
  job.criteria = request.input.value("resourceFilterCriteria", json::object());
  job.scope = request.caller.scope();
  const json& destination = request.input.at("s3Destination");
  VIGIL_API_ASSIGN(const fs::path dir, destination_dir(context, destination));
  VIGIL_API_ASSIGN(const std::string id, new_report_id());
  job.output = dir / id;
  job.data_dir = fleet->config().data_dir;
  store::ReportRecord& record = job.record;
  record.id = id;
  record.kind = std::string(kSbomKind);
  record.account_id = request.caller.account_id;
  record.format = request.input.at("reportFormat").get<std::string>();
  record.status = "IN_PROGRESS";
  record.request_json = json{{"filterCriteria", job.criteria}, {"destination", destination}}.dump();
  record.destination = job.output.string();
  record.created_at = store::now_ms();
  record.updated_at = record.created_at;
  VIGIL_API_TRY(context.store->put_report(record));
  ReportRunner::instance().submit([job = std::move(job)] { run_sbom_job(job); });
  return json_reply({{"reportId", id}});
}

ApiResult<Reply> get_sbom_export(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(const store::ReportRecord report,
                   visible_report(context, request.caller,
                                  request.input.at("reportId").get<std::string>(), kSbomKind));
  json out = status_json(report);
  out["format"] = report.format;
  const json saved = json::parse(report.request_json, nullptr, false);
  if (saved.is_object()) {
    out["s3Destination"] = saved.value("destination", json::object());
    out["filterCriteria"] = saved.value("filterCriteria", json::object());
  }
  return json_reply(std::move(out));
}

// ---- SearchVulnerabilities

std::optional<json> epoch_of(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  const auto ms = internal::parse_iso8601_ms(text);
  if (!ms) {
    return std::nullopt;
  }
  return epoch_seconds(*ms);
}

// The first CVSS vector of `type` ("CVSS_V3"), preferring NVD's primary one, as {baseScore,
// scoringVector}; the score is computed from the vector when the source gave none.
std::optional<json> cvss_of(const std::vector<model::Advisory>& advisories, std::string_view type) {
  const model::SeverityVector* best = nullptr;
  for (const model::Advisory& advisory : advisories) {
    for (const model::SeverityVector& severity : advisory.severities) {
      if (severity.type != type || severity.vector.empty()) {
        continue;
      }
      if (best == nullptr || (severity.source.find("nvd@nist.gov") != std::string::npos &&
                              best->source.find("nvd@nist.gov") == std::string::npos)) {
        best = &severity;
      }
    }
  }
  if (best == nullptr) {
    return std::nullopt;
  }
  std::optional<double> score = best->base_score;
  if (!score) {
    if (const auto scored = scoring::score_vector(best->vector)) {
      score = scored->base_score;
    }
  }
  json out = {{"scoringVector", best->vector}};
  if (score) {
    out["baseScore"] = *score;
  }
  return out;
}

json vulnerability_json(const std::string& id, const std::vector<model::Advisory>& advisories,
                        const std::optional<model::KevEntry>& kev,
                        const std::optional<model::EpssScore>& epss) {
  const model::Advisory* primary = &advisories.front();
  for (const model::Advisory& advisory : advisories) {
    if (advisory.source == "nvd" && advisory.id == id) {
      primary = &advisory;
    }
  }
  json out = {{"id", id}};
  const std::string description = primary->details.empty() ? primary->summary : primary->details;
  if (!description.empty()) {
    out["description"] = description;
  }
  std::set<std::string> cwes, related, references, platforms;
  for (const model::Advisory& advisory : advisories) {
    cwes.insert(advisory.cwes.begin(), advisory.cwes.end());
    for (const std::string& alias : advisory.aliases) {
      related.insert(alias);
    }
    related.insert(advisory.related.begin(), advisory.related.end());
    related.insert(advisory.id);
    for (const model::Reference& reference : advisory.references) {
      references.insert(reference.url);
    }
    for (const model::AffectedPackage& package : advisory.affected) {
      platforms.insert(std::string(model::ecosystem_name(package.ecosystem.ecosystem)));
    }
  }
  related.erase(id);
  out["cwes"] = cwes;
  out["relatedVulnerabilities"] = related;
  out["referenceUrls"] = references;
  out["detectionPlatforms"] = platforms;
  if (primary->source == "nvd") {
    out["source"] = "NVD";
  }
  if (id.starts_with("CVE-")) {
    out["sourceUrl"] = "https://nvd.nist.gov/vuln/detail/" + id;
  }
  if (!primary->severity_label.empty()) {
    out["vendorSeverity"] = primary->severity_label;
  }
  if (const auto created = epoch_of(primary->published)) {
    out["vendorCreatedAt"] = *created;
  }
  if (const auto updated = epoch_of(primary->modified)) {
    out["vendorUpdatedAt"] = *updated;
  }
  for (const auto& [type, member] : {std::pair{"CVSS_V4", "cvss4"}, std::pair{"CVSS_V3", "cvss3"},
                                     std::pair{"CVSS_V2", "cvss2"}}) {
    if (auto cvss = cvss_of(advisories, type)) {
      out[member] = std::move(*cvss);
    }
  }
  if (kev) {
    json cisa = {{"action", kev->required_action}};
    if (const auto added = epoch_of(kev->date_added)) {
      cisa["dateAdded"] = *added;
      out["exploitObserved"] = {{"firstSeen", *added}, {"lastSeen", *added}};
    }
    if (const auto due = epoch_of(kev->due_date)) {
      cisa["dateDue"] = *due;
    }
    out["cisaData"] = std::move(cisa);
  }
  if (epss) {
    out["epss"] = {{"score", epss->epss}};
  }
  return out;
}

ApiResult<Reply> search_vulnerabilities(ApiContext& context, const OpRequest& request) {
  VIGIL_API_ASSIGN(service::FleetService* const fleet, internal::fleet_of(context));
  // One id per request (the model allows exactly one), so there is never a second page.
  VIGIL_API_TRY(internal::page_cursor(request.input, "SearchVulnerabilities"));
  const json& ids = request.input.at("filterCriteria").at("vulnerabilityIds");
  VIGIL_API_ASSIGN(const std::unique_ptr<vulndb::Database> db,
                   vulndb::Database::open(fleet->config().vulndb_dir, false));
  json found = json::array();
  for (const json& id_json : ids) {
    std::string id = id_json.get<std::string>();
    std::transform(id.begin(), id.end(), id.begin(), [](char c) {
      return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    });
    VIGIL_API_ASSIGN(const std::vector<model::Advisory> advisories, db->lookup(id));
    if (advisories.empty()) {
      continue;
    }
    VIGIL_API_ASSIGN(const std::optional<model::KevEntry> kev, db->kev(id));
    VIGIL_API_ASSIGN(const std::optional<model::EpssScore> epss, db->epss(id));
    found.push_back(vulnerability_json(id, advisories, kev, epss));
  }
  return json_reply({{"vulnerabilities", std::move(found)}});
}

}  // namespace

void register_report_ops(Registry& registry) {
  registry.add_inspector("CreateFindingsReport", true, create_findings_report);
  registry.add_inspector("GetFindingsReportStatus", false, get_findings_report_status);
  registry.add_inspector("CancelFindingsReport", true,
                         [](ApiContext& context, const OpRequest& request) {
                           return cancel_report(context, request, kFindingsKind);
                         });
  registry.add_inspector("CreateSbomExport", true, create_sbom_export);
  registry.add_inspector("GetSbomExport", false, get_sbom_export);
  registry.add_inspector("CancelSbomExport", true,
                         [](ApiContext& context, const OpRequest& request) {
                           return cancel_report(context, request, kSbomKind);
                         });
  registry.add_inspector("SearchVulnerabilities", false, search_vulnerabilities);
}

}  // namespace vigil::api
