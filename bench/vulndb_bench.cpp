// Vulnerability-database throughput on the real shared OSV sets: parsing alone, and the whole
// import (read + parse + normalise + store in one SQLite transaction); and an NVD year file.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
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

// The items of the `vulnerabilities` array of an NVD API page, as text (brace depth outside
// strings; the page is one line of JSON).
std::vector<std::string_view> nvd_items(std::string_view page) {
  std::vector<std::string_view> items;
  size_t pos = page.find("\"vulnerabilities\":[");
  if (pos == std::string_view::npos) {
    return items;
  }
  pos = page.find('[', pos) + 1;
  int depth = 0;
  bool in_string = false;
  size_t start = pos;
  for (size_t idx = pos; idx < page.size(); ++idx) {
    const char c = page[idx];
    if (in_string) {
      if (c == '\\') {
        ++idx;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      if (depth++ == 0) {
        start = idx;
      }
    } else if (c == '}') {
      if (--depth == 0) {
        items.push_back(page.substr(start, idx + 1 - start));
      }
    } else if (c == ']' && depth == 0) {
      break;
    }
  }
  return items;
}

// An NVD 2.0 year feed of `count` CVEs (about a year's worth: 2024 had ~40,000): the 200 real
// records of the shared 2023 API page repeated under new ids (CVE-2024-100000...). NVD's year
// files are indented; this one is the page's compact JSON (~100 MB instead of ~170 MB).
fs::path nvd_year_file(const fs::path& dir, size_t count) {
  const std::string shared = VIGIL_SHARED_DIR;
  std::string page;
  (void)vigil::vulndb::read_source(shared + "/data/nvd/api-pages/nvd-api-cves-2023-page1.json.gz",
                                   {}, [&](vigil::vulndb::SourceFile&& file) {
                                     page = std::move(file.content);
                                     return vigil::Result<void>{};
                                   });
  const auto items = nvd_items(page);
  const fs::path path = dir / "nvdcve-2.0-2024.json";
  std::ofstream out(path, std::ios::binary);
  out << "{\"resultsPerPage\":" << count << ",\"startIndex\":0,\"totalResults\":" << count
      << ",\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"timestamp\":\"2024-12-31T00:00:00.000\","
         "\"vulnerabilities\":[";
  for (size_t idx = 0; idx < count && !items.empty(); ++idx) {
    std::string item(items[idx % items.size()]);
    // The first "id" of an item is its cve.id.
    const size_t key = item.find("\"id\":\"");
    const size_t end = item.find('"', key + 6);
    item.replace(key + 6, end - key - 6, "CVE-2024-" + std::to_string(100000 + idx));
    out << (idx == 0 ? "" : ",") << item;
  }
  out << "]}";
  return path;
}

// One NVD year file into a new database (the bound: under 10 s).
void BM_NvdYearFile(benchmark::State& state) {
  const fs::path dir = fs::temp_directory_path() / ("vigil-bench-nvd-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path feed = nvd_year_file(dir, static_cast<size_t>(state.range(0)));
  size_t records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir / "db");
    auto db = vigil::vulndb::Database::open(dir / "db", true).value();
    state.ResumeTiming();
    const auto summary = vigil::vulndb::import_paths(*db, {feed});
    if (!summary) {
      state.SkipWithError(summary.error().message.c_str());
      break;
    }
    records += summary->added;
  }
  state.counters["MB"] = static_cast<double>(fs::file_size(feed)) / 1e6;
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  fs::remove_all(dir);
}
BENCHMARK(BM_NvdYearFile)->Unit(benchmark::kMillisecond)->Iterations(2)->Arg(40000);

}  // namespace

BENCHMARK_MAIN();
