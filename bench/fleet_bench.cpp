// The fleet service at seed scale: 400 hosts x ~600 packages over 3 accounts, ingested as agent
// documents into a temporary data directory, plus the seed fleet's 1,800 functions (with their
// shared layers) and 200 images in 35 repositories from `vigil simulate fleet`, collected by the
// service itself; all matched against every shared advisory set. Then a full re-match after a
// database update and an incremental update of 100 changed advisories, both worked by 2 scan
// threads. Prints timings, findings, store size and peak RSS. VIGIL_FLEET_BENCH_HOSTS_ONLY=1
// leaves out the functions and images.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "inventory/agent_document.hpp"
#include "service/fleet_service.hpp"
#include "simulate/fleet.hpp"
#include "sources/digest.hpp"
#include "vulndb/database.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds (user + system) of the whole process so far: with other work on the machine, a
// phase's CPU time is steadier than its wall time.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

std::uintmax_t directory_bytes(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      total += entry.file_size();
    }
  }
  return total;
}

template <class T>
T must(vigil::Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "%s: %s\n", what, result.error().message.c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

// Package instances named after the advisories' own packages, at a fixed version (85%) or a
// vulnerable boundary version (15%), one per (ecosystem, name, release).
std::vector<vigil::model::Package> package_pool(vigil::vulndb::Database& db) {
  std::vector<vigil::model::Package> pool;
  std::mt19937_64 pick(7);
  (void)db.for_each_affected([&](const vigil::vulndb::AffectedRow& row) {
    std::string fixed;
    std::string vulnerable;
    for (const auto& range : row.package->ranges) {
      if (range.type == vigil::model::RangeType::kGit) {
        continue;
      }
      for (const auto& event : range.events) {
        if (event.kind == vigil::model::EventKind::kFixed) {
          fixed = event.version;
        } else if (event.version != "0") {
          vulnerable = event.version;
        }
      }
    }
    const bool patched = !fixed.empty() && (vulnerable.empty() || pick() % 100 < 85);
    const std::string& version = patched ? fixed : vulnerable;
    if (version.empty()) {
      return;
    }
    vigil::model::Package package;
    package.ecosystem = row.package->ecosystem.ecosystem;
    package.name = row.package->name;
    package.version = version;
    package.distro_release = row.package->ecosystem.release;
    if (vigil::model::is_os_ecosystem(package.ecosystem)) {
      package.source_name = package.name;
      package.source_version = version;
    }
    package.locations = {"/bench/" + package.distro_release + "/" + package.name};
    pool.push_back(std::move(package));
  });
  std::sort(pool.begin(), pool.end(), [](const auto& lhs, const auto& rhs) {
    return std::tie(lhs.ecosystem, lhs.name, lhs.distro_release) <
           std::tie(rhs.ecosystem, rhs.name, rhs.distro_release);
  });
  pool.erase(std::unique(pool.begin(), pool.end(),
                         [](const auto& lhs, const auto& rhs) {
                           return lhs.ecosystem == rhs.ecosystem && lhs.name == rhs.name &&
                                  lhs.distro_release == rhs.distro_release;
                         }),
             pool.end());
  std::mt19937_64 rng(42);
  std::shuffle(pool.begin(), pool.end(), rng);
  pool.resize(std::min<size_t>(pool.size(), 20000));
  return pool;
}

std::string osv_advisory(const std::string& id, const vigil::model::Package& package) {
  const std::string ecosystem =
      std::string(vigil::model::ecosystem_name(package.ecosystem)) +
      (package.distro_release.empty() ? "" : ":" + package.distro_release);
  nlohmann::json advisory{
      {"schema_version", "1.6.0"},
      {"id", id},
      {"modified", "2025-10-10T00:00:00Z"},
      {"published", "2025-10-10T00:00:00Z"},
      {"summary", "benchmark advisory"},
      {"severity", {{{"type", "CVSS_V3"}, {"score", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}},
      {"affected",
       {{{"package", {{"ecosystem", ecosystem}, {"name", package.name}}},
         {"versions", {package.version}}}}}};
  return advisory.dump();
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Simulates the seed fleet's functions and images under `out` and registers them with the
// service (as scripts/load-fleet.py does through the API); the service collects and scans them.
std::pair<size_t, size_t> register_functions_and_images(vigil::service::FleetService& service,
                                                        const fs::path& out) {
  vigil::simulate::FleetOptions options;
  options.hosts = 0;
  must(vigil::simulate::simulate_fleet(options, out), "simulate fleet");
  size_t images = 0;
  const auto repositories = nlohmann::json::parse(read_text(out / "repositories.json"));
  for (const auto& repo : repositories.at("repositories")) {
    vigil::service::RepositorySettings settings;
    settings.account_id = repo.at("registryId").get<std::string>();
    settings.name = repo.at("repositoryName").get<std::string>();
    settings.scan_frequency = repo.at("scanFrequency").get<std::string>();
    must(service.put_repository(settings), "put_repository");
    for (const auto& image : repo.at("images")) {
      vigil::service::ImageRegistration registration;
      registration.account_id = settings.account_id;
      registration.repository = settings.name;
      registration.source = "oci:" + (out / image.at("path").get<std::string>()).string();
      registration.digest = image.at("imageDigest").get<std::string>();
      registration.tags = {image.at("imageTag").get<std::string>()};
      must(service.register_image(registration), "register_image");
      ++images;
    }
  }
  std::vector<fs::path> configs;
  for (const auto& entry : fs::recursive_directory_iterator(out / "functions")) {
    if (entry.path().filename() == "configuration.json") {
      configs.push_back(entry.path());
    }
  }
  std::sort(configs.begin(), configs.end());
  for (const auto& config_path : configs) {
    vigil::service::FunctionRegistration function;
    function.account_id = config_path.parent_path().parent_path().filename().string();
    function.config_json = read_text(config_path);
    const auto config = nlohmann::json::parse(function.config_json);
    if (fs::exists(config_path.parent_path() / "code.zip")) {
      function.code_zip = config_path.parent_path() / "code.zip";
    }
    for (const auto& layer : config.value("Layers", nlohmann::json::array())) {
      const std::string arn = layer.at("Arn").get<std::string>();
      const auto version_colon = arn.rfind(':');
      const auto name_colon = arn.rfind(':', version_colon - 1);
      function.layer_zips.push_back(out / "layers" /
                                    (arn.substr(name_colon + 1, version_colon - name_colon - 1) +
                                     "-" + arn.substr(version_colon + 1) + ".zip"));
    }
    must(service.register_function(function), "register_function");
  }
  return {configs.size(), images};
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear as they happen
  const fs::path root = fs::temp_directory_path() / ("vigil-fleet-bench-" + std::to_string(getpid()));
  fs::remove_all(root);
  const fs::path db_dir = root / "vulndb";
  const std::string shared = VIGIL_SHARED_DIR;
  if (!fs::exists(shared + "/data/osv")) {
    std::fprintf(stderr, "shared data not found at %s\n", shared.c_str());
    return 0;
  }
  auto start = Clock::now();
  std::vector<vigil::model::Package> pool;
  {
    auto db = must(vigil::vulndb::Database::open(db_dir, true), "open vulndb");
    must(vigil::vulndb::import_paths(
             *db, {shared + "/data/osv", shared + "/data/alpine-secdb/json", shared + "/data/nvd",
                   shared + "/data/kev", shared + "/data/format-fixtures/vuls-data-update/amazon"}),
         "import");
    pool = package_pool(*db);
  }
  std::printf("vulndb import: %.1f s, package pool %zu\n", seconds_since(start), pool.size());

  vigil::service::FleetConfig config;
  config.data_dir = root / "data";
  config.vulndb_dir = db_dir;
  config.workers = 2;
  config.organization_id = "o-benchmark01";
  config.delegated_admin = "999999999999";
  vigil::service::FleetOptions options;
  options.scheduler = false;
  auto service = must(vigil::service::FleetService::open(config, std::move(options)), "open service");

  // 400 hosts over 3 accounts: each account's hosts share a base of 400 packages, plus 200 of
  // their own drawn from the rest of the pool.
  const char* accounts[] = {"111111111111", "222222222222", "333333333333"};
  std::mt19937_64 rng(1);
  const size_t base_size = 400;
  start = Clock::now();
  size_t package_count = 0;
  const char* hosts_env = std::getenv("VIGIL_FLEET_BENCH_HOSTS");
  const size_t hosts = hosts_env != nullptr ? std::strtoul(hosts_env, nullptr, 10) : 400;
  for (size_t host = 0; host < hosts; ++host) {
    const size_t account = host % 3;
    vigil::inventory::AgentDocument document;
    document.host.hostname = "host" + std::to_string(host);
    document.host.machine_id =
        std::string(vigil::sources::digest_hex(vigil::sources::sha256_digest(document.host.hostname)))
            .substr(0, 32);
    document.host.instance_id = fmt::format("i-{:017x}", host + 1);
    document.host.account_id = accounts[account];
    document.host.region = "us-east-1";
    document.inventory.target = "/";
    document.inventory.os.id = "amzn";
    document.inventory.os.version_id = "2023";
    const size_t base_start = account * base_size;
    for (size_t idx = 0; idx < base_size; ++idx) {
      document.inventory.packages.push_back(pool[(base_start + idx) % pool.size()]);
    }
    std::set<size_t> extra;
    while (extra.size() < 200) {
      extra.insert(3 * base_size + rng() % (pool.size() - 3 * base_size));
    }
    for (const size_t idx : extra) {
      document.inventory.packages.push_back(pool[idx]);
    }
    package_count += document.inventory.packages.size();
    document.collected_at = "2025-10-10T00:00:00Z";
    document.agent_version = "bench";
    must(service->ingest_agent_document(vigil::inventory::write_agent_document(document)), "ingest");
  }
  const char* hosts_only = std::getenv("VIGIL_FLEET_BENCH_HOSTS_ONLY");
  if (hosts_only == nullptr || std::string(hosts_only) != "1") {
    const auto [functions, images] = register_functions_and_images(*service, root / "seed-fleet");
    std::printf("registered %zu functions and %zu images of the seed fleet\n", functions, images);
  }
  const double ingest_s = seconds_since(start);
  service->wait_idle(std::chrono::minutes(30));
  const double initial_s = seconds_since(start);
  const auto total = must(service->store().count_findings({}, {}), "count");
  for (const auto& [reason, count] :
       must(service->store().coverage_statistics({}, {}, "SCAN_STATUS_REASON"), "coverage")) {
    std::printf("coverage %s: %lld\n", reason.c_str(), static_cast<long long>(count));
  }
  std::printf("ingest %zu hosts (%zu packages) and the rest: %.2f s; initial scans done after %.2f s; %lld findings\n",
              hosts, package_count, ingest_s, initial_s, static_cast<long long>(total));

  // Full re-match after a database update.
  start = Clock::now();
  double cpu_start = cpu_seconds();
  const auto full = must(service->rematch_all(), "rematch_all");
  service->wait_idle(std::chrono::minutes(30));
  std::printf("full re-match: %zu resources in %.2f s, %.2f CPU s (target < 10 s)\n",
              full.jobs_enqueued, seconds_since(start), cpu_seconds() - cpu_start);

  // 100 changed advisories on packages from the hosts' own (non-base) sets; more rounds (each
  // on other packages) with VIGIL_FLEET_BENCH_ROUNDS, e.g. to profile the incremental path.
  const char* rounds_env = std::getenv("VIGIL_FLEET_BENCH_ROUNDS");
  const size_t rounds = rounds_env != nullptr ? std::strtoul(rounds_env, nullptr, 10) : 1;
  for (size_t round = 0; round < rounds; ++round) {
    const fs::path feed = root / fmt::format("feed-{}", round);
    fs::create_directories(feed);
    for (size_t idx = 0; idx < 100; ++idx) {
      const auto& package =
          pool[3 * base_size + (idx * 97 + round * 31) % (pool.size() - 3 * base_size)];
      const std::string id = fmt::format("VIGIL-BENCH-{}-{}", round, idx);
      std::ofstream(feed / (id + ".json")) << osv_advisory(id, package);
    }
    {
      auto db = must(vigil::vulndb::Database::open(db_dir, false), "open vulndb");
      must(vigil::vulndb::import_paths(*db, {feed}), "import changes");
    }
    start = Clock::now();
    cpu_start = cpu_seconds();
    const auto incremental = must(service->on_vulndb_updated(), "on_vulndb_updated");
    const double queued_s = seconds_since(start);
    const double queued_cpu = cpu_seconds() - cpu_start;
    service->wait_idle(std::chrono::minutes(30));
    std::printf(
        "incremental: %zu advisories, %zu keys -> %zu resources affected, %zu re-matched; queued "
        "in %.2f s (%.2f CPU s), done in %.2f s, %.2f CPU s (target < 1 s)\n",
        incremental.changed_advisories, incremental.changed_keys, incremental.resources_affected,
        incremental.jobs_enqueued, queued_s, queued_cpu, seconds_since(start),
        cpu_seconds() - cpu_start);
  }
  std::printf("findings now %lld; store %.1f MiB; peak RSS %ld MiB\n",
              static_cast<long long>(must(service->store().count_findings({}, {}), "count")),
              static_cast<double>(directory_bytes(config.data_dir)) / (1024.0 * 1024.0),
              peak_rss_mib());
  service->stop();
  service.reset();
  fs::remove_all(root);
  return 0;
}
