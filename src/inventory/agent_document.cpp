#include "inventory/agent_document.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.hpp"
#include "model/ecosystem.hpp"
#include "sources/digest.hpp"

namespace vigil::inventory {
namespace {

using nlohmann::json;

constexpr size_t kMaxDocumentBytes = size_t{256} << 20;
constexpr size_t kMaxNesting = 16;  // the schema nests 4 deep; anything deeper is hostile
constexpr size_t kMaxTags = 50;     // EC2's per-resource tag limit
constexpr size_t kMaxTagKey = 128;
constexpr size_t kMaxTagValue = 256;
constexpr int64_t kMaxPid = int64_t{1} << 22;  // PID_MAX_LIMIT on 64-bit Linux
constexpr size_t kMaxProcessName = 64;
constexpr size_t kMaxSocketPath = 4096;
constexpr size_t kMaxPackageName = 256;
constexpr std::array<std::string_view, 6> kInstanceStates = {
    "pending", "running", "shutting-down", "terminated", "stopping", "stopped"};

// nlohmann's parser and destructor recurse per nesting level: refuse deep input up front.
Result<void> check_nesting(std::string_view text) {
  if (!json_nesting_within(text, kMaxNesting)) {
    return fail(Error::parse("agent document: nested deeper than {} levels", kMaxNesting));
  }
  return {};
}

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool has_control_or_space(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
}

json package_json(const model::Package& package) {
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
  // Written only when set: documents of hosts without them keep their bytes and content hash.
  if (!package.owner_purl.empty()) {
    out["ownerPurl"] = package.owner_purl;
  }
  if (!package.cpes.empty()) {
    out["cpes"] = package.cpes;
  }
  return out;
}


// One socket; `with_pid` false for the hashed form (a restarted daemon is an unchanged host).
json socket_json(const ListeningSocket& socket, bool with_pid) {
  json entry = {{"protocol", socket.protocol},
                {"localAddress", socket.local_address},
                {"port", socket.port},
                {"processName", socket.process_name},
                {"executable", socket.executable},
                {"package", socket.package}};
  if (with_pid) {
    entry["pid"] = socket.pid;
  }
  return entry;
}

json sockets_json(const std::vector<ListeningSocket>& sockets, bool with_pid) {
  json array = json::array();
  for (const ListeningSocket& socket : sockets) {
    array.push_back(socket_json(socket, with_pid));
  }
  return array;
}

// Everything but collectedAt and contentHash (and socket pids when `with_pid` is false): the
// part the content hash covers.
json content_json(const AgentDocument& document, bool with_pid) {
  const HostIdentity& host = document.host;
  const model::OsIdentity& os = document.inventory.os;
  json packages = json::array();
  for (const model::Package& package : document.inventory.packages) {
    packages.push_back(package_json(package));
  }
  json diagnostics = json::array();
  for (const model::Diagnostic& diagnostic : document.inventory.diagnostics) {
    diagnostics.push_back({{"level", model::diagnostic_level_name(diagnostic.level)},
                           {"where", diagnostic.where},
                           {"message", diagnostic.message}});
  }
  const int schema =
      document.listening_sockets ? kAgentDocumentSocketsSchema : kAgentDocumentSchema;
  json content = {{"schemaVersion", schema},
                  {"host",
                   {{"hostname", host.hostname},
                    {"machineId", host.machine_id},
                    {"instanceId", host.instance_id},
                    {"accountId", host.account_id},
                    {"region", host.region},
                    {"instanceState", host.instance_state},
                    {"amiId", host.ami_id},
                    {"tags", host.tags}}},
                  {"os",
                   {{"id", os.id},
                    {"versionId", os.version_id},
                    {"codename", os.codename},
                    {"prettyName", os.pretty_name},
                    {"kernelRelease", os.kernel_release},
                    {"endOfLife", os.end_of_life}}},
                  {"packages", std::move(packages)},
                  {"diagnostics", std::move(diagnostics)},
                  {"complete", document.inventory.complete},
                  {"agentVersion", document.agent_version}};
  if (document.listening_sockets) {
    content["listeningSockets"] = sockets_json(*document.listening_sockets, with_pid);
  }
  return content;
}

// Compact, keys sorted (nlohmann objects are ordered maps), invalid UTF-8 replaced: the same
// document always gives the same bytes.
std::string canonical(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Typed field readers; `where` is the JSON path used in error messages ("host.accountId").
class Reader {
 public:
  static Result<const json*> member(const json& object, std::string_view key,
                                    const std::string& where, bool required) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
      if (required) {
        return fail(Error::invalid_argument("{}: missing", where));
      }
      return nullptr;
    }
    return &*found;
  }

