#include "version/version.hpp"

#include <array>
#include <cassert>
#include <utility>

#include "core/strings.hpp"

namespace vigil::version {
namespace {

constexpr std::array<std::pair<Scheme, std::string_view>, 11> kSchemeNames{{
    {Scheme::kDpkg, "dpkg"},
    {Scheme::kRpm, "rpm"},
    {Scheme::kApk, "apk"},
    {Scheme::kSemver, "semver"},
    {Scheme::kGo, "go"},
    {Scheme::kPep440, "pep440"},
    {Scheme::kMaven, "maven"},
    {Scheme::kNuget, "nuget"},
    {Scheme::kGem, "gem"},
    {Scheme::kComposer, "composer"},
    {Scheme::kGeneric, "generic"},
}};

constexpr std::array<std::pair<std::string_view, Scheme>, 11> kSchemeAliases{{
    {"deb", Scheme::kDpkg},
    {"debian", Scheme::kDpkg},
    {"alpine", Scheme::kApk},
    {"npm", Scheme::kSemver},
    {"cargo", Scheme::kSemver},
    {"pypi", Scheme::kPep440},
    {"python", Scheme::kPep440},
    {"rubygems", Scheme::kGem},
    {"packagist", Scheme::kComposer},
    {"golang", Scheme::kGo},
    {"rpmvercmp", Scheme::kRpm},
}};

template <class T>
Result<Version> wrap(Scheme scheme, Result<T> parsed) {
  if (!parsed) {
    return fail(std::move(parsed).error());
  }
  return Version(scheme, Version::Parsed(std::move(parsed).value()));
}

}  // namespace

std::string_view scheme_name(Scheme scheme) {
  for (const auto& [value, name] : kSchemeNames) {
    if (value == scheme) {
      return name;
    }
  }
  return "generic";
}

Result<Scheme> parse_scheme(std::string_view name) {
  const std::string lowered = to_lower(trim(name));
  for (const auto& [value, text] : kSchemeNames) {
    if (lowered == text) {
      return value;
    }
  }
  for (const auto& [alias, value] : kSchemeAliases) {
    if (lowered == alias) {
      return value;
    }
  }
  return fail(Error::invalid_argument(
      "unknown version scheme '{}' (choose dpkg, rpm, apk, semver, go, pep440, maven, nuget, gem, "
      "composer or generic)",
      name));
}

Scheme scheme_for(model::Ecosystem ecosystem) {
  using model::Ecosystem;
  switch (ecosystem) {
    case Ecosystem::kDebian:
    case Ecosystem::kUbuntu:
      return Scheme::kDpkg;
    case Ecosystem::kAlpine:
      return Scheme::kApk;
    case Ecosystem::kAmazonLinux:
    case Ecosystem::kRedHat:
    case Ecosystem::kAlmaLinux:
    case Ecosystem::kRocky:
      return Scheme::kRpm;
    case Ecosystem::kPyPI:
      return Scheme::kPep440;
    case Ecosystem::kNpm:
    case Ecosystem::kCratesIo:
      return Scheme::kSemver;
    case Ecosystem::kGo:
      return Scheme::kGo;
    case Ecosystem::kMaven:
      return Scheme::kMaven;
    case Ecosystem::kNuGet:
      return Scheme::kNuget;
    case Ecosystem::kRubyGems:
      return Scheme::kGem;
    case Ecosystem::kPackagist:
      return Scheme::kComposer;
    case Ecosystem::kGeneric:
      return Scheme::kGeneric;
  }
  return Scheme::kGeneric;
}

Result<Version> parse(Scheme scheme, std::string_view text) {
  switch (scheme) {
    case Scheme::kDpkg:
      return wrap(scheme, parse_dpkg(text));
    case Scheme::kRpm:
      return wrap(scheme, parse_rpm(text));
    case Scheme::kApk:
      return wrap(scheme, parse_apk(text));
    case Scheme::kSemver:
      return wrap(scheme, parse_semver(text));
    case Scheme::kGo:
      return wrap(scheme, parse_go(text));
    case Scheme::kPep440:
      return wrap(scheme, parse_pep440(text));
    case Scheme::kMaven:
      return wrap(scheme, parse_maven(text));
    case Scheme::kNuget:
      return wrap(scheme, parse_nuget(text));
    case Scheme::kGem:
      return wrap(scheme, parse_gem(text));
    case Scheme::kComposer:
      return wrap(scheme, parse_composer(text));
    case Scheme::kGeneric:
      return wrap(scheme, parse_generic(text));
  }
  return fail(Error::internal("unhandled version scheme"));
}

int compare(const Version& lhs, const Version& rhs) {
  assert(lhs.scheme() == rhs.scheme() && "cross-scheme version compare");
  const auto& a = lhs.parsed();
  const auto& b = rhs.parsed();
  assert(a.index() == b.index() && "cross-scheme version compare");
  switch (a.index()) {
    case 0:
      return compare_dpkg(std::get<0>(a), std::get<0>(b));
    case 1:
      return compare_rpm(std::get<1>(a), std::get<1>(b));
    case 2:
      return compare_apk(std::get<2>(a), std::get<2>(b));
    case 3:
      return compare_semver(std::get<3>(a), std::get<3>(b));
    case 4:
      return compare_pep440(std::get<4>(a), std::get<4>(b));
    case 5:
      return compare_maven(std::get<5>(a), std::get<5>(b));
    case 6:
      return compare_nuget(std::get<6>(a), std::get<6>(b));
    case 7:
      return compare_gem(std::get<7>(a), std::get<7>(b));
    case 8:
      return compare_composer(std::get<8>(a), std::get<8>(b));
    default:
      return compare_generic(std::get<9>(a), std::get<9>(b));
  }
}

Result<int> compare(Scheme scheme, std::string_view lhs, std::string_view rhs) {
  auto left = parse(scheme, lhs);
  if (!left) {
    return fail(left.error());
  }
  auto right = parse(scheme, rhs);
  if (!right) {
    return fail(right.error());
  }
  return compare(*left, *right);
}

}  // namespace vigil::version
