// Kernel advisories match only the kernel image (and modules) of the running kernel, under the
// advisory key of its flavour; headers, tools and libc-dev built from the same source do not.
#include "matcher/internal/kernel.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "matcher/matcher.hpp"

namespace vigil::matcher {
namespace {

using model::Ecosystem;
using model::EventKind;

// One advisory per (ecosystem, release, source key), each a distinct CVE so a match names its key.
struct KernelAdvisory {
  Ecosystem ecosystem;
  const char* release;
  const char* name;
  const char* fixed;
  const char* cve;
};

constexpr KernelAdvisory kAdvisories[] = {
    {Ecosystem::kDebian, "12", "linux", "6.1.90-1", "CVE-2024-0001"},
    {Ecosystem::kUbuntu, "22.04", "linux", "5.15.0-200.210", "CVE-2024-0002"},
    {Ecosystem::kUbuntu, "22.04", "linux-aws", "5.15.0-1060.66", "CVE-2024-0003"},
    {Ecosystem::kAmazonLinux, "2023", "kernel", "6.1.90-99.173.amzn2023", "CVE-2024-0004"},
    {Ecosystem::kAmazonLinux, "2023", "kernel-headers", "6.1.90-99.173.amzn2023", "CVE-2024-0004"},
    {Ecosystem::kAmazonLinux, "2023", "kernel-tools", "6.1.90-99.173.amzn2023", "CVE-2024-0004"},
    {Ecosystem::kRedHat, "9", "kernel-core", "5.14.0-500.el9", "CVE-2024-0005"},
    {Ecosystem::kRedHat, "9", "kernel-headers", "5.14.0-500.el9", "CVE-2024-0005"},
    {Ecosystem::kDebian, "12", "linux-firmware-free", "20230625-3", "CVE-2024-0006"},
};

MatchIndex kernel_index() {
  MatchIndex index;
  for (const auto& row : kAdvisories) {
    auto advisory = std::make_shared<model::Advisory>();
    advisory->id = row.cve;
    model::AffectedPackage affected;
    affected.ecosystem = {row.ecosystem, row.release};
    affected.name = row.name;
    affected.ranges.push_back({model::RangeType::kEcosystem,
                               "",
                               {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, row.fixed}}});
    index.add(advisory, affected);
  }
  return index;
}

model::Package kernel_package(Ecosystem ecosystem, std::string release, std::string name,
                       std::string version, std::string source, std::string source_version = "") {
  model::Package out;
  out.ecosystem = ecosystem;
  out.distro_release = std::move(release);
  out.name = std::move(name);
  out.version = std::move(version);
  out.source_name = std::move(source);
  out.source_version = source_version.empty() ? out.version : std::move(source_version);
  out.arch = ecosystem == Ecosystem::kDebian || ecosystem == Ecosystem::kUbuntu ? "amd64" : "x86_64";
  return out;
}

struct KernelCase {
  const char* label;
  model::Package installed;
  const char* running;  // os.kernel_release; "" = unknown
  const char* cve;      // expected match; "" = none
  KernelSkip skip;      // expected skip reason of the package
};

class KernelMatchTest : public ::testing::TestWithParam<KernelCase> {};

TEST_P(KernelMatchTest, OnlyTheRunningImageOfTheRightFlavourMatches) {
  const KernelCase& param = GetParam();
  model::Inventory inventory;
  inventory.os.kernel_release = param.running;
  inventory.packages = {param.installed};
  const auto index = kernel_index();
  const auto result = match(inventory, index);
  if (std::string_view(param.cve).empty()) {
    EXPECT_TRUE(result.matches.empty()) << result.matches.front().vulnerability_id;
  } else {
    ASSERT_EQ(result.matches.size(), 1U);
    EXPECT_EQ(result.matches[0].vulnerability_id, param.cve);
  }
  if (param.skip == KernelSkip::kNone) {
    EXPECT_TRUE(result.kernel_skipped.empty());
  } else {
    ASSERT_EQ(result.kernel_skipped.size(), 1U);
    EXPECT_EQ(result.kernel_skipped[0].reason, param.skip);
    EXPECT_EQ(result.kernel_skipped[0].package_index, 0U);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kernels, KernelMatchTest,
    ::testing::Values(
        KernelCase{"debian_libc_dev",
                   kernel_package(Ecosystem::kDebian, "12", "linux-libc-dev", "6.1.76-1", "linux"), "",
                   "", KernelSkip::kNotImage},
        KernelCase{"debian_headers",
                   kernel_package(Ecosystem::kDebian, "12", "linux-headers-6.1.0-18-amd64", "6.1.76-1",
                           "linux"),
                   "", "", KernelSkip::kNotImage},
        KernelCase{"debian_kbuild",
                   kernel_package(Ecosystem::kDebian, "12", "linux-kbuild-6.1", "6.1.76-1", "linux"), "",
                   "", KernelSkip::kNotImage},
        // Signed image: looked up under "linux" with the binary's version, not "6.1.76+1".
        KernelCase{"debian_signed_image",
                   kernel_package(Ecosystem::kDebian, "12", "linux-image-6.1.0-18-amd64", "6.1.76-1",
                           "linux-signed-amd64", "6.1.76+1"),
                   "", "CVE-2024-0001", KernelSkip::kNone},
        KernelCase{"debian_running_image",
                   kernel_package(Ecosystem::kDebian, "12", "linux-image-6.1.0-18-amd64", "6.1.76-1",
                           "linux-signed-amd64", "6.1.76+1"),
                   "6.1.0-18-amd64", "CVE-2024-0001", KernelSkip::kNone},
        KernelCase{"debian_fixed_image",
                   kernel_package(Ecosystem::kDebian, "12", "linux-image-6.1.0-21-amd64", "6.1.90-1",
                           "linux-signed-amd64", "6.1.90+1"),
                   "", "", KernelSkip::kNone},
        // linux-firmware-free is not a kernel: its own advisories still apply.
        KernelCase{"debian_firmware_is_not_a_kernel",
                   kernel_package(Ecosystem::kDebian, "12", "firmware-linux-free", "20200122-1",
                           "linux-firmware-free"),
                   "", "CVE-2024-0006", KernelSkip::kNone},
        // Ubuntu flavours: -aws takes linux-aws's advisory, -generic takes linux's.
        KernelCase{"ubuntu_aws_flavour",
                   kernel_package(Ecosystem::kUbuntu, "22.04", "linux-image-5.15.0-1050-aws",
                           "5.15.0-1050.55", "linux-signed-aws"),
                   "5.15.0-1050-aws", "CVE-2024-0003", KernelSkip::kNone},
        KernelCase{"ubuntu_generic_flavour",
                   kernel_package(Ecosystem::kUbuntu, "22.04", "linux-image-5.15.0-100-generic",
                           "5.15.0-100.110", "linux-signed"),
                   "5.15.0-100-generic", "CVE-2024-0002", KernelSkip::kNone},
        KernelCase{"ubuntu_modules_unsigned_source",
                   kernel_package(Ecosystem::kUbuntu, "22.04", "linux-modules-5.15.0-1050-aws",
                           "5.15.0-1050.55", "linux-aws"),
                   "5.15.0-1050-aws", "CVE-2024-0003", KernelSkip::kNone},
        KernelCase{"ubuntu_aws_headers",
                   kernel_package(Ecosystem::kUbuntu, "22.04", "linux-aws-headers-5.15.0-1050",
                           "5.15.0-1050.55", "linux-aws"),
                   "5.15.0-1050-aws", "", KernelSkip::kNotImage},
        KernelCase{"ubuntu_tools",
                   kernel_package(Ecosystem::kUbuntu, "22.04", "linux-tools-5.15.0-1050-aws",
                           "5.15.0-1050.55", "linux-aws"),
                   "", "", KernelSkip::kNotImage},
        // rpm: kernel and kernel-core are images; kernel-headers/kernel-tools are not.
        KernelCase{"amazon_kernel",
                   kernel_package(Ecosystem::kAmazonLinux, "2023", "kernel", "6.1.61-85.164.amzn2023",
                           "kernel"),
                   "6.1.61-85.164.amzn2023.x86_64", "CVE-2024-0004", KernelSkip::kNone},
        KernelCase{"amazon_kernel_headers",
                   kernel_package(Ecosystem::kAmazonLinux, "2023", "kernel-headers",
                           "6.1.61-85.164.amzn2023", "kernel"),
                   "6.1.61-85.164.amzn2023.x86_64", "", KernelSkip::kNotImage},
        KernelCase{"amazon_kernel_tools",
                   kernel_package(Ecosystem::kAmazonLinux, "2023", "kernel-tools",
                           "6.1.61-85.164.amzn2023", "kernel"),
                   "", "", KernelSkip::kNotImage},
        KernelCase{"rhel_kernel_core",
                   kernel_package(Ecosystem::kRedHat, "9", "kernel-core", "5.14.0-362.8.1.el9_3",
                           "kernel"),
                   "5.14.0-362.8.1.el9_3.x86_64", "CVE-2024-0005", KernelSkip::kNone},
        KernelCase{"rhel_kernel_headers",
                   kernel_package(Ecosystem::kRedHat, "9", "kernel-headers", "5.14.0-362.8.1.el9_3",
                           "kernel"),
                   "", "", KernelSkip::kNotImage}),
    [](const ::testing::TestParamInfo<KernelCase>& param_info) { return param_info.param.label; });

TEST(KernelMatchTest, OnlyTheRunningOfSeveralImagesIsMatched) {
  model::Inventory inventory;
  inventory.packages = {
      kernel_package(Ecosystem::kUbuntu, "22.04", "linux-image-5.15.0-1049-aws", "5.15.0-1049.54",
              "linux-signed-aws"),
      kernel_package(Ecosystem::kUbuntu, "22.04", "linux-image-5.15.0-1050-aws", "5.15.0-1050.55",
              "linux-signed-aws"),
      kernel_package(Ecosystem::kUbuntu, "22.04", "linux-libc-dev", "5.15.0-1050.55", "linux"),
  };
  const auto index = kernel_index();
  inventory.os.kernel_release = "5.15.0-1050-aws";
  auto result = match(inventory, index);
  ASSERT_EQ(result.matches.size(), 1U);
  EXPECT_EQ(result.matches[0].package_index, 1U);
  ASSERT_EQ(result.kernel_skipped.size(), 2U);
  EXPECT_EQ(result.kernel_skipped[0].package_index, 0U);
  EXPECT_EQ(result.kernel_skipped[0].reason, KernelSkip::kNotRunning);
  EXPECT_EQ(result.kernel_skipped[1].package_index, 2U);
  EXPECT_EQ(result.kernel_skipped[1].reason, KernelSkip::kNotImage);
  EXPECT_EQ(kernel_skip_name(KernelSkip::kNotRunning), "not the running kernel");

  // Running kernel unknown: both images are matched.
  inventory.os.kernel_release.clear();
  result = match(inventory, index);
  EXPECT_EQ(result.matches.size(), 2U);
  EXPECT_EQ(result.kernel_skipped.size(), 1U);

  // A running kernel none of the images is (a custom build): both images are matched.
  inventory.os.kernel_release = "6.8.0-custom";
  result = match(inventory, index);
  EXPECT_EQ(result.matches.size(), 2U);
  EXPECT_EQ(result.kernel_skipped.size(), 1U);
}

struct ReleaseCase {
  model::Package image;
  const char* release;
  bool runs;
};

TEST(KernelMatchTest, RunningReleaseOfAnImage) {
  const ReleaseCase cases[] = {
      {kernel_package(Ecosystem::kDebian, "12", "linux-image-6.1.0-18-amd64", "6.1.76-1", "linux"),
       "6.1.0-18-amd64", true},
      {kernel_package(Ecosystem::kDebian, "12", "linux-image-6.1.0-18-amd64-unsigned", "6.1.76-1",
               "linux"),
       "6.1.0-18-amd64", true},
      {kernel_package(Ecosystem::kDebian, "12", "linux-image-6.1.0-18-amd64", "6.1.76-1", "linux"),
       "6.1.0-18", false},
      {kernel_package(Ecosystem::kUbuntu, "22.04", "linux-modules-extra-5.15.0-1050-aws",
               "5.15.0-1050.55", "linux-aws"),
       "5.15.0-1050-aws", true},
      {kernel_package(Ecosystem::kUbuntu, "22.04", "linux-image-unsigned-5.15.0-1050-aws",
               "5.15.0-1050.55", "linux-aws"),
       "5.15.0-1050-aws", true},
      {kernel_package(Ecosystem::kRedHat, "9", "kernel-64k-core", "5.14.0-362.8.1.el9_3", "kernel"),
       "5.14.0-362.8.1.el9_3.aarch64+64k", true},
      {kernel_package(Ecosystem::kRedHat, "9", "kernel-core", "5.14.0-362.8.1.el9_3", "kernel"),
       "5.14.0-362.8.10.el9_3.x86_64", false},
      {kernel_package(Ecosystem::kRedHat, "9", "kernel-core", "5.14.0-362.8.1.el9_3", "kernel"), "",
       false},
  };
  for (const auto& param : cases) {
    EXPECT_EQ(internal::runs_release(param.image, param.release), param.runs)
        << param.image.name << " " << param.release;
  }
}

TEST(KernelMatchTest, ImageAndFamilyNames) {
  struct NameCase {
    model::Package installed;
    bool kernel;
    bool image;
  };
  const NameCase cases[] = {
      {kernel_package(Ecosystem::kRedHat, "9", "kernel-modules-extra", "5.14.0-1.el9", "kernel"), true,
       true},
      {kernel_package(Ecosystem::kRedHat, "9", "kernel-rt-modules", "5.14.0-1.el9", "kernel-rt"), true,
       true},
      {kernel_package(Ecosystem::kRedHat, "9", "kernel-devel", "5.14.0-1.el9", "kernel"), true, false},
      {kernel_package(Ecosystem::kRedHat, "9", "perf", "5.14.0-1.el9", "kernel"), true, false},
      {kernel_package(Ecosystem::kRedHat, "9", "kernel-srpm-macros", "1.0-1.el9", "kernel-srpm-macros"),
       false, false},
      {kernel_package(Ecosystem::kDebian, "12", "linux-base", "4.9", "linux-base"), false, false},
      {kernel_package(Ecosystem::kUbuntu, "22.04", "linux-firmware", "20220329.git681281e4-0ubuntu3",
               "linux-firmware"),
       false, false},
      {kernel_package(Ecosystem::kDebian, "12", "bpftool", "7.1.0+6.1.76-1", "linux"), true, false},
      {kernel_package(Ecosystem::kAlpine, "3.18", "linux-lts", "6.1.60-r0", "linux-lts"), false, false},
  };
  for (const auto& param : cases) {
    EXPECT_EQ(internal::is_kernel_package(param.installed), param.kernel) << param.installed.name;
    EXPECT_EQ(internal::is_kernel_image(param.installed), param.image) << param.installed.name;
  }
}

}  // namespace
}  // namespace vigil::matcher
