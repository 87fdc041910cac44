#include "inventory/catalogers/dpkg_status.hpp"

#include <optional>
#include <string>
#include <utility>

#include "core/strings.hpp"
#include "inventory/internal/os_package.hpp"
#include "inventory/ownership.hpp"

namespace vigil::inventory {
namespace {

constexpr std::string_view kStatusPath = "var/lib/dpkg/status";
constexpr std::string_view kStatusDir = "var/lib/dpkg/status.d/";
constexpr std::string_view kInfoDir = "var/lib/dpkg/info/";
constexpr uint64_t kMaxListBytes = uint64_t{64} << 20;
constexpr uint64_t kMaxStatusBytes = uint64_t{512} << 20;

// The fields one stanza needs, with the line each started on.
struct Stanza {
  size_t first_line = 0;
  std::optional<std::string> package;
  std::optional<std::string> version;
  std::optional<std::string> architecture;
  std::optional<std::string> source;
  std::optional<std::string> status;
  bool empty = true;
};

class StatusParser {
 public:
  StatusParser(std::string_view location, bool status_optional,
               std::vector<model::Diagnostic>& diagnostics)
      : location_(location), status_optional_(status_optional), diagnostics_(diagnostics) {}

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
    finish_stanza();
    return std::move(packages_);
  }

 private:
  void diagnose(size_t line_no, std::string message) {
    diagnostics_.push_back({model::DiagnosticLevel::kWarning,
                            fmt::format("{}:{}", location_, line_no), std::move(message)});
  }

  void on_line(std::string_view line, size_t line_no) {
    if (trim(line).empty()) {
      finish_stanza();
      return;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (stanza_.empty) {
        diagnose(line_no, "continuation line outside a field");
      }
      return;  // continuation of a multi-line field (Description, Conffiles): not needed
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
      diagnose(line_no, fmt::format("expected 'Field: value', got '{}'", line.substr(0, 80)));
      return;
    }
    if (stanza_.empty) {
      stanza_.first_line = line_no;
      stanza_.empty = false;
    }
    const std::string_view field = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    std::optional<std::string>* slot = nullptr;
    if (equals_ci(field, "Package")) {
      slot = &stanza_.package;
    } else if (equals_ci(field, "Version")) {
      slot = &stanza_.version;
    } else if (equals_ci(field, "Architecture")) {
      slot = &stanza_.architecture;
    } else if (equals_ci(field, "Source")) {
      slot = &stanza_.source;
    } else if (equals_ci(field, "Status")) {
      slot = &stanza_.status;
    }
    if (slot == nullptr) {
      return;
    }
    if (slot->has_value()) {
      diagnose(line_no, fmt::format("duplicate {} field ignored", field));
      return;
    }
    *slot = std::string(value);
  }

  // deb-control(5) Status: "want flag state"; the state says whether files are installed.
  bool is_installed(const Stanza& stanza) {
    if (!stanza.status) {
      if (!status_optional_) {
        diagnose(stanza.first_line, "stanza has no Status field: skipped");
      }
      return status_optional_;
    }
    const auto words = split(*stanza.status, ' ');
    if (words.size() != 3) {
      diagnose(stanza.first_line, fmt::format("malformed Status '{}': skipped", *stanza.status));
      return false;
    }
    const std::string_view state = words[2];
    return state == "installed" || state == "triggers-awaited" || state == "triggers-pending";
  }

  void finish_stanza() {
    if (stanza_.empty) {
      return;
    }
    Stanza stanza = std::exchange(stanza_, Stanza{});
    if (!stanza.package || stanza.package->empty()) {
      diagnose(stanza.first_line, "stanza has no Package field: skipped");
      return;
    }
    if (!is_installed(stanza)) {
      return;
    }
    if (!stanza.version || stanza.version->empty()) {
      diagnose(stanza.first_line,
               fmt::format("package {} has no Version field: skipped", *stanza.package));
      return;
    }
    model::Package package;
    package.name = std::move(*stanza.package);
    package.version = std::move(*stanza.version);
    package.arch = stanza.architecture.value_or("");
    package.source_name = package.name;
    package.source_version = package.version;
    if (stanza.source && !stanza.source->empty()) {
      apply_source(*stanza.source, stanza.first_line, package);
    }
    package.locations.emplace_back(location_);
    packages_.push_back(std::move(package));
  }

