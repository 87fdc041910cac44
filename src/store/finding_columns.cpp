#include "store/internal/finding_columns.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "model/ecosystem.hpp"
#include "store/internal/codec.hpp"

namespace vigil::store::internal {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 3> kDetailMembers = {
    "awsEc2Instance", "awsEcrContainerImage", "awsLambdaFunction"};

// Parses `text` as a JSON object ("" is an empty object). Inspector's ResourceDetails wrapper
// ({"awsEc2Instance": {...}}) is unwrapped so either form is accepted.
Result<json> parse_object(std::string_view text, std::string_view what, bool unwrap) {
  if (text.empty()) {
    return json::object();
  }
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return fail(Error::invalid_argument("{} is not a JSON object", what));
  }
  if (unwrap && value.size() == 1) {
    for (const auto member : kDetailMembers) {
      if (const auto found = value.find(std::string(member));
          found != value.end() && found->is_object()) {
        return *found;
      }
    }
  }
  return value;
}

std::string string_member(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<std::int64_t> time_member(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end()) {
    return std::nullopt;
  }
  if (found->is_number()) {
    const double seconds = found->get<double>();
    // Epoch seconds as Inspector sends them; beyond year ~9999 is not a timestamp.
    if (!std::isfinite(seconds) || std::fabs(seconds) > 253402300799.0) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(std::llround(seconds * 1000.0));
  }
  if (found->is_string()) {
    return parse_timestamp_ms(found->get_ref<const std::string&>());
  }
  return std::nullopt;
}

std::optional<std::int64_t> int_member(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end()) {
    return std::nullopt;
  }
  if (found->is_number_integer()) {
    return found->get<std::int64_t>();
  }
  if (found->is_number_float()) {
    const double value = found->get<double>();
    if (std::isfinite(value) && std::fabs(value) < 9.0e15) {
      return static_cast<std::int64_t>(value);
    }
  }
  return std::nullopt;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

bool is_sha256_digest(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.size() != kPrefix.size() + 64 || text.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  for (const char c : text.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
      return false;
    }
  }
  return true;
}

// vulnerablePackages[0] for the finding's package, split the way Inspector reports OS versions
// ("1:2.3-4" -> epoch 1, version 2.3, release 4); the same mapping export::findings_json uses.
PackageRow package_row(const StoredFinding& stored) {
  const model::Package& package = stored.finding.package;
  PackageRow row;
  row.name = package.name;
  row.architecture = upper(package.arch);
  std::string_view version = package.version;
  row.epoch = 0;
  if (model::is_os_ecosystem(package.ecosystem)) {
    const std::size_t colon = version.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      std::int64_t epoch = 0;
      const auto [end, error] = std::from_chars(version.data(), version.data() + colon, epoch);
      if (error == std::errc() && end == version.data() + colon) {
        row.epoch = epoch;
        version.remove_prefix(colon + 1);
      } else {
        row.epoch = std::nullopt;
      }
    }
    const std::size_t dash = version.rfind('-');
    if (dash != std::string_view::npos) {
      row.release = std::string(version.substr(dash + 1));
      version = version.substr(0, dash);
    }
  } else if (!package.locations.empty()) {
    const std::string& path = package.locations.front();
    row.file_path =
        stored.resource_type == "AWS_ECR_CONTAINER_IMAGE" && !path.empty() && path.front() == '/'
            ? path.substr(1)
            : path;
  }
  row.version = std::string(version);
  if (is_sha256_digest(package.layer_digest)) {
    row.source_layer_hash = package.layer_digest;
  } else if (package.layer_digest.rfind("arn:", 0) == 0) {
    row.source_lambda_layer_arn = package.layer_digest;
  }
  return row;
}

bool read_int(std::string_view text, std::size_t& pos, std::size_t digits, int& out) {
  if (pos + digits > text.size()) {
    return false;
  }
  out = 0;
  for (std::size_t index = 0; index < digits; ++index) {
    const char c = text[pos + index];
    if (c < '0' || c > '9') {
      return false;
    }
    out = out * 10 + (c - '0');
  }
  pos += digits;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int year, int month, int day) {
  const int shifted = month <= 2 ? year - 1 : year;
  const int era = (shifted >= 0 ? shifted : shifted - 399) / 400;
  const int year_of_era = shifted - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp_ms(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  if (text.find('-') == std::string_view::npos || text.size() < 10) {
    double seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(seconds) ||
        std::fabs(seconds) > 253402300799.0) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(std::llround(seconds * 1000.0));
  }
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_int(text, pos, 4, year) || !expect(text, pos, '-') || !read_int(text, pos, 2, month) ||
      !expect(text, pos, '-') || !read_int(text, pos, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  std::int64_t millis = 0;
  if (pos < text.size()) {
    if (!(expect(text, pos, 'T') || expect(text, pos, ' ')) || !read_int(text, pos, 2, hour) ||
        !expect(text, pos, ':') || !read_int(text, pos, 2, minute) || !expect(text, pos, ':') ||
        !read_int(text, pos, 2, second) || hour > 23 || minute > 59 || second > 60) {
      return std::nullopt;
    }
    if (expect(text, pos, '.')) {
      std::int64_t scale = 100;
      bool any = false;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        millis += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
        any = true;
      }
      if (!any) {
        return std::nullopt;
      }
    }
    std::int64_t offset_minutes = 0;
    if (expect(text, pos, 'Z')) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      const bool negative = text[pos] == '-';
      ++pos;
      int offset_hours = 0, offset_mins = 0;
      if (!read_int(text, pos, 2, offset_hours) || !expect(text, pos, ':') ||
          !read_int(text, pos, 2, offset_mins)) {
        return std::nullopt;
      }
      offset_minutes = (negative ? -1 : 1) * (offset_hours * 60 + offset_mins);
    }
    if (pos != text.size()) {
      return std::nullopt;
    }
    const std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 +
                                 minute * 60 + second - offset_minutes * 60;
    return seconds * 1000 + millis;
  }
  return days_from_civil(year, month, day) * 86400 * 1000;
}

