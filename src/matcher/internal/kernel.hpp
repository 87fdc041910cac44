// Internal: which distro packages are Linux kernels, which of them are images (the kernel that
// boots, and its modules), which image is the running one, and the advisory key of an image.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/package.hpp"

namespace vigil::matcher::internal {

// True for a dpkg or rpm package built from a kernel source package: Debian/Ubuntu source
// "linux", "linux-signed*", "linux-meta*", "linux-latest" or a flavour "linux-<flavour>" (aws,
// azure, hwe-5.15, ...) other than linux-firmware* and a few unrelated "linux-*" sources
// (linux-base, linux-atm, ...); rpm source "kernel" (or "kernel-rt"/"kernel-64k"...). Packages without a
// source name are judged by their own name.
bool is_kernel_package(const model::Package& package);

// True for a kernel package that is the kernel image or its modules: dpkg linux-image-*,
// linux-modules-*; rpm kernel, kernel-core, kernel-modules*, and the same for the 64k, rt,
// debug and zfcpdump variants (kernel-64k-core, kernel-rt-modules-extra, ...).
bool is_kernel_image(const model::Package& package);

// True when image `package` is the build of running kernel `release` (uname -r):
// dpkg linux-image-6.1.0-18-amd64 for "6.1.0-18-amd64"; rpm kernel-core 5.14.0-362.8.1.el9_3
// (x86_64) for "5.14.0-362.8.1.el9_3.x86_64" or "...aarch64+64k".
bool runs_release(const model::Package& package, std::string_view release);

// Where a dpkg kernel image is looked up: the unsigned source its signed source wraps.
// Ubuntu "linux-signed-aws" -> "linux-aws", "linux-signed-hwe-5.15" -> "linux-hwe-5.15";
// Debian "linux-signed-amd64" -> "linux". With a signed source the binary's own version is used
// (Debian's signed source versions, "6.1.76+1", differ from the kernel's "6.1.76-1").
// nullopt when the package's usual source key applies.
struct KernelKey {
  std::string name;
  std::string version;
};
std::optional<KernelKey> kernel_source_key(const model::Package& package);

}  // namespace vigil::matcher::internal
