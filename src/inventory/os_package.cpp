#include "inventory/internal/os_package.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/strings.hpp"
#include "inventory/os_release.hpp"
#include "model/purl.hpp"

namespace vigil::inventory::internal {

std::string os_package_purl(std::string_view type, const model::Package& package,
                            const model::OsIdentity& os,
                            const std::map<std::string, std::string>& extra) {
  model::Purl purl;
  purl.type = std::string(type);
  purl.namespace_ = os.id;
  purl.name = package.name;
  purl.version = package.version;
  purl.qualifiers = extra;
  if (type == "rpm") {
    // purl-spec rpm: the epoch is a qualifier, not part of the version.
    const size_t colon = purl.version.find(':');
    if (colon != std::string::npos && colon > 0 &&
        std::all_of(purl.version.begin(), purl.version.begin() + static_cast<long>(colon),
                    [](char c) { return is_digit(c); })) {
      purl.qualifiers["epoch"] = purl.version.substr(0, colon);
      purl.version.erase(0, colon + 1);
    }
  }
  purl.qualifiers["arch"] = package.arch;
  if (!os.version_id.empty()) {
    purl.qualifiers["distro"] = type == "apk" ? os.version_id : os.id + "-" + os.version_id;
  }
  auto printed = model::to_string(purl);
  return printed ? std::move(*printed) : std::string{};
}

model::Ecosystem package_ecosystem(const model::OsIdentity& os,
                                   std::initializer_list<model::Ecosystem> allowed,
                                   std::string_view cataloger, std::string_view where,
                                   std::vector<model::Diagnostic>& diagnostics) {
  const auto ecosystem = os_ecosystem(os);
  if (ecosystem && std::find(allowed.begin(), allowed.end(), *ecosystem) != allowed.end()) {
    return *ecosystem;
  }
  diagnostics.push_back(
      {model::DiagnosticLevel::kWarning, std::string(where),
       fmt::format("{} packages on OS '{}' have no advisory ecosystem: recorded as Generic and "
                   "not matched",
                   cataloger, os.id.empty() ? "unknown" : os.id)});
  return model::Ecosystem::kGeneric;
}

}  // namespace vigil::inventory::internal
