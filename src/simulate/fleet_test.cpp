// End-to-end tests of the simulated fleet: determinism, and that every artefact is consumed by
// the real readers (agent documents, images, function bundles, network bundles, matching).
#include "simulate/fleet.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "inventory/agent_document.hpp"
#include "inventory/cataloger.hpp"
#include "reachability/analyzer.hpp"
#include "reachability/bundle.hpp"
#include "service/pipeline.hpp"
#include "service/surface_scan.hpp"
#include "sources/digest.hpp"
#include "sources/file_tree.hpp"
#include "sources/function_bundle.hpp"
#include "sources/image.hpp"
#include "support/temp_dir.hpp"
#include "vulndb/database.hpp"

namespace vigil::simulate {
namespace {

namespace fs = std::filesystem;

FleetOptions small_fleet(uint64_t seed = 7) {
  FleetOptions options;
  options.accounts = 3;
  options.hosts = 12;
  options.functions = 30;
  options.images = 6;
  options.repos = 3;
  options.seed = seed;
  return options;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// sha256 over every file's relative path and content, in path order.
std::string tree_hash(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).generic_string()] =
          sources::sha256_digest(read_text(entry.path()));
    }
  }
  sources::Sha256 hash;
  for (const auto& [path, digest] : files) {
    hash.update(path + "\n" + digest + "\n");
  }
  return hash.finish();
}

// One generated fleet shared by the tests of this file (generation takes a moment).
class FleetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new vigil::testing::TempDir();
    const auto result = simulate_fleet(small_fleet(), dir_->path() / "fleet");
    ASSERT_TRUE(result) << result.error().message;
    summary_ = *result;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path root() { return dir_->path() / "fleet"; }
  static nlohmann::json organization() {
    return nlohmann::json::parse(read_text(root() / "organization.json"));
  }

  static vigil::testing::TempDir* dir_;
  static FleetSummary summary_;
};
vigil::testing::TempDir* FleetTest::dir_ = nullptr;
FleetSummary FleetTest::summary_;

TEST(FleetDeterminismTest, SameSeedSameBytesOtherSeedDiffers) {
  vigil::testing::TempDir dir;
  ASSERT_TRUE(simulate_fleet(small_fleet(7), dir.path() / "a"));
  ASSERT_TRUE(simulate_fleet(small_fleet(7), dir.path() / "b"));
  ASSERT_TRUE(simulate_fleet(small_fleet(8), dir.path() / "c"));
  EXPECT_EQ(tree_hash(dir.path() / "a"), tree_hash(dir.path() / "b"));
  EXPECT_NE(tree_hash(dir.path() / "a"), tree_hash(dir.path() / "c"));
  EXPECT_FALSE(fs::exists(dir.path() / "a.tmp"));
}

TEST_F(FleetTest, OrganizationNamesRolesAndTwelveDigitAccounts) {
  const auto org = organization();
  ASSERT_EQ(org["accounts"].size(), 3u);
  EXPECT_TRUE(org["organizationId"].get<std::string>().starts_with("o-"));
  EXPECT_EQ(org["accounts"][0]["role"], "MANAGEMENT");
  EXPECT_EQ(org["accounts"][1]["role"], "DELEGATED_ADMINISTRATOR");
  EXPECT_EQ(org["delegatedAdministrator"]["accountId"], org["accounts"][1]["accountId"]);
  for (const auto& account : org["accounts"]) {
    const std::string id = account["accountId"];
    EXPECT_EQ(id.size(), 12u);
    EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }));
    EXPECT_EQ(account["resourceState"]["ec2"]["status"], "ENABLED");
  }
}

TEST_F(FleetTest, HostDocumentsParseAndMatchTheInstanceLists) {
  size_t documents = 0;
  size_t packages = 0;
  std::set<std::string> documented;
  for (const auto& entry : fs::recursive_directory_iterator(root() / "hosts")) {
    if (!entry.is_regular_file()) {
      continue;
    }
    const auto document = inventory::parse_agent_document(read_text(entry.path()));
    ASSERT_TRUE(document) << entry.path() << ": " << document.error().message;
    EXPECT_EQ(entry.path().parent_path().filename(), document->host.account_id);
    EXPECT_TRUE(document->inventory.os.id == "amzn" || document->inventory.os.id == "ubuntu");
    EXPECT_GT(document->inventory.packages.size(), 200u);
    for (const auto& package : document->inventory.packages) {
      EXPECT_FALSE(package.purl.empty()) << package.name;
      if (model::is_os_ecosystem(package.ecosystem)) {
        EXPECT_EQ(package.distro_release, document->inventory.os.id == "amzn" ? "2023" : "22.04");
      }
    }
    documented.insert(document->host.instance_id);
    packages += document->inventory.packages.size();
    ++documents;
  }
  EXPECT_EQ(documents, summary_.host_documents);
  EXPECT_EQ(packages, summary_.host_packages);
  EXPECT_EQ(summary_.host_documents + summary_.hosts_unmanaged, summary_.hosts);

  // Every instance, with or without an agent, is in its account's describe-instances.
  size_t listed = 0;
  const auto org = organization();
  for (const auto& account : org["accounts"]) {
    const auto instances = nlohmann::json::parse(
        read_text(root() / "network" / account["accountId"].get<std::string>() / "describe-instances.json"));
    for (const auto& reservation : instances["Reservations"]) {
      for (const auto& instance : reservation["Instances"]) {
        ++listed;
        documented.erase(instance["InstanceId"].get<std::string>());
      }
    }
  }
  EXPECT_EQ(listed, summary_.hosts);
  EXPECT_TRUE(documented.empty());
}