  static Result<std::string> string(const json& object, std::string_view key,
                                    const std::string& prefix, bool required = false) {
    const std::string where = prefix + std::string(key);
    VIGIL_ASSIGN_OR_RETURN(const json* value, member(object, key, where, required));
    if (value == nullptr) {
      return std::string();
    }
    if (!value->is_string()) {
      return fail(Error::parse("{}: expected a string, got {}", where, value->type_name()));
    }
    return value->get<std::string>();
  }

  static Result<bool> boolean(const json& object, std::string_view key, const std::string& where,
                              bool fallback) {
    VIGIL_ASSIGN_OR_RETURN(const json* value, member(object, key, where, false));
    if (value == nullptr) {
      return fallback;
    }
    if (!value->is_boolean()) {
      return fail(Error::parse("{}: expected a boolean, got {}", where, value->type_name()));
    }
    return value->get<bool>();
  }

  static Result<const json*> object(const json& parent, std::string_view key,
                                    const std::string& where, bool required) {
    VIGIL_ASSIGN_OR_RETURN(const json* value, member(parent, key, where, required));
    if (value != nullptr && !value->is_object()) {
      return fail(Error::parse("{}: expected an object, got {}", where, value->type_name()));
    }
    return value;
  }

  static Result<const json*> array(const json& parent, std::string_view key,
                                   const std::string& where, bool required) {
    VIGIL_ASSIGN_OR_RETURN(const json* value, member(parent, key, where, required));
    if (value != nullptr && !value->is_array()) {
      return fail(Error::parse("{}: expected an array, got {}", where, value->type_name()));
    }
    return value;
  }
};

Result<void> check_host(const HostIdentity& host) {
  if (host.hostname.empty() || host.hostname.size() > 253 || has_control_or_space(host.hostname)) {
    return fail(Error::invalid_argument(
        "host.hostname: expected 1 to 253 characters without spaces or control characters"));
  }
  if (!host.machine_id.empty() && (host.machine_id.size() != 32 || !is_lower_hex(host.machine_id))) {
    return fail(Error::invalid_argument("host.machineId: expected 32 lower-case hex digits"));
  }
  if (host.instance_id.empty() || host.instance_id.size() > 128 ||
      has_control_or_space(host.instance_id)) {
    return fail(Error::invalid_argument(
        "host.instanceId: expected 1 to 128 characters without spaces or control characters"));
  }
  if (!host.account_id.empty() && (host.account_id.size() != 12 || !is_digits(host.account_id))) {
    return fail(Error::invalid_argument("host.accountId: expected 12 digits"));
  }
  const bool region_ok =
      host.region.size() <= 32 && std::all_of(host.region.begin(), host.region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (!region_ok) {
    return fail(Error::invalid_argument(
        "host.region: expected lower-case letters, digits and '-' (e.g. \"eu-west-1\")"));
  }
  if (std::find(kInstanceStates.begin(), kInstanceStates.end(), host.instance_state) ==
      kInstanceStates.end()) {
    return fail(Error::invalid_argument(
        "host.instanceState: expected pending, running, shutting-down, terminated, stopping or "
        "stopped"));
  }
  if (!host.ami_id.empty() && (!host.ami_id.starts_with("ami-") || host.ami_id.size() > 64 ||
                               !is_lower_hex(std::string_view(host.ami_id).substr(4)))) {
    return fail(Error::invalid_argument("host.amiId: expected \"ami-\" and hex digits"));
  }
  if (host.tags.size() > kMaxTags) {
    return fail(Error::invalid_argument("host.tags: more than {} tags", kMaxTags));
  }
  for (const auto& [key, value] : host.tags) {
    if (key.empty() || key.size() > kMaxTagKey || value.size() > kMaxTagValue) {
      return fail(Error::invalid_argument(
          "host.tags: key \"{}\": keys are 1 to {} characters, values up to {}",
          key.substr(0, kMaxTagKey), kMaxTagKey, kMaxTagValue));
    }
  }
  return {};
}

Result<HostIdentity> parse_host(const json& root) {
  VIGIL_ASSIGN_OR_RETURN(const json* object, Reader::object(root, "host", "host", true));
  HostIdentity host;
  const std::string prefix = "host.";
  VIGIL_ASSIGN_OR_RETURN(host.hostname, Reader::string(*object, "hostname", prefix, true));
  VIGIL_ASSIGN_OR_RETURN(host.machine_id, Reader::string(*object, "machineId", prefix));
  VIGIL_ASSIGN_OR_RETURN(host.instance_id, Reader::string(*object, "instanceId", prefix, true));
  VIGIL_ASSIGN_OR_RETURN(host.account_id, Reader::string(*object, "accountId", prefix));
  VIGIL_ASSIGN_OR_RETURN(host.region, Reader::string(*object, "region", prefix));
  VIGIL_ASSIGN_OR_RETURN(host.instance_state, Reader::string(*object, "instanceState", prefix));
  if (host.instance_state.empty()) {
    host.instance_state = "running";
  }
  VIGIL_ASSIGN_OR_RETURN(host.ami_id, Reader::string(*object, "amiId", prefix));
  VIGIL_ASSIGN_OR_RETURN(const json* tags, Reader::object(*object, "tags", "host.tags", false));
  if (tags != nullptr) {
    for (const auto& [key, value] : tags->items()) {
      if (!value.is_string()) {
        return fail(Error::parse("host.tags.{}: expected a string, got {}",
                                 key.substr(0, kMaxTagKey), value.type_name()));
      }
      host.tags.emplace(key, value.get<std::string>());
    }
  }
  VIGIL_TRY(check_host(host));
  return host;
}

Result<model::OsIdentity> parse_os(const json& root) {
  VIGIL_ASSIGN_OR_RETURN(const json* object, Reader::object(root, "os", "os", true));
  model::OsIdentity os;
  const std::string prefix = "os.";
  VIGIL_ASSIGN_OR_RETURN(os.id, Reader::string(*object, "id", prefix));
  VIGIL_ASSIGN_OR_RETURN(os.version_id, Reader::string(*object, "versionId", prefix));
  VIGIL_ASSIGN_OR_RETURN(os.codename, Reader::string(*object, "codename", prefix));
  VIGIL_ASSIGN_OR_RETURN(os.pretty_name, Reader::string(*object, "prettyName", prefix));
  VIGIL_ASSIGN_OR_RETURN(os.kernel_release, Reader::string(*object, "kernelRelease", prefix));
  VIGIL_ASSIGN_OR_RETURN(os.end_of_life, Reader::boolean(*object, "endOfLife", "os.endOfLife",
                                                         false));
  return os;
}

// An optional array of strings member ("locations", "cpes").
Result<std::vector<std::string>> string_list(const json& entry, const char* key,
                                             const std::string& prefix) {
  std::vector<std::string> out;
  VIGIL_ASSIGN_OR_RETURN(const json* list, Reader::array(entry, key, prefix + key, false));
  if (list != nullptr) {
    for (size_t index = 0; index < list->size(); ++index) {
      const json& item = (*list)[index];
      if (!item.is_string()) {
        return fail(Error::parse("{}{}[{}]: expected a string, got {}", prefix, key, index,
                                 item.type_name()));
      }
      out.push_back(item.get<std::string>());
    }
  }
  return out;
}

Result<model::Package> parse_package(const json& entry, const std::string& where) {
  if (!entry.is_object()) {
    return fail(Error::parse("{}: expected an object, got {}", where, entry.type_name()));
  }
  model::Package package;
  const std::string prefix = where + ".";
  VIGIL_ASSIGN_OR_RETURN(const std::string ecosystem,
                         Reader::string(entry, "ecosystem", prefix, true));
  const auto parsed = model::parse_ecosystem(ecosystem);
  if (!parsed || !parsed->release.empty()) {
    return fail(Error::invalid_argument("{}ecosystem: unknown ecosystem \"{}\"", prefix,
                                        ecosystem.substr(0, 64)));
  }
  package.ecosystem = parsed->ecosystem;
  VIGIL_ASSIGN_OR_RETURN(package.name, Reader::string(entry, "name", prefix, true));
  if (package.name.empty()) {
    return fail(Error::invalid_argument("{}name: empty", prefix));
  }
  VIGIL_ASSIGN_OR_RETURN(package.version, Reader::string(entry, "version", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.arch, Reader::string(entry, "arch", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.source_name, Reader::string(entry, "sourceName", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.source_version, Reader::string(entry, "sourceVersion", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.distro_release, Reader::string(entry, "distroRelease", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.purl, Reader::string(entry, "purl", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.layer_digest, Reader::string(entry, "layerDigest", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.owner_purl, Reader::string(entry, "ownerPurl", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.locations, string_list(entry, "locations", prefix));
  VIGIL_ASSIGN_OR_RETURN(package.cpes, string_list(entry, "cpes", prefix));
  return package;
}

Result<model::Diagnostic> parse_diagnostic(const json& entry, const std::string& where) {
  if (!entry.is_object()) {
    return fail(Error::parse("{}: expected an object, got {}", where, entry.type_name()));
  }
  model::Diagnostic diagnostic;
  const std::string prefix = where + ".";
  VIGIL_ASSIGN_OR_RETURN(const std::string level, Reader::string(entry, "level", prefix));
  if (level == "info") {
    diagnostic.level = model::DiagnosticLevel::kInfo;
  } else if (level == "warning" || level.empty()) {
    diagnostic.level = model::DiagnosticLevel::kWarning;
  } else if (level == "error") {
    diagnostic.level = model::DiagnosticLevel::kError;
  } else {
    return fail(Error::invalid_argument("{}level: expected info, warning or error", prefix));
  }
  VIGIL_ASSIGN_OR_RETURN(diagnostic.where, Reader::string(entry, "where", prefix));
  VIGIL_ASSIGN_OR_RETURN(diagnostic.message, Reader::string(entry, "message", prefix));
  return diagnostic;
}

Result<int64_t> integer_field(const json& entry, std::string_view key, const std::string& prefix,
                              bool required, int64_t low, int64_t high) {
  const std::string where = prefix + std::string(key);
  VIGIL_ASSIGN_OR_RETURN(const json* value, Reader::member(entry, key, where, required));
  if (value == nullptr) {
    return int64_t{0};
  }
  if (!value->is_number_integer()) {
    return fail(Error::parse("{}: expected an integer, got {}", where, value->type_name()));
  }
  // Unsigned values above INT64_MAX must not wrap into range.
  if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(high)) {
    return fail(Error::invalid_argument("{}: expected {} to {}", where, low, high));
  }
  const auto number = value->get<int64_t>();
  if (number < low || number > high) {
    return fail(Error::invalid_argument("{}: expected {} to {}", where, low, high));
  }
  return number;
}

bool is_ip_address(const std::string& text) {
  std::array<unsigned char, 16> buffer{};
  return text.size() <= 64 && text.find('\0') == std::string::npos &&
         (::inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
          ::inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1);
}

Result<ListeningSocket> parse_socket(const json& entry, const std::string& where) {
  if (!entry.is_object()) {
    return fail(Error::parse("{}: expected an object, got {}", where, entry.type_name()));
  }
  ListeningSocket socket;
  const std::string prefix = where + ".";
  VIGIL_ASSIGN_OR_RETURN(socket.protocol, Reader::string(entry, "protocol", prefix, true));
  if (socket.protocol != "tcp" && socket.protocol != "udp") {
    return fail(Error::invalid_argument("{}protocol: expected \"tcp\" or \"udp\"", prefix));
  }
  VIGIL_ASSIGN_OR_RETURN(socket.local_address,
                         Reader::string(entry, "localAddress", prefix, true));
  if (!is_ip_address(socket.local_address)) {
    return fail(Error::invalid_argument("{}localAddress: expected an IPv4 or IPv6 address",
                                        prefix));
  }
  VIGIL_ASSIGN_OR_RETURN(const int64_t port, integer_field(entry, "port", prefix, true, 1, 65535));
  socket.port = static_cast<uint16_t>(port);
  VIGIL_ASSIGN_OR_RETURN(socket.pid, integer_field(entry, "pid", prefix, false, 0, kMaxPid));
  VIGIL_ASSIGN_OR_RETURN(socket.process_name, Reader::string(entry, "processName", prefix));
  VIGIL_ASSIGN_OR_RETURN(socket.executable, Reader::string(entry, "executable", prefix));
  VIGIL_ASSIGN_OR_RETURN(socket.package, Reader::string(entry, "package", prefix));
  if (socket.process_name.size() > kMaxProcessName) {
    return fail(Error::invalid_argument("{}processName: longer than {} characters", prefix,
                                        kMaxProcessName));
  }
  if (socket.executable.size() > kMaxSocketPath ||
      (!socket.executable.empty() && socket.executable.front() != '/')) {
    return fail(Error::invalid_argument(
        "{}executable: expected an absolute path of at most {} characters", prefix,
        kMaxSocketPath));
  }
  if (socket.package.size() > kMaxPackageName || has_control_or_space(socket.package)) {
    return fail(Error::invalid_argument(
        "{}package: expected at most {} characters without spaces", prefix, kMaxPackageName));
  }
  return socket;
}

Result<std::vector<ListeningSocket>> parse_sockets_array(const json& array) {
  if (array.size() > kMaxListeningSockets) {
    return fail(Error::invalid_argument("listeningSockets: more than {} sockets",
                                        kMaxListeningSockets));
  }
  std::vector<ListeningSocket> sockets;
  sockets.reserve(array.size());
  for (size_t index = 0; index < array.size(); ++index) {
    VIGIL_ASSIGN_OR_RETURN(ListeningSocket socket,
                           parse_socket(array[index], fmt::format("listeningSockets[{}]", index)));
    sockets.push_back(std::move(socket));
  }
  return sockets;
}

// RFC 3339 with a "Z" offset: "YYYY-MM-DDTHH:MM:SS" + optional ".fraction" + "Z".
bool is_rfc3339_utc(std::string_view text) {
  if (text.size() < 20 || text.size() > 40 || text.back() != 'Z') {
    return false;
  }
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  for (size_t index = 0; index < kShape.size(); ++index) {
    const char c = text[index];
    const bool ok = kShape[index] == 'd' ? (c >= '0' && c <= '9') : c == kShape[index];
    if (!ok) {
      return false;
    }
  }
  const auto number = [&](size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); };
  const int month = number(5);
  const int day = number(8);
  if (month < 1 || month > 12 || day < 1 || day > 31 || number(11) > 23 || number(14) > 59 ||
      number(17) > 60) {
    return false;
  }
  const std::string_view rest = text.substr(kShape.size(), text.size() - kShape.size() - 1);
  if (rest.empty()) {
    return true;
  }
  return rest.size() >= 2 && rest[0] == '.' && is_digits(rest.substr(1));
}

Result<AgentDocument> parse_root(const json& root) {
  if (!root.is_object()) {
    return fail(Error::parse("agent document: expected a JSON object, got {}", root.type_name()));
  }
  AgentDocument document;
  VIGIL_ASSIGN_OR_RETURN(const json* schema,
                         Reader::member(root, "schemaVersion", "schemaVersion", true));
  if (!schema->is_number_integer()) {
    return fail(Error::parse("schemaVersion: expected an integer, got {}", schema->type_name()));
  }
  if (*schema != kAgentDocumentSchema && *schema != kAgentDocumentSocketsSchema) {
    return fail(Error::invalid_argument("schemaVersion: unsupported version {} (expected {} or {})",
                                        schema->dump(), kAgentDocumentSchema,
                                        kAgentDocumentSocketsSchema));
  }
  document.schema_version = schema->get<int>();
  VIGIL_ASSIGN_OR_RETURN(document.host, parse_host(root));
  VIGIL_ASSIGN_OR_RETURN(document.inventory.os, parse_os(root));
  VIGIL_ASSIGN_OR_RETURN(const json* packages, Reader::array(root, "packages", "packages", true));
  document.inventory.packages.reserve(packages->size());
  for (size_t index = 0; index < packages->size(); ++index) {
    VIGIL_ASSIGN_OR_RETURN(model::Package package,
                           parse_package((*packages)[index], fmt::format("packages[{}]", index)));
    document.inventory.packages.push_back(std::move(package));
  }
  VIGIL_ASSIGN_OR_RETURN(const json* diagnostics,
                         Reader::array(root, "diagnostics", "diagnostics", false));
  if (diagnostics != nullptr) {
    for (size_t index = 0; index < diagnostics->size(); ++index) {
      VIGIL_ASSIGN_OR_RETURN(
          model::Diagnostic diagnostic,
          parse_diagnostic((*diagnostics)[index], fmt::format("diagnostics[{}]", index)));
      document.inventory.diagnostics.push_back(std::move(diagnostic));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(document.inventory.complete,
                         Reader::boolean(root, "complete", "complete", true));
  VIGIL_ASSIGN_OR_RETURN(document.collected_at, Reader::string(root, "collectedAt", "", true));
  if (!is_rfc3339_utc(document.collected_at)) {
    return fail(Error::invalid_argument(
        "collectedAt: expected an RFC 3339 UTC time such as \"2026-11-24T20:15:00Z\""));
  }
  VIGIL_ASSIGN_OR_RETURN(document.agent_version, Reader::string(root, "agentVersion", "", true));
  if (document.agent_version.empty() || document.agent_version.size() > 64) {
    return fail(Error::invalid_argument("agentVersion: expected 1 to 64 characters"));
  }
  // Schema 2 requires the sockets (possibly none); schema 1 predates them.
  const bool sockets_schema = document.schema_version == kAgentDocumentSocketsSchema;
  VIGIL_ASSIGN_OR_RETURN(const json* sockets,
                         Reader::array(root, "listeningSockets", "listeningSockets",
                                       sockets_schema));
  if (sockets != nullptr) {
    if (!sockets_schema) {
      return fail(Error::invalid_argument("listeningSockets: needs schemaVersion {}",
                                          kAgentDocumentSocketsSchema));
    }
    VIGIL_ASSIGN_OR_RETURN(document.listening_sockets, parse_sockets_array(*sockets));
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string stated, Reader::string(root, "contentHash", ""));
  document.content_hash = agent_content_hash(document);
  if (!stated.empty() && stated != document.content_hash) {
    return fail(Error::invalid_argument(
        "contentHash: \"{}\" does not match the content (sha256 {})", stated.substr(0, 80),
        document.content_hash));
  }
  return document;
}

}  // namespace

std::string agent_content_hash(const AgentDocument& document) {
  return std::string(sources::digest_hex(sources::sha256_digest(canonical(content_json(document, false)))));
}

std::string write_agent_document(const AgentDocument& document) {
  json root = content_json(document, true);
  root["collectedAt"] = document.collected_at;
  root["contentHash"] = agent_content_hash(document);
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string write_listening_sockets(const std::vector<ListeningSocket>& sockets) {
  return canonical(sockets_json(sockets, true));
}

Result<std::vector<ListeningSocket>> parse_listening_sockets(std::string_view text) {
  if (text.size() > kMaxDocumentBytes) {
    return fail(Error::invalid_argument("listeningSockets: {} bytes exceeds the {} byte limit",
                                        text.size(), kMaxDocumentBytes));
  }
  VIGIL_TRY(check_nesting(text));
  try {
    const json array = json::parse(text);
    if (!array.is_array()) {
      return fail(Error::parse("listeningSockets: expected an array, got {}", array.type_name()));
    }
    return parse_sockets_array(array);
  } catch (const json::exception& error) {
    return fail(Error::parse("listeningSockets: {}", error.what()));
  }
}

Result<AgentDocument> parse_agent_document(std::string_view text) {
  if (text.size() > kMaxDocumentBytes) {
    return fail(Error::invalid_argument("agent document: {} bytes exceeds the {} byte limit",
                                        text.size(), kMaxDocumentBytes));
  }
  VIGIL_TRY(check_nesting(text));
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& error) {
    return fail(Error::parse("agent document: {}", error.what()));
  }
  try {
    return parse_root(root);
  } catch (const json::exception& error) {
    return fail(Error::internal("agent document: {}", error.what()));
  }
}

}  // namespace vigil::inventory
