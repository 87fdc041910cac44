// A distro's "not affected" statement never produces a finding; it is listed as an explained
// non-finding for the installed packages it names, in their release.
#include <gtest/gtest.h>

#include "matcher/matcher.hpp"

namespace vigil::matcher {
namespace {

using model::Ecosystem;
using model::EventKind;

// As the Alpine secdb importer stores secfixes "0": status not-affected, no ranges.
std::shared_ptr<model::Advisory> statement(std::string id, std::string cve) {
  auto out = std::make_shared<model::Advisory>();
  out->id = std::move(id);
  out->aliases = {std::move(cve)};
  out->source = "alpine-secdb";
  out->status = "not-affected";
  return out;
}

model::AffectedPackage named(std::string release, std::string name) {
  model::AffectedPackage package;
  package.ecosystem = {Ecosystem::kAlpine, std::move(release)};
  package.name = std::move(name);
  return package;
}

model::Package apk(std::string name, std::string version, std::string release,
                   std::string origin = "") {
  model::Package out;
  out.ecosystem = Ecosystem::kAlpine;
  out.name = std::move(name);
  out.version = std::move(version);
  out.distro_release = std::move(release);
  out.source_name = origin.empty() ? out.name : std::move(origin);
  out.source_version = out.version;
  return out;
}

TEST(NotAffectedTest, StatementIsExplainedNeverMatched) {
  MatchIndex index;
  index.add(statement("ALPINE-v3.18-openssl-CVE-2023-0464", "CVE-2023-0464"),
            named("v3.18", "openssl"));
  // Even a statement carrying a range (from some other importer) never matches.
  auto ranged = named("v3.18", "busybox");
  ranged.ranges.push_back({model::RangeType::kEcosystem, "", {{EventKind::kIntroduced, "0"}}});
  index.add(statement("ALPINE-v3.18-busybox-CVE-2022-48174", "CVE-2022-48174"), ranged);
  EXPECT_EQ(index.entry_count(), 0U);
  EXPECT_EQ(index.not_affected_key_count(), 2U);

  model::Inventory inventory;
  inventory.packages = {
      apk("libcrypto3", "3.1.4-r0", "3.18.4", "openssl"),  // by origin
      apk("openssl", "3.0.12-r0", "3.17.5"),               // another release: not named
      apk("busybox", "1.36.1-r5", "3.18.4"),
      apk("zlib", "1.2.13-r1", "3.18.4"),
  };
  const auto result = match(inventory, index);
  EXPECT_TRUE(result.matches.empty());
  ASSERT_EQ(result.not_affected.size(), 2U);
  EXPECT_EQ(result.not_affected[0].package_index, 0U);
  EXPECT_EQ(result.not_affected[0].vulnerability_id, "CVE-2023-0464");
  EXPECT_EQ(result.not_affected[0].advisory_id, "ALPINE-v3.18-openssl-CVE-2023-0464");
  EXPECT_EQ(result.not_affected[0].source, "alpine-secdb");
  EXPECT_EQ(result.not_affected[0].reason, "distro: not affected");
  EXPECT_EQ(result.not_affected[1].package_index, 2U);
  EXPECT_EQ(result.not_affected[1].vulnerability_id, "CVE-2022-48174");

  const auto explained = explain_not_affected(inventory, index);
  ASSERT_EQ(explained.size(), 2U);
  EXPECT_EQ(explained[0].package_index, 0U);
  EXPECT_EQ(explained[1].package_index, 2U);
}

TEST(NotAffectedTest, RealRangeForTheSameVulnerabilityWins) {
  MatchIndex index;
  index.add(statement("ALPINE-v3.18-openssl-CVE-2023-0464", "CVE-2023-0464"),
            named("v3.18", "openssl"));
  auto fixed = std::make_shared<model::Advisory>();
  fixed->id = "CVE-2023-0464";
  auto affected = named("v3.18", "openssl");
  affected.ranges.push_back({model::RangeType::kEcosystem,
                             "",
                             {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "3.1.0-r2"}}});
  index.add(fixed, affected);
  model::Inventory inventory;
  inventory.packages = {apk("openssl", "3.1.0-r1", "3.18")};
  const auto result = match(inventory, index);
  ASSERT_EQ(result.matches.size(), 1U);
  EXPECT_TRUE(result.not_affected.empty());
  EXPECT_TRUE(explain_not_affected(inventory, index).empty());
}

}  // namespace
}  // namespace vigil::matcher
