// Image and function-bundle scanning speed.
//
//   vigil_image_bench scan TARGET [--cache DIR] [--no-diff-ids] [--inventory-cache]
//     One image scan (open + catalog + layer attribution) in this process; prints the wall and
//     CPU time, the layer counters, packages found and the process's peak RSS. With
//     --inventory-cache it runs service::scan_image, which also keeps whole inventories.
//     bench/image_bench.sh runs it cold (empty cache) and warm against `gzip -dc` on the same
//     layer blobs.
//   vigil_image_bench [benchmark flags]
//     BM_FunctionBundles: 100 function bundles sharing 5 layer zips, scanned by one
//     FunctionScanner; the counters show each layer read, indexed and cataloged once.
//     BM_WarmImageScan: a warm scan of $VIGIL_BENCH_IMAGE (skipped when unset).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "service/surface_scan.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_builder.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto ms = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int scan_once(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: vigil_image_bench scan TARGET [--cache DIR] [--no-diff-ids]\n");
    return 2;
  }
  vigil::sources::ImageOptions options;
  bool inventory_cache = false;
  for (int idx = 3; idx < argc; ++idx) {
    if (std::strcmp(argv[idx], "--inventory-cache") == 0) {
      inventory_cache = true;
    }
    if (std::strcmp(argv[idx], "--cache") == 0 && idx + 1 < argc) {
      options.cache_dir = fs::path(argv[++idx]);
    } else if (std::strcmp(argv[idx], "--no-diff-ids") == 0) {
      options.verify_diff_ids = false;
    }
  }
  const auto target = vigil::sources::parse_image_target(argv[2]);
  if (!target) {
    std::fprintf(stderr, "%s\n", target.error().message.c_str());
    return 2;
  }
  const auto catalogers = vigil::inventory::default_catalogers();
  if (inventory_cache) {
    const auto start = Clock::now();
    const double cpu_start = cpu_ms();
    auto scan = vigil::service::scan_image(*target, options, catalogers);
    if (!scan) {
      std::fprintf(stderr, "%s\n", scan.error().message.c_str());
      return 1;
    }
    std::printf(
        "scan_ms=%.1f cpu_ms=%.1f inventory_from_cache=%d indexed=%zu cached=%zu "
        "packages=%zu peak_rss_mib=%.1f\n",
        std::chrono::duration<double, std::milli>(Clock::now() - start).count(),
        cpu_ms() - cpu_start, scan->inventory_from_cache ? 1 : 0, scan->stats.layers_indexed,
        scan->stats.layers_cached, scan->inventory.packages.size(), peak_rss_mib());
    return 0;
  }
  auto wanted = vigil::service::wanted_files(catalogers);
  options.wanted = std::move(wanted.wanted);
  options.want_key = std::move(wanted.key);
  const auto start = Clock::now();
  const double cpu_start = cpu_ms();
  auto image = vigil::sources::open_image(*target, options);
  const double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const double open_cpu = cpu_ms() - cpu_start;
  if (!image) {
    std::fprintf(stderr, "%s\n", image.error().message.c_str());
    return 1;
  }
  const auto inventory = vigil::service::catalog_image(**image, catalogers);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const double cpu = cpu_ms() - cpu_start;
  size_t attributed = 0;
  for (const auto& package : inventory.packages) {
    attributed += package.layer_digest.empty() ? 0U : 1U;
  }
  const auto& stats = (*image)->stats();
  std::printf(
      "scan_ms=%.1f cpu_ms=%.1f open_ms=%.1f open_cpu_ms=%.1f layers=%zu indexed=%zu cached=%zu "
      "entries=%zu blob_mib=%.1f expanded_mib=%.1f packages=%zu attributed=%zu complete=%d "
      "peak_rss_mib=%.1f\n",
      ms, cpu, open_ms, open_cpu, (*image)->info().layers.size(), stats.layers_indexed,
      stats.layers_cached, (*image)->tree().entry_count(),
      static_cast<double>(stats.blob_bytes) / (1 << 20),
      static_cast<double>(stats.expanded_bytes) / (1 << 20), inventory.packages.size(), attributed,
      inventory.complete ? 1 : 0, peak_rss_mib());
  return 0;
}

// 5 layer zips with a few Python distributions each, and 100 code zips.
struct Bundles {
  vigil::testing::TempDir dir;
  std::vector<fs::path> layers;
  std::vector<fs::path> codes;

