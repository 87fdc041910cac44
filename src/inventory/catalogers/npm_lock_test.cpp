#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "inventory/catalogers/node_lockfiles.hpp"

namespace vigil::inventory::lang {
namespace {

using Deps = std::vector<NodeDependency>;

TEST(PackageLockTest, ReadsV1DependencyTreeWithNestingAndAliases) {
  const std::string text = R"({
  "name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": true,
  "dependencies": {
    "express": {"version": "4.18.2", "resolved": "https://registry.npmjs.org/express/-/express-4.18.2.tgz",
      "requires": {"debug": "2.6.9"},
      "dependencies": {"debug": {"version": "2.6.9", "dependencies": {"ms": {"version": "2.0.0"}}}}},
    "@types/node": {"version": "18.11.9", "dev": true},
    "old-lodash": {"version": "npm:lodash@4.17.20"},
    "mylib": {"version": "file:../mylib"},
    "fork": {"version": "github:user/fork#0123abc"}
  }
})";
  const auto deps = parse_package_lock(text);
  ASSERT_TRUE(deps.has_value()) << deps.error().message;
  Deps sorted = *deps;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  EXPECT_EQ(sorted, (Deps{{"@types/node", "18.11.9"},
                          {"debug", "2.6.9"},
                          {"express", "4.18.2"},
                          {"lodash", "4.17.20"},
                          {"ms", "2.0.0"}}));
}

TEST(PackageLockTest, ReadsV2V3PackagesMapSkippingRootLinksAndWorkspaces) {
  const std::string text = R"({
  "name": "app", "version": "1.0.0", "lockfileVersion": 3,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"express": "^4.18.2"}},
    "node_modules/express": {"version": "4.18.2"},
    "node_modules/express/node_modules/debug": {"version": "2.6.9"},
    "node_modules/@babel/code-frame": {"version": "7.18.6", "dev": true},
    "node_modules/old-lodash": {"name": "lodash", "version": "4.17.20"},
    "node_modules/ws-a": {"resolved": "packages/ws-a", "link": true},
    "packages/ws-a": {"name": "ws-a", "version": "0.1.0"},
    "node_modules/gitdep": {"version": "1.0.0-git", "resolved": "git+ssh://git@github.com/x/y.git"},
    "node_modules/tarball": {"version": "https://example.com/t.tgz"}
  },
  "dependencies": {"ignored-v1-view": {"version": "9.9.9"}}
})";
  const auto deps = parse_package_lock(text);
  ASSERT_TRUE(deps.has_value()) << deps.error().message;
  EXPECT_EQ(*deps, (Deps{{"express", "4.18.2"},
                         {"debug", "2.6.9"},
                         {"@babel/code-frame", "7.18.6"},
                         {"lodash", "4.17.20"},
                         {"gitdep", "1.0.0-git"}}));
}

TEST(PackageLockTest, RejectsInvalidDocuments) {
  const std::vector<std::string> texts = {
      "",        "{",
      "[1,2]",   R"({"name": "x"})",
      "\"str\"", std::string(5000, '[') + std::string(5000, ']')};
  for (const auto& text : texts) {
    EXPECT_FALSE(parse_package_lock(text).has_value()) << text.substr(0, 20);
  }
  const auto empty = parse_package_lock(R"({"name": "x", "lockfileVersion": 1})");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

TEST(PackageJsonTest, ReadsNameAndVersion) {
  const auto scoped = parse_package_json(R"({"name": "@angular/core", "version": "15.0.1",
      "dependencies": {"tslib": "^2.3.0"}})");
  ASSERT_TRUE(scoped.has_value());
  ASSERT_TRUE(scoped->has_value());
  EXPECT_EQ(**scoped, (NodeDependency{"@angular/core", "15.0.1"}));
  const auto fixture = parse_package_json(R"({"private": true})");
  ASSERT_TRUE(fixture.has_value());
  EXPECT_FALSE(fixture->has_value());
  const auto numeric = parse_package_json(R"({"name": "x", "version": 1})");
  ASSERT_TRUE(numeric.has_value());
  EXPECT_FALSE(numeric->has_value());
  EXPECT_FALSE(parse_package_json("{\"name\": \"x\",").has_value());
  EXPECT_FALSE(parse_package_json("[]").has_value());
}

TEST(NodeSpecTest, SplitsNameAtVersionSeparator) {
  const auto scoped = split_name_at("@babel/core@^7.0.0");
  ASSERT_TRUE(scoped.has_value());
  EXPECT_EQ(scoped->first, "@babel/core");
  EXPECT_EQ(scoped->second, "^7.0.0");
  const auto alias = split_name_at("alias@npm:real@1.0.0");
  ASSERT_TRUE(alias.has_value());
  EXPECT_EQ(alias->first, "alias");
  EXPECT_EQ(alias->second, "npm:real@1.0.0");
  EXPECT_FALSE(split_name_at("@scope/name").has_value());
  EXPECT_FALSE(split_name_at("@").has_value());
  EXPECT_FALSE(split_name_at("").has_value());
  EXPECT_TRUE(is_registry_version("0.0.1"));
  EXPECT_FALSE(is_registry_version("file:../x"));
  EXPECT_FALSE(is_registry_version(""));
}

}  // namespace
}  // namespace vigil::inventory::lang
