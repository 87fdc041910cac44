#include "inventory/catalogers/dpkg_status.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

// Trimmed from a Debian 12 status file.
constexpr std::string_view kStatus = R"(Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6232
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 .
 It provides the libssl and libcrypto shared libraries.
Homepage: https://www.openssl.org/

Package: libssl3
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1

Package: bash
Essential: yes
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2

Package: old-removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: held
Status: hold ok installed
Architecture: all
Version: 2.0

Package: awaiting
Status: install ok triggers-pending
Architecture: amd64
Version: 0.1-1

Package: half
Status: install reinstreq half-installed
Architecture: amd64
Version: 0.2-1
)";

TEST(ParseDpkgStatusTest, ReadsInstalledPackagesWithSourceAndArch) {
  std::vector<model::Diagnostic> diagnostics;
  const auto packages = parse_dpkg_status(kStatus, "var/lib/dpkg/status", false, diagnostics);
  EXPECT_TRUE(diagnostics.empty())
      << diagnostics.front().where << " " << diagnostics.front().message;
  ASSERT_EQ(packages.size(), 6U);

  struct Want {
    const char* name;
    const char* version;
    const char* arch;
    const char* source_name;
    const char* source_version;
  };
  const Want kWant[] = {
      {"libssl3", "3.0.11-1~deb12u2", "amd64", "openssl", "3.0.11-1~deb12u2"},
      {"libssl3", "3.0.11-1~deb12u2", "i386", "openssl", "3.0.11-1~deb12u2"},
      {"zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib", "1:1.2.13.dfsg-1"},
      {"bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2+b2"},
      {"held", "2.0", "all", "held", "2.0"},
      {"awaiting", "0.1-1", "amd64", "awaiting", "0.1-1"},
  };
  for (size_t idx = 0; idx < packages.size(); ++idx) {
    const auto& got = packages[idx];
    EXPECT_EQ(got.name, kWant[idx].name);
    EXPECT_EQ(got.version, kWant[idx].version) << got.name;
    EXPECT_EQ(got.arch, kWant[idx].arch) << got.name;
    EXPECT_EQ(got.source_name, kWant[idx].source_name) << got.name;
    EXPECT_EQ(got.source_version, kWant[idx].source_version) << got.name;
    EXPECT_EQ(got.locations, std::vector<std::string>{"var/lib/dpkg/status"});
  }
}

TEST(ParseDpkgStatusTest, SourceWithItsOwnVersion) {
  std::vector<model::Diagnostic> diagnostics;
  const auto packages = parse_dpkg_status(
      "Package: libpython3.11-minimal\nStatus: install ok installed\nArchitecture: amd64\n"
      "Source: python3.11 (3.11.2-6+deb12u1)\nVersion: 3.11.2-6+deb12u1+b1\n",
      "status", false, diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].version, "3.11.2-6+deb12u1+b1");
  EXPECT_EQ(packages[0].source_name, "python3.11");
  EXPECT_EQ(packages[0].source_version, "3.11.2-6+deb12u1");
}

TEST(ParseDpkgStatusTest, CrlfAndCaseInsensitiveFields) {
  std::vector<model::Diagnostic> diagnostics;
  const auto packages = parse_dpkg_status(
      "package: tzdata\r\nstatus: install ok installed\r\nVERSION: 2024a-0+deb12u1\r\n"
      "architecture: all\r\n",
      "status", false, diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "tzdata");
  EXPECT_EQ(packages[0].version, "2024a-0+deb12u1");
  EXPECT_TRUE(diagnostics.empty());
}

TEST(ParseDpkgStatusTest, DistrolessFilesHaveNoStatus) {
  constexpr std::string_view kDistroless =
      "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n"
      "Maintainer: Santiago Vila <sanvila@debian.org>\n";
  std::vector<model::Diagnostic> diagnostics;
  EXPECT_EQ(
      parse_dpkg_status(kDistroless, "var/lib/dpkg/status.d/base-files", true, diagnostics).size(),
      1U);
  EXPECT_TRUE(diagnostics.empty());
  // In the main status file a missing Status is a defect.
  EXPECT_TRUE(parse_dpkg_status(kDistroless, "var/lib/dpkg/status", false, diagnostics).empty());
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0].where, "var/lib/dpkg/status:1");
}

