// Packages and the resources they are found on: the inventory half of Vigil's data model.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/ecosystem.hpp"

namespace vigil::model {

// One installed package instance. Plain value; catalogers fill it, the matcher reads it.
struct Package {
  Ecosystem ecosystem = Ecosystem::kGeneric;
  std::string name;
  std::string version;  // exactly as installed, epoch included ("1:2.3-4")
  std::string arch;
  // Distro packages: the source package and its own version (OSV Debian/Ubuntu data is keyed by it).
  std::string source_name;
  std::string source_version;
  std::string distro_release;          // "12", "22.04", "3.18", "2023"; empty for language packages
  std::vector<std::string> locations;  // files the package was found in (evidence)
  std::string purl;                    // canonical Package URL
  std::string layer_digest;            // image layer that introduced it, when known
  // Language packages only: the purl of the installed OS package (dpkg/rpm/apk) whose file list
  // holds one of `locations`, e.g. a dist-info shipped by Debian's python3-urllib3. Such a package
  // is not matched against upstream ranges: its OS package's distro advisories cover it
  // (backported fixes). Empty when not owned, or unknown (no file list was available).
  std::string owner_purl;
  // CPE 2.3 formatted strings ("cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*") where they are
  // known: from an imported SBOM or Vigil's curated table (inventory/cpe.hpp). Never guessed.
  std::vector<std::string> cpes;

  friend bool operator==(const Package&, const Package&) = default;
};

enum class ResourceType { kHost, kFunction, kLayer, kImage };

// Returns "host", "function", "layer" or "image".
std::string_view resource_type_name(ResourceType type);

// Something Vigil scans: an EC2-like host, a function package, a function layer or a container image.
struct Resource {
  ResourceType type = ResourceType::kHost;
  std::string id;          // instance id, function ARN, layer digest, image digest
  std::string account_id;  // 12-digit account
  std::string region;
  std::string name;  // hostname, function name, repository:tag
  std::map<std::string, std::string> tags;

  friend bool operator==(const Resource&, const Resource&) = default;
};

}  // namespace vigil::model
