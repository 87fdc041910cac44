// Inventory of a root filesystem: catalog(open_directory(root), default_catalogers()) with a
// warm cache (the first, untimed iteration warms it), plus the walk and the dpkg parse alone to
// show where the time goes. Counters: packages found, entries walked, CPU seconds per catalog.
//
// The root is this machine's "/" unless VIGIL_BENCH_ROOT names another directory (e.g. a bind
// mount of /usr /etc /var /opt, to catalog a full Debian root without /proc and /home).
// `vigil_catalog_bench --dump` prints the cataloged components ("name\tversion\tpurl", sorted)
// instead of benchmarking: compare two builds' output to check an optimisation changed nothing.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "inventory/cataloger.hpp"
#include "inventory/catalogers/dpkg_status.hpp"
#include "sources/file_tree.hpp"

namespace {

std::string bench_root() {
  const char* root = std::getenv("VIGIL_BENCH_ROOT");
  return root != nullptr && *root != '\0' ? std::string(root) : std::string("/");
}

std::unique_ptr<vigil::sources::FileTree> open_root() {
  auto tree = vigil::sources::open_directory(bench_root());
  if (!tree) {
    return nullptr;
  }
  return std::move(*tree);
}

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void BM_CatalogRoot(benchmark::State& state) {
  const auto tree = open_root();
  if (!tree) {
    state.SkipWithError("cannot open the root");
    return;
  }
  const auto catalogers = vigil::inventory::default_catalogers();
  (void)vigil::inventory::catalog(*tree, catalogers);  // warm the dentry and page caches
  size_t packages = 0;
  const double cpu_start = cpu_seconds();
  for (auto _ : state) {
    const auto inventory = vigil::inventory::catalog(*tree, catalogers);
    packages = inventory.packages.size();
    benchmark::DoNotOptimize(inventory.packages.data());
  }
  state.counters["packages"] = static_cast<double>(packages);
  state.counters["cpu_s"] =
      (cpu_seconds() - cpu_start) / static_cast<double>(std::max<int64_t>(state.iterations(), 1));
}
BENCHMARK(BM_CatalogRoot)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_WalkRoot(benchmark::State& state) {
  const auto tree = open_root();
  if (!tree) {
    state.SkipWithError("cannot open the root");
    return;
  }
  size_t entries = 0;
  for (auto _ : state) {
    entries = 0;
    const auto walked = tree->walk([&](const vigil::sources::FileInfo&) {
      ++entries;
      return true;
    });
    benchmark::DoNotOptimize(walked.has_value());
  }
  state.counters["entries"] = static_cast<double>(entries);
}
BENCHMARK(BM_WalkRoot)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ParseDpkgStatus(benchmark::State& state) {
  const auto tree = open_root();
  const auto text = tree ? tree->read("var/lib/dpkg/status") : vigil::Result<std::string>{};
  if (!tree || !text) {
    state.SkipWithError("no var/lib/dpkg/status");
    return;
  }
  size_t packages = 0;
  for (auto _ : state) {
    std::vector<vigil::model::Diagnostic> diagnostics;
    const auto parsed =
        vigil::inventory::parse_dpkg_status(*text, "var/lib/dpkg/status", false, diagnostics);
    packages = parsed.size();
    benchmark::DoNotOptimize(parsed.data());
  }
  state.counters["packages"] = static_cast<double>(packages);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text->size()));
}
BENCHMARK(BM_ParseDpkgStatus)->Unit(benchmark::kMicrosecond);

// --dump: the components and diagnostics of one catalog of the root, sorted, on stdout.
int dump() {
  const auto tree = open_root();
  if (!tree) {
    std::fprintf(stderr, "cannot open %s\n", bench_root().c_str());
    return 1;
  }
  const auto inventory = vigil::inventory::catalog(*tree, vigil::inventory::default_catalogers());
  std::vector<std::string> lines;
  for (const auto& package : inventory.packages) {
    std::string line = package.name + '\t' + package.version + '\t' + package.purl;
    for (const auto& location : package.locations) {
      line += '\t' + location;
    }
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> diagnostics;
  for (const auto& diagnostic : inventory.diagnostics) {
    diagnostics.push_back("diagnostic\t" + diagnostic.where + '\t' + diagnostic.message);
  }
  std::sort(diagnostics.begin(), diagnostics.end());
  for (const auto& line : lines) {
    std::printf("%s\n", line.c_str());
  }
  for (const auto& line : diagnostics) {
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--dump") == 0) {
    return dump();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
