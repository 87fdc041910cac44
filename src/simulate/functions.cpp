// Functions: functions/<account>/<name>/configuration.json (as `aws lambda
// get-function-configuration` prints it) and code.zip, plus layer zips shared by many functions
// under layers/<name>-<version>.zip.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "simulate/internal/packages.hpp"
#include "simulate/internal/plan.hpp"

namespace vigil::simulate::internal {
namespace {

using nlohmann::ordered_json;

enum class Family { kPython, kNode, kJava, kRuby, kDotnet, kCustom, kGo, kImage };

struct RuntimeChoice {
  const char* runtime;
  Family family;
  uint64_t weight;  // out of 100
};

constexpr std::array<RuntimeChoice, 12> kRuntimes = {{
    {"python3.11", Family::kPython, 30},
    {"python3.12", Family::kPython, 6},
    {"nodejs18.x", Family::kNode, 24},
    {"nodejs20.x", Family::kNode, 6},
    {"java17", Family::kJava, 9},
    {"provided.al2023", Family::kCustom, 5},
    {"go1.x", Family::kGo, 3},
    {"ruby3.2", Family::kRuby, 5},
    {"dotnet6", Family::kDotnet, 5},
    {"python2.7", Family::kPython, 3},
    {"nodejs12.x", Family::kNode, 2},
    {"", Family::kImage, 2},
}};

constexpr std::array<std::string_view, 12> kPurposes = {
    "process-orders", "resize-images", "sync-inventory", "send-notifications",
    "ingest-events",  "rotate-keys",   "export-reports", "validate-payments",
    "cleanup-logs",   "score-risk",    "webhook-relay",  "etl-nightly"};

struct LayerDef {
  const char* name;
  Family family;
  TableId table;
  std::vector<std::string> packages;  // names from the table
};

const std::vector<LayerDef>& layer_defs() {
  static const std::vector<LayerDef> defs = {
      {"python-requests", Family::kPython, TableId::kPyPI,
       {"requests", "urllib3", "certifi", "idna", "charset-normalizer"}},
      {"python-data", Family::kPython, TableId::kPyPI,
       {"numpy", "pandas", "pytz", "tzdata", "python-dateutil", "six"}},
      {"python-crypto", Family::kPython, TableId::kPyPI, {"cryptography", "cffi", "pycparser"}},
      {"python-web", Family::kPython, TableId::kPyPI,
       {"Flask", "Werkzeug", "Jinja2", "MarkupSafe", "itsdangerous", "click"}},
      {"python-aws", Family::kPython, TableId::kPyPI, {"boto3", "botocore", "s3transfer", "jmespath"}},
      {"python-async", Family::kPython, TableId::kPyPI,
       {"aiohttp", "aiosignal", "frozenlist", "multidict", "yarl", "attrs"}},
      {"node-http", Family::kNode, TableId::kNpm, {"axios", "follow-redirects", "node-fetch"}},
      {"node-express", Family::kNode, TableId::kNpm,
       {"express", "body-parser", "cookie", "qs", "path-to-regexp", "send", "serve-static"}},
      {"node-utils", Family::kNode, TableId::kNpm, {"lodash", "moment", "uuid", "debug", "ms", "semver"}},
      {"java-logging", Family::kJava, TableId::kMaven,
       {"org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-api"}},
  };
  return defs;
}

struct BuiltLayer {
  std::string arn;
  std::string file;  // layers/<name>-<version>.zip
  uint64_t size = 0;
  Family family = Family::kPython;
};

const PackageSpec* find_spec(TableId table, const std::string& name) {
  for (const auto& [group, specs] : package_table(table)) {
    for (const auto& spec : specs) {
      if (spec.name == name) {
        return &spec;
      }
    }
  }
  return nullptr;
}

std::string jar_name(const std::string& coordinates, const std::string& version) {
  return fmt::format("{}-{}.jar", coordinates.substr(coordinates.find(':') + 1), version);
}

Result<std::string> make_jar(const std::string& coordinates, const std::string& version) {
  const std::string group = coordinates.substr(0, coordinates.find(':'));
  const std::string artifact = coordinates.substr(coordinates.find(':') + 1);
  return make_zip(
      {{"META-INF/MANIFEST.MF",
        fmt::format("Manifest-Version: 1.0\nImplementation-Title: {}\nImplementation-Version: {}\n",
                    artifact, version)},
       {fmt::format("META-INF/maven/{}/{}/pom.properties", group, artifact),
        fmt::format("groupId={}\nartifactId={}\nversion={}\n", group, artifact, version)}});
}

// Adds one language package of `table` to a code or layer tree rooted at `prefix`.
Result<void> add_package(std::vector<ArchiveEntry>& entries, TableId table, const std::string& prefix,
                         const std::string& name, const std::string& version,
                         const std::string& python_site) {
  switch (table) {
    case TableId::kPyPI:
      add_python_dist(entries, prefix + python_site, name, version);
      return {};
    case TableId::kNpm:
      add_node_module(entries, prefix + "node_modules", name, version);
      return {};
    case TableId::kMaven: {
      VIGIL_ASSIGN_OR_RETURN(std::string jar, make_jar(name, version));
      entries.push_back({prefix + "lib/" + jar_name(name, version), std::move(jar), 0644});
      return {};
    }
    default:
      return {};
  }
}

Result<std::vector<BuiltLayer>> write_layers(const FleetPlan& plan, const std::filesystem::path& root) {
  std::vector<BuiltLayer> layers;
  const std::string& publisher = plan.accounts[plan.accounts.size() > 1 ? 1 : 0].id;
  for (const LayerDef& def : layer_defs()) {
    // Two published versions per layer: an older one pinning vulnerable versions, a current one.
    for (const int layer_version : {3, 7}) {
      std::vector<ArchiveEntry> entries;
      const std::string prefix = def.family == Family::kPython ? "python/"
                                 : def.family == Family::kNode ? "nodejs/"
                                                               : "java/";
      for (const std::string& name : def.packages) {
        const PackageSpec* spec = find_spec(def.table, name);
        if (spec == nullptr) {
          return fail(Error::internal("simulate: layer {} names unknown package {}", def.name, name));
        }
        const std::string& version =
            layer_version == 3 && !spec->old_version.empty() ? spec->old_version : spec->version;
        VIGIL_TRY(add_package(entries, def.table, prefix, name, version,
                              "lib/python3.11/site-packages"));
      }
      VIGIL_ASSIGN_OR_RETURN(const std::string zip, make_zip(entries));
      BuiltLayer layer;
      layer.file = fmt::format("{}-{}.zip", def.name, layer_version);
      layer.arn = fmt::format("arn:aws:lambda:{}:{}:layer:{}:{}", kRegion, publisher, def.name,
                              layer_version);
      layer.size = zip.size();
      layer.family = def.family;
      VIGIL_TRY(write_file(root / "layers" / layer.file, zip));
      layers.push_back(std::move(layer));
    }
  }
  return layers;
}

std::vector<ArchiveEntry> handler_files(Family family, const std::string& name) {
  switch (family) {
    case Family::kPython:
      return {{"lambda_function.py",
               fmt::format("import json\n\n\ndef lambda_handler(event, context):\n"
                           "    return {{\"statusCode\": 200, \"body\": json.dumps(\"{}\")}}\n",
                           name)}};
    case Family::kNode:
      return {{"index.mjs", fmt::format("export const handler = async (event) => {{\n"
                                        "  return {{ statusCode: 200, body: \"{}\" }};\n}};\n",
                                        name)}};
    case Family::kCustom:
      return {{"bootstrap",
               "#!/bin/sh\nset -euo pipefail\nsource \"$LAMBDA_TASK_ROOT/function.sh\"\n"
               "while true; do\n  HEADERS=\"$(mktemp)\"\n"
               "  EVENT_DATA=$(curl -sS -LD \"$HEADERS\" "
               "\"http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next\")\n"
               "  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id \"$HEADERS\" | tr -d "
               "'[:space:]' | cut -d: -f2)\n"
               "  RESPONSE=$(handler \"$EVENT_DATA\")\n"
               "  curl -sS \"http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/"
               "$REQUEST_ID/response\" -d \"$RESPONSE\"\ndone\n",
               0755},
              {"function.sh", "handler () {\n  echo \"{\\\"ok\\\": true}\"\n}\n", 0644}};
    default:
      return {};
  }
}

}  // namespace

Result<PartStats> write_functions(const FleetPlan& plan, const std::filesystem::path& root) {
  PartStats stats;
  if (plan.options.functions == 0) {
    return stats;
  }
  VIGIL_ASSIGN_OR_RETURN(const std::vector<BuiltLayer> layers, write_layers(plan, root));
  stats.layers = layers.size();
  for (uint64_t index = 0; index < plan.options.functions; ++index) {
    Rng rng(plan.options.seed, (static_cast<uint64_t>(Stream::kFunctions) << 32) + index);
    const size_t account = plan.accounts.size() == 1 ? 0 : 1 + rng.index(plan.accounts.size() - 1);
    const std::string& owner = plan.accounts[account].id;
    uint64_t roll = rng.below(100);
    const RuntimeChoice* choice = &kRuntimes.back();
    for (const auto& candidate : kRuntimes) {
      if (roll < candidate.weight) {
        choice = &candidate;
        break;
      }
      roll -= candidate.weight;
    }
    const std::string environment = rng.percent(65) ? "prod" : "staging";
    const std::string name = fmt::format("{}-{}-{}-{:04}", rng.pick(std::array<std::string_view, 6>{
                                                               "payments", "identity", "search",
                                                               "checkout", "platform", "data"}),
                                         rng.pick(kPurposes), environment, index);
    const uint64_t old_percent = rng.percent(40) ? 70 : 15;
    const std::string arn = fmt::format("arn:aws:lambda:{}:{}:function:{}", kRegion, owner, name);

    ordered_json config;
    config["FunctionName"] = name;
    config["FunctionArn"] = arn;
    const auto dir = root / "functions" / owner / name;
    std::vector<const BuiltLayer*> chosen_layers;
    if (choice->family == Family::kImage) {
      config["Role"] = fmt::format("arn:aws:iam::{}:role/{}-role", owner, name);
      config["CodeSize"] = 0;
      config["PackageType"] = "Image";
    } else {
      std::vector<ArchiveEntry> entries = handler_files(choice->family, name);
      switch (choice->family) {
        case Family::kPython: {
          std::string requirements;
          for (const PackageSpec* spec : pick_some(package_group(TableId::kPyPI, "base"),
                                                   rng.between(2, 6), rng)) {
            const std::string& version = pick_version(*spec, rng, old_percent);
            add_python_dist(entries, "", spec->name, version);
            requirements += fmt::format("{}=={}\n", spec->name, version);
          }
          entries.push_back({"requirements.txt", requirements, 0644});
          break;
        }
        case Family::kNode: {
          ordered_json dependencies = ordered_json::object();
          for (const PackageSpec* spec : pick_some(package_group(TableId::kNpm, "web"),
                                                   rng.between(2, 7), rng)) {
            const std::string& version = pick_version(*spec, rng, old_percent);
            add_node_module(entries, "node_modules", spec->name, version);
            dependencies[spec->name] = "^" + version;
          }
          entries.push_back({"package.json",
                             ordered_json{{"name", name}, {"version", "1.0.0"},
                                          {"type", "module"}, {"dependencies", dependencies}}
                                     .dump(2) + "\n",
                             0644});
          break;
        }
        case Family::kJava:
          for (const PackageSpec* spec : pick_some(package_group(TableId::kMaven, "base"),
                                                   rng.between(3, 7), rng)) {
            VIGIL_TRY(add_package(entries, TableId::kMaven, "", spec->name,
                                  pick_version(*spec, rng, old_percent), ""));
          }
          break;
        case Family::kRuby: {
          std::string specs;
          std::string gemfile = "source \"https://rubygems.org\"\n\n";
          for (const PackageSpec* spec : pick_some(package_group(TableId::kRubyGems, "base"),
                                                   rng.between(2, 6), rng)) {
            specs += fmt::format("    {} ({})\n", spec->name, pick_version(*spec, rng, old_percent));
            gemfile += fmt::format("gem \"{}\"\n", spec->name);
          }
          entries.push_back({"Gemfile", gemfile, 0644});
          entries.push_back({"Gemfile.lock",
                             fmt::format("GEM\n  remote: https://rubygems.org/\n  specs:\n{}\n"
                                         "PLATFORMS\n  x86_64-linux\n\nBUNDLED WITH\n   2.4.19\n",
                                         specs),
                             0644});
          entries.push_back({"lambda_function.rb",
                             "def lambda_handler(event:, context:)\n  { statusCode: 200 }\nend\n",
                             0644});
          break;
        }
        case Family::kDotnet: {
          ordered_json libraries = ordered_json::object();
          ordered_json target = ordered_json::object();
          ordered_json deps = ordered_json::object();
          for (const PackageSpec* spec : pick_some(package_group(TableId::kNuGet, "base"),
                                                   rng.between(2, 5), rng)) {
            const std::string& version = pick_version(*spec, rng, old_percent);
            deps[spec->name] = version;
            libraries[spec->name + "/" + version] = {
                {"type", "package"}, {"serviceable", true},
                {"sha512", "sha512-" + rng.hex(86) + "=="},
                {"path", to_lower(spec->name) + "/" + version}};
          }
          libraries["Function/1.0.0"] = {{"type", "project"}, {"serviceable", false}, {"sha512", ""}};
          target["Function/1.0.0"] = {{"dependencies", deps}, {"runtime", {{"Function.dll", ordered_json::object()}}}};
          entries.push_back(
              {"Function.deps.json",
               ordered_json{{"runtimeTarget", {{"name", ".NETCoreApp,Version=v6.0"}, {"signature", ""}}},
                            {"compilationOptions", ordered_json::object()},
                            {"targets", {{".NETCoreApp,Version=v6.0", target}}},
                            {"libraries", libraries}}
                       .dump(2) + "\n",
               0644});
          entries.push_back({"Function.runtimeconfig.json",
                             "{\n  \"runtimeOptions\": {\n    \"tfm\": \"net6.0\",\n    \"framework\": "
                             "{\n      \"name\": \"Microsoft.NETCore.App\",\n      \"version\": "
                             "\"6.0.0\"\n    }\n  }\n}\n",
                             0644});
          break;
        }
        case Family::kGo:
          entries.push_back({"go.mod",
                             fmt::format("module example.com/{}\n\ngo 1.20\n\nrequire (\n"
                                         "\tgithub.com/aws/aws-lambda-go v1.41.0\n"
                                         "\tgolang.org/x/net {}\n\tgolang.org/x/text {}\n)\n",
                                         name, rng.percent(old_percent) ? "v0.7.0" : "v0.23.0",
                                         rng.percent(old_percent) ? "v0.3.7" : "v0.14.0"),
                             0644});
          entries.push_back({"main.go",
                             "package main\n\nimport \"github.com/aws/aws-lambda-go/lambda\"\n\n"
                             "func handler() (string, error) { return \"ok\", nil }\n\n"
                             "func main() { lambda.Start(handler) }\n",
                             0644});
          break;
        default:
          break;
      }
      VIGIL_ASSIGN_OR_RETURN(const std::string zip, make_zip(entries));
      VIGIL_TRY(write_file(dir / "code.zip", zip));
      // Shared layers of the function's language, 0 to 2 of them.
      std::vector<const BuiltLayer*> candidates;
      for (const auto& layer : layers) {
        if (layer.family == choice->family) {
          candidates.push_back(&layer);
        }
      }
      const uint64_t layer_count = candidates.empty() ? 0 : rng.below(3);
      for (uint64_t i = 0; i < layer_count; ++i) {
        const BuiltLayer* layer = candidates[rng.index(candidates.size())];
        if (std::find(chosen_layers.begin(), chosen_layers.end(), layer) == chosen_layers.end()) {
          chosen_layers.push_back(layer);
        }
      }
      config["Runtime"] = choice->runtime;
      config["Role"] = fmt::format("arn:aws:iam::{}:role/{}-role", owner, name);
      config["Handler"] = choice->family == Family::kPython   ? "lambda_function.lambda_handler"
                          : choice->family == Family::kNode   ? "index.handler"
                          : choice->family == Family::kJava   ? "com.example.Handler::handleRequest"
                          : choice->family == Family::kRuby   ? "lambda_function.lambda_handler"
                          : choice->family == Family::kDotnet ? "Function::Function.Handler::Handle"
                          : choice->family == Family::kGo     ? "main"
                                                              : "function.handler";
      config["CodeSize"] = zip.size();
      config["CodeSha256"] = base64(sha256_raw(zip));
      config["PackageType"] = "Zip";
    }
    config["Description"] = "";
    config["Timeout"] = rng.pick(std::array<int, 4>{3, 15, 30, 300});
    config["MemorySize"] = rng.pick(std::array<int, 4>{128, 256, 512, 1024});
    const int64_t modified = kWorldNow - static_cast<int64_t>(rng.between(3600, 500LL * 86400));
    config["LastModified"] = rfc3339(modified).substr(0, 19) + ".000+0000";
    config["Version"] = "$LATEST";
    config["TracingConfig"] = {{"Mode", "PassThrough"}};
    config["RevisionId"] = fmt::format("{}-{}-{}-{}-{}", rng.hex(8), rng.hex(4), rng.hex(4),
                                       rng.hex(4), rng.hex(12));
    if (!chosen_layers.empty()) {
      ordered_json layer_refs = ordered_json::array();
      for (const BuiltLayer* layer : chosen_layers) {
        layer_refs.push_back({{"Arn", layer->arn}, {"CodeSize", layer->size}});
      }
      config["Layers"] = layer_refs;
    }
    config["State"] = "Active";
    config["LastUpdateStatus"] = "Successful";
    config["Architectures"] = ordered_json::array({rng.percent(25) ? "arm64" : "x86_64"});
    config["EphemeralStorage"] = {{"Size", 512}};
    config["SnapStart"] = {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
    config["LoggingConfig"] = {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + name}};
    VIGIL_TRY(write_file(dir / "configuration.json", config.dump(4) + "\n"));
    stats.documents += 1;
  }
  return stats;
}

}  // namespace vigil::simulate::internal
