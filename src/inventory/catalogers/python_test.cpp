#include "inventory/catalogers/python.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/zip_builder.hpp"

namespace vigil::inventory {
namespace {

using sources::MemoryFileTree;

model::Inventory run(const MemoryFileTree& tree, const std::vector<std::string>& paths) {
  model::Inventory inventory;
  PythonCataloger{}.catalog(tree, paths, inventory);
  return inventory;
}

TEST(PythonCatalogerTest, WantsOnlyDistributionMetadata) {
  const PythonCataloger cataloger;
  const std::vector<std::pair<std::string, bool>> cases = {
      {"usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA", true},
      {"usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", true},
      {"usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info", true},
      {"opt/app/lib/foo-1.0-py3.11.egg", true},
      {"opt/app/lib/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO", true},
      {"usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD", false},
      {"usr/lib/python3/dist-packages/requests/METADATA", false},
      {"usr/share/doc/PKG-INFO", false},
      {"srv/METADATA", false},
  };
  for (const auto& [path, want] : cases) {
    EXPECT_EQ(cataloger.wants(path), want) << path;
  }
}

TEST(PythonCatalogerTest, ReadsDistInfoAndEggInfo) {
  const std::string dist_info =
      "usr/lib/python3/dist-packages/Flask_Cors-3.0.10.dist-info/METADATA";
  const std::string egg_dir = "opt/venv/lib/python3.11/site-packages/six-1.16.0.egg-info/PKG-INFO";
  const std::string egg_file = "usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info";
  MemoryFileTree tree{
      {dist_info,
       "Metadata-Version: 2.1\nName: Flask_Cors\nVersion: 3.0.10\nSummary: A Flask extension\n"
       "Classifier: Programming Language :: Python\n\nVersion: 9.9.9 (body, not a header)\n"},
      {egg_dir, "Metadata-Version: 1.2\r\nName: six\r\nVersion: 1.16.0\r\nLicense: MIT\r\n"},
      {egg_file,
       "Metadata-Version: 1.1\nName: python-apt\nVersion: 2.6.0\nDescription: long\n"
       "        text that continues\n"},
  };
  const auto inventory = run(tree, {dist_info, egg_dir, egg_file});
  ASSERT_EQ(inventory.packages.size(), 3U);
  EXPECT_TRUE(inventory.diagnostics.empty());
  const auto& flask = inventory.packages[0];
  EXPECT_EQ(flask.ecosystem, model::Ecosystem::kPyPI);
  EXPECT_EQ(flask.name, "Flask_Cors");
  EXPECT_EQ(flask.version, "3.0.10");
  EXPECT_EQ(flask.purl, "pkg:pypi/flask-cors@3.0.10");
  EXPECT_EQ(flask.locations, std::vector<std::string>{dist_info});
  EXPECT_EQ(inventory.packages[1].name, "six");
  EXPECT_EQ(inventory.packages[1].version, "1.16.0");
  EXPECT_EQ(inventory.packages[2].purl, "pkg:pypi/python-apt@2.6.0");
}

TEST(PythonCatalogerTest, ReadsEggArchivesAndDirectories) {
  const std::string egg = "opt/app/eggs/requests-2.31.0-py3.11.egg";
  const std::string egg_dir = "opt/app/eggs/idna-3.4-py3.11.egg/EGG-INFO/PKG-INFO";
  MemoryFileTree tree;
  tree.add_file(egg,
                testing::make_zip({{"requests/__init__.py", "# code\n"},
                                   {"EGG-INFO/PKG-INFO",
                                    "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n"}}));
  tree.add_file(egg_dir, "Metadata-Version: 2.1\nName: idna\nVersion: 3.4\n");
  const auto inventory = run(tree, {egg, egg_dir});
  ASSERT_EQ(inventory.packages.size(), 2U);
  EXPECT_EQ(inventory.packages[0].purl, "pkg:pypi/requests@2.31.0");
  EXPECT_EQ(inventory.packages[0].locations, std::vector<std::string>{egg});
  EXPECT_EQ(inventory.packages[1].purl, "pkg:pypi/idna@3.4");
}

TEST(PythonCatalogerTest, BadEvidenceBecomesDiagnostics) {
  const std::string no_version = "a/x-1.dist-info/METADATA";
  const std::string corrupt_egg = "a/broken-1.0.egg";
  const std::string egg_without_info = "a/empty-1.0.egg";
  const std::string missing = "a/gone-1.dist-info/METADATA";
  MemoryFileTree tree;
  tree.add_file(no_version, "Metadata-Version: 2.1\nName: x\n");
  tree.add_file(corrupt_egg, std::string("PK\x03\x04garbage"));
  tree.add_file(egg_without_info, testing::make_zip({{"x.py", ""}}));
  const auto inventory = run(tree, {no_version, corrupt_egg, egg_without_info, missing});
  EXPECT_TRUE(inventory.packages.empty());
  ASSERT_EQ(inventory.diagnostics.size(), 4U);
  EXPECT_EQ(inventory.diagnostics[0].where, no_version);
  EXPECT_EQ(inventory.diagnostics[1].where, corrupt_egg);
  EXPECT_EQ(inventory.diagnostics[2].where, egg_without_info);
  EXPECT_EQ(inventory.diagnostics[3].where, missing);
  for (const auto& diagnostic : inventory.diagnostics) {
    EXPECT_EQ(diagnostic.level, model::DiagnosticLevel::kWarning);
  }
}

}  // namespace
}  // namespace vigil::inventory
