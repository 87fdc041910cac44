#include "inventory/catalogers/binary.hpp"

#include <fmt/format.h>

#include <algorithm>
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
    add_warning(inventory, kName, path, "cargo-auditable data: " + section.error().message);
    return;
  }
  if (!*section) {
    return;
  }
  auto crates = parse_cargo_auditable(**section);
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

bool worth_reading(uint32_t mode, uint64_t size) {
  return (mode & kAnyExecuteBit) != 0 && size >= kMinBinaryBytes && size <= kMaxBinaryBytes;
}

// True when a directory of `path` (not its final name) is one of kBinaryDirs. One pass over the
// path: wants() sees every file of the tree.
bool in_binary_dir(std::string_view path) {
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       start = slash + 1, slash = path.find('/', start)) {
    const std::string_view part = path.substr(start, slash - start);
    if (part.size() >= 3 && part.size() <= 7 &&
        std::find(kBinaryDirs.begin(), kBinaryDirs.end(), part) != kBinaryDirs.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool BinaryCataloger::wants(std::string_view path) const {
  const std::string_view base = base_name(path);
  if (base == "bootstrap") {
    return true;
  }
  if (in_binary_dir(path)) {
    return true;
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
    // One open gives the mode and size; then the ELF reader fetches only the headers and the
    // sections it looks for, so a non-ELF file costs one 64-byte read.
    const auto file = tree.open_file(path);
    if (!file) {
      // Warn only about an executable we would have read; silence is right for data files.
      const auto info = tree.stat(path);
      if (info && *info && (*info)->type == sources::FileType::kRegular &&
          worth_reading((*info)->mode, (*info)->size)) {
        add_warning(inventory, kName, path, fmt::format("cannot read: {}", file.error().message));
      }
      continue;
    }
    if (!worth_reading((*file)->mode(), (*file)->size())) {
      continue;
    }
    const auto head = (*file)->read_at(0, kMinBinaryBytes);
    if (!head) {
      add_warning(inventory, kName, path, fmt::format("cannot read: {}", head.error().message));
      continue;
    }
    if (!ElfFile::has_magic(*head)) {
      continue;
    }
    const auto elf = ElfFile::parse(**file, *head);
    if (!elf) {
      add_warning(inventory, kName, path, elf.error().message);
      continue;
    }
    catalog_go(*elf, path, inventory);
    catalog_rust(*elf, path, inventory);
  }
}

}  // namespace vigil::inventory
