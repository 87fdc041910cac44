// CVSS scoring throughput: vectors parsed and scored per second, over the real vectors of the
// shared RedHat reference files, per CVSS version and all versions mixed.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

#include "scoring/cvss.hpp"

namespace {

// Loads the VECTOR part of every "VECTOR - scores" line of the given reference files.
std::vector<std::string> load_vectors(const std::vector<std::string>& files) {
  std::vector<std::string> vectors;
  for (const std::string& file : files) {
    std::ifstream in(std::string(VIGIL_SHARED_DIR) + "/data/cvss/redhat-cvss-vectors/" + file);
    std::string line;
    while (std::getline(in, line)) {
      const size_t separator = line.find(" - ");
      if (separator != std::string::npos) {
        vectors.push_back(line.substr(0, separator));
      }
    }
  }
  return vectors;
}

void bench_score(benchmark::State& state, const std::vector<std::string>& files) {
  const auto vectors = load_vectors(files);
  if (vectors.empty()) {
    state.SkipWithError("shared data missing");
    return;
  }
  size_t idx = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(vigil::scoring::score_vector(vectors[idx]));
    idx = idx + 1 == vectors.size() ? 0 : idx + 1;
  }
  state.SetItemsProcessed(state.iterations());
}

const std::vector<std::string> kV2 = {"vectors_simple2", "vectors_calculator2", "vectors_cvsslib2"};
const std::vector<std::string> kV3 = {"vectors_simple3", "vectors_simple31", "vectors_calculator3",
                                      "vectors_cvsslib3"};
const std::vector<std::string> kV4 = {"vectors_simple4", "vectors_supplemental4",
                                      "vectors_security4", "vectors_threat4"};
const std::vector<std::string> kAll = [] {
  std::vector<std::string> all = kV2;
  all.insert(all.end(), kV3.begin(), kV3.end());
  all.insert(all.end(), kV4.begin(), kV4.end());
  return all;
}();

}  // namespace

BENCHMARK_CAPTURE(bench_score, v2, kV2);
BENCHMARK_CAPTURE(bench_score, v3, kV3);
BENCHMARK_CAPTURE(bench_score, v4, kV4);
BENCHMARK_CAPTURE(bench_score, all_reference_vectors, kAll);

BENCHMARK_MAIN();
