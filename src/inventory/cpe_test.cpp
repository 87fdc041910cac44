#include "inventory/cpe.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

struct CpeCase {
  model::Ecosystem ecosystem;
  std::string name;
  std::string version;
  std::string source_name;
  std::string source_version;
  std::string expected;  // "" = no CPE
};

model::Package package_of(const CpeCase& param) {
  model::Package package;
  package.ecosystem = param.ecosystem;
  package.name = param.name;
  package.version = param.version;
  package.source_name = param.source_name;
  package.source_version = param.source_version;
  return package;
}

TEST(Cpe, CuratedTable) {
  using model::Ecosystem;
  const std::vector<CpeCase> cases = {
      // Distro binaries map through their source package; epoch and revision go.
      {Ecosystem::kDebian, "libssl3", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2",
       "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"},
      {Ecosystem::kDebian, "libcurl4", "7.88.1-10+deb12u5", "curl", "7.88.1-10+deb12u5",
       "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*"},
      {Ecosystem::kDebian, "zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1",
       "cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*"},
      {Ecosystem::kDebian, "openssh-client", "1:9.2p1-2+deb12u3", "openssh", "1:9.2p1-2+deb12u3",
       "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*"},
      {Ecosystem::kUbuntu, "sudo", "1.9.9-1ubuntu2.4", "sudo", "1.9.9-1ubuntu2.4",
       "cpe:2.3:a:sudo_project:sudo:1.9.9:*:*:*:*:*:*:*"},
      {Ecosystem::kDebian, "sudo", "1.9.13p3-1+deb12u1", "sudo", "1.9.13p3-1+deb12u1",
       "cpe:2.3:a:sudo_project:sudo:1.9.13:p3:*:*:*:*:*:*"},
      {Ecosystem::kDebian, "foo", "2.0+really1.9-1", "xz-utils", "2.0+really1.9-1",
       "cpe:2.3:a:tukaani:xz:1.9:*:*:*:*:*:*:*"},
      {Ecosystem::kAlpine, "libcrypto3", "3.1.4-r1", "openssl", "3.1.4-r1",
       "cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*"},
      {Ecosystem::kAlpine, "musl", "1.2.4-r2", "", "", "cpe:2.3:a:musl-libc:musl:1.2.4:*:*:*:*:*:*:*"},
      {Ecosystem::kAmazonLinux, "openssl-libs", "1:3.0.8-1.amzn2023.0.3", "openssl",
       "1:3.0.8-1.amzn2023.0.3", "cpe:2.3:a:openssl:openssl:3.0.8:*:*:*:*:*:*:*"},
      {Ecosystem::kDebian, "libc6", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4",
       "cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*"},
      // Language packages by ecosystem and name, versions as installed.
      {Ecosystem::kMaven, "org.apache.logging.log4j:log4j-core", "2.14.1", "", "",
       "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
      {Ecosystem::kPyPI, "Django", "4.2.1", "", "", "cpe:2.3:a:djangoproject:django:4.2.1:*:*:*:*:*:*:*"},
      {Ecosystem::kPyPI, "PyYAML", "6.0", "", "", "cpe:2.3:a:pyyaml:pyyaml:6.0:*:*:*:*:*:*:*"},
      {Ecosystem::kGo, "stdlib", "go1.21.3", "", "", "cpe:2.3:a:golang:go:1.21.3:*:*:*:*:*:*:*"},
      {Ecosystem::kGo, "stdlib", "v1.20.0", "", "", "cpe:2.3:a:golang:go:1.20.0:*:*:*:*:*:*:*"},
      // Versions with CPE special characters are quoted.
      {Ecosystem::kNpm, "lodash", "4.17.21+build:1", "", "",
       "cpe:2.3:a:lodash:lodash:4.17.21\\+build\\:1:*:*:*:*:*:*:*"},
      // Not in the table, wrong ecosystem, or no version: nothing.
      {Ecosystem::kDebian, "libfoo", "1.0-1", "foo", "1.0-1", ""},
      {Ecosystem::kNpm, "openssl", "3.0.0", "", "", ""},
      {Ecosystem::kMaven, "log4j-core", "2.14.1", "", "", ""},
      {Ecosystem::kGeneric, "openssl", "3.0.0", "openssl", "3.0.0", ""},
      {Ecosystem::kPyPI, "django", "", "", "", ""},
      // An openssh version without a patch level keeps an empty update.
      {Ecosystem::kAlpine, "openssh", "9.3-r0", "openssh", "9.3-r0",
       "cpe:2.3:a:openbsd:openssh:9.3:*:*:*:*:*:*:*"},
  };
  for (const auto& param : cases) {
    const auto cpes = known_cpes(package_of(param));
    if (param.expected.empty()) {
      EXPECT_TRUE(cpes.empty()) << param.name << " " << param.version;
    } else {
      ASSERT_EQ(cpes.size(), 1U) << param.name;
      EXPECT_EQ(cpes[0], param.expected);
    }
  }
}

TEST(Cpe, Escape) {
  EXPECT_EQ(cpe_escape(""), "*");
  EXPECT_EQ(cpe_escape("1.2.3-beta_1"), "1.2.3-beta_1");
  EXPECT_EQ(cpe_escape("a*b?c:d\\e"), "a\\*b\\?c\\:d\\\\e");
}

}  // namespace
}  // namespace vigil::inventory
