#include "model/ecosystem.hpp"

#include <array>
#include <utility>

#include "core/strings.hpp"

namespace vigil::model {
namespace {

constexpr std::array<std::pair<Ecosystem, std::string_view>, 16> kNames{{
    {Ecosystem::kDebian, "Debian"},
    {Ecosystem::kUbuntu, "Ubuntu"},
    {Ecosystem::kAlpine, "Alpine"},
    {Ecosystem::kAmazonLinux, "Amazon Linux"},
    {Ecosystem::kRedHat, "Red Hat"},
    {Ecosystem::kAlmaLinux, "AlmaLinux"},
    {Ecosystem::kRocky, "Rocky Linux"},
    {Ecosystem::kPyPI, "PyPI"},
    {Ecosystem::kNpm, "npm"},
    {Ecosystem::kGo, "Go"},
    {Ecosystem::kMaven, "Maven"},
    {Ecosystem::kNuGet, "NuGet"},
    {Ecosystem::kRubyGems, "RubyGems"},
    {Ecosystem::kCratesIo, "crates.io"},
    {Ecosystem::kPackagist, "Packagist"},
    {Ecosystem::kGeneric, "Generic"},
}};

}  // namespace

std::string_view ecosystem_name(Ecosystem ecosystem) {
  for (const auto& [value, name] : kNames) {
    if (value == ecosystem) {
      return name;
    }
  }
  return "Generic";
}

Result<EcosystemRef> parse_ecosystem(std::string_view text) {
  const std::string_view trimmed = trim(text);
  const size_t colon = trimmed.find(':');
  const std::string_view base = colon == std::string_view::npos ? trimmed : trimmed.substr(0, colon);
  const std::string_view release =
      colon == std::string_view::npos ? std::string_view{} : trim(trimmed.substr(colon + 1));
  for (const auto& [value, name] : kNames) {
    if (equals_ci(base, name)) {
      return EcosystemRef{value, std::string(release)};
    }
  }
  // Common aliases seen in SBOMs and purl types.
  if (equals_ci(base, "AlmaLinux OS") || equals_ci(base, "alma")) {
    return EcosystemRef{Ecosystem::kAlmaLinux, std::string(release)};
  }
  if (equals_ci(base, "Rocky")) {
    return EcosystemRef{Ecosystem::kRocky, std::string(release)};
  }
  if (equals_ci(base, "Amazon") || equals_ci(base, "amzn")) {
    return EcosystemRef{Ecosystem::kAmazonLinux, std::string(release)};
  }
  return fail(Error::unsupported("unknown ecosystem '{}'", trimmed));
}

bool is_os_ecosystem(Ecosystem ecosystem) {
  switch (ecosystem) {
    case Ecosystem::kDebian:
    case Ecosystem::kUbuntu:
    case Ecosystem::kAlpine:
    case Ecosystem::kAmazonLinux:
    case Ecosystem::kRedHat:
    case Ecosystem::kAlmaLinux:
    case Ecosystem::kRocky:
      return true;
    default:
      return false;
  }
}

}  // namespace vigil::model
