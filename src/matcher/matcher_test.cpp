#include "matcher/matcher.hpp"

#include <gtest/gtest.h>

namespace vigil::matcher {
namespace {

using model::Ecosystem;
using model::EventKind;

std::shared_ptr<model::Advisory> advisory(std::string id, std::vector<std::string> aliases) {
  auto out = std::make_shared<model::Advisory>();
  out->id = std::move(id);
  out->aliases = std::move(aliases);
  return out;
}

model::AffectedPackage affected(Ecosystem ecosystem, std::string release, std::string name,
                                std::vector<model::RangeEvent> events,
                                model::RangeType type = model::RangeType::kEcosystem) {
  model::AffectedPackage package;
  package.ecosystem = {ecosystem, std::move(release)};
  package.name = std::move(name);
  package.ranges.push_back({type, "", std::move(events)});
  return package;
}

model::Package package(Ecosystem ecosystem, std::string name, std::string version,
                       std::string release = "", std::string source = "",
                       std::string source_version = "") {
  model::Package out;
  out.ecosystem = ecosystem;
  out.name = std::move(name);
  out.version = std::move(version);
  out.distro_release = std::move(release);
  out.source_name = std::move(source);
  out.source_version = std::move(source_version);
  return out;
}

TEST(MatcherNamesTest, NormalisesPerEcosystem) {
  EXPECT_EQ(normalize_name(Ecosystem::kPyPI, "Django_REST.framework"), "django-rest-framework");
  EXPECT_EQ(normalize_name(Ecosystem::kPyPI, "zope..interface"), "zope-interface");
  EXPECT_EQ(normalize_name(Ecosystem::kNuGet, "Newtonsoft.Json"), "newtonsoft.json");
  EXPECT_EQ(normalize_name(Ecosystem::kNpm, "@Scope/Pkg"), "@Scope/Pkg");
  EXPECT_EQ(normalize_release(Ecosystem::kAlpine, "v3.18"), "3.18");
  EXPECT_EQ(normalize_release(Ecosystem::kAlpine, "3.18.4"), "3.18");
  EXPECT_EQ(normalize_release(Ecosystem::kUbuntu, "22.04:LTS"), "22.04");
  EXPECT_EQ(normalize_release(Ecosystem::kDebian, "12.4"), "12");
  EXPECT_EQ(normalize_release(Ecosystem::kAmazonLinux, "2023"), "2023");
}

TEST(MatcherTest, PypiRangeWithCveCollapse) {
  MatchIndex index;
  index.add(advisory("PYSEC-2020-102", {"CVE-2020-11651", "GHSA-xxxx"}),
            affected(Ecosystem::kPyPI, "", "Salt",
                     {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "2019.2.4"}}));
  index.add(advisory("GHSA-xxxx", {"CVE-2020-11651"}),
            affected(Ecosystem::kPyPI, "", "salt",
                     {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "2019.2.4"}}));
  model::Inventory inventory;
  inventory.packages = {package(Ecosystem::kPyPI, "salt", "2019.2.3"),
                        package(Ecosystem::kPyPI, "salt", "2019.2.4")};
  const auto result = match(inventory, index);
  ASSERT_EQ(result.matches.size(), 1U);  // one finding per package instance and CVE
  const auto& found = result.matches[0];
  EXPECT_EQ(found.package_index, 0U);
  EXPECT_EQ(found.vulnerability_id, "CVE-2020-11651");
  EXPECT_EQ(found.advisories.size(), 2U);
  EXPECT_EQ(found.fixed_in, std::vector<std::string>{"2019.2.4"});
  EXPECT_NE(std::find(found.aliases.begin(), found.aliases.end(), "PYSEC-2020-102"),
            found.aliases.end());
}

TEST(MatcherTest, DebianMatchesBySourcePackageAndRelease) {
  MatchIndex index;
  index.add(advisory("DSA-5000-1", {"CVE-2023-0001"}),
            affected(Ecosystem::kDebian, "12", "openssl",
                     {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "3.0.11-1~deb12u2"}}));
  model::Inventory inventory;
  inventory.packages = {
      // Binary libssl3 built from source openssl: matched through the source.
      package(Ecosystem::kDebian, "libssl3", "3.0.11-1~deb12u1", "12", "openssl",
              "3.0.11-1~deb12u1"),
      // Backported fix: the fixed version is not reported.
      package(Ecosystem::kDebian, "libssl3", "3.0.11-1~deb12u2", "12", "openssl",
              "3.0.11-1~deb12u2"),
      // Same package on another release: the Debian 12 advisory does not apply.
      package(Ecosystem::kDebian, "libssl3", "1.1.1n-0+deb11u4", "11", "openssl",
              "1.1.1n-0+deb11u4"),
  };
  const auto result = match(inventory, index);
  ASSERT_EQ(result.matches.size(), 1U);
  EXPECT_EQ(result.matches[0].package_index, 0U);
  EXPECT_EQ(result.matches[0].matched_by, "source");
  EXPECT_EQ(result.matches[0].fixed_in, std::vector<std::string>{"3.0.11-1~deb12u2"});
}

