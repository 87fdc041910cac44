// The simulator's package catalogue: real package names and versions for Amazon Linux 2023,
// Ubuntu 22.04, Debian 12 and Alpine 3.11 and for the language ecosystems, written as source
// tables (internal/*.inc). Each entry has a current (patched) version and, for many, an older
// version that published advisories (ALAS, USN, DSA, Alpine secdb, GHSA/PYSEC) list as
// vulnerable, so that a simulated fleet matches real advisories.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/ecosystem.hpp"

namespace vigil::simulate {

struct PackageSpec {
  std::string name;         // binary package name; "group:artifact" for Maven
  std::string version;      // the current, patched version
  std::string old_version;  // an older, vulnerable version; "" when none is listed
  std::string source;       // source package (distro tables); defaults to `name`
  std::string source_version;  // "" = the installed version (minus a binNMU suffix)
  bool arch_independent = false;  // noarch / Architecture: all
};

// Groups of a table ("base", "web", "app", "db", "build", "queue", "data"), in name order.
using PackageTable = std::map<std::string, std::vector<PackageSpec>>;

enum class TableId {
  kAmazonLinux2023,
  kUbuntu2204,
  kDebian12,
  kAlpine311,
  kPyPI,
  kNpm,
  kMaven,
  kRubyGems,
  kNuGet,
};

// The parsed table (parsed once, on first use; thread-safe). Returns an empty group for a group
// the table does not have.
const PackageTable& package_table(TableId id);
const std::vector<PackageSpec>& package_group(TableId id, const std::string& group);

// The ecosystem whose version scheme the table's versions follow.
model::Ecosystem table_ecosystem(TableId id);

}  // namespace vigil::simulate
