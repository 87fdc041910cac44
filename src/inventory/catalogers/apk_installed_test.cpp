#include "inventory/catalogers/apk_installed.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

// Trimmed from an Alpine 3.18 lib/apk/db/installed.
constexpr std::string_view kInstalled = R"(C:Q1yB3CVUFMOjnLBOdd9i7xDkJbuTw=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1695140227
c:8d4f5c3a0a3b8b4e7e4e1d0b6c5e6c0e2c1d3f9a
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1ioEPZbPMYpkvgUTV9BeLhAbHbNo=
R:libc.musl-x86_64.so.1

C:Q1lX6Y2G0O8Jw1u0HPXPGTb8W+4kM=
P:libcrypto3
V:3.1.4-r0
A:x86_64
o:openssl
F:lib
R:libcrypto.so.3

C:Q1AAAA
P:alpine-baselayout-data
V:3.4.3-r1
A:x86_64
o:alpine-baselayout
)";

TEST(ParseApkInstalledTest, ReadsNameVersionArchOrigin) {
  std::vector<model::Diagnostic> diagnostics;
  const auto packages = parse_apk_installed(kInstalled, "lib/apk/db/installed", diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  ASSERT_EQ(packages.size(), 3U);
  EXPECT_EQ(packages[0].name, "musl");
  EXPECT_EQ(packages[0].version, "1.2.4-r2");
  EXPECT_EQ(packages[0].arch, "x86_64");
  EXPECT_EQ(packages[0].source_name, "musl");
  EXPECT_EQ(packages[1].name, "libcrypto3");
  EXPECT_EQ(packages[1].source_name, "openssl");
  EXPECT_EQ(packages[1].source_version, "3.1.4-r0");
  EXPECT_EQ(packages[2].source_name, "alpine-baselayout");
  EXPECT_EQ(packages[2].locations, std::vector<std::string>{"lib/apk/db/installed"});
}

TEST(ParseApkInstalledTest, MissingOriginDefaultsToThePackage) {
  std::vector<model::Diagnostic> diagnostics;
  const auto packages = parse_apk_installed("P:zlib\nV:1.3-r2\n", "db", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].source_name, "zlib");
  EXPECT_EQ(packages[0].arch, "");
}

TEST(ParseApkInstalledTest, MalformedRecordsAreDiagnosedAndSkipped) {
  constexpr std::string_view kBroken =
      "P:good\nV:1-r0\n"     // 1-2
      "\n"                   // 3
      "P:nover\nA:x86_64\n"  // 4-5: no version
      "\n"                   // 6
      "V:2-r0\nA:x86_64\n"   // 7-8: no name
      "\n"                   // 9
      "P:first\nV:3-r0\n"    // 10-11
      "P:second\nV:4-r0\n"   // 12-13: no blank line between records
      "garbage line\n"       // 14
      "X\n"                  // 15
      "\n"
      "P:last\nV:5-r0";
  std::vector<model::Diagnostic> diagnostics;
  const auto packages = parse_apk_installed(kBroken, "lib/apk/db/installed", diagnostics);
  std::vector<std::string> names;
  for (const auto& package : packages) {
    names.push_back(package.name + "=" + package.version);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"good=1-r0", "first=3-r0", "second=4-r0", "last=5-r0"}));
  std::vector<std::string> wheres;
  for (const auto& diagnostic : diagnostics) {
    wheres.push_back(diagnostic.where);
  }
  EXPECT_EQ(wheres, (std::vector<std::string>{"lib/apk/db/installed:4", "lib/apk/db/installed:7",
                                              "lib/apk/db/installed:12", "lib/apk/db/installed:14",
                                              "lib/apk/db/installed:15"}));
}

TEST(ApkInstalledCatalogerTest, AlpinePackagesGetEcosystemAndPurl) {
  sources::MemoryFileTree tree;
  tree.add_file("lib/apk/db/installed", std::string(kInstalled));
  model::Inventory inventory;
  inventory.os.id = "alpine";
  inventory.os.version_id = "3.18.4";
  const ApkInstalledCataloger cataloger;
  EXPECT_TRUE(cataloger.wants("lib/apk/db/installed"));
  EXPECT_FALSE(cataloger.wants("lib/apk/db/installed.old"));
  const std::vector<std::string> paths = {"lib/apk/db/installed"};
  cataloger.catalog(tree, paths, inventory);
  ASSERT_EQ(inventory.packages.size(), 3U);
  EXPECT_EQ(inventory.packages[0].ecosystem, model::Ecosystem::kAlpine);
  EXPECT_EQ(inventory.packages[0].purl, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4");
  EXPECT_TRUE(inventory.diagnostics.empty());
}

TEST(ApkInstalledCatalogerTest, WolfiIsNotMatchedAsAlpine) {
  sources::MemoryFileTree tree;
  tree.add_file("lib/apk/db/installed", "P:glibc\nV:2.38-r5\nA:x86_64\n");
  model::Inventory inventory;
  inventory.os.id = "wolfi";
  const std::vector<std::string> paths = {"lib/apk/db/installed"};
  ApkInstalledCataloger{}.catalog(tree, paths, inventory);
  ASSERT_EQ(inventory.packages.size(), 1U);
  EXPECT_EQ(inventory.packages[0].ecosystem, model::Ecosystem::kGeneric);
  ASSERT_EQ(inventory.diagnostics.size(), 1U);
  EXPECT_NE(inventory.diagnostics[0].message.find("wolfi"), std::string::npos);
}

}  // namespace
}  // namespace vigil::inventory