std::string vulnerability_source(const model::Finding& finding) {
  // Vendor data first (what Inspector reports for OS packages), then OSV, then NVD.
  constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kSources{{
      {"alas", "AMAZON_CVE"},
      {"debian", "DEBIAN_CVE"},
      {"debian-tracker", "DEBIAN_CVE"},
      {"ubuntu", "UBUNTU_CVE"},
      {"redhat", "REDHAT_CVE"},
      {"alpine-secdb", "ALPINE_SECDB"},
      {"osv", "OSV"},
      {"nvd", "NVD"},
  }};
  for (const auto& [source, name] : kSources) {
    for (const auto& present : finding.sources) {
      if (present == source) {
        if (name == "OSV" && finding.vulnerability_id.rfind("GHSA-", 0) == 0) {
          return "GITHUB";
        }
        return std::string(name);
      }
    }
  }
  if (finding.sources.empty()) {
    return "VIGIL";
  }
  std::string out;
  for (const char c : finding.sources.front()) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out.push_back(alnum ? static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c) : '_');
  }
  return out;
}

Result<FindingColumns> derive_columns(const StoredFinding& stored) {
  const model::Finding& finding = stored.finding;
  const auto context = [&](const Error& error) {
    return error.with_context(fmt::format("finding {}", finding.id));
  };
  for (const double score : {finding.inspector_score, finding.vigil_risk,
                             finding.epss.value_or(0.0), finding.epss_percentile.value_or(0.0)}) {
    if (!std::isfinite(score)) {
      return fail(context(Error::invalid_argument("score is not a finite number")));
    }
  }
  FindingColumns columns;
  columns.severity = std::string(model::severity_name(finding.severity));
  columns.severity_rank = severity_rank(finding.severity);
  columns.vulnerability_source = vulnerability_source(finding);
  columns.title = finding.title.empty()
                      ? fmt::format("{} - {}", finding.vulnerability_id, finding.package.name)
                      : finding.title;
  columns.exploit_available = finding.exploit_available ? "YES" : "NO";
  columns.fix_available = std::string(model::fix_available_name(finding.fix_available));

  auto details = parse_object(stored.resource_details_json, "resource details", true);
  if (!details) {
    return fail(context(details.error()));
  }
  columns.ec2_image_id = string_member(*details, "imageId");
  columns.ecr_repository = string_member(*details, "repositoryName");
  columns.ecr_registry = string_member(*details, "registry");
  columns.ecr_pushed_at = time_member(*details, "pushedAt");
  columns.ecr_last_in_use_at = time_member(*details, "lastInUseAt");
  if (const auto count = int_member(*details, "inUseCount")) {
    columns.ecr_in_use_count = static_cast<double>(*count);
  }
  columns.lambda_function_name = string_member(*details, "functionName");
  columns.lambda_runtime = string_member(*details, "runtime");
  columns.lambda_last_modified_at = time_member(*details, "lastModifiedAt");
  columns.details = details->dump(-1, ' ', false, json::error_handler_t::replace);

  auto network = parse_object(stored.network_json, "network details", false);
  if (!network) {
    return fail(context(network.error()));
  }
  columns.network_protocol = string_member(*network, "protocol");
  if (const auto range = network->find("openPortRange");
      range != network->end() && range->is_object()) {
    columns.port_begin = int_member(*range, "begin");
    columns.port_end = int_member(*range, "end");
  }
  if (const auto path = network->find("networkPath"); path != network->end() && path->is_object()) {
    if (const auto steps = path->find("steps"); steps != path->end() && steps->is_array() &&
                                                !steps->empty() && steps->front().is_object()) {
      columns.component_type = string_member(steps->front(), "componentType");
    }
  }
  columns.network = network->dump(-1, ' ', false, json::error_handler_t::replace);
  columns.related = json(finding.aliases).dump(-1, ' ', false, json::error_handler_t::replace);
  columns.layer = finding.package.layer_digest;
  if (stored.type == "PACKAGE_VULNERABILITY" || !finding.package.name.empty()) {
    columns.packages.push_back(package_row(stored));
  }
  return columns;
}

}  // namespace vigil::store::internal

namespace vigil::store::internal {

Result<ResourceDetailColumns> resource_detail_columns(std::string_view details_json) {
  VIGIL_ASSIGN_OR_RETURN(const auto details, parse_object(details_json, "resource details", true));
  ResourceDetailColumns columns;
  columns.details = details.dump(-1, ' ', false, json::error_handler_t::replace);
  columns.image_pulled_at = time_member(details, "imagePulledAt");
  if (!columns.image_pulled_at) {
    columns.image_pulled_at = time_member(details, "lastRecordedPullTime");
  }
  columns.last_in_use_at = time_member(details, "lastInUseAt");
  if (const auto count = int_member(details, "inUseCount")) {
    columns.in_use_count = static_cast<double>(*count);
  }
  return columns;
}

}  // namespace vigil::store::internal
