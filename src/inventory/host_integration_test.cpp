// Integration on real trees: this machine's own root filesystem, and (when VIGIL_BOOKWORM_ROOT
// names one) a `debootstrap --variant=minbase bookworm` tree, each compared with dpkg-query,
// Debian's reference reader of the same status file.
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "inventory/cataloger.hpp"
#include "support/command.hpp"

namespace vigil::inventory {
namespace {

// One "name version source source_version arch" line per installed package, sorted.
std::vector<std::string> dpkg_query_lines(const std::string& admindir) {
  // db:Status-Status: the same installed states the cataloger keeps.
  const auto output = testing::run_command(
      "dpkg-query --admindir=" + admindir +
      " -W -f='${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}\\t"
      "${source:Version}\\t${Architecture}\\n'");
  EXPECT_TRUE(output.has_value()) << "dpkg-query failed";
  std::vector<std::string> lines;
  size_t start = 0;
  const std::string text = output.value_or("");
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const size_t tab = line.find('\t');
    const std::string state = line.substr(0, tab);
    if (state != "installed" && state != "triggers-awaited" && state != "triggers-pending") {
      continue;
    }
    std::string rest = line.substr(tab + 1);
    std::replace(rest.begin(), rest.end(), '\t', ' ');
    lines.push_back(rest);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> our_lines(const model::Inventory& inventory) {
  std::vector<std::string> lines;
  for (const auto& package : inventory.packages) {
    if (package.locations.empty() || !package.locations[0].starts_with("var/lib/dpkg/")) {
      continue;
    }
    lines.push_back(fmt::format("{} {} {} {} {}", package.name, package.version,
                                package.source_name, package.source_version, package.arch));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Lines in `lhs` and not in `rhs` (both sorted), for a readable failure.
std::vector<std::string> missing(const std::vector<std::string>& lhs,
                                 const std::vector<std::string>& rhs) {
  std::vector<std::string> out;
  std::set_difference(lhs.begin(), lhs.end(), rhs.begin(), rhs.end(), std::back_inserter(out));
  return out;
}

void expect_same_as_dpkg_query(const std::string& root) {
  const auto tree = sources::open_directory(root);
  ASSERT_TRUE(tree.has_value()) << tree.error().message;
  const auto inventory = catalog(**tree, default_catalogers());
  const auto want = dpkg_query_lines((std::filesystem::path(root) / "var/lib/dpkg").string());
  const auto got = our_lines(inventory);
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(missing(want, got), std::vector<std::string>{}) << "dpkg-query lists, we do not";
  EXPECT_EQ(missing(got, want), std::vector<std::string>{}) << "we list, dpkg-query does not";
  EXPECT_EQ(inventory.os.id, "debian");
  for (const auto& package : inventory.packages) {
    if (package.locations[0].starts_with("var/lib/dpkg/")) {
      EXPECT_EQ(package.ecosystem, model::Ecosystem::kDebian) << package.name;
      EXPECT_EQ(package.distro_release, inventory.os.version_id) << package.name;
      EXPECT_TRUE(package.purl.starts_with("pkg:deb/debian/")) << package.purl;
    }
  }
  for (const auto& diagnostic : inventory.diagnostics) {
    // A live root changes while it is walked (other tests create and delete trees under /tmp):
    // a file listed by the walk and gone when read is that race, not a cataloger problem.
    std::error_code error;
    if (!std::filesystem::exists(std::filesystem::path(root) / diagnostic.where, error) &&
        diagnostic.message.find("no such file") != std::string::npos) {
      continue;
    }
    ADD_FAILURE() << "diagnostic: " << diagnostic.where << ": " << diagnostic.message;
  }
}

bool is_debian_host() {
  return std::filesystem::exists("/var/lib/dpkg/status") && testing::have_program("dpkg-query");
}

TEST(HostIntegrationTest, LiveRootMatchesDpkgQuery) {
  if (!is_debian_host()) {
    GTEST_SKIP() << "not a dpkg-based host";
  }
  expect_same_as_dpkg_query("/");
}

TEST(HostIntegrationTest, LiveRootRecordsTheRunningKernel) {
  const auto tree = sources::open_directory("/").value();
  const auto inventory = catalog(*tree, {});  // no cataloger: only the OS identity
  struct utsname names {};
  ASSERT_EQ(::uname(&names), 0);
  EXPECT_EQ(inventory.os.kernel_release, names.release);
  EXPECT_EQ(inventory.target, "/");
}

TEST(HostIntegrationTest, OtherRootsHaveNoRunningKernel) {
  const auto tree = sources::open_directory(std::filesystem::temp_directory_path()).value();
  EXPECT_TRUE(catalog(*tree, {}).os.kernel_release.empty());
}

// scripts/test builds the tree (scripts/install-deps.sh, .deps/bookworm-minbase) and exports
// VIGIL_BOOKWORM_ROOT; without a tree the test skips, or fails under VIGIL_REQUIRE_REFERENCE=1.
TEST(HostIntegrationTest, DebootstrapBookwormMatchesDpkgQuery) {
  const char* env = std::getenv("VIGIL_BOOKWORM_ROOT");
  const std::string root = env == nullptr ? "" : env;
  std::string why;
  if (root.empty()) {
    why = "VIGIL_BOOKWORM_ROOT is not set (scripts/test sets it)";
  } else if (!std::filesystem::is_regular_file(std::filesystem::path(root) /
                                               "var/lib/dpkg/status")) {
    why = "VIGIL_BOOKWORM_ROOT=" + root + " holds no var/lib/dpkg/status (see " +
          "scripts/install-deps.sh and .deps/bookworm-minbase.log)";
  } else if (!testing::have_program("dpkg-query")) {
    why = "dpkg-query is not installed";
  }
  if (!why.empty()) {
    if (testing::reference_required()) {
      FAIL() << why << "; a debootstrap --variant=minbase bookworm tree is required "
             << "(VIGIL_REQUIRE_REFERENCE=1)";
    }
    GTEST_SKIP() << why;
  }
  expect_same_as_dpkg_query(root);
  // minbase is essential + required priority; these are in every such tree.
  const auto want = dpkg_query_lines(root + "/var/lib/dpkg");
  for (const std::string name : {"base-files ", "dpkg ", "libc6 ", "apt "}) {
    EXPECT_TRUE(std::any_of(want.begin(), want.end(),
                            [&](const std::string& line) { return line.starts_with(name); }))
        << name;
  }
}

}  // namespace
}  // namespace vigil::inventory
