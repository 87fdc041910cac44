// File ownership: which language packages were installed by an OS package. A dist-info that
// Debian's python3-urllib3 ships, the jars of libjackson2-databind-java, the gems of ruby3.1: their
// upstream version is not the whole truth (the distribution backports fixes), so the matcher
// leaves them to the OS package's distro advisories (see model::Package::owner_purl).
#pragma once

#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/inventory.hpp"

namespace vigil::inventory {

// The evidence files of an inventory's language packages, asked of the OS package managers.
// Paths are compared in a canonical form: no leading '/', and the merged-/usr directories
// (bin, sbin, lib, lib32, lib64, libx32) under "usr/", since dpkg lists hold both spellings
// while a walk of a merged-/usr tree sees only usr/. Archive members ("app.war!/x.jar") stand
// for their outer file. Not thread-safe; one per catalog() call.
class OwnerQuery {
 public:
  // Collects the evidence files of the language packages of `inventory` that have no owner yet.
  explicit OwnerQuery(const model::Inventory& inventory);

  // True when there is nothing to ask (no language package, or all are already owned).
  bool empty() const { return slots_.empty(); }
  // Evidence files not claimed yet.
  size_t unclaimed() const { return unclaimed_; }

  // Records that the OS package `owner_purl` installed `path` (as written in its file list,
  // with or without a leading '/'). The first claim of a path wins. Returns true when `path`
  // is one of the query's evidence files. Cheap for paths that are not (a test of length and
  // last character, then one hash lookup), so a file list can be fed line by line.
  bool claim(std::string_view path, const std::string& owner_purl);

  // The canonical evidence paths not claimed yet, sorted (for managers queried path by path).
  std::vector<std::string> unclaimed_paths() const;

  // Sets `owner_purl` on every package of `inventory` (the one given to the constructor) with a
  // claimed evidence file; returns how many packages got one.
  size_t apply(model::Inventory& inventory) const;

  // The canonical form described above ("/lib/x" -> "usr/lib/x", "a.jar!/b" -> "a.jar").
  static std::string canonical(std::string_view path);

 private:
  struct Slot {
    std::vector<size_t> packages;  // indexes into Inventory::packages
    std::string owner;             // claiming purl; empty while unclaimed
  };
  std::unordered_map<std::string, Slot> slots_;
  // filter_[n]: the last characters of the evidence paths of canonical length n (a 256-bit
  // set), so that most lines of a file list are dismissed without hashing.
  std::vector<std::bitset<256>> filter_;
  size_t unclaimed_ = 0;
  std::string scratch_;
};

// Reads a dpkg file list (var/lib/dpkg/info/<pkg>.list: one absolute path per line) or a
// distroless md5sums file ("<md5>  <relative path>" per line, `md5sums` true) and claims every
// listed path for `owner_purl`. Stops early once the query has nothing left unclaimed.
void claim_file_list(std::string_view text, bool md5sums, const std::string& owner_purl,
                     OwnerQuery& query);

}  // namespace vigil::inventory
