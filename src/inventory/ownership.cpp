#include "inventory/ownership.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace vigil::inventory {
namespace {

// The top-level directories that merged-/usr systems link into usr/.
constexpr std::array<std::string_view, 6> kMergedDirs = {"bin/",   "sbin/",  "lib/",
                                                         "lib32/", "lib64/", "libx32/"};

// Paths longer than this are never evidence worth a length slot (and never in a file list).
constexpr size_t kMaxPathLength = 4096;

bool is_language_package(const model::Package& package) {
  return !model::is_os_ecosystem(package.ecosystem) &&
         package.ecosystem != model::Ecosystem::kGeneric;
}

// Writes the canonical form of `path` into `out` (reusing its buffer).
void canonical_into(std::string_view path, std::string& out) {
  const size_t member = path.find('!');
  if (member != std::string_view::npos) {
    path = path.substr(0, member);
  }
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  out.clear();
  for (const auto dir : kMergedDirs) {
    if (path.starts_with(dir)) {
      out = "usr/";
      break;
    }
  }
  out.append(path);
}

}  // namespace

std::string OwnerQuery::canonical(std::string_view path) {
  std::string out;
  canonical_into(path, out);
  return out;
}

OwnerQuery::OwnerQuery(const model::Inventory& inventory) {
  std::string path;
  for (size_t idx = 0; idx < inventory.packages.size(); ++idx) {
    const model::Package& package = inventory.packages[idx];
    if (!is_language_package(package) || !package.owner_purl.empty()) {
      continue;
    }
    for (const auto& location : package.locations) {
      canonical_into(location, path);
      if (path.empty() || path.size() > kMaxPathLength) {
        continue;
      }
      auto [slot, inserted] = slots_.try_emplace(path);
      if (inserted) {
        ++unclaimed_;
      }
      if (slot->second.packages.empty() || slot->second.packages.back() != idx) {
        slot->second.packages.push_back(idx);
      }
      if (filter_.size() <= path.size()) {
        filter_.resize(path.size() + 1);
      }
      filter_[path.size()].set(static_cast<unsigned char>(path.back()));
    }
  }
}

bool OwnerQuery::claim(std::string_view path, const std::string& owner_purl) {
  // Length and last character first: most lines of a file list are not evidence.
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  size_t length = path.size();
  if (path.find('!') != std::string_view::npos) {
    return false;  // file lists name files, never archive members
  }
  for (const auto dir : kMergedDirs) {
    if (path.starts_with(dir)) {
      length += 4;  // "usr/"
      break;
    }
  }
  if (path.empty() || length >= filter_.size() ||
      !filter_[length].test(static_cast<unsigned char>(path.back()))) {
    return false;
  }
  canonical_into(path, scratch_);
  const auto found = slots_.find(scratch_);
  if (found == slots_.end()) {
    return false;
  }
  if (found->second.owner.empty()) {
    found->second.owner = owner_purl;
    --unclaimed_;
  }
  return true;
}

std::vector<std::string> OwnerQuery::unclaimed_paths() const {
  std::vector<std::string> out;
  for (const auto& [path, slot] : slots_) {
    if (slot.owner.empty()) {
      out.push_back(path);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t OwnerQuery::apply(model::Inventory& inventory) const {
  size_t owned = 0;
  for (const auto& [path, slot] : slots_) {
    if (slot.owner.empty()) {
      continue;
    }
    for (const size_t idx : slot.packages) {
      if (idx < inventory.packages.size() && inventory.packages[idx].owner_purl.empty()) {
        inventory.packages[idx].owner_purl = slot.owner;
        ++owned;
      }
    }
  }
  return owned;
}

void claim_file_list(std::string_view text, bool md5sums, const std::string& owner_purl,
                     OwnerQuery& query) {
  size_t pos = 0;
  while (pos < text.size() && query.unclaimed() > 0) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (md5sums) {
      // "<32 hex>  <path>" (md5sum's text mode; a '*' marks binary mode).
      const size_t space = line.find(' ');
      if (space == std::string_view::npos) {
        continue;
      }
      line.remove_prefix(space);
      while (!line.empty() && (line.front() == ' ' || line.front() == '*')) {
        line.remove_prefix(1);
      }
    }
    if (!line.empty()) {
      query.claim(line, owner_purl);
    }
  }
}

}  // namespace vigil::inventory
