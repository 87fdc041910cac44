#include "inventory/catalogers/apk_installed.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <string>
#include <utility>

#include "core/strings.hpp"
#include "inventory/internal/os_package.hpp"
#include "inventory/ownership.hpp"

namespace vigil::inventory {
namespace {

constexpr std::string_view kInstalledPath = "lib/apk/db/installed";
constexpr uint64_t kMaxInstalledBytes = uint64_t{512} << 20;

struct Record {
  size_t first_line = 0;
  std::optional<std::string> name;
  std::optional<std::string> version;
  std::string arch;
  std::string origin;
  bool empty = true;
};

class InstalledParser {
 public:
  InstalledParser(std::string_view location, std::vector<model::Diagnostic>& diagnostics)
      : location_(location), diagnostics_(diagnostics) {}

  std::vector<model::Package> parse(std::string_view text) {
    size_t line_no = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      on_line(line, line_no);
    }
    finish_record();
    return std::move(packages_);
  }

 private:
  void diagnose(size_t line_no, std::string message) {
    diagnostics_.push_back({model::DiagnosticLevel::kWarning,
                            fmt::format("{}:{}", location_, line_no), std::move(message)});
  }

  void on_line(std::string_view line, size_t line_no) {
    if (line.empty()) {
      finish_record();
      return;
    }
    if (line.size() < 2 || line[1] != ':') {
      diagnose(line_no, fmt::format("expected 'X:value', got '{}'", line.substr(0, 80)));
      return;
    }
    const char key = line[0];
    const std::string_view value = line.substr(2);
    if (key == 'P' && record_.name) {
      diagnose(line_no, "new package without a blank line before it");
      finish_record();
    }
    if (record_.empty) {
      record_.first_line = line_no;
      record_.empty = false;
    }
    switch (key) {
      case 'P':
        record_.name = std::string(value);
        break;
      case 'V':
        record_.version = std::string(value);
        break;
      case 'A':
        record_.arch = std::string(value);
        break;
      case 'o':
        record_.origin = std::string(value);
        break;
      default:
        break;  // files (F, R, Z, a, M), checksums, dependencies: not needed
    }
  }

  void finish_record() {
    if (record_.empty) {
      return;
    }
    Record record = std::exchange(record_, Record{});
    if (!record.name || record.name->empty()) {
      diagnose(record.first_line, "record has no P: (package name): skipped");
      return;
    }
    if (!record.version || record.version->empty()) {
      diagnose(record.first_line,
               fmt::format("package {} has no V: (version): skipped", *record.name));
      return;
    }
    model::Package package;
    package.name = std::move(*record.name);
    package.version = std::move(*record.version);
    package.arch = std::move(record.arch);
    package.source_name = record.origin.empty() ? package.name : std::move(record.origin);
    package.source_version = package.version;  // subpackages share their origin's version
    package.locations.emplace_back(location_);
    packages_.push_back(std::move(package));
  }

  std::string_view location_;
  std::vector<model::Diagnostic>& diagnostics_;
  Record record_;
  std::vector<model::Package> packages_;
};

}  // namespace

std::vector<model::Package> parse_apk_installed(std::string_view text, std::string_view location,
                                                std::vector<model::Diagnostic>& diagnostics) {
  return InstalledParser(location, diagnostics).parse(text);
}

bool ApkInstalledCataloger::wants(std::string_view path) const { return path == kInstalledPath; }

void ApkInstalledCataloger::catalog(const sources::FileTree& tree,
                                    std::span<const std::string> paths,
                                    model::Inventory& inventory) const {
  const model::Ecosystem ecosystem = internal::package_ecosystem(
      inventory.os, {model::Ecosystem::kAlpine}, name(), paths.front(), inventory.diagnostics);
  for (const auto& path : paths) {
    auto text = tree.read(path, kMaxInstalledBytes);
    if (!text) {
      inventory.diagnostics.push_back(
          {model::DiagnosticLevel::kError, path, "cannot read: " + text.error().message});
      inventory.complete = false;
      continue;
    }
    for (auto& package : parse_apk_installed(*text, path, inventory.diagnostics)) {
      package.ecosystem = ecosystem;
      package.purl = internal::os_package_purl("apk", package, inventory.os);
      inventory.packages.push_back(std::move(package));
    }
  }
}

void ApkInstalledCataloger::find_owners(const sources::FileTree& tree,
                                        const model::Inventory& inventory,
                                        OwnerQuery& query) const {
  std::unordered_map<std::string_view, const std::string*> purl_by_name;
  for (const auto& package : inventory.packages) {
    if (model::is_os_ecosystem(package.ecosystem) && !package.locations.empty() &&
        package.locations.front() == kInstalledPath) {
      purl_by_name.emplace(package.name, &package.purl);
    }
  }
  if (purl_by_name.empty()) {
    return;
  }
  const auto text = tree.read(kInstalledPath, kMaxInstalledBytes);
  if (!text) {
    return;  // the catalog step already reported it
  }
  // One record at a time: its name may follow its files, so the files wait for the record end.
  std::string_view name;
  std::string_view dir;
  std::vector<std::string> files;
  const auto finish = [&] {
    const auto owner = purl_by_name.find(name);
    if (owner != purl_by_name.end()) {
      for (const auto& file : files) {
        query.claim(file, *owner->second);
      }
    }
    name = {};
    dir = {};
    files.clear();
  };
  std::string_view rest = *text;
  while (!rest.empty() && query.unclaimed() > 0) {
    const size_t end = std::min(rest.find('\n'), rest.size());
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      finish();
    } else if (line.size() >= 2 && line[1] == ':') {
      const std::string_view value = line.substr(2);
      if (line[0] == 'P') {
        if (!name.empty()) {
          finish();
        }
        name = value;
      } else if (line[0] == 'F') {
        dir = value;
      } else if (line[0] == 'R' && !value.empty()) {
        files.push_back(dir.empty() ? std::string(value) : fmt::format("{}/{}", dir, value));
      }
    }
  }
  finish();
}

}  // namespace vigil::inventory
