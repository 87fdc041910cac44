#include "inventory/catalogers/node.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

using sources::MemoryFileTree;
using NodeStrings = std::vector<std::string>;

TEST(NodeCatalogerTest, WantsInstalledPackagesAndProjectLockfiles) {
  const NodeCataloger cataloger;
  const std::vector<std::pair<std::string, bool>> cases = {
      {"srv/app/node_modules/express/package.json", true},
      {"node_modules/express/package.json", true},
      {"srv/app/node_modules/@babel/core/package.json", true},
      {"srv/app/node_modules/a/node_modules/b/package.json", true},
      {"srv/app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json", true},
      {"srv/app/package.json", false},
      {"srv/app/node_modules/@babel/package.json", false},
      {"srv/app/node_modules/express/lib/package.json", false},
      {"srv/app/node_modules/.bin/package.json", false},
      {"srv/app/node_modules/package.json", false},
      {"srv/app/package-lock.json", true},
      {"srv/app/npm-shrinkwrap.json", true},
      {"srv/app/yarn.lock", true},
      {"pnpm-lock.yaml", true},
      {"srv/app/node_modules/.package-lock.json", false},
      {"srv/app/node_modules/left-pad/yarn.lock", false},
      {"srv/app/package-lock.json.bak", false},
  };
  for (const auto& [path, want] : cases) {
    EXPECT_EQ(cataloger.wants(path), want) << path;
  }
}

TEST(NodeCatalogerTest, MergesLockfileAndNodeModulesPerProject) {
  const NodeStrings paths = {
      "srv/app/package-lock.json",
      "srv/app/node_modules/express/package.json",
      "srv/app/node_modules/@babel/core/package.json",
      "srv/app/node_modules/a/node_modules/ms/package.json",
      "srv/app/node_modules/b/node_modules/ms/package.json",
      "srv/other/node_modules/express/package.json",
  };
  MemoryFileTree tree{
      {paths[0], R"({"lockfileVersion": 3, "packages": {"": {"name": "app"},
          "node_modules/express": {"version": "4.18.2"},
          "node_modules/a/node_modules/ms": {"version": "2.0.0"},
          "node_modules/b/node_modules/ms": {"version": "2.0.0"}}})"},
      {paths[1], R"({"name": "express", "version": "4.18.2"})"},
      {paths[2], R"({"name": "@babel/core", "version": "7.21.0"})"},
      {paths[3], R"({"name": "ms", "version": "2.0.0"})"},
      {paths[4], R"({"name": "ms", "version": "2.0.0"})"},
      {paths[5], R"({"name": "express", "version": "4.18.2"})"},
  };
  model::Inventory inventory;
  NodeCataloger{}.catalog(tree, paths, inventory);
  EXPECT_TRUE(inventory.diagnostics.empty());
  ASSERT_EQ(inventory.packages.size(), 4U);
  const auto& express = inventory.packages[0];
  EXPECT_EQ(express.ecosystem, model::Ecosystem::kNpm);
  EXPECT_EQ(express.purl, "pkg:npm/express@4.18.2");
  EXPECT_EQ(express.locations, (NodeStrings{paths[0], paths[1]}));
  const auto& ms = inventory.packages[1];
  EXPECT_EQ(ms.name, "ms");
  EXPECT_EQ(ms.locations, (NodeStrings{paths[0], paths[3], paths[4]}));
  const auto& babel = inventory.packages[2];
  EXPECT_EQ(babel.name, "@babel/core");
  EXPECT_EQ(babel.purl, "pkg:npm/%40babel/core@7.21.0");
  EXPECT_EQ(babel.locations, (NodeStrings{paths[2]}));
  EXPECT_EQ(inventory.packages[3].locations, (NodeStrings{paths[5]}));
}

TEST(NodeCatalogerTest, ReadsEveryLockfileKind) {
  const NodeStrings paths = {"a/yarn.lock", "b/pnpm-lock.yaml", "c/npm-shrinkwrap.json"};
  MemoryFileTree tree{
      {paths[0], "# yarn lockfile v1\n\nleft-pad@^1.3.0:\n  version \"1.3.0\"\n"},
      {paths[1], "lockfileVersion: '6.0'\n\npackages:\n\n  /left-pad@1.3.0:\n    dev: false\n"},
      {paths[2], R"({"lockfileVersion": 1, "dependencies": {"left-pad": {"version": "1.3.0"}}})"},
  };
  model::Inventory inventory;
  NodeCataloger{}.catalog(tree, paths, inventory);
  ASSERT_EQ(inventory.packages.size(), 3U);
  for (size_t index = 0; index < paths.size(); ++index) {
    EXPECT_EQ(inventory.packages[index].purl, "pkg:npm/left-pad@1.3.0");
    EXPECT_EQ(inventory.packages[index].locations, (NodeStrings{paths[index]}));
  }
}

TEST(NodeCatalogerTest, MalformedFilesBecomeDiagnostics) {
  const NodeStrings paths = {"p/package-lock.json", "p/node_modules/x/package.json", "p/yarn.lock",
                         "p/node_modules/ok/package.json", "p/node_modules/missing/package.json"};
  MemoryFileTree tree{
      {paths[0], R"({"lockfileVersion": 2, "packages": )"},
      {paths[1], "not json"},
      {paths[2], "garbage line\n"},
      {paths[3], R"({"name": "ok", "version": "1.0.0"})"},
  };
  model::Inventory inventory;
  NodeCataloger{}.catalog(tree, paths, inventory);
  ASSERT_EQ(inventory.packages.size(), 1U);
  EXPECT_EQ(inventory.packages[0].name, "ok");
  ASSERT_EQ(inventory.diagnostics.size(), 4U);
  EXPECT_EQ(inventory.diagnostics[0].where, paths[0]);
  EXPECT_EQ(inventory.diagnostics[1].where, paths[1]);
  EXPECT_EQ(inventory.diagnostics[2].where, paths[2]);
  EXPECT_EQ(inventory.diagnostics[3].where, paths[4]);
}

}  // namespace
}  // namespace vigil::inventory
