#include "inventory/catalogers/binary.hpp"

#include <array>
#include <utility>

#include "inventory/catalogers/cargo.hpp"
#include "inventory/catalogers/elf.hpp"
#include "inventory/catalogers/go_buildinfo.hpp"
#include "inventory/catalogers/lang_util.hpp"

namespace vigil::inventory {

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {

constexpr std::string_view kName = "binary";
constexpr uint64_t kMinBinaryBytes = 64;
constexpr uint64_t kMaxBinaryBytes = sources::kDefaultMaxRead;
constexpr uint32_t kAnyExecuteBit = 0111;

constexpr std::array<std::string_view, 4> kBinaryDirs = {"bin", "sbin", "libexec", "cni"};
constexpr std::array<std::string_view, 8> kAppRoots = {"opt/",  "usr/local/", "app/", "srv/",
                                                       "home/", "root/",      "go/",  "var/task/"};

void add_module(const GoModule& module, const std::string& location, model::Inventory& inventory) {
  inventory.packages.push_back(make_package(model::Ecosystem::kGo, module.path, module.version,
                                            make_golang_purl(module.path, module.version),
                                            location));
}

void catalog_go(const ElfFile& elf, const std::string& path, model::Inventory& inventory) {
  auto info = read_go_buildinfo(elf);
  if (!info) {
    add_warning(inventory, kName, path, info.error().message);
    return;
  }
  if (!*info) {
    return;
  }
  const GoBuildInfo& build = **info;
  if (build.main && !build.main->path.empty()) {
    add_module(*build.main, path, inventory);
  }
  for (const auto& dep : build.deps) {
    add_module(dep, path, inventory);
  }
  if (!build.go_version.empty()) {
    add_module(GoModule{"stdlib", build.go_version}, path, inventory);
  }
}

void catalog_rust(const ElfFile& elf, const std::string& path, model::Inventory& inventory) {
  const auto section = elf.section_data(".dep-v0");
  if (!section) {
    return;
  }
  auto crates = parse_cargo_auditable(*section);
  if (!crates) {
    add_warning(inventory, kName, path, "cargo-auditable data: " + crates.error().message);
    return;
  }
  for (auto& crate : *crates) {
    std::string purl = make_purl("cargo", "", crate.name, crate.version);
    inventory.packages.push_back(make_package(model::Ecosystem::kCratesIo, std::move(crate.name),
                                              std::move(crate.version), std::move(purl), path));
  }
}

}  // namespace

bool BinaryCataloger::wants(std::string_view path) const {
  const std::string_view base = base_name(path);
  if (base == "bootstrap") {
    return true;
  }
  for (const auto dir : kBinaryDirs) {
    if (has_dir_segment(path, dir)) {
      return true;
    }
  }
  if (base.find('.') != std::string_view::npos) {
    return false;
  }
  if (base.size() == path.size()) {
    return true;  // at the tree root
  }
  for (const auto root : kAppRoots) {
    if (path.starts_with(root)) {
      return true;
    }
  }
  return false;
}

void BinaryCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                              model::Inventory& inventory) const {
  for (const auto& path : paths) {
    const auto info = tree.stat(path);
    if (!info || !*info || (*info)->type != sources::FileType::kRegular ||
        ((*info)->mode & kAnyExecuteBit) == 0 || (*info)->size < kMinBinaryBytes ||
        (*info)->size > kMaxBinaryBytes) {
      continue;  // not an executable we would read; silence is right for data files
    }
    const auto bytes = read_evidence(tree, path, kMaxBinaryBytes, kName, inventory);
    if (!bytes || !ElfFile::has_magic(*bytes)) {
      continue;
    }
    const auto elf = ElfFile::parse(*bytes);
    if (!elf) {
      add_warning(inventory, kName, path, elf.error().message);
      continue;
    }
    catalog_go(*elf, path, inventory);
    catalog_rust(*elf, path, inventory);
  }
}

}  // namespace vigil::inventory
