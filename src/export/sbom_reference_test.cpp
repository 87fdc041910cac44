// read_sbom() on SBOMs written by another tool: OWASP cdxgen (npm @cyclonedx/cdxgen), installed
// into a cache beside the test binary on first use. Skips when npm cannot install it, unless
// VIGIL_REQUIRE_REFERENCE=1.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "export/export_test_support.hpp"
#include "export/sbom_reader.hpp"
#include "support/temp_dir.hpp"

namespace vigil::exporter {
namespace {

constexpr std::string_view kPackageJson = R"({
  "name": "vigil-fixture",
  "version": "1.0.0",
  "dependencies": {"lodash": "4.17.20", "@babel/helper-string-parser": "7.22.5"}
})";

// npm lockfile v3 for the two dependencies above (what `npm install` writes, trimmed).
constexpr std::string_view kPackageLock = R"({
  "name": "vigil-fixture",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "vigil-fixture",
      "version": "1.0.0",
      "dependencies": {"lodash": "4.17.20", "@babel/helper-string-parser": "7.22.5"}
    },
    "node_modules/lodash": {
      "version": "4.17.20",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
      "integrity": "sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA=="
    },
    "node_modules/@babel/helper-string-parser": {
      "version": "7.22.5",
      "resolved": "https://registry.npmjs.org/@babel/helper-string-parser/-/helper-string-parser-7.22.5.tgz",
      "integrity": "sha512-mM4COjgZox8U+JcXQwPijIZLElkgEpO5rsERVDJTc2qfCDfERyob6k5WegS14SX18IIjv+XD+GrqNumY5JRCDw==",
      "engines": {"node": ">=6.9.0"}
    }
  }
})";

std::string slurp_reference(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(SbomReferenceTest, ReadsWhatCdxgenWritesForAnNpmProject) {
  const auto tool = testing::cdxgen();
  if (!tool) {
    if (vigil::testing::reference_required()) {
      FAIL() << "cdxgen could not be installed with npm";
    }
    GTEST_SKIP() << "cdxgen unavailable (npm install @cyclonedx/cdxgen failed or no npm)";
  }
  const vigil::testing::TempDir dir;
  dir.write("project/package.json", std::string(kPackageJson));
  dir.write("project/package-lock.json", std::string(kPackageLock));
  // The default spec version (1.7 for cdxgen 12) and the oldest Vigil claims to read.
  for (const std::string spec : {"", "1.4"}) {
    SCOPED_TRACE("spec " + (spec.empty() ? std::string("default") : spec));
    const auto out = dir.path() / ("bom" + spec + ".json");
    const std::string command = "cd '" + dir.path().string() +
                                "' && FETCH_LICENSE=false CDXGEN_DEBUG_MODE= '" + tool->string() +
                                "' -t npm --no-install-deps " +
                                (spec.empty() ? std::string() : "--spec-version " + spec + " ") +
                                "-o '" + out.string() + "' project >/dev/null 2>&1";
    ASSERT_TRUE(vigil::testing::run_command(command).has_value()) << command;
    const auto read = read_sbom(slurp_reference(out));
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ(read->format, SbomFormat::kCycloneDx);
    if (!spec.empty()) {
      EXPECT_EQ(read->spec_version, spec);
    }
    EXPECT_EQ(read->inventory.target, "vigil-fixture");
    auto packages = read->inventory.packages;
    std::sort(packages.begin(), packages.end(),
              [](const auto& lhs, const auto& rhs) { return lhs.name < rhs.name; });
    ASSERT_EQ(packages.size(), 2U);
    EXPECT_EQ(packages[0].ecosystem, model::Ecosystem::kNpm);
    EXPECT_EQ(packages[0].name, "@babel/helper-string-parser");
    EXPECT_EQ(packages[0].version, "7.22.5");
    EXPECT_EQ(packages[0].purl, "pkg:npm/%40babel/helper-string-parser@7.22.5");
    EXPECT_EQ(packages[1].ecosystem, model::Ecosystem::kNpm);
    EXPECT_EQ(packages[1].name, "lodash");
    EXPECT_EQ(packages[1].version, "4.17.20");
    ASSERT_FALSE(packages[1].locations.empty());
    EXPECT_NE(packages[1].locations[0].find("package-lock.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace vigil::exporter
