#include "inventory/ownership.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {
namespace {

constexpr std::string_view kDebianRelease = "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";
constexpr std::string_view kUrllib3Metadata = "Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.12\n";
constexpr std::string_view kDebDistInfo =
    "usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA";
constexpr std::string_view kPipDistInfo =
    "usr/local/lib/python3.11/dist-packages/urllib3-1.26.12.dist-info/METADATA";

std::string dpkg_stanza(std::string_view name, std::string_view source, std::string_view arch) {
  return fmt::format(
      "Package: {}\nStatus: install ok installed\nArchitecture: {}\nSource: {}\n"
      "Version: 1.26.12-1+deb12u1\n\n",
      name, arch, source);
}

// The owner of each PyPI package found in `tree`, keyed by its first location.
std::map<std::string, std::string> pypi_owners(const sources::MemoryFileTree& tree) {
  const auto inventory = catalog(tree, default_catalogers());
  std::map<std::string, std::string> out;
  for (const auto& package : inventory.packages) {
    if (package.ecosystem == model::Ecosystem::kPyPI) {
      out[package.locations.at(0)] = package.owner_purl;
    }
  }
  return out;
}

constexpr std::string_view kOwnerPurl =
    "pkg:deb/debian/python3-urllib3@1.26.12-1%2Bdeb12u1?arch=all&distro=debian-12";

struct DpkgCase {
  std::string name;
  std::string list_path;     // "" = no file list at all
  std::string list_content;  // paths as dpkg writes them
  std::string os_release;
  bool owned;
};

class DpkgOwnership : public ::testing::TestWithParam<DpkgCase> {};

TEST_P(DpkgOwnership, DistInfoOwnedOnlyWhenListed) {
  const auto& param = GetParam();
  sources::MemoryFileTree tree{
      {"etc/os-release", param.os_release},
      {"var/lib/dpkg/status", dpkg_stanza("python3-urllib3", "python-urllib3", "all") +
                                  dpkg_stanza("libc6", "glibc", "amd64")},
      {"var/lib/dpkg/info/libc6:amd64.list", "/.\n/usr/lib/x86_64-linux-gnu/libc.so.6\n"},
      {std::string(kDebDistInfo), std::string(kUrllib3Metadata)},
      {std::string(kPipDistInfo), std::string(kUrllib3Metadata)},
  };
  if (!param.list_path.empty()) {
    tree.add_file(param.list_path, param.list_content);
  }
  const auto owners = pypi_owners(tree);
  ASSERT_EQ(owners.size(), 2U);
  EXPECT_EQ(owners.at(std::string(kDebDistInfo)), param.owned ? kOwnerPurl : "");
  EXPECT_EQ(owners.at(std::string(kPipDistInfo)), "") << "pip's copy is nobody's";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DpkgOwnership,
    ::testing::Values(
        DpkgCase{"Listed", "var/lib/dpkg/info/python3-urllib3.list",
                 "/.\n/usr\n/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info\n"
                 "/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA\n",
                 std::string(kDebianRelease), true},
        DpkgCase{"MultiArchName", "var/lib/dpkg/info/python3-urllib3:all.list",
                 "/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA\n",
                 std::string(kDebianRelease), true},
        // Packaged before the /usr merge: the list says /lib, the walk sees usr/lib.
        DpkgCase{"MergedUsr", "var/lib/dpkg/info/python3-urllib3.list",
                 "/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA\r\n",
                 std::string(kDebianRelease), true},
        DpkgCase{"ListNamesOtherFiles", "var/lib/dpkg/info/python3-urllib3.list",
                 "/usr/lib/python3/dist-packages/urllib3/__init__.py\n"
                 "/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/RECORD\n",
                 std::string(kDebianRelease), false},
        DpkgCase{"NoList", "", "", std::string(kDebianRelease), false},
        // Another package's list does not make python3-urllib3 the owner.
        DpkgCase{"ListOfAnUninstalledPackage", "var/lib/dpkg/info/python3-other.list",
                 "/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA\n",
                 std::string(kDebianRelease), false},
        // dpkg packages on an OS without distro data are Generic: they own nothing.
        DpkgCase{"GenericOs", "var/lib/dpkg/info/python3-urllib3.list",
                 "/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA\n",
                 "ID=linuxmint\nVERSION_ID=\"21\"\n", false}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(Ownership, DistrolessMd5sums) {
  const sources::MemoryFileTree tree{
      {"etc/os-release", std::string(kDebianRelease)},
      {"var/lib/dpkg/status.d/python3-urllib3",
       "Package: python3-urllib3\nArchitecture: all\nSource: python-urllib3\n"
       "Version: 1.26.12-1+deb12u1\n"},
      {"var/lib/dpkg/status.d/python3-urllib3.md5sums",
       "0123456789abcdef0123456789abcdef  "
       "usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA\n"},
      {std::string(kDebDistInfo), std::string(kUrllib3Metadata)},
  };
  const auto owners = pypi_owners(tree);
  EXPECT_EQ(owners.at(std::string(kDebDistInfo)), kOwnerPurl);
}

TEST(Ownership, ApkFileLines) {
  const std::string package_json = R"({"name": "semver", "version": "7.5.4"})";
  const sources::MemoryFileTree tree{
      {"etc/os-release", "ID=alpine\nVERSION_ID=3.18.4\n"},
      {"lib/apk/db/installed",
       "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\n\n"
       // Files before P: are allowed; R: lines belong to the F: above them.
       "F:usr/lib/node_modules/npm\nR:package.json\n"
       "F:usr/lib/node_modules/npm/node_modules/semver\nR:package.json\nR:index.js\n"
       "P:npm\nV:9.6.6-r0\nA:x86_64\no:npm\n\n"},
      {"usr/lib/node_modules/npm/node_modules/semver/package.json", package_json},
      {"opt/app/node_modules/semver/package.json", package_json},
  };
  const auto inventory = catalog(tree, default_catalogers());
  std::map<std::string, std::string> owners;
  for (const auto& package : inventory.packages) {
    if (package.ecosystem == model::Ecosystem::kNpm) {
      owners[package.locations.at(0)] = package.owner_purl;
    }
  }
  ASSERT_EQ(owners.size(), 2U);
  EXPECT_EQ(owners.at("usr/lib/node_modules/npm/node_modules/semver/package.json"),
            "pkg:apk/alpine/npm@9.6.6-r0?arch=x86_64&distro=3.18.4");
  EXPECT_EQ(owners.at("opt/app/node_modules/semver/package.json"), "");
}

TEST(Ownership, CanonicalPaths) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/usr/lib/x", "usr/lib/x"},
      {"/lib/x", "usr/lib/x"},
      {"lib64/ld.so", "usr/lib64/ld.so"},
      {"/sbin/init", "usr/sbin/init"},
      {"/library/x", "library/x"},
      {"usr/share/java/app.war!/WEB-INF/lib/x.jar", "usr/share/java/app.war"},
      {"//bin/sh", "usr/bin/sh"},
      {"", ""},
  };
  for (const auto& [in, out] : cases) {
    EXPECT_EQ(OwnerQuery::canonical(in), out) << in;
  }
}

TEST(Ownership, QueryClaimsArchiveMembersThroughTheirFileAndFirstClaimWins) {
  model::Inventory inventory;
  model::Package jar;
  jar.ecosystem = model::Ecosystem::kMaven;
  jar.name = "com.fasterxml.jackson.core:jackson-databind";
  jar.locations = {"usr/share/java/jackson-databind.jar!/META-INF/maven/x/pom.properties"};
  model::Package os_package;
  os_package.ecosystem = model::Ecosystem::kDebian;
  os_package.locations = {"var/lib/dpkg/status"};
  model::Package already;
  already.ecosystem = model::Ecosystem::kPyPI;
  already.locations = {"usr/lib/python3/dist-packages/a.dist-info/METADATA"};
  already.owner_purl = "pkg:deb/debian/earlier";
  inventory.packages = {jar, os_package, already};

  OwnerQuery query(inventory);
  EXPECT_FALSE(query.empty());
  EXPECT_EQ(query.unclaimed(), 1U);  // only the jar: the OS package and the owned one are not asked
  EXPECT_FALSE(query.claim("/usr/lib/python3/dist-packages/a.dist-info/METADATA", "pkg:x"));
  EXPECT_FALSE(query.claim("/usr/share/java/jackson-databind.jar!/x", "pkg:x"));
  EXPECT_TRUE(query.claim("/usr/share/java/jackson-databind.jar", "pkg:deb/debian/first"));
  EXPECT_TRUE(query.claim("/usr/share/java/jackson-databind.jar", "pkg:deb/debian/second"));
  EXPECT_EQ(query.unclaimed(), 0U);
  EXPECT_EQ(query.apply(inventory), 1U);
  EXPECT_EQ(inventory.packages[0].owner_purl, "pkg:deb/debian/first");
  EXPECT_EQ(inventory.packages[1].owner_purl, "");
  EXPECT_EQ(inventory.packages[2].owner_purl, "pkg:deb/debian/earlier");
}

TEST(Ownership, FileListParsing) {
  model::Inventory inventory;
  model::Package gem;
  gem.ecosystem = model::Ecosystem::kRubyGems;
  gem.locations = {"usr/lib/ruby/gems/3.1.0/specifications/default/abbrev-0.1.0.gemspec"};
  inventory.packages = {gem};
  const std::string owner = "pkg:deb/debian/libruby3.1";
  for (const auto& [text, md5sums, owned] : std::vector<std::tuple<std::string, bool, bool>>{
           {"/usr/lib/ruby/gems/3.1.0/specifications/default/abbrev-0.1.0.gemspec", false, true},
           {"/usr/lib/ruby/gems/3.1.0/specifications/default/abbrev-0.1.0.gemspe", false, false},
           {"d41d8cd98f00b204e9800998ecf8427e *usr/lib/ruby/gems/3.1.0/specifications/default/"
            "abbrev-0.1.0.gemspec\n",
            true, true},
           {"no-separator-line\n\n\n", true, false},
           {"", false, false},
       }) {
    OwnerQuery query(inventory);
    claim_file_list(text, md5sums, owner, query);
    EXPECT_EQ(query.unclaimed() == 0, owned) << text;
  }
}

}  // namespace
}  // namespace vigil::inventory
