#include <fmt/format.h>

#include <algorithm>

#include "model/purl.hpp"
#include "simulate/internal/packages.hpp"

namespace vigil::simulate::internal {
namespace {

std::string printed_purl(const model::Purl& purl) {
  auto text = model::to_string(purl);
  return text ? *text : std::string();
}

// "5.2.15-2+b7" -> "5.2.15-2": a binNMU rebuild keeps its source's version.
std::string strip_binnmu(const std::string& version) {
  const size_t plus_b = version.rfind("+b");
  if (plus_b != std::string::npos && plus_b + 2 < version.size() &&
      std::all_of(version.begin() + static_cast<long>(plus_b) + 2, version.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    return version.substr(0, plus_b);
  }
  return version;
}

}  // namespace

const std::string& pick_version(const PackageSpec& spec, Rng& rng, uint64_t old_percent) {
  if (!spec.old_version.empty() && rng.percent(old_percent)) {
    return spec.old_version;
  }
  return spec.version;
}

model::Package os_package(const PackageSpec& spec, TableId table, const std::string& version,
                          const OsContext& os) {
  model::Package package;
  package.ecosystem = table_ecosystem(table);
  package.name = spec.name;
  package.version = version;
  const bool rpm = table == TableId::kAmazonLinux2023;
  const bool apk = table == TableId::kAlpine311;
  package.arch = spec.arch_independent ? (rpm ? "noarch" : apk ? "noarch" : "all") : os.arch;
  package.source_name = spec.source;
  package.source_version = spec.source_version.empty() || version != spec.version
                               ? strip_binnmu(version)
                               : spec.source_version;
  package.distro_release = os.release;
  package.locations.push_back(os.location);
  model::Purl purl;
  purl.type = rpm ? "rpm" : apk ? "apk" : "deb";
  purl.namespace_ = os.id;
  purl.name = spec.name;
  purl.version = version;
  if (rpm) {
    if (const size_t colon = version.find(':'); colon != std::string::npos) {
      purl.qualifiers["epoch"] = version.substr(0, colon);
      purl.version = version.substr(colon + 1);
    }
  }
  purl.qualifiers["arch"] = package.arch;
  purl.qualifiers["distro"] = apk ? os.version_id : os.id + "-" + os.version_id;
  package.purl = printed_purl(purl);
  return package;
}

model::Package language_package(TableId table, const std::string& name, const std::string& version,
                                const std::string& location) {
  model::Package package;
  package.ecosystem = table_ecosystem(table);
  package.name = name;
  package.version = version;
  package.locations.push_back(location);
  model::Purl purl;
  purl.version = version;
  switch (table) {
    case TableId::kPyPI:
      purl.type = "pypi";
      purl.name = name;
      break;
    case TableId::kNpm:
      purl.type = "npm";
      if (name.starts_with('@') && name.find('/') != std::string::npos) {
        purl.namespace_ = name.substr(0, name.find('/'));
        purl.name = name.substr(name.find('/') + 1);
      } else {
        purl.name = name;
      }
      break;
    case TableId::kMaven:
      purl.type = "maven";
      purl.namespace_ = name.substr(0, name.find(':'));
      purl.name = name.substr(name.find(':') + 1);
      break;
    case TableId::kRubyGems:
      purl.type = "gem";
      purl.name = name;
      break;
    default:
      purl.type = "nuget";
      purl.name = name;
      break;
  }
  package.purl = printed_purl(purl);
  return package;
}

std::string add_python_dist(std::vector<ArchiveEntry>& entries, const std::string& site_packages,
                            const std::string& name, const std::string& version) {
  std::string dist_name = name;
  std::replace(dist_name.begin(), dist_name.end(), '-', '_');
  const std::string dir = site_packages.empty()
                              ? fmt::format("{}-{}.dist-info", dist_name, version)
                              : fmt::format("{}/{}-{}.dist-info", site_packages, dist_name, version);
  const std::string metadata = dir + "/METADATA";
  entries.push_back({metadata,
                     fmt::format("Metadata-Version: 2.1\nName: {}\nVersion: {}\nSummary: {}\n\n",
                                 name, version, name),
                     0644});
  entries.push_back({dir + "/INSTALLER", "pip\n", 0644});
  entries.push_back({dir + "/WHEEL",
                     "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.43.0)\nRoot-Is-Purelib: true\n"
                     "Tag: py3-none-any\n",
                     0644});
  return metadata;
}

std::string add_node_module(std::vector<ArchiveEntry>& entries, const std::string& node_modules,
                            const std::string& name, const std::string& version) {
  const std::string path = fmt::format("{}/{}/package.json", node_modules, name);
  entries.push_back({path,
                     fmt::format("{{\n  \"name\": \"{}\",\n  \"version\": \"{}\",\n  \"main\": "
                                 "\"index.js\",\n  \"license\": \"MIT\"\n}}\n",
                                 name, version),
                     0644});
  return path;
}

std::string dpkg_stanza(const PackageSpec& spec, const std::string& version) {
  std::string stanza = fmt::format("Package: {}\nStatus: install ok installed\nPriority: optional\n"
                                   "Section: misc\nInstalled-Size: 1024\n"
                                   "Maintainer: Debian Maintainers <debian@lists.debian.org>\n"
                                   "Architecture: {}\n",
                                   spec.name, spec.arch_independent ? "all" : "amd64");
  const std::string source_version = version != spec.version || spec.source_version.empty()
                                         ? strip_binnmu(version)
                                         : spec.source_version;
  if (spec.source != spec.name || source_version != version) {
    stanza += source_version == version
                  ? fmt::format("Source: {}\n", spec.source)
                  : fmt::format("Source: {} ({})\n", spec.source, source_version);
  }
  stanza += fmt::format("Version: {}\nDescription: {}\n\n", version, spec.name);
  return stanza;
}

std::string apk_record(const PackageSpec& spec, const std::string& version) {
  return fmt::format("C:Q1{}=\nP:{}\nV:{}\nA:x86_64\nS:102400\nI:204800\nT:{}\n"
                     "U:https://alpinelinux.org\nL:MIT\no:{}\nm:Natanael Copa <ncopa@alpinelinux.org>\n"
                     "t:1590000000\n\n",
                     std::string(26, 'A'), spec.name, version, spec.name, spec.source);
}

std::vector<const PackageSpec*> pick_some(const std::vector<PackageSpec>& items, size_t count,
                                          Rng& rng) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  // Partial Fisher-Yates, then keep table order among the chosen.
  const size_t take = std::min(count, items.size());
  for (size_t i = 0; i < take; ++i) {
    std::swap(order[i], order[i + rng.index(order.size() - i)]);
  }
  order.resize(take);
  std::sort(order.begin(), order.end());
  std::vector<const PackageSpec*> chosen;
  for (const size_t index : order) {
    chosen.push_back(&items[index]);
  }
  return chosen;
}

}  // namespace vigil::simulate::internal
