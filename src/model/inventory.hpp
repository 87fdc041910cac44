// An inventory: what a scan found on one target (OS identity, packages, problems met).
#pragma once

#include <string>
#include <vector>

#include "model/diagnostic.hpp"
#include "model/package.hpp"

namespace vigil::model {

// The operating system of a target, from os-release and friends.
struct OsIdentity {
  std::string id;          // "debian", "ubuntu", "alpine", "amzn", "rhel", ... ("" if unknown)
  std::string version_id;  // "12", "22.04", "3.18.4", "2023"
  std::string codename;    // "bookworm", "jammy"
  std::string pretty_name;
  std::string kernel_release;  // running kernel (live hosts only)
  bool end_of_life = false;    // known to be past its vendor's support

  friend bool operator==(const OsIdentity&, const OsIdentity&) = default;
};

struct Inventory {
  std::string target;  // what was scanned ("/", "image.tar", "function:arn")
  OsIdentity os;
  std::vector<Package> packages;
  std::vector<Diagnostic> diagnostics;
  bool complete = true;  // false when part of the target could not be read

  friend bool operator==(const Inventory&, const Inventory&) = default;
};

}  // namespace vigil::model
