#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "matcher/internal/kernel.hpp"
#include "matcher/matcher.hpp"

namespace vigil::matcher {
namespace {

// Distro data for Debian, Ubuntu and Alpine is keyed by source package; rpm advisories name
// binary packages.
bool keyed_by_source(model::Ecosystem ecosystem) {
  return ecosystem == model::Ecosystem::kDebian || ecosystem == model::Ecosystem::kUbuntu ||
         ecosystem == model::Ecosystem::kAlpine;
}

// The vulnerability ids an advisory stands for: itself when it is a CVE; else each CVE it
// aliases (a DSA or ALAS fixing three CVEs is three findings, as Inspector reports them); else its
// own id (GHSA/PYSEC/RUSTSEC records without a CVE).
std::vector<std::string> vulnerability_ids_of(const model::Advisory& advisory) {
  if (advisory.id.rfind("CVE-", 0) == 0) {
    return {advisory.id};
  }
  std::vector<std::string> cves;
  for (const auto& alias : advisory.aliases) {
    if (alias.rfind("CVE-", 0) == 0) {
      cves.push_back(alias);
    }
  }
  if (cves.empty()) {
    cves.push_back(advisory.id);
  }
  return cves;
}

void add_unique(std::vector<std::string>& values, const std::string& value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) {
    values.push_back(value);
  }
}

// The name and version a package is looked up and compared under.
struct LookupKey {
  std::string name;
  std::string version;
  bool by_source = false;
};

LookupKey lookup_key(const model::Package& package) {
  LookupKey key;
  key.by_source = keyed_by_source(package.ecosystem) && !package.source_name.empty();
  if (key.by_source) {
    if (auto kernel = internal::kernel_source_key(package)) {
      key.name = std::move(kernel->name);
      key.version = std::move(kernel->version);
      return key;
    }
  }
  key.name = key.by_source ? package.source_name : package.name;
  key.version =
      key.by_source && !package.source_version.empty() ? package.source_version : package.version;
  return key;
}

// The package's release key; "" when it has none.
std::string release_of(const model::Package& package) {
  return package.distro_release.empty()
             ? std::string()
             : normalize_release(package.ecosystem, package.distro_release);
}

// Whether an entry for `entry_release` applies to a package of `release`.
bool release_applies(const IndexEntry& entry, const std::string& release,
                     model::Ecosystem ecosystem) {
  if (!entry.release.empty() && !release.empty() && entry.release != release) {
    return false;
  }
  // Distro data for a release we cannot confirm does not apply.
  return !(!entry.release.empty() && release.empty() && model::is_os_ecosystem(ecosystem));
}

// The not-affected statements naming `package` for its release, except for vulnerabilities in
// `matched` (a real range for the same vulnerability wins); package_index unset.
std::vector<NonFinding> not_affected_package(const model::Package& package,
                                             const MatchIndex& index,
                                             const std::vector<Match>& matched) {
  std::vector<NonFinding> out;
  if (index.not_affected_key_count() == 0) {
    return out;  // the common case: no statements loaded, nothing to look up
  }
  const LookupKey key = lookup_key(package);
  const auto* entries = index.find_not_affected(package.ecosystem, key.name);
  if (entries == nullptr) {
    return out;
  }
  const std::string release = release_of(package);
  for (const auto& entry : *entries) {
    if (!release_applies(entry, release, package.ecosystem)) {
      continue;
    }
    for (const auto& id : vulnerability_ids_of(*entry.advisory)) {
      const bool found = std::any_of(matched.begin(), matched.end(), [&id](const Match& match) {
        return match.vulnerability_id == id;
      });
      const bool listed = std::any_of(out.begin(), out.end(), [&id](const NonFinding& other) {
        return other.vulnerability_id == id;
      });
      if (!found && !listed) {
        out.push_back({0, id, entry.advisory->id, entry.advisory->source,
                       std::string(kNotAffectedReason)});
      }
    }
  }
  return out;
}

// Matches one package; returns its matches with package_index unset (0).
std::vector<Match> match_package(const model::Package& package, const MatchIndex& index,
                                 std::vector<model::Diagnostic>& diagnostics) {
  std::vector<Match> out;
  const LookupKey key = lookup_key(package);
  const bool by_source = key.by_source;
  const std::string& version_text = key.version;
  const auto* entries = index.find(package.ecosystem, key.name);
  if (entries == nullptr) {
    return out;
  }
  // Go's placeholder for a module built from a working tree: no release to compare, not an error.
  if (package.ecosystem == model::Ecosystem::kGo && version_text == "(devel)") {
    return out;
  }
  const version::Scheme scheme = version::scheme_for(package.ecosystem);
  auto installed = version::parse(scheme, version_text);
  if (!installed) {
    diagnostics.push_back(
        {model::DiagnosticLevel::kWarning,
         fmt::format("{} {}", package.name, package.locations.empty() ? "" : package.locations[0]),
         installed.error().message + "; package not matched"});
    return out;
  }
  const std::string release = release_of(package);
  std::map<std::string, Match> by_vulnerability;
  for (const auto& entry : *entries) {
    if (!release_applies(entry, release, package.ecosystem)) {
      continue;
    }
    // SEMVER-typed ranges were parsed as SemVer; compare like with like.
    bool affected = false;
    for (const auto& range : entry.ranges) {
      if (range.scheme() == scheme) {
        affected = range.contains(*installed);
      } else if (auto reparsed = version::parse(range.scheme(), version_text)) {
        affected = range.contains(*reparsed);
      }
      if (affected) {
        break;
      }
    }
    if (!affected) {
      affected = std::find(entry.versions.begin(), entry.versions.end(), version_text) !=
                 entry.versions.end();
    }
    if (!affected) {
      continue;
    }
    for (const auto& id : vulnerability_ids_of(*entry.advisory)) {
      Match& found = by_vulnerability[id];
      found.vulnerability_id = id;
      found.matched_by = by_source ? "source" : "name";
      found.advisories.push_back(entry.advisory);
      if (found.severity.empty()) {
        found.severity = !entry.severity.empty() ? entry.severity : entry.advisory->severity_label;
      }
      if (entry.advisory->id != id) {
        add_unique(found.aliases, entry.advisory->id);
      }
      for (const auto& alias : entry.advisory->aliases) {
        // Other CVEs of a multi-CVE advisory are siblings with findings of their own, not
        // aliases of this one.
        if (alias != id && alias.rfind("CVE-", 0) != 0) {
          add_unique(found.aliases, alias);
        }
      }
      for (const auto& fixed : entry.fixed) {
        auto fixed_version = version::parse(scheme, fixed);
        if (fixed_version && version::compare(*fixed_version, *installed) > 0) {
          add_unique(found.fixed_in, fixed);
        }
      }
    }
  }
  for (auto& [id, found] : by_vulnerability) {
    std::sort(found.fixed_in.begin(), found.fixed_in.end(),
              [scheme](const std::string& lhs, const std::string& rhs) {
                const auto a = version::parse(scheme, lhs);
                const auto b = version::parse(scheme, rhs);
                return a && b ? version::compare(*a, *b) < 0 : lhs < rhs;
              });
    out.push_back(std::move(found));
  }
  return out;
}

}  // namespace

