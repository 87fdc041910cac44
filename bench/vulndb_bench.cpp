// Vulnerability-database throughput on the real shared OSV sets: parsing alone, and the whole
// import (read + parse + normalise + store in one SQLite transaction).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "vulndb/database.hpp"
#include "vulndb/importer.hpp"
#include "vulndb/internal/sqlite_database.hpp"

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

// Reading alone: the zips' central directories, inflate and CRC of every member.
void BM_OsvRead(benchmark::State& state) {
  size_t files = 0;
  for (auto _ : state) {
    for (const auto& source : osv_sources()) {
      (void)vigil::vulndb::read_source(source, {}, [&](vigil::vulndb::SourceFile&& file) {
        benchmark::DoNotOptimize(file.content.data());
        ++files;
        return vigil::Result<void>{};
      });
    }
  }
  state.counters["files/s"] =
      benchmark::Counter(static_cast<double>(files), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OsvRead)->Unit(benchmark::kMillisecond);

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
    // Arg 1: the bulk path an empty database takes; arg 0: the incremental path (per-record
    // SELECT, indexes maintained row by row), as an import into a populated database runs.
    dynamic_cast<vigil::vulndb::internal::SqliteDatabase&>(*db).set_bulk_import(state.range(0) !=
                                                                                0);
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
BENCHMARK(BM_OsvImport)->Unit(benchmark::kMillisecond)->Iterations(3)->Arg(0)->Arg(1);

// Re-importing the same files into the database they produced: everything unchanged.
void BM_OsvReimport(benchmark::State& state) {
  const fs::path dir = fs::temp_directory_path() / ("vigil-bench-re-" + std::to_string(getpid()));
  fs::remove_all(dir);
  auto db = vigil::vulndb::Database::open(dir, true).value();
  if (const auto first = vigil::vulndb::import_paths(*db, osv_sources()); !first) {
    state.SkipWithError(first.error().message.c_str());
    return;
  }
  size_t records = 0;
  for (auto _ : state) {
    const auto summary = vigil::vulndb::import_paths(*db, osv_sources());
    if (!summary) {
      state.SkipWithError(summary.error().message.c_str());
      break;
    }
    records += summary->unchanged;
  }
  fs::remove_all(dir);
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OsvReimport)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