TEST(MatcherTest, DistroAdvisoryWithSeveralCvesIsOneFindingPerCve) {
  MatchIndex index;
  index.add(advisory("DSA-5523-1", {"CVE-2023-38545", "CVE-2023-38546"}),
            affected(Ecosystem::kDebian, "12", "curl",
                     {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "7.88.1-10+deb12u4"}}));
  model::Inventory inventory;
  inventory.packages = {package(Ecosystem::kDebian, "libcurl4", "7.88.1-10+deb12u3", "12", "curl",
                                "7.88.1-10+deb12u3")};
  const auto result = match(inventory, index);
  ASSERT_EQ(result.matches.size(), 2U);
  EXPECT_EQ(result.matches[0].vulnerability_id, "CVE-2023-38545");
  EXPECT_EQ(result.matches[1].vulnerability_id, "CVE-2023-38546");
  EXPECT_EQ(result.matches[0].aliases, std::vector<std::string>{"DSA-5523-1"});
  EXPECT_EQ(result.matches[1].aliases, std::vector<std::string>{"DSA-5523-1"});
}

TEST(MatcherTest, RpmEpochIsHonoured) {
  MatchIndex index;
  index.add(advisory("ALAS2023-2023-001", {"CVE-2023-0002"}),
            affected(Ecosystem::kAmazonLinux, "2023", "openssl-libs",
                     {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "1:3.0.8-1.amzn2023.0.4"}}));
  model::Inventory inventory;
  inventory.packages = {
      package(Ecosystem::kAmazonLinux, "openssl-libs", "1:3.0.8-1.amzn2023.0.3", "2023"),
      package(Ecosystem::kAmazonLinux, "openssl-libs", "1:3.0.8-1.amzn2023.0.4", "2023"),
      // Without the epoch the installed version orders before every epoch-1 version.
      package(Ecosystem::kAmazonLinux, "openssl-libs", "3.0.9-1.amzn2023.0.1", "2023"),
  };
  const auto result = match(inventory, index);
  ASSERT_EQ(result.matches.size(), 2U);
  EXPECT_EQ(result.matches[0].package_index, 0U);
  EXPECT_EQ(result.matches[1].package_index, 2U);
}

TEST(MatcherTest, GoSemverRangesAndExplicitVersions) {
  MatchIndex index;
  index.add(advisory("GO-2020-0001", {"CVE-2020-36567"}),
            affected(Ecosystem::kGo, "", "github.com/gin-gonic/gin",
                     {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "1.6.0"}},
                     model::RangeType::kSemver));
  auto listed = affected(Ecosystem::kNpm, "", "left-pad", {});
  listed.ranges.clear();
  listed.versions = {"1.0.1"};
  index.add(advisory("GHSA-npm1", {}), listed);
  model::Inventory inventory;
  inventory.packages = {package(Ecosystem::kGo, "github.com/gin-gonic/gin", "v1.5.0"),
                        package(Ecosystem::kGo, "github.com/gin-gonic/gin", "v1.6.0"),
                        package(Ecosystem::kNpm, "left-pad", "1.0.1"),
                        package(Ecosystem::kNpm, "left-pad", "1.0.2")};
  const auto result = match(inventory, index);
  ASSERT_EQ(result.matches.size(), 2U);
  EXPECT_EQ(result.matches[0].vulnerability_id, "CVE-2020-36567");
  EXPECT_EQ(result.matches[1].vulnerability_id, "GHSA-npm1");
  EXPECT_EQ(result.matches[1].package_index, 2U);
}

TEST(MatcherTest, UnparsableInstalledVersionIsADiagnostic) {
  MatchIndex index;
  index.add(advisory("PYSEC-1", {}),
            affected(Ecosystem::kPyPI, "", "demo", {{EventKind::kIntroduced, "0"}}));
  model::Inventory inventory;
  inventory.packages = {package(Ecosystem::kPyPI, "demo", "not a version!")};
  const auto result = match(inventory, index);
  EXPECT_TRUE(result.matches.empty());
  ASSERT_EQ(result.diagnostics.size(), 1U);
  EXPECT_NE(result.diagnostics[0].where.find("demo"), std::string::npos);
}

TEST(MatcherTest, GoDevelMainModuleIsSkippedQuietly) {
  MatchIndex index;
  index.add(advisory("GO-2024-0001", {}),
            affected(Ecosystem::kGo, "", "example.com/tool",
                     {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "1.2.0"}},
                     model::RangeType::kSemver));
  model::Inventory inventory;
  inventory.packages = {package(Ecosystem::kGo, "example.com/tool", "(devel)")};
  const auto result = match(inventory, index);
  EXPECT_TRUE(result.matches.empty());
  EXPECT_TRUE(result.diagnostics.empty());
}

}  // namespace
}  // namespace vigil::matcher