bool deferred_to_os_package(const model::Package& package) {
  return !package.owner_purl.empty() && !model::is_os_ecosystem(package.ecosystem);
}

MatchResult match(const model::Inventory& inventory, const MatchIndex& index, MatchCache* cache) {
  MatchResult result;
  result.kernel_skipped = kernel_skips(inventory);
  auto next_skip = result.kernel_skipped.begin();  // in package order
  std::string key;
  for (size_t package_idx = 0; package_idx < inventory.packages.size(); ++package_idx) {
    const model::Package& package = inventory.packages[package_idx];
    if (deferred_to_os_package(package)) {
      ++result.deferred;
      continue;
    }
    if (next_skip != result.kernel_skipped.end() && next_skip->package_index == package_idx) {
      ++next_skip;
      continue;
    }
    std::vector<Match> found;
    if (cache != nullptr) {
      key.clear();
      key += static_cast<char>('A' + static_cast<int>(package.ecosystem));
      for (const std::string* part : {&package.name, &package.version, &package.source_name,
                                      &package.source_version, &package.distro_release}) {
        key += '\x1f';
        key += *part;
      }
      if (const auto* hit = cache->find(key)) {
        found = *hit;
      } else {
        found = match_package(package, index, result.diagnostics);
        cache->store(key, found);
      }
    } else {
      found = match_package(package, index, result.diagnostics);
    }
    for (auto& non_finding : not_affected_package(package, index, found)) {
      non_finding.package_index = package_idx;
      result.not_affected.push_back(std::move(non_finding));
    }
    for (auto& match : found) {
      match.package_index = package_idx;
      result.matches.push_back(std::move(match));
    }
  }
  return result;
}

std::vector<NonFinding> explain_not_affected(const model::Inventory& inventory,
                                             const MatchIndex& index) {
  std::vector<NonFinding> out;
  if (index.not_affected_key_count() == 0) {
    return out;
  }
  const auto skipped = kernel_skips(inventory);
  auto next_skip = skipped.begin();
  std::vector<model::Diagnostic> ignored;  // match() reports them
  for (size_t package_idx = 0; package_idx < inventory.packages.size(); ++package_idx) {
    const model::Package& package = inventory.packages[package_idx];
    if (next_skip != skipped.end() && next_skip->package_index == package_idx) {
      ++next_skip;
      continue;
    }
    if (deferred_to_os_package(package) ||
        index.find_not_affected(package.ecosystem, lookup_key(package).name) == nullptr) {
      continue;
    }
    for (auto& non_finding :
         not_affected_package(package, index, match_package(package, index, ignored))) {
      non_finding.package_index = package_idx;
      out.push_back(std::move(non_finding));
    }
  }
  return out;
}

}  // namespace vigil::matcher
