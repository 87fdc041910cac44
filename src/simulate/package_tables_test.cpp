#include "simulate/package_tables.hpp"

#include <gtest/gtest.h>

#include <set>

#include "version/version.hpp"

namespace vigil::simulate {
namespace {

constexpr TableId kTables[] = {TableId::kAmazonLinux2023, TableId::kUbuntu2204, TableId::kDebian12,
                               TableId::kAlpine311,       TableId::kPyPI,       TableId::kNpm,
                               TableId::kMaven,           TableId::kRubyGems,   TableId::kNuGet};

// Every version in the tables parses under its ecosystem's scheme, and every listed vulnerable
// version orders strictly before the current one: otherwise the fleet's "patched" hosts would
// not be patched.
TEST(PackageTablesTest, VersionsParseAndOldVersionsAreOlder) {
  for (const TableId table : kTables) {
    const auto scheme = version::scheme_for(table_ecosystem(table));
    ASSERT_FALSE(package_table(table).empty());
    for (const auto& [group, specs] : package_table(table)) {
      std::set<std::string> names;
      for (const auto& spec : specs) {
        SCOPED_TRACE(spec.name);
        EXPECT_TRUE(names.insert(spec.name).second) << "duplicate in group " << group;
        EXPECT_FALSE(spec.source.empty());
        const auto current = version::parse(scheme, spec.version);
        ASSERT_TRUE(current) << spec.version;
        if (!spec.old_version.empty()) {
          const auto order = version::compare(scheme, spec.old_version, spec.version);
          ASSERT_TRUE(order) << spec.old_version;
          EXPECT_LT(*order, 0) << spec.old_version << " vs " << spec.version;
        }
      }
    }
  }
}

TEST(PackageTablesTest, DistroBasesAreRealisticallyLarge) {
  EXPECT_GE(package_group(TableId::kAmazonLinux2023, "base").size(), 300u);
  EXPECT_GE(package_group(TableId::kUbuntu2204, "base").size(), 250u);
  EXPECT_GE(package_group(TableId::kDebian12, "base").size(), 80u);
  EXPECT_TRUE(package_group(TableId::kPyPI, "no-such-group").empty());
}

TEST(PackageTablesTest, SourceAndArchMarkersAreParsed) {
  const auto& base = package_group(TableId::kUbuntu2204, "base");
  const auto libc = std::find_if(base.begin(), base.end(), [](const auto& s) { return s.name == "libc6"; });
  ASSERT_NE(libc, base.end());
  EXPECT_EQ(libc->source, "glibc");
  EXPECT_EQ(libc->old_version, "2.35-0ubuntu3.1");
  const auto& bookworm = package_group(TableId::kDebian12, "base");
  const auto bash = std::find_if(bookworm.begin(), bookworm.end(), [](const auto& s) { return s.name == "bash"; });
  ASSERT_NE(bash, bookworm.end());
  EXPECT_EQ(bash->source_version, "5.2.15-2");
  const auto adduser = std::find_if(bookworm.begin(), bookworm.end(), [](const auto& s) { return s.name == "adduser"; });
  ASSERT_NE(adduser, bookworm.end());
  EXPECT_TRUE(adduser->arch_independent);
}

}  // namespace
}  // namespace vigil::simulate