TEST_F(FleetTest, NetworkBundlesAnalyzeWithInternetExposedWebAndBastions) {
  size_t instances = 0;
  size_t internet = 0;
  const auto org = organization();
  for (const auto& account : org["accounts"]) {
    const auto tree = sources::open_directory(root() / "network" / account["accountId"].get<std::string>());
    ASSERT_TRUE(tree);
    const auto env = reachability::load_bundle(**tree);
    ASSERT_TRUE(env) << env.error().message;
    for (const auto& diagnostic : env->diagnostics) {
      EXPECT_EQ(diagnostic.level, model::DiagnosticLevel::kInfo) << diagnostic.where << ": " << diagnostic.message;
    }
    const auto analysis = reachability::analyze(*env);
    for (const auto& instance : analysis.instances) {
      EXPECT_TRUE(instance.complete) << instance.instance_id;
      internet += instance.reachability == reachability::ReachabilityClass::kInternet ? 1u : 0u;
    }
    instances += analysis.instances.size();
  }
  EXPECT_EQ(instances, summary_.hosts);
  EXPECT_GT(internet, 0u);
  EXPECT_LT(internet, instances);
}

TEST_F(FleetTest, ImagesOpenAndCatalogOsAndLanguagePackages) {
  const auto repositories = nlohmann::json::parse(read_text(root() / "repositories.json"));
  ASSERT_EQ(repositories["repositories"].size(), 3u);
  const auto catalogers = inventory::default_catalogers();
  size_t images = 0;
  for (const auto& repository : repositories["repositories"]) {
    const std::string frequency = repository["scanFrequency"];
    EXPECT_TRUE(frequency == "SCAN_ON_PUSH" || frequency == "CONTINUOUS_SCAN" || frequency == "MANUAL");
    for (const auto& image : repository["images"]) {
      sources::ImageTarget target;
      target.kind = sources::ImageTarget::Kind::kOciLayout;
      target.location = (root() / image["path"].get<std::string>()).string();
      sources::ImageOptions options;
      options.allow_partial = false;
      const auto scan = service::scan_image(target, options, catalogers, false);
      ASSERT_TRUE(scan) << target.location << ": " << scan.error().message;
      EXPECT_EQ(scan->image.manifest_digest, image["imageDigest"]);
      EXPECT_TRUE(scan->inventory.complete);
      size_t os_packages = 0;
      size_t language_packages = 0;
      for (const auto& package : scan->inventory.packages) {
        (model::is_os_ecosystem(package.ecosystem) ? os_packages : language_packages) += 1;
      }
      EXPECT_GE(os_packages, 14u) << target.location;  // alpine:3.11 has 14
      EXPECT_GE(language_packages, 2u) << target.location;
      EXPECT_TRUE(scan->inventory.os.id == "alpine" || scan->inventory.os.id == "debian" ||
                  scan->inventory.os.id == "ubuntu");
      ++images;
    }
  }
  EXPECT_EQ(images, summary_.images);
}

TEST_F(FleetTest, FunctionsOpenWithTheirCodeAndSharedLayers) {
  const auto catalogers = inventory::default_catalogers();
  auto scanner = service::FunctionScanner::create({}, catalogers);
  ASSERT_TRUE(scanner);
  size_t functions = 0;
  size_t with_packages = 0;
  size_t layer_uses = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root() / "functions")) {
    if (entry.path().filename() != "configuration.json") {
      continue;
    }
    ++functions;
    const auto config = sources::parse_function_config(read_text(entry.path()));
    ASSERT_TRUE(config) << entry.path();
    if (config->package_type == "Image") {
      continue;
    }
    std::vector<fs::path> layer_zips;
    for (const auto& layer : config->layers) {
      // arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION -> layers/NAME-VERSION.zip
      const size_t version_colon = layer.arn.rfind(':');
      const size_t name_colon = layer.arn.rfind(':', version_colon - 1);
      layer_zips.push_back(root() / "layers" /
                           (layer.arn.substr(name_colon + 1, version_colon - name_colon - 1) + "-" +
                            layer.arn.substr(version_colon + 1) + ".zip"));
      EXPECT_EQ(fs::file_size(layer_zips.back()), layer.code_size);
      ++layer_uses;
    }
    const auto inventory = (*scanner)->scan(*config, entry.path().parent_path() / "code.zip", layer_zips);
    ASSERT_TRUE(inventory) << entry.path() << ": " << inventory.error().message;
    EXPECT_TRUE(inventory->complete) << entry.path();
    with_packages += inventory->packages.empty() ? 0u : 1u;
  }
  EXPECT_EQ(functions, summary_.functions);
  EXPECT_GT(with_packages, functions / 2);
  EXPECT_GT(layer_uses, 0u);
}

