// Matching at seed scale: the match index over every shared advisory set (load time and memory),
// and 500,000 package instances (400 hosts x ~600 packages, 1,800 functions, 200 images — many
// identical packages across resources) matched against it on one core.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "matcher/matcher.hpp"
#include "vulndb/database.hpp"

namespace {

namespace fs = std::filesystem;

long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Builds (once) a database holding every shared advisory set.
const fs::path& shared_db() {
  static const fs::path dir = [] {
    const fs::path path = fs::temp_directory_path() / ("vigil-match-bench-" + std::to_string(getpid()));
    fs::remove_all(path);
    auto db = vigil::vulndb::Database::open(path, true).value();
    const std::string shared = VIGIL_SHARED_DIR;
    const auto summary = vigil::vulndb::import_paths(
        *db, {shared + "/data/osv", shared + "/data/alpine-secdb/json", shared + "/data/nvd",
              shared + "/data/kev", shared + "/data/format-fixtures/vuls-data-update/amazon"});
    if (!summary) {
      std::fprintf(stderr, "import failed: %s\n", summary.error().message.c_str());
      std::abort();
    }
    return path;
  }();
  return dir;
}

void BM_IndexLoad(benchmark::State& state) {
  auto db = vigil::vulndb::Database::open(shared_db(), false).value();
  size_t entries = 0;
  long memory = 0;
  for (auto _ : state) {
    const long before = rss_kib();
    auto index = vigil::matcher::MatchIndex::load(*db).value();
    memory = std::max(memory, rss_kib() - before);
    entries = index.entry_count();
    benchmark::DoNotOptimize(index);
  }
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["rss_delta_MiB"] = static_cast<double>(memory) / 1024.0;
}
BENCHMARK(BM_IndexLoad)->Unit(benchmark::kMillisecond)->Iterations(3);

// Package instances drawn from the advisories' own package names, with versions around their
// range boundaries, so a realistic share of them match.
std::vector<vigil::model::Inventory> fleet(size_t instances) {
  auto db = vigil::vulndb::Database::open(shared_db(), false).value();
  std::vector<vigil::model::Package> distinct;
  std::mt19937_64 pick(7);
  (void)db->for_each_affected([&](const vigil::vulndb::AffectedRow& row) {
    // A realistic fleet is mostly patched: 85% of the instances carry the newest fixed version
    // an advisory names (other advisories may still apply), 15% a vulnerable boundary version.
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
    package.source_name = row.package->name;
    package.version = version;
    package.source_version = version;
    package.distro_release = row.package->ecosystem.release;
    distinct.push_back(std::move(package));
  });
  // One version per package name (a host has one openssl), then ~20,000 distinct packages
  // repeated across 2,600 resources like a real fleet.
  std::sort(distinct.begin(), distinct.end(), [](const auto& lhs, const auto& rhs) {
    return std::tie(lhs.ecosystem, lhs.name, lhs.distro_release) <
           std::tie(rhs.ecosystem, rhs.name, rhs.distro_release);
  });
  distinct.erase(std::unique(distinct.begin(), distinct.end(),
                             [](const auto& lhs, const auto& rhs) {
                               return lhs.ecosystem == rhs.ecosystem && lhs.name == rhs.name &&
                                      lhs.distro_release == rhs.distro_release;
                             }),
                 distinct.end());
  std::mt19937_64 rng(42);
  std::shuffle(distinct.begin(), distinct.end(), rng);
  distinct.resize(std::min<size_t>(distinct.size(), 20000));
  std::vector<vigil::model::Inventory> out(2600);
  for (size_t idx = 0; idx < instances; ++idx) {
    out[idx % out.size()].packages.push_back(distinct[rng() % distinct.size()]);
  }
  return out;
}

size_t distinct_count(const std::vector<vigil::model::Inventory>& inventories) {
  std::set<std::string> keys;
  for (const auto& inventory : inventories) {
    for (const auto& package : inventory.packages) {
      keys.insert(package.name + "@" + package.version + "/" + package.distro_release);
    }
  }
  return keys.size();
}

void BM_MatchFleet(benchmark::State& state) {
  auto db = vigil::vulndb::Database::open(shared_db(), false).value();
  const auto index = vigil::matcher::MatchIndex::load(*db).value();
  const auto inventories = fleet(500000);
  size_t matches = 0;
  for (auto _ : state) {
    vigil::matcher::MatchCache cache;
    matches = 0;
    for (const auto& inventory : inventories) {
      matches += vigil::matcher::match(inventory, index, &cache).matches.size();
    }
  }
  state.counters["instances"] = 500000;
  state.counters["distinct"] = static_cast<double>(distinct_count(inventories));
  state.counters["matches"] = static_cast<double>(matches);
}
BENCHMARK(BM_MatchFleet)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