  // "Source: openssl" or "Source: openssl (3.0.11-1~deb12u2)" (deb-control(5)).
  void apply_source(std::string_view source, size_t line_no, model::Package& package) {
    const size_t open = source.find('(');
    if (open == std::string_view::npos) {
      package.source_name = std::string(trim(source));
      return;
    }
    const size_t close = source.find(')', open);
    const std::string_view name = trim(source.substr(0, open));
    const std::string_view version = close == std::string_view::npos
                                         ? std::string_view{}
                                         : trim(source.substr(open + 1, close - open - 1));
    if (name.empty() || version.empty()) {
      diagnose(line_no, fmt::format("package {}: malformed Source '{}'", package.name, source));
      if (!name.empty()) {
        package.source_name = std::string(name);
      }
      return;
    }
    package.source_name = std::string(name);
    package.source_version = std::string(version);
  }

  std::string_view location_;
  bool status_optional_;
  std::vector<model::Diagnostic>& diagnostics_;
  Stanza stanza_;
  std::vector<model::Package> packages_;
};

}  // namespace

std::vector<model::Package> parse_dpkg_status(std::string_view text, std::string_view location,
                                              bool status_optional,
                                              std::vector<model::Diagnostic>& diagnostics) {
  return StatusParser(location, status_optional, diagnostics).parse(text);
}

bool DpkgStatusCataloger::wants(std::string_view path) const {
  if (path == kStatusPath) {
    return true;
  }
  if (!path.starts_with(kStatusDir)) {
    return false;
  }
  const std::string_view file = path.substr(kStatusDir.size());
  return !file.empty() && file.find('/') == std::string_view::npos && !file.ends_with(".md5sums");
}

void DpkgStatusCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                                  model::Inventory& inventory) const {
  const model::Ecosystem ecosystem = internal::package_ecosystem(
      inventory.os, {model::Ecosystem::kDebian, model::Ecosystem::kUbuntu}, name(), paths.front(),
      inventory.diagnostics);
  for (const auto& path : paths) {
    auto text = tree.read(path, kMaxStatusBytes);
    if (!text) {
      inventory.diagnostics.push_back(
          {model::DiagnosticLevel::kError, path, "cannot read: " + text.error().message});
      inventory.complete = false;
      continue;
    }
    const bool status_optional = path != kStatusPath;
    for (auto& package : parse_dpkg_status(*text, path, status_optional, inventory.diagnostics)) {
      package.ecosystem = ecosystem;
      package.purl = internal::os_package_purl("deb", package, inventory.os);
      inventory.packages.push_back(std::move(package));
    }
  }
}

void DpkgStatusCataloger::find_owners(const sources::FileTree& tree,
                                      const model::Inventory& inventory, OwnerQuery& query) const {
  std::string list_path;
  for (const auto& package : inventory.packages) {
    if (query.unclaimed() == 0) {
      return;
    }
    if (!model::is_os_ecosystem(package.ecosystem) || package.locations.empty() ||
        package.name.empty() || package.name.find('/') != std::string::npos ||
        package.arch.find('/') != std::string::npos) {
      continue;
    }
    const std::string& location = package.locations.front();
    Result<std::string> text = std::string{};
    if (location == kStatusPath) {
      list_path = fmt::format("{}{}.list", kInfoDir, package.name);
      text = tree.read(list_path, kMaxListBytes);
      if (!text && !package.arch.empty()) {
        list_path = fmt::format("{}{}:{}.list", kInfoDir, package.name, package.arch);
        text = tree.read(list_path, kMaxListBytes);
      }
      if (text) {
        claim_file_list(*text, false, package.purl, query);
      }
    } else if (location.starts_with(kStatusDir)) {
      text = tree.read(location + ".md5sums", kMaxListBytes);
      if (text) {
        claim_file_list(*text, true, package.purl, query);
      }
    }
  }
}

}  // namespace vigil::inventory
