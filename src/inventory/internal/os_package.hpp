// Helpers shared by the OS-package catalogers (dpkg, apk, rpm): purls and ecosystem choice.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "model/ecosystem.hpp"
#include "model/inventory.hpp"
#include "model/package.hpp"

namespace vigil::inventory::internal {

// The canonical purl of an OS package, printed by model::to_string: `type` is "deb", "rpm" or
// "apk"; the namespace is the OS id ("debian", "amzn"; omitted when unknown); qualifiers are
// arch, distro ("<id>-<version_id>", for apk the bare version_id) and, for rpm, the epoch split
// off `package.version` ("1:3.0.8-1" -> version "3.0.8-1", epoch=1), plus `extra`. Returns ""
// when the purl cannot be printed (an empty name).
//   pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12
//   pkg:rpm/amzn/openssl-libs@3.0.8-1.amzn2023.0.3?arch=x86_64&distro=amzn-2023&epoch=1
//   pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4
std::string os_package_purl(std::string_view type, const model::Package& package,
                            const model::OsIdentity& os,
                            const std::map<std::string, std::string>& extra = {});

// The ecosystem for packages a `cataloger` found in `where`: the OS's advisory ecosystem when it
// is one of `allowed`, else Generic, with a diagnostic saying the packages cannot be matched
// (never a guess from ID_LIKE or the package manager).
model::Ecosystem package_ecosystem(const model::OsIdentity& os,
                                   std::initializer_list<model::Ecosystem> allowed,
                                   std::string_view cataloger, std::string_view where,
                                   std::vector<model::Diagnostic>& diagnostics);

}  // namespace vigil::inventory::internal
