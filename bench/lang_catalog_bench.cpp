// Language cataloging on a generated npm tree: 10,000 package.json files under nested and scoped
// node_modules (1,000 top-level packages, each with 8 nested and 1 scoped dependency), read from
// a real directory: walk + wants() + read + parse + merge. Target: well under 1 s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "inventory/cataloger.hpp"
#include "inventory/catalogers/node.hpp"

namespace {

namespace fs = std::filesystem;

constexpr int kTopLevel = 1000;
constexpr int kNestedPerPackage = 8;

void write_package(const fs::path& dir, const std::string& name, int index) {
  fs::create_directories(dir);
  std::ofstream(dir / "package.json")
      << "{\n  \"name\": \"" << name << "\",\n  \"version\": \"1." << index % 50 << "." << index % 7
      << "\",\n  \"description\": \"generated package for the cataloging benchmark\",\n"
      << "  \"main\": \"index.js\",\n  \"license\": \"MIT\",\n"
      << "  \"dependencies\": {\"left-pad\": \"^1.3.0\", \"ms\": \"^2.1.3\"},\n"
      << "  \"scripts\": {\"test\": \"node test.js\"}\n}\n";
}

// Writes the tree once per process; returns its root.
const fs::path& generated_tree() {
  static const fs::path root = [] {
    const fs::path dir =
        fs::temp_directory_path() / ("vigil-bench-npm-" + std::to_string(getpid()));
    fs::remove_all(dir);
    const fs::path modules = dir / "srv/app/node_modules";
    for (int top = 0; top < kTopLevel; ++top) {
      const std::string name = "pkg-" + std::to_string(top);
      write_package(modules / name, name, top);
      for (int nested = 0; nested < kNestedPerPackage; ++nested) {
        const std::string dep = "dep-" + std::to_string(nested);
        write_package(modules / name / "node_modules" / dep, dep, top + nested);
      }
      write_package(modules / "@scope" / ("s-" + std::to_string(top)),
                    "@scope/s-" + std::to_string(top), top);
    }
    return dir;
  }();
  return root;
}

void BM_NodeModulesCatalog(benchmark::State& state) {
  const fs::path& root = generated_tree();
  std::vector<std::unique_ptr<vigil::inventory::Cataloger>> catalogers;
  catalogers.push_back(std::make_unique<vigil::inventory::NodeCataloger>());
  size_t packages = 0;
  for (auto _ : state) {
    const auto tree = vigil::sources::open_directory(root);
    const auto inventory = vigil::inventory::catalog(**tree, catalogers);
    packages = inventory.packages.size();
    benchmark::DoNotOptimize(inventory);
  }
  state.counters["package.json files"] = static_cast<double>(kTopLevel * (kNestedPerPackage + 2));
  state.counters["packages reported"] = static_cast<double>(packages);
}
BENCHMARK(BM_NodeModulesCatalog)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ignored;
  fs::remove_all(generated_tree(), ignored);
  return 0;
}
