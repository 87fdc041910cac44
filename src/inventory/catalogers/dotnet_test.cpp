#include "inventory/catalogers/dotnet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

using lang::NugetPackage;
using Packages = std::vector<NugetPackage>;

TEST(DepsJsonTest, ReadsPackageLibraries) {
  const std::string text = R"({
  "runtimeTarget": {"name": ".NETCoreApp,Version=v6.0", "signature": ""},
  "compilationOptions": {},
  "targets": {".NETCoreApp,Version=v6.0": {"MyApp/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.1"}}}},
  "libraries": {
    "MyApp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "Newtonsoft.Json/13.0.1": {"type": "package", "serviceable": true,
      "sha512": "sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==",
      "path": "newtonsoft.json/13.0.1", "hashPath": "newtonsoft.json.13.0.1.nupkg.sha512"},
    "System.Text.Encodings.Web/4.7.1": {"type": "package"},
    "Microsoft.Win32.Primitives/4.0.0.0": {"type": "referenceassembly"}
  }
})";
  const auto packages = lang::parse_deps_json(text);
  ASSERT_TRUE(packages.has_value()) << packages.error().message;
  EXPECT_EQ(*packages,
            (Packages{{"Newtonsoft.Json", "13.0.1"}, {"System.Text.Encodings.Web", "4.7.1"}}));
  EXPECT_FALSE(
      lang::parse_deps_json(R"({"libraries": {"NoVersion": {"type": "package"}}})").has_value());
  EXPECT_FALSE(lang::parse_deps_json(R"({"targets": {}})").has_value());
  EXPECT_FALSE(lang::parse_deps_json("{").has_value());
}

TEST(PackagesLockTest, ReadsResolvedPackagesOncePerFile) {
  const std::string text = R"json({
  "version": 1,
  "dependencies": {
    "net6.0": {
      "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1",
                          "contentHash": "ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A=="},
      "System.Memory": {"type": "Transitive", "resolved": "4.5.4"},
      "MyLib": {"type": "Project", "dependencies": {"Newtonsoft.Json": "[13.0.1, )"}}
    },
    "net7.0": {
      "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1"},
      "System.Memory": {"type": "CentralTransitive", "resolved": "4.5.5"}
    }
  }
})json";
  const auto packages = lang::parse_packages_lock(text);
  ASSERT_TRUE(packages.has_value()) << packages.error().message;
  EXPECT_EQ(*packages, (Packages{{"Newtonsoft.Json", "13.0.1"},
                                 {"System.Memory", "4.5.4"},
                                 {"System.Memory", "4.5.5"}}));
  EXPECT_FALSE(lang::parse_packages_lock(R"({"version": 1})").has_value());
}

TEST(DotnetCatalogerTest, ReportsNugetPackages) {
  const DotnetCataloger cataloger;
  EXPECT_TRUE(cataloger.wants("app/MyApp.deps.json"));
  EXPECT_TRUE(cataloger.wants("src/packages.lock.json"));
  EXPECT_FALSE(cataloger.wants("app/.deps.json"));
  EXPECT_FALSE(cataloger.wants("app/MyApp.runtimeconfig.json"));
  const std::vector<std::string> paths = {"app/MyApp.deps.json", "app/Broken.deps.json"};
  sources::MemoryFileTree tree{
      {paths[0], R"({"libraries": {"Newtonsoft.Json/13.0.1": {"type": "package"}}})"},
      {paths[1], "[]"}};
  model::Inventory inventory;
  cataloger.catalog(tree, paths, inventory);
  ASSERT_EQ(inventory.packages.size(), 1U);
  EXPECT_EQ(inventory.packages[0].ecosystem, model::Ecosystem::kNuGet);
  EXPECT_EQ(inventory.packages[0].purl, "pkg:nuget/Newtonsoft.Json@13.0.1");
  ASSERT_EQ(inventory.diagnostics.size(), 1U);
  EXPECT_EQ(inventory.diagnostics[0].where, paths[1]);
}

}  // namespace
}  // namespace vigil::inventory
