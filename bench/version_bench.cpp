// Version ordering throughput: comparisons of pre-parsed versions and parsing, per scheme, on the
// real version strings of the shared osv-scalibr tables.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "version/version.hpp"

namespace {

using vigil::version::Scheme;

// Loads the version strings (both sides of every "A op B" line) of one shared table.
std::vector<std::string> load_versions(const std::string& file) {
  std::ifstream in(std::string(VIGIL_SHARED_DIR) + "/data/version-ordering/osv-scalibr-semantic/" + file);
  std::vector<std::string> versions;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("# ", 0) == 0 || line.rfind("// ", 0) == 0) {
      continue;
    }
    std::istringstream fields(line);
    std::string lhs;
    std::string op;
    std::string rhs;
    if (fields >> lhs >> op >> rhs) {
      versions.push_back(lhs);
      versions.push_back(rhs);
    }
  }
  return versions;
}

std::vector<vigil::version::Version> parse_all(Scheme scheme, const std::vector<std::string>& texts) {
  std::vector<vigil::version::Version> parsed;
  for (const auto& text : texts) {
    if (auto version = vigil::version::parse(scheme, text)) {
      parsed.push_back(std::move(version).value());
    }
  }
  return parsed;
}

void bench_compare(benchmark::State& state, Scheme scheme, const std::string& file) {
  const auto parsed = parse_all(scheme, load_versions(file));
  if (parsed.size() < 2) {
    state.SkipWithError("no parsable versions (shared data missing?)");
    return;
  }
  size_t idx = 0;
  for (auto _ : state) {
    const size_t next = idx + 1 == parsed.size() ? 0 : idx + 1;
    benchmark::DoNotOptimize(vigil::version::compare(parsed[idx], parsed[next]));
    idx = next;
  }
  state.SetItemsProcessed(state.iterations());
}

void bench_parse(benchmark::State& state, Scheme scheme, const std::string& file) {
  const auto texts = load_versions(file);
  if (texts.empty()) {
    state.SkipWithError("shared data missing");
    return;
  }
  size_t idx = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(vigil::version::parse(scheme, texts[idx]));
    idx = idx + 1 == texts.size() ? 0 : idx + 1;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(bench_compare, dpkg, Scheme::kDpkg, "debian-versions-generated.txt");
BENCHMARK_CAPTURE(bench_compare, rpm, Scheme::kRpm, "redhat-versions.txt");
BENCHMARK_CAPTURE(bench_compare, apk, Scheme::kApk, "alpine-versions-generated.txt");
BENCHMARK_CAPTURE(bench_compare, pep440, Scheme::kPep440, "pypi-versions-generated.txt");
BENCHMARK_CAPTURE(bench_compare, maven, Scheme::kMaven, "maven-versions-generated.txt");
BENCHMARK_CAPTURE(bench_compare, semver, Scheme::kSemver, "semver-versions.txt");
BENCHMARK_CAPTURE(bench_parse, dpkg, Scheme::kDpkg, "debian-versions-generated.txt");
BENCHMARK_CAPTURE(bench_parse, rpm, Scheme::kRpm, "redhat-versions.txt");
BENCHMARK_CAPTURE(bench_parse, apk, Scheme::kApk, "alpine-versions-generated.txt");
BENCHMARK_CAPTURE(bench_parse, pep440, Scheme::kPep440, "pypi-versions-generated.txt");
BENCHMARK_CAPTURE(bench_parse, maven, Scheme::kMaven, "maven-versions-generated.txt");

BENCHMARK_MAIN();