  Bundles() {
    for (int layer = 0; layer < 5; ++layer) {
      std::vector<std::pair<std::string, std::string>> files;
      for (int pkg = 0; pkg < 200; ++pkg) {
        const std::string name = "pkg" + std::to_string(layer) + "x" + std::to_string(pkg);
        files.emplace_back("python/" + name + "-1.0." + std::to_string(pkg) + ".dist-info/METADATA",
                           "Metadata-Version: 2.1\nName: " + name + "\nVersion: 1.0." +
                               std::to_string(pkg) + "\n");
        files.emplace_back("python/" + name + "/__init__.py", std::string(4096, '#'));
      }
      layers.push_back(
          dir.write("layer" + std::to_string(layer) + ".zip", vigil::testing::make_zip(files)));
    }
    for (int fn = 0; fn < 100; ++fn) {
      codes.push_back(dir.write("code" + std::to_string(fn) + ".zip",
                                vigil::testing::make_zip({{"app.py", "def handler(): pass\n"}})));
    }
  }
};

void BM_FunctionBundles(benchmark::State& state) {
  static const Bundles bundles;
  const auto catalogers = vigil::inventory::default_catalogers();
  size_t packages = 0;
  vigil::service::FunctionScanner::Stats scanner_stats;
  vigil::sources::BundleOpener::Stats opener_stats;
  for (auto _ : state) {
    vigil::testing::TempDir scratch;
    vigil::sources::BundleOpener::Options options;
    options.scratch_parent = scratch.path();
    auto scanner = vigil::service::FunctionScanner::create(options, catalogers);
    if (!scanner) {
      state.SkipWithError(scanner.error().message.c_str());
      return;
    }
    packages = 0;
    for (size_t fn = 0; fn < bundles.codes.size(); ++fn) {
      vigil::sources::FunctionConfig config;
      config.name = "fn" + std::to_string(fn);
      // Each function uses three of the five layers.
      const std::vector<fs::path> used = {bundles.layers[fn % 5], bundles.layers[(fn + 1) % 5],
                                          bundles.layers[(fn + 3) % 5]};
      auto inventory = (*scanner)->scan(config, bundles.codes[fn], used);
      if (!inventory) {
        state.SkipWithError(inventory.error().message.c_str());
        return;
      }
      packages += inventory->packages.size();
    }
    scanner_stats = (*scanner)->stats();
    opener_stats = (*scanner)->opener().stats();
  }
  state.counters["functions"] = 100;
  state.counters["packages"] = static_cast<double>(packages);
  state.counters["zips_hashed"] = static_cast<double>(opener_stats.zips_hashed);
  state.counters["layers_indexed"] = static_cast<double>(opener_stats.layers_indexed);
  state.counters["layers_reused"] = static_cast<double>(opener_stats.layers_reused);
  state.counters["layers_cataloged"] = static_cast<double>(scanner_stats.layers_cataloged);
  state.counters["inventories_reused"] =
      static_cast<double>(scanner_stats.layer_inventories_reused);
}
BENCHMARK(BM_FunctionBundles)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_WarmImageScan(benchmark::State& state) {
  const char* image = std::getenv("VIGIL_BENCH_IMAGE");
  const char* cache = std::getenv("VIGIL_BENCH_CACHE");
  if (image == nullptr || cache == nullptr) {
    state.SkipWithError("set VIGIL_BENCH_IMAGE and VIGIL_BENCH_CACHE (bench/image_bench.sh does)");
    return;
  }
  const auto target = vigil::sources::parse_image_target(image);
  const auto catalogers = vigil::inventory::default_catalogers();
  vigil::sources::ImageOptions options;
  options.cache_dir = fs::path(cache);
  size_t indexed = 0;
  const bool reuse_inventory = state.range(0) != 0;
  for (auto _ : state) {
    auto scan = vigil::service::scan_image(*target, options, catalogers, reuse_inventory);
    if (!scan) {
      state.SkipWithError(scan.error().message.c_str());
      return;
    }
    indexed += scan->stats.layers_indexed;
    benchmark::DoNotOptimize(scan->inventory.packages.data());
  }
  state.counters["layers_indexed"] = static_cast<double>(indexed);
}
// Arg 0: layers from the layer cache, re-cataloged; arg 1: the inventory cache as well.
BENCHMARK(BM_WarmImageScan)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "scan") == 0) {
    return scan_once(argc, argv);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
