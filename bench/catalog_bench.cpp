// Inventory of this machine's root filesystem: catalog(open_directory("/"), default_catalogers())
// with a warm cache (the first, untimed iteration warms it), plus the walk and the dpkg parse
// alone to show where the time goes. Counters: packages found, entries walked.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "inventory/cataloger.hpp"
#include "inventory/catalogers/dpkg_status.hpp"
#include "sources/file_tree.hpp"

namespace {

std::unique_ptr<vigil::sources::FileTree> open_root() {
  auto tree = vigil::sources::open_directory("/");
  if (!tree) {
    return nullptr;
  }
  return std::move(*tree);
}

void BM_CatalogHostRoot(benchmark::State& state) {
  const auto tree = open_root();
  if (!tree) {
    state.SkipWithError("cannot open /");
    return;
  }
  const auto catalogers = vigil::inventory::default_catalogers();
  (void)vigil::inventory::catalog(*tree, catalogers);  // warm the dentry and page caches
  size_t packages = 0;
  for (auto _ : state) {
    const auto inventory = vigil::inventory::catalog(*tree, catalogers);
    packages = inventory.packages.size();
    benchmark::DoNotOptimize(inventory.packages.data());
  }
  state.counters["packages"] = static_cast<double>(packages);
}
BENCHMARK(BM_CatalogHostRoot)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_WalkHostRoot(benchmark::State& state) {
  const auto tree = open_root();
  if (!tree) {
    state.SkipWithError("cannot open /");
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
BENCHMARK(BM_WalkHostRoot)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ParseHostDpkgStatus(benchmark::State& state) {
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
BENCHMARK(BM_ParseHostDpkgStatus)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
