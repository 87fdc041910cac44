// Bundle loading: classify file names, parse each document with simdjson, dispatch to the
// per-command parsers, and report what is missing.
#include "reachability/bundle.hpp"

#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "reachability/internal/parsers.hpp"

namespace vigil::reachability {
namespace {

constexpr uint64_t kMaxFileBytes = uint64_t{1} << 30;

enum class Kind { kMain, kListenersOf, kTargetHealthOf, kPrefixEntriesOf, kNone };

struct Classified {
  Kind kind = Kind::kNone;
  BundleFile file = BundleFile::kInstances;
  // The balancer, target group or prefix list the file is about: a view into the name given to
  // classify(), which must outlive it.
  std::string_view argument;
};

constexpr std::string_view kNames[kBundleFileCount] = {
    "describe-instances.json",         "describe-network-interfaces.json",
    "describe-security-groups.json",   "describe-network-acls.json",
    "describe-route-tables.json",      "describe-subnets.json",
    "describe-vpcs.json",              "describe-internet-gateways.json",
    "describe-nat-gateways.json",      "describe-vpc-peering-connections.json",
    "describe-managed-prefix-lists.json", "describe-load-balancers.json",
    "describe-listeners.json",         "describe-target-groups.json",
};

// "<prefix><argument>.json" with a non-empty argument.
std::optional<std::string_view> argument_of(std::string_view name, std::string_view prefix) {
  constexpr std::string_view kSuffix = ".json";
  if (name.size() <= prefix.size() + kSuffix.size() || name.substr(0, prefix.size()) != prefix ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  return name.substr(prefix.size(), name.size() - prefix.size() - kSuffix.size());
}

Classified classify(std::string_view name) {
  for (size_t index = 0; index < kBundleFileCount; ++index) {
    if (name == kNames[index]) {
      return {Kind::kMain, static_cast<BundleFile>(index), {}};
    }
  }
  if (auto argument = argument_of(name, "describe-listeners.")) {
    return {Kind::kListenersOf, BundleFile::kListeners, *argument};
  }
  if (auto argument = argument_of(name, "describe-target-health.")) {
    return {Kind::kTargetHealthOf, BundleFile::kTargetGroups, *argument};
  }
  if (auto argument = argument_of(name, "get-managed-prefix-list-entries.")) {
    return {Kind::kPrefixEntriesOf, BundleFile::kPrefixLists, *argument};
  }
  return {};
}

// The order files are read in: the main documents in BundleFile order, then the per-balancer
// listeners, then the files that complete target groups and prefix lists.
int read_order(const Classified& classified) {
  switch (classified.kind) {
    case Kind::kMain:
      return static_cast<int>(classified.file);
    case Kind::kListenersOf:
      return static_cast<int>(kBundleFileCount);
    case Kind::kTargetHealthOf:
    case Kind::kPrefixEntriesOf:
      return static_cast<int>(kBundleFileCount) + 1;
    case Kind::kNone:
      break;
  }
  return static_cast<int>(kBundleFileCount) + 2;
}

bool dispatch(const Classified& classified, const internal::object& root,
              internal::ParseContext& ctx) {
  using internal::ParseContext;
  switch (classified.kind) {
    case Kind::kListenersOf:
      return internal::parse_listeners(root, ctx);
    case Kind::kTargetHealthOf:
      return internal::parse_target_health(root, classified.argument, ctx);
    case Kind::kPrefixEntriesOf:
      return internal::parse_prefix_list_entries(root, classified.argument, ctx);
    case Kind::kNone:
      return false;
    case Kind::kMain:
      break;
  }
  switch (classified.file) {
    case BundleFile::kInstances:
      return internal::parse_instances(root, ctx);
    case BundleFile::kNetworkInterfaces:
      return internal::parse_network_interfaces(root, ctx);
    case BundleFile::kSecurityGroups:
      return internal::parse_security_groups(root, ctx);
    case BundleFile::kNetworkAcls:
      return internal::parse_network_acls(root, ctx);
    case BundleFile::kRouteTables:
      return internal::parse_route_tables(root, ctx);
    case BundleFile::kSubnets:
      return internal::parse_subnets(root, ctx);
    case BundleFile::kVpcs:
      return internal::parse_vpcs(root, ctx);
    case BundleFile::kInternetGateways:
      return internal::parse_internet_gateways(root, ctx);
    case BundleFile::kNatGateways:
      return internal::parse_nat_gateways(root, ctx);
    case BundleFile::kPeeringConnections:
      return internal::parse_peering_connections(root, ctx);
    case BundleFile::kPrefixLists:
      return internal::parse_prefix_lists(root, ctx);
    case BundleFile::kLoadBalancers:
      return internal::parse_load_balancers(root, ctx);
    case BundleFile::kListeners:
      return internal::parse_listeners(root, ctx);
    case BundleFile::kTargetGroups:
      return internal::parse_target_groups(root, ctx);
  }
  return false;
}

// The top-level list each document must have, for the "not that command's output" message.
std::string_view expected_list(const Classified& classified) {
  switch (classified.kind) {
    case Kind::kTargetHealthOf:
      return "TargetHealthDescriptions";
    case Kind::kPrefixEntriesOf:
      return "Entries";
    default:
      break;
  }
  constexpr std::string_view kLists[kBundleFileCount] = {
      "Reservations",  "NetworkInterfaces", "SecurityGroups",   "NetworkAcls",
      "RouteTables",   "Subnets",           "Vpcs",             "InternetGateways",
      "NatGateways",   "VpcPeeringConnections", "PrefixLists",  "LoadBalancers",
      "Listeners",     "TargetGroups"};
  return kLists[static_cast<size_t>(classified.file)];
}

// Parses `padded` (whose buffer holds at least `length` + SIMDJSON_PADDING bytes) as the
// document `name` into `env`.
void parse_document(simdjson::dom::parser& parser, Environment& env, std::string_view name,
                    const Classified& classified, const char* data, size_t length) {
  internal::ParseContext ctx(env, std::string(name));
  simdjson::dom::element document;
  if (const auto error = parser.parse(data, length, false).get(document); error) {
    ctx.warn({}, fmt::format("not valid JSON ({}); file ignored", simdjson::error_message(error)));
    return;
  }
  simdjson::dom::object root;
  if (document.get(root) != simdjson::SUCCESS) {
    ctx.warn({}, "not a JSON object; file ignored");
    return;
  }
  if (!dispatch(classified, root, ctx)) {
    ctx.warn({}, fmt::format("missing {} (is this `aws --output json` output of that command?); "
                             "file ignored",
                             expected_list(classified)));
    return;
  }
  env.present[static_cast<size_t>(classified.file)] =
      env.present[static_cast<size_t>(classified.file)] || classified.kind == Kind::kMain ||
      classified.kind == Kind::kListenersOf;
}

}  // namespace

std::string_view bundle_file_name(BundleFile file) { return kNames[static_cast<size_t>(file)]; }

bool add_document(Environment& env, std::string_view file_name, std::string_view text) {
  const auto classified = classify(file_name);
  if (classified.kind == Kind::kNone) {
    return false;
  }
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  parse_document(parser, env, file_name, classified, padded.data(), padded.size());
  return true;
}

void note_missing_files(Environment& env) {
  struct Need {
    BundleFile file;
    const char* consequence;
  };
  static constexpr Need kNeeds[] = {
      {BundleFile::kInstances, "there are no instances to analyse"},
      {BundleFile::kSecurityGroups, "no port can be shown open; instances are UNKNOWN"},
      {BundleFile::kSubnets, "subnet addresses are unknown"},
      {BundleFile::kRouteTables, "routes to internet gateways and peers are unknown"},
      {BundleFile::kNetworkAcls, "network ACL checks are unknown"},
      {BundleFile::kVpcs, "VPC address ranges are unknown"},
      {BundleFile::kInternetGateways, "internet gateway attachments are unknown"},
  };
  for (const auto& need : kNeeds) {
    if (!env.has(need.file)) {
      env.diagnostics.push_back({model::DiagnosticLevel::kWarning,
                                 std::string(bundle_file_name(need.file)),
                                 fmt::format("missing from the bundle: {}", need.consequence)});
    }
  }
  if (env.has(BundleFile::kLoadBalancers)) {
    for (const auto file : {BundleFile::kListeners, BundleFile::kTargetGroups}) {
      if (!env.has(file)) {
        env.diagnostics.push_back(
            {model::DiagnosticLevel::kWarning, std::string(bundle_file_name(file)),
             "missing from the bundle: paths through load balancers are unknown"});
      }
    }
  }
}

Result<Environment> load_bundle(const sources::FileTree& tree) {
  std::vector<std::string> names;
  std::vector<std::string> unrecognised;
  const auto walked = tree.walk([&](const sources::FileInfo& info) {
    if (info.path.find('/') != std::string::npos) {
      return false;
    }
    if (info.type != sources::FileType::kRegular && info.type != sources::FileType::kSymlink) {
      return false;  // do not descend: a bundle is one flat directory
    }
    if (classify(info.path).kind != Kind::kNone) {
      names.push_back(info.path);
    } else if (info.path.rfind("describe-", 0) == 0 && info.path.size() > 5 &&
               info.path.substr(info.path.size() - 5) == ".json") {
      unrecognised.push_back(info.path);
    }
    return true;
  });
  if (!walked) {
    return fail(walked.error().with_context(fmt::format("bundle {}", tree.describe())));
  }
  if (names.empty()) {
    return fail(Error::not_found("bundle {}: no describe-*.json files (expected e.g. {})",
                                 tree.describe(), kNames[0]));
  }
  // Names are unique in a directory, so this order is total and the result deterministic.
  std::sort(names.begin(), names.end(), [](const std::string& lhs, const std::string& rhs) {
    const int left = read_order(classify(lhs));
    const int right = read_order(classify(rhs));
    return left != right ? left < right : lhs < rhs;
  });
  std::sort(unrecognised.begin(), unrecognised.end());

  Environment env;
  for (const auto& name : unrecognised) {
    env.diagnostics.push_back(
        {model::DiagnosticLevel::kInfo, name, "not a command the analysis reads; ignored"});
  }
  simdjson::dom::parser parser;
  for (const auto& name : names) {
    // A bundle on disk is read straight into a padded buffer (one copy instead of two: large
    // organisations' describe-instances.json runs to hundreds of MB). host_path() resolves
    // links inside the tree, so this reads the same file read() would.
    if (const auto host = tree.host_path(name)) {
      std::error_code error;
      const auto size = std::filesystem::file_size(*host, error);
      if (!error && size <= kMaxFileBytes) {
        auto loaded = simdjson::padded_string::load(host->string());
        if (loaded.error() == simdjson::SUCCESS) {
          const auto& padded = loaded.value_unsafe();
          parse_document(parser, env, name, classify(name), padded.data(), padded.size());
          continue;
        }
      }
    }
    auto text = tree.read(name, kMaxFileBytes);
    if (!text) {
      env.diagnostics.push_back({model::DiagnosticLevel::kWarning, name,
                                 fmt::format("cannot be read: {}", text.error().message)});
      continue;
    }
    const size_t length = text->size();
    text->resize(length + simdjson::SIMDJSON_PADDING, ' ');
    // `classified` views `name`, which outlives the parse.
    parse_document(parser, env, name, classify(name), text->data(), length);
  }
  note_missing_files(env);
  return env;
}

}  // namespace vigil::reachability
