// Vulnerability-database throughput on the real shared OSV sets: parsing alone, and the whole
// import (read + parse + normalise + store in one SQLite transaction).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "vulndb/database.hpp"
#include "vulndb/importer.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> osv_sources() {
  const std::string shared = VIGIL_SHARED_DIR;
  return {shared + "/data/osv/go/go-vulndb-osv.zip", shared + "/data/osv/rustsec/rustsec-osv.zip",
          shared + "/data/osv/pypa/pypi-osv-json-converted.zip"};
}

std::vector<vigil::vulndb::SourceFile> load_files() {
  std::vector<vigil::vulndb::SourceFile> files;
  for (const auto& source : osv_sources()) {
    (void)vigil::vulndb::read_source(source, {}, [&](vigil::vulndb::SourceFile&& file) {
      files.push_back(std::move(file));
      return vigil::Result<void>{};
    });
  }
  return files;
}

void BM_OsvParse(benchmark::State& state) {
  const auto files = load_files();
  const auto importers = vigil::vulndb::default_importers();
  size_t records = 0;
  for (auto _ : state) {
    vigil::vulndb::ImportBatch batch;
    for (const auto& file : files) {
      if (const auto* importer = vigil::vulndb::detect_importer(importers, file)) {
        (void)importer->parse(file, batch);
      }
    }
    records += batch.advisories.size();
    benchmark::DoNotOptimize(batch);
  }
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OsvParse)->Unit(benchmark::kMillisecond);

void BM_OsvImport(benchmark::State& state) {
  size_t records = 0;
  const fs::path dir = fs::temp_directory_path() / ("vigil-bench-db-" + std::to_string(getpid()));
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir);
    auto db = vigil::vulndb::Database::open(dir, true).value();
    state.ResumeTiming();
    const auto summary = vigil::vulndb::import_paths(*db, osv_sources());
    if (!summary) {
      state.SkipWithError(summary.error().message.c_str());
      break;
    }
    records += summary->added + summary->withdrawn;
  }
  fs::remove_all(dir);
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OsvImport)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
