// Kernel packages: only the image of the running kernel is matched against kernel advisories.
#include "matcher/internal/kernel.hpp"

#include <algorithm>
#include <array>

#include "matcher/matcher.hpp"

namespace vigil::matcher {
namespace internal {
namespace {

bool is_dpkg(model::Ecosystem ecosystem) {
  return ecosystem == model::Ecosystem::kDebian || ecosystem == model::Ecosystem::kUbuntu;
}

bool is_rpm(model::Ecosystem ecosystem) {
  return ecosystem == model::Ecosystem::kRedHat || ecosystem == model::Ecosystem::kAmazonLinux ||
         ecosystem == model::Ecosystem::kAlmaLinux || ecosystem == model::Ecosystem::kRocky;
}

// Debian/Ubuntu sources named "linux-*" that are not kernels.
constexpr std::array<std::string_view, 12> kNotKernelSources = {
    "linux-base",  "linux-firmware",    "linux-atm",     "linux-ftpd",
    "linux-igd",   "linux-minidisc",    "linux-wlan-ng", "linux-sound-base",
    "linux-gpib",  "linux-show-player", "linux-apfs-rw", "linux-user-chroot"};

// rpm kernel variants: kernel-<variant>[-core|-modules...].
constexpr std::array<std::string_view, 7> kRpmVariants = {"64k-debug", "rt-debug", "64k", "rt",
                                                          "debug",     "zfcpdump", "uek"};

const std::string& source_or_name(const model::Package& package) {
  return package.source_name.empty() ? package.name : package.source_name;
}

bool is_dpkg_kernel_source(std::string_view source) {
  if (source == "linux") {
    return true;
  }
  if (!source.starts_with("linux-") || source.starts_with("linux-firmware")) {
    return false;  // linux-firmware, linux-firmware-free, linux-firmware-raspi, ...
  }
  return std::find(kNotKernelSources.begin(), kNotKernelSources.end(), source) ==
         kNotKernelSources.end();
}

bool is_rpm_kernel_source(std::string_view source) {
  if (source == "kernel") {
    return true;
  }
  if (!source.starts_with("kernel-")) {
    return false;
  }
  const std::string_view variant = source.substr(7);
  return std::find(kRpmVariants.begin(), kRpmVariants.end(), variant) != kRpmVariants.end();
}

// "kernel", "kernel-core", "kernel-modules", "kernel-modules-extra", "kernel-64k-core", ...
bool is_rpm_image_name(std::string_view name) {
  if (name == "kernel") {
    return true;
  }
  if (!name.starts_with("kernel-")) {
    return false;
  }
  std::string_view rest = name.substr(7);
  for (const std::string_view variant : kRpmVariants) {
    if (rest == variant) {
      return true;  // "kernel-64k", "kernel-rt"
    }
    if (rest.starts_with(variant) && rest.size() > variant.size() && rest[variant.size()] == '-') {
      rest.remove_prefix(variant.size() + 1);
      break;
    }
  }
  return rest == "core" || rest == "modules" || rest.starts_with("modules-");
}

// The dpkg image prefixes, longest first.
constexpr std::array<std::string_view, 4> kDpkgImagePrefixes = {
    "linux-image-unsigned-", "linux-modules-extra-", "linux-image-", "linux-modules-"};

}  // namespace

bool is_kernel_package(const model::Package& package) {
  if (is_dpkg(package.ecosystem)) {
    return is_dpkg_kernel_source(source_or_name(package));
  }
  if (is_rpm(package.ecosystem)) {
    return is_rpm_kernel_source(source_or_name(package));
  }
  return false;
}

bool is_kernel_image(const model::Package& package) {
  if (!is_kernel_package(package)) {
    return false;
  }
  if (is_dpkg(package.ecosystem)) {
    return package.name.starts_with("linux-image-") || package.name.starts_with("linux-modules-");
  }
  return is_rpm_image_name(package.name);
}

bool runs_release(const model::Package& package, std::string_view release) {
  if (release.empty()) {
    return false;
  }
  if (is_dpkg(package.ecosystem)) {
    for (const std::string_view prefix : kDpkgImagePrefixes) {
      if (package.name.starts_with(prefix)) {
        const std::string_view rest = std::string_view(package.name).substr(prefix.size());
        // Debian names its unsigned image "linux-image-6.1.0-18-amd64-unsigned".
        return rest == release || (rest.size() == release.size() + 9 &&
                                   rest.starts_with(release) && rest.ends_with("-unsigned"));
      }
    }
    return false;
  }
  // rpm: uname -r is version-release.arch, with "+64k"/"+debug"/"+rt" for variants.
  std::string_view version = package.version;
  if (const size_t colon = version.find(':'); colon != std::string_view::npos) {
    version.remove_prefix(colon + 1);
  }
  if (version.empty() || !release.starts_with(version)) {
    return false;
  }
  const std::string_view rest = release.substr(version.size());
  return rest.empty() || rest.front() == '.' || rest.front() == '+';
}

std::optional<KernelKey> kernel_source_key(const model::Package& package) {
  if (!is_dpkg(package.ecosystem) || !package.source_name.starts_with("linux-signed")) {
    return std::nullopt;
  }
  KernelKey key;
  key.version = package.version;
  if (package.ecosystem == model::Ecosystem::kDebian) {
    key.name = "linux";  // linux-signed-amd64, -arm64, -i386: all built from "linux"
    return key;
  }
  // Ubuntu: "linux-signed" -> "linux", "linux-signed-aws" -> "linux-aws".
  key.name = "linux" + package.source_name.substr(std::string_view("linux-signed").size());
  return key;
}

}  // namespace internal

std::string_view kernel_skip_name(KernelSkip reason) {
  switch (reason) {
    case KernelSkip::kNotImage:
      return "not a kernel image";
    case KernelSkip::kNotRunning:
      return "not the running kernel";
    default:
      return "";
  }
}

std::vector<SkippedPackage> kernel_skips(const model::Inventory& inventory) {
  const std::string& release = inventory.os.kernel_release;
  // When no installed image is the running kernel (a custom build, an unusual uname), every image
  // is matched rather than none.
  const bool running_known =
      !release.empty() &&
      std::any_of(inventory.packages.begin(), inventory.packages.end(),
                  [&release](const model::Package& package) {
                    return internal::is_kernel_image(package) &&
                           internal::runs_release(package, release);
                  });
  std::vector<SkippedPackage> out;
  for (size_t package_idx = 0; package_idx < inventory.packages.size(); ++package_idx) {
    const model::Package& package = inventory.packages[package_idx];
    if (!internal::is_kernel_package(package)) {
      continue;
    }
    if (!internal::is_kernel_image(package)) {
      out.push_back({package_idx, KernelSkip::kNotImage});
    } else if (running_known && !internal::runs_release(package, release)) {
      out.push_back({package_idx, KernelSkip::kNotRunning});
    }
  }
  return out;
}

}  // namespace vigil::matcher