TEST(ParseDpkgStatusTest, MalformedStanzasAreDiagnosedAndSkipped) {
  constexpr std::string_view kBroken =
      "Package: good1\nStatus: install ok installed\nVersion: 1.0\n"            // lines 1-3
      "\n"                                                                      // 4
      " stray continuation\n"                                                   // 5
      "\n"                                                                      // 6
      "Status: install ok installed\nVersion: 2.0\n"                            // 7-8: no Package
      "\n"                                                                      // 9
      "Package: nover\nStatus: install ok installed\n"                          // 10-11: no Version
      "\n"                                                                      // 12
      "Package: weird\nthis line has no colon\nStatus: install ok installed\n"  // 13-15
      "Version: 3.0\nVersion: 4.0\n"                                            // 16-17: duplicate
      "\n"                                                                      // 18
      "Package: badstatus\nStatus: installed\nVersion: 1\n"                     // 19-21
      "\n"                                                                      // 22
      "Package: badsource\nStatus: install ok installed\nVersion: 5\nSource: (5)\n"  // 23-26
      "\n"
      "Package: good2\nStatus: install ok installed\nVersion: 9.9\n";
  std::vector<model::Diagnostic> diagnostics;
  const auto packages = parse_dpkg_status(kBroken, "var/lib/dpkg/status", false, diagnostics);
  std::vector<std::string> names;
  for (const auto& package : packages) {
    names.push_back(package.name + "=" + package.version);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"good1=1.0", "weird=3.0", "badsource=5", "good2=9.9"}));
  std::vector<std::string> wheres;
  for (const auto& diagnostic : diagnostics) {
    wheres.push_back(diagnostic.where);
  }
  EXPECT_EQ(wheres, (std::vector<std::string>{"var/lib/dpkg/status:5", "var/lib/dpkg/status:7",
                                              "var/lib/dpkg/status:10", "var/lib/dpkg/status:14",
                                              "var/lib/dpkg/status:17", "var/lib/dpkg/status:19",
                                              "var/lib/dpkg/status:23"}));
}

TEST(ParseDpkgStatusTest, EmptyAndBinaryInputDoNotCrash) {
  std::vector<model::Diagnostic> diagnostics;
  EXPECT_TRUE(parse_dpkg_status("", "s", false, diagnostics).empty());
  EXPECT_TRUE(parse_dpkg_status("\n\n\n", "s", false, diagnostics).empty());
  const std::string binary("\0\x01\xff:\n\x80\n", 7);
  EXPECT_TRUE(parse_dpkg_status(binary, "s", false, diagnostics).empty());
  EXPECT_FALSE(diagnostics.empty());
}

TEST(DpkgStatusCatalogerTest, WantsStatusAndStatusDirectoryFiles) {
  const DpkgStatusCataloger cataloger;
  EXPECT_TRUE(cataloger.wants("var/lib/dpkg/status"));
  EXPECT_TRUE(cataloger.wants("var/lib/dpkg/status.d/libc6"));
  EXPECT_FALSE(cataloger.wants("var/lib/dpkg/status.d/libc6.md5sums"));
  EXPECT_FALSE(cataloger.wants("var/lib/dpkg/status-old"));
  EXPECT_FALSE(cataloger.wants("var/lib/dpkg/status.d/sub/x"));
  EXPECT_FALSE(cataloger.wants("var/lib/dpkg/status.d/"));
  EXPECT_FALSE(cataloger.wants("srv/var/lib/dpkg/status"));
}

TEST(DpkgStatusCatalogerTest, EcosystemAndPurlFollowTheOs) {
  sources::MemoryFileTree tree;
  tree.add_file("var/lib/dpkg/status",
                "Package: curl\nStatus: install ok installed\nArchitecture: amd64\n"
                "Version: 7.88.1-10+deb12u5\n");
  const std::pair<const char*, model::Ecosystem> kOses[] = {
      {"debian", model::Ecosystem::kDebian},
      {"ubuntu", model::Ecosystem::kUbuntu},
      {"linuxmint", model::Ecosystem::kGeneric},
  };
  for (const auto& [id, ecosystem] : kOses) {
    model::Inventory inventory;
    inventory.os.id = id;
    inventory.os.version_id = "12";
    const std::vector<std::string> paths = {"var/lib/dpkg/status"};
    DpkgStatusCataloger{}.catalog(tree, paths, inventory);
    ASSERT_EQ(inventory.packages.size(), 1U);
    EXPECT_EQ(inventory.packages[0].ecosystem, ecosystem) << id;
    EXPECT_EQ(inventory.packages[0].purl,
              fmt::format("pkg:deb/{}/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro={}-12", id, id));
    EXPECT_EQ(inventory.diagnostics.size(), ecosystem == model::Ecosystem::kGeneric ? 1U : 0U);
  }
}

TEST(DpkgStatusCatalogerTest, UnreadableFileIsAnErrorDiagnostic) {
  sources::MemoryFileTree tree;
  tree.add_symlink("var/lib/dpkg/status", "status");  // a loop
  model::Inventory inventory;
  inventory.os.id = "debian";
  const std::vector<std::string> paths = {"var/lib/dpkg/status"};
  DpkgStatusCataloger{}.catalog(tree, paths, inventory);
  EXPECT_TRUE(inventory.packages.empty());
  ASSERT_EQ(inventory.diagnostics.size(), 1U);
  EXPECT_EQ(inventory.diagnostics[0].level, model::DiagnosticLevel::kError);
  EXPECT_FALSE(inventory.complete);
}

}  // namespace
}  // namespace vigil::inventory
