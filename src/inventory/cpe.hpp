// CPEs for well-known packages: a small curated table of packages whose NVD vendor:product is
// unambiguous (openssl -> openssl:openssl, curl -> haxx:curl, log4j-core -> apache:log4j), so
// SBOM consumers that match on CPE (Dependency-Track, NVD-based tools) can use Vigil's SBOMs.
// Nothing is guessed: a package not in the table gets no CPE. The table is documented in
// docs/catalogers.md ("CPEs").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/package.hpp"

namespace vigil::inventory {

// The CPE 2.3 formatted strings of `package` from the curated table, or nothing. OS packages
// are looked up by source package (libssl3 and openssl-libs are both "openssl"), language
// packages by ecosystem and name (Maven "group:artifact"). The version is the upstream one
// (cpe_upstream_version); for products whose NVD entries carry a patch level in the update
// field (OpenSSH "9.2p1", sudo "1.9.13p3") it is split there: "...:openssh:9.2:p1:...".
// Empty when the package is unknown or its version is empty.
std::vector<std::string> known_cpes(const model::Package& package);

// The upstream part of an installed version: OS packages drop the epoch ("1:"), the distro
// revision (after the last '-': Debian "-10+deb12u5", rpm "-1.amzn2023.0.3", Alpine "-r2") and
// Debian repack suffixes ("+dfsg", ".dfsg", "+ds", "+repack"; "2.0+really1.9" is "1.9");
// Go versions drop their "v"/"go" prefix; other language versions are kept.
std::string cpe_upstream_version(const model::Package& package);

// One attribute value quoted for a CPE 2.3 formatted string (NISTIR 7695 §6.2): letters,
// digits, '_', '-' and '.' as they are, every other character preceded by '\'. Empty -> "*".
std::string cpe_escape(std::string_view value);

}  // namespace vigil::inventory
