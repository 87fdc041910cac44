// Package ecosystems Vigil knows, named as OSV names them ("Debian", "PyPI", "crates.io", ...).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::model {

enum class Ecosystem {
  kDebian,
  kUbuntu,
  kAlpine,
  kAmazonLinux,
  kRedHat,
  kAlmaLinux,
  kRocky,
  kPyPI,
  kNpm,
  kGo,
  kMaven,
  kNuGet,
  kRubyGems,
  kCratesIo,
  kPackagist,
  kGeneric,
};

// An ecosystem plus the release it is scoped to, as in OSV's "Debian:12" or "Alpine:v3.18".
// `release` is empty for language ecosystems and unscoped distro data.
struct EcosystemRef {
  Ecosystem ecosystem = Ecosystem::kGeneric;
  std::string release;

  friend bool operator==(const EcosystemRef&, const EcosystemRef&) = default;
};

// Returns the OSV spelling of `ecosystem` ("Debian", "crates.io", "Amazon Linux").
std::string_view ecosystem_name(Ecosystem ecosystem);

// Parses an OSV ecosystem string, with an optional ":release" suffix. Names are matched
// case-insensitively; "Red Hat", "Rocky Linux" and "Amazon Linux" keep their spaces.
// Returns kUnsupported for an ecosystem Vigil does not know (the caller records and skips it).
[[nodiscard]] Result<EcosystemRef> parse_ecosystem(std::string_view text);

// True for operating-system package ecosystems (dpkg, rpm and apk based).
bool is_os_ecosystem(Ecosystem ecosystem);

}  // namespace vigil::model