TEST_F(FleetTest, HostsMatchTheSharedAlasAndUbuntuAdvisories) {
  const fs::path shared = fs::path(VIGIL_SHARED_DIR) / "data/format-fixtures/vuls-data-update";
  const fs::path alas = shared / "amazon/updateinfo_2023.xml.gz";
  const fs::path ubuntu = shared / "ubuntu/osv/happy/osv-all.tar.xz";
  if (!fs::exists(alas) || !fs::exists(ubuntu)) {
    GTEST_SKIP() << "shared reference data not present";
  }
  vigil::testing::TempDir db_dir;
  {
    auto database = vulndb::Database::open(db_dir.path(), true);
    ASSERT_TRUE(database);
    const auto imported = vulndb::import_paths(**database, {alas, ubuntu});
    ASSERT_TRUE(imported) << imported.error().message;
  }
  auto pipeline = service::Pipeline::open(db_dir.path());
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  std::map<std::string, size_t> findings_by_os;
  for (const auto& entry : fs::recursive_directory_iterator(root() / "hosts")) {
    if (!entry.is_regular_file()) {
      continue;
    }
    auto document = inventory::parse_agent_document(read_text(entry.path()));
    ASSERT_TRUE(document);
    service::ResourceContext context;
    context.account_id = document->host.account_id;
    context.resource_id = document->host.instance_id;
    const std::string os = document->inventory.os.id;
    const auto scan = (*pipeline)->scan_inventory(std::move(document->inventory), context);
    ASSERT_TRUE(scan) << scan.error().message;
    findings_by_os[os] += scan->findings.size();
  }
  EXPECT_GT(findings_by_os["amzn"], 0u);
  size_t total = 0;
  for (const auto& [os, count] : findings_by_os) {
    total += count;
  }
  EXPECT_GT(total, 0u);
}

TEST(FleetOutputTest, RefusesANonEmptyOutputUnlessForced) {
  vigil::testing::TempDir dir;
  const fs::path out = dir.path() / "out";
  fs::create_directories(out);
  std::ofstream(out / "keep.txt") << "user data";
  const auto refused = simulate_fleet(small_fleet(), out);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(fs::exists(out / "keep.txt"));
  EXPECT_FALSE(fs::exists(dir.path() / "out.tmp"));

  FleetOptions forced = small_fleet();
  forced.force = true;
  ASSERT_TRUE(simulate_fleet(forced, out));
  EXPECT_FALSE(fs::exists(out / "keep.txt"));
  EXPECT_TRUE(fs::exists(out / "organization.json"));

  // An empty directory is fine without --force.
  fs::create_directories(dir.path() / "empty");
  EXPECT_TRUE(simulate_fleet(small_fleet(), dir.path() / "empty"));
}

TEST(FleetOutputTest, UnwritableOutputFailsCleanly) {
  const auto result = simulate_fleet(small_fleet(), "/proc/vigil-simulate-test/out");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
  EXPECT_NE(result.error().message.find("/proc/vigil-simulate-test/out.tmp"), std::string::npos);
}

TEST(FleetOutputTest, AFileInTheWayIsAConflict) {
  vigil::testing::TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  const auto result = simulate_fleet(small_fleet(), dir.path() / "file");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
}

TEST(FleetOutputTest, ForeignTmpDirectoryIsNotRemoved) {
  vigil::testing::TempDir dir;
  fs::create_directories(dir.path() / "out.tmp");
  std::ofstream(dir.path() / "out.tmp" / "mine") << "x";
  const auto result = simulate_fleet(small_fleet(), dir.path() / "out");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(fs::exists(dir.path() / "out.tmp" / "mine"));
}

TEST(FleetOptionsTest, RejectsOutOfRangeCounts) {
  const std::vector<std::pair<FleetOptions, std::string>> cases = [] {
    std::vector<std::pair<FleetOptions, std::string>> out;
    FleetOptions none = small_fleet();
    none.accounts = 0;
    out.emplace_back(none, "--accounts");
    FleetOptions hosts = small_fleet();
    hosts.hosts = kMaxResources + 1;
    out.emplace_back(hosts, "--hosts");
    FleetOptions repos = small_fleet();
    repos.repos = 0;
    out.emplace_back(repos, "--repos");
    return out;
  }();
  for (const auto& [options, flag] : cases) {
    const auto result = validate_options(options);
    ASSERT_FALSE(result) << flag;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().message.find(flag), std::string::npos) << result.error().message;
  }
}

}  // namespace
}  // namespace vigil::simulate
