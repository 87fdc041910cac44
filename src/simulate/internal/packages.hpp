// Turning table entries into model::Package values (with purls) and language-package evidence
// files (dist-info METADATA, node_modules package.json, ...). Internal to the simulate module.
#pragma once

#include <string>
#include <vector>

#include "model/package.hpp"
#include "simulate/archive_writer.hpp"
#include "simulate/package_tables.hpp"
#include "simulate/random.hpp"

namespace vigil::simulate::internal {

// The version a resource has installed: the older (vulnerable) one with probability
// `old_percent` when the entry lists one, else the current one.
const std::string& pick_version(const PackageSpec& spec, Rng& rng, uint64_t old_percent);

struct OsContext {
  std::string id;          // "amzn", "ubuntu", "debian", "alpine"
  std::string version_id;  // "2023", "22.04", "12", "3.11.6"
  std::string release;     // Package::distro_release: "2023", "22.04", "12", "3.11"
  std::string arch;        // "x86_64" or "amd64"
  std::string location;    // package database file
};

// An OS package as the rpm/dpkg/apk catalogers would report it.
model::Package os_package(const PackageSpec& spec, TableId table, const std::string& version,
                          const OsContext& os);

// A language package found at `location`.
model::Package language_package(TableId table, const std::string& name, const std::string& version,
                                const std::string& location);

// Evidence files for a language package under `prefix` (a site-packages or node_modules dir, a
// lib dir for jars, ...): appended to `entries`; returns the path of the main evidence file.
std::string add_python_dist(std::vector<ArchiveEntry>& entries, const std::string& site_packages,
                            const std::string& name, const std::string& version);
std::string add_node_module(std::vector<ArchiveEntry>& entries, const std::string& node_modules,
                            const std::string& name, const std::string& version);

// dpkg status stanza / apk installed-db record for one package.
std::string dpkg_stanza(const PackageSpec& spec, const std::string& version);
std::string apk_record(const PackageSpec& spec, const std::string& version);

// Picks `count` distinct entries of `items` (or all of them when count >= size), in table order.
std::vector<const PackageSpec*> pick_some(const std::vector<PackageSpec>& items, size_t count,
                                          Rng& rng);

}  // namespace vigil::simulate::internal
