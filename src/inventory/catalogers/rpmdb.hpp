// The rpm cataloger: Amazon Linux, RHEL, AlmaLinux and Rocky packages from the rpm database,
// read with the system's librpm (sqlite rpmdb.sqlite, BerkeleyDB Packages through librpm's
// read-only bdb_ro backend, and ndb Packages.db where the librpm build has it).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {

// Reads var/lib/rpm (or usr/lib/sysimage/rpm when var/lib/rpm has no database). When the tree
// has a host path and the database directory holds no symlink, librpm reads it in place (root
// dir = the tree's host root, _dbpath = the directory resolved inside the tree); otherwise, or
// if that fails, the database files are copied through FileTree::read into a private temp dir
// and read from there. Packages: version "[epoch:]version-release", source name and version
// from SOURCERPM (the source version carries the binary's epoch, as both come from one spec),
// purl with a `modularitylabel` qualifier for modular packages; gpg-pubkey entries are
// skipped. A database librpm cannot open becomes an error diagnostic quoting librpm, with
// `complete = false`. librpm's global state (macros, log callback) is guarded by a process-wide
// mutex, so concurrent catalog() calls serialise here.
class RpmDbCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "rpm"; }
  // rpmdb.sqlite (+ -wal), Packages, Packages.db and Index.db in var/lib/rpm or
  // usr/lib/sysimage/rpm.
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
  // Asks the database's file index (as `rpm -qf` does) for each evidence file not yet claimed,
  // reading the database in place or from a copy as catalog() does.
  void find_owners(const sources::FileTree& tree, const model::Inventory& inventory,
                   OwnerQuery& query) const override;
};

struct SourceRpm {
  std::string name;
  std::string version;
  std::string release;

  friend bool operator==(const SourceRpm&, const SourceRpm&) = default;
};

// Splits a SOURCERPM value ("openssl-3.0.8-1.amzn2023.0.3.src.rpm", also ".nosrc.rpm") into
// name, version and release at its last two '-'. nullopt when it has not that shape.
std::optional<SourceRpm> parse_source_rpm(std::string_view filename);

}  // namespace vigil::inventory
