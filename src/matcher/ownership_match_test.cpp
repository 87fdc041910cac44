// End to end from a file tree: a dist-info installed by a Debian package is left to that
// package's distro data (fixed there by a backport), while the same dist-info installed by pip
// is matched against the upstream OSV range.
#include <gtest/gtest.h>

#include <string>

#include "inventory/cataloger.hpp"
#include "matcher/matcher.hpp"

namespace vigil::matcher {
namespace {

using model::Ecosystem;
using model::EventKind;

constexpr std::string_view kDebDistInfo =
    "usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA";
constexpr std::string_view kPipDistInfo =
    "usr/local/lib/python3.11/dist-packages/urllib3-1.26.12.dist-info/METADATA";
constexpr std::string_view kMetadata = "Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.12\n";

// GHSA-v845-jxx5-vc9f (CVE-2023-43804): urllib3 < 1.26.17; Debian fixed it in bookworm by a
// backport, 1.26.12-1+deb12u1.
MatchIndex urllib3_index() {
  MatchIndex index;
  auto ghsa = std::make_shared<model::Advisory>();
  ghsa->id = "GHSA-v845-jxx5-vc9f";
  ghsa->aliases = {"CVE-2023-43804"};
  model::AffectedPackage upstream;
  upstream.ecosystem = {Ecosystem::kPyPI, ""};
  upstream.name = "urllib3";
  upstream.ranges.push_back({model::RangeType::kEcosystem,
                             "",
                             {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "1.26.17"}}});
  index.add(ghsa, upstream);
  auto debian = std::make_shared<model::Advisory>();
  debian->id = "CVE-2023-43804";
  model::AffectedPackage distro;
  distro.ecosystem = {Ecosystem::kDebian, "12"};
  distro.name = "python-urllib3";
  distro.ranges.push_back(
      {model::RangeType::kEcosystem,
       "",
       {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "1.26.12-1+deb12u1"}}});
  index.add(debian, distro);
  return index;
}

sources::MemoryFileTree debian_tree(bool with_list, bool with_pip_copy) {
  sources::MemoryFileTree tree{
      {"etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"},
      {"var/lib/dpkg/status",
       "Package: python3-urllib3\nStatus: install ok installed\nArchitecture: all\n"
       "Source: python-urllib3\nVersion: 1.26.12-1+deb12u1\n"},
      {std::string(kDebDistInfo), std::string(kMetadata)},
  };
  if (with_list) {
    tree.add_file("var/lib/dpkg/info/python3-urllib3.list",
                  "/.\n/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info\n/" +
                      std::string(kDebDistInfo) + "\n");
  }
  if (with_pip_copy) {
    tree.add_file(std::string(kPipDistInfo), std::string(kMetadata));
  }
  return tree;
}

struct Found {
  std::vector<std::string> locations;  // of the matched packages
  size_t deferred = 0;
};

Found scan(const sources::MemoryFileTree& tree) {
  const auto inventory = inventory::catalog(tree, inventory::default_catalogers());
  const auto index = urllib3_index();
  const auto result = match(inventory, index);
  Found found;
  found.deferred = result.deferred;
  for (const auto& matched : result.matches) {
    EXPECT_EQ(matched.vulnerability_id, "CVE-2023-43804");
    found.locations.push_back(inventory.packages[matched.package_index].locations.at(0));
  }
  return found;
}

TEST(OwnershipMatch, OwnedDistInfoIsLeftToTheBackportedOsPackage) {
  const auto found = scan(debian_tree(true, false));
  EXPECT_TRUE(found.locations.empty());
  EXPECT_EQ(found.deferred, 1U);
}

TEST(OwnershipMatch, UnownedDistInfoMatchesUpstream) {
  const auto found = scan(debian_tree(false, false));
  EXPECT_EQ(found.locations, std::vector<std::string>{std::string(kDebDistInfo)});
  EXPECT_EQ(found.deferred, 0U);
}

TEST(OwnershipMatch, PipCopyBesideTheOsOneIsReportedOnce) {
  const auto found = scan(debian_tree(true, true));
  EXPECT_EQ(found.locations, std::vector<std::string>{std::string(kPipDistInfo)});
  EXPECT_EQ(found.deferred, 1U);
}

TEST(OwnershipMatch, UnpatchedOsPackageStillMatchesItsDistroData) {
  auto tree = debian_tree(true, false);
  tree.add_file("var/lib/dpkg/status",
                "Package: python3-urllib3\nStatus: install ok installed\nArchitecture: all\n"
                "Source: python-urllib3\nVersion: 1.26.12-1\n");
  const auto inventory = inventory::catalog(tree, inventory::default_catalogers());
  const auto result = match(inventory, urllib3_index());
  ASSERT_EQ(result.matches.size(), 1U);
  EXPECT_EQ(inventory.packages[result.matches[0].package_index].name, "python3-urllib3");
  EXPECT_EQ(result.matches[0].matched_by, "source");
  EXPECT_EQ(result.deferred, 1U);
}

}  // namespace
}  // namespace vigil::matcher
