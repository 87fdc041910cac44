// catalog(): identify the OS, walk the tree once, hand each cataloger the files it wanted, then
// finish the packages (distro release, purl, version check).
#include <sys/stat.h>
#include <sys/utsname.h>

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "inventory/cataloger.hpp"
#include "inventory/catalogers/apk_installed.hpp"
#include "inventory/catalogers/binary.hpp"
#include "inventory/catalogers/cargo.hpp"
#include "inventory/catalogers/dotnet.hpp"
#include "inventory/catalogers/dpkg_status.hpp"
#include "inventory/catalogers/go_mod.hpp"
#include "inventory/catalogers/java_archive.hpp"
#include "inventory/catalogers/node.hpp"
#include "inventory/catalogers/python.hpp"
#include "inventory/catalogers/rpmdb.hpp"
#include "inventory/catalogers/ruby.hpp"
#include "inventory/cpe.hpp"
#include "inventory/internal/os_package.hpp"
#include "inventory/os_release.hpp"
#include "inventory/ownership.hpp"
#include "version/version.hpp"

namespace vigil::inventory {
namespace {

// True when `root` is this machine's own "/", where the running kernel is meaningful.
bool is_live_root(const std::filesystem::path& root) {
  struct stat root_stat {};
  struct stat host_stat {};
  return ::stat(root.c_str(), &root_stat) == 0 && ::stat("/", &host_stat) == 0 &&
         root_stat.st_dev == host_stat.st_dev && root_stat.st_ino == host_stat.st_ino;
}

std::string running_kernel_release() {
  struct utsname names {};
  return ::uname(&names) == 0 ? std::string(names.release) : std::string{};
}

std::string_view purl_type(model::Ecosystem ecosystem) {
  switch (ecosystem) {
    case model::Ecosystem::kDebian:
    case model::Ecosystem::kUbuntu:
      return "deb";
    case model::Ecosystem::kAlpine:
      return "apk";
    default:
      return "rpm";  // the remaining OS ecosystems are rpm-based
  }
}

// Fills what every OS package needs from the OS identity, and flags versions the matcher will
// not be able to order.
void finish_packages(model::Inventory& inventory, size_t first) {
  const std::string release = distro_release(inventory.os);
  for (size_t idx = first; idx < inventory.packages.size(); ++idx) {
    model::Package& package = inventory.packages[idx];
    if (!model::is_os_ecosystem(package.ecosystem)) {
      continue;
    }
    if (package.distro_release.empty()) {
      package.distro_release = release;
    }
    if (package.purl.empty()) {
      package.purl = internal::os_package_purl(purl_type(package.ecosystem), package, inventory.os);
    }
    const auto parsed = version::parse(version::scheme_for(package.ecosystem), package.version);
    if (!parsed) {
      inventory.diagnostics.push_back(
          {model::DiagnosticLevel::kWarning,
           package.locations.empty() ? std::string{} : package.locations.front(),
           fmt::format("package {}: version '{}' cannot be ordered: {}", package.name,
                       package.version, parsed.error().message)});
    }
  }
}

// Asks the OS catalogers that ran which language packages' evidence files they installed.
void set_owners(const sources::FileTree& tree,
                const std::vector<std::unique_ptr<Cataloger>>& catalogers,
                const std::vector<std::vector<std::string>>& wanted, model::Inventory& inventory) {
  OwnerQuery query(inventory);
  if (query.empty()) {
    return;
  }
  for (size_t idx = 0; idx < catalogers.size() && query.unclaimed() > 0; ++idx) {
    if (wanted[idx].empty()) {
      continue;
    }
    try {
      catalogers[idx]->find_owners(tree, inventory, query);
    } catch (const std::exception& error) {
      inventory.diagnostics.push_back({model::DiagnosticLevel::kWarning,
                                       std::string(catalogers[idx]->name()),
                                       fmt::format("file ownership not read: {}", error.what())});
    }
  }
  query.apply(inventory);
}

}  // namespace

std::vector<std::unique_ptr<Cataloger>> default_catalogers() {
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  // Operating-system package managers.
  catalogers.push_back(std::make_unique<DpkgStatusCataloger>());
  catalogers.push_back(std::make_unique<ApkInstalledCataloger>());
  catalogers.push_back(std::make_unique<RpmDbCataloger>());
  // Language package catalogers go here, in the order their packages should be listed.
  catalogers.push_back(std::make_unique<PythonCataloger>());
  catalogers.push_back(std::make_unique<NodeCataloger>());
  catalogers.push_back(std::make_unique<JavaArchiveCataloger>());
  catalogers.push_back(std::make_unique<GoModCataloger>());
  catalogers.push_back(std::make_unique<RubyCataloger>());
  catalogers.push_back(std::make_unique<DotnetCataloger>());
  catalogers.push_back(std::make_unique<CargoLockCataloger>());
  catalogers.push_back(std::make_unique<BinaryCataloger>());
  return catalogers;
}

model::Inventory catalog(const sources::FileTree& tree,
                         const std::vector<std::unique_ptr<Cataloger>>& catalogers) {
  model::Inventory inventory;
  const auto host_root = tree.host_path("");
  inventory.target = host_root ? host_root->string() : tree.describe();
  inventory.os = identify_os(tree, inventory.diagnostics, today_utc());
  if (host_root && is_live_root(*host_root)) {
    // Installed kernel packages are ordinary packages; which one runs is known only here.
    inventory.os.kernel_release = running_kernel_release();
  }

  if (catalogers.empty()) {
    return inventory;
  }
  std::vector<std::vector<std::string>> wanted(catalogers.size());
  const auto walked = tree.walk([&](const sources::FileInfo& info) {
    if (info.type == sources::FileType::kRegular) {
      for (size_t idx = 0; idx < catalogers.size(); ++idx) {
        if (catalogers[idx]->wants(info.path)) {
          wanted[idx].push_back(info.path);
        }
      }
    }
    return true;
  });
  if (!walked) {
    inventory.diagnostics.push_back(
        {model::DiagnosticLevel::kError, "",
         "cannot walk " + tree.describe() + ": " + walked.error().message});
    inventory.complete = false;
  }

  for (size_t idx = 0; idx < catalogers.size(); ++idx) {
    if (wanted[idx].empty()) {
      continue;
    }
    const size_t first = inventory.packages.size();
    try {
      catalogers[idx]->catalog(tree, wanted[idx], inventory);
    } catch (const std::exception& error) {
      // A cataloger must not throw; if one does (e.g. bad_alloc), keep the others' results.
      inventory.diagnostics.push_back({model::DiagnosticLevel::kError,
                                       std::string(catalogers[idx]->name()),
                                       fmt::format("cataloger failed: {}", error.what())});
      inventory.complete = false;
    }
    finish_packages(inventory, first);
  }
  set_owners(tree, catalogers, wanted, inventory);
  for (auto& package : inventory.packages) {
    if (package.cpes.empty()) {
      package.cpes = known_cpes(package);
    }
  }
  return inventory;
}

}  // namespace vigil::inventory
