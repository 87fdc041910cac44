// Exact version ordering for every ecosystem Vigil matches on, behind one interface:
// parse a version once with its scheme, then compare parsed versions in the matcher's inner loop.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/result.hpp"
#include "model/ecosystem.hpp"
#include "version/apk.hpp"
#include "version/composer.hpp"
#include "version/dpkg.hpp"
#include "version/gem.hpp"
#include "version/generic.hpp"
#include "version/maven.hpp"
#include "version/nuget.hpp"
#include "version/pep440.hpp"
#include "version/rpm.hpp"
#include "version/semver.hpp"

namespace vigil::version {

// The ordering rules Vigil implements. kGo is SemVer with Go's "v" prefix, "+incompatible" and
// pseudo-versions; kSemver serves npm and Cargo.
enum class Scheme {
  kDpkg,
  kRpm,
  kApk,
  kSemver,
  kGo,
  kPep440,
  kMaven,
  kNuget,
  kGem,
  kComposer,
  kGeneric,
};

// Returns the CLI name of `scheme`: "dpkg", "rpm", "apk", "semver", "go", "pep440", "maven",
// "nuget", "gem", "composer", "generic".
std::string_view scheme_name(Scheme scheme);

// Parses a scheme name as the CLI accepts it; aliases: deb/debian, apk/alpine, npm/cargo (semver),
// pypi/python (pep440), rubygems, packagist. Returns kInvalidArgument naming the valid choices.
[[nodiscard]] Result<Scheme> parse_scheme(std::string_view name);

// The scheme an ecosystem's versions follow (Debian/Ubuntu -> dpkg, Amazon Linux/Red Hat -> rpm,
// PyPI -> pep440, npm/crates.io -> semver, ...). Never guesses from a version string.
Scheme scheme_for(model::Ecosystem ecosystem);

// A version parsed under one scheme. Cheap to copy; comparing two parsed versions does no parsing
// and no allocation. Versions of different schemes must never be compared (asserted).
class Version {
 public:
  using Parsed = std::variant<DpkgVersion, RpmVersion, ApkVersion, SemverVersion, Pep440Version,
                              MavenVersion, NugetVersion, GemVersion, ComposerVersion,
                              GenericVersion>;

  Version(Scheme scheme, Parsed parsed) : scheme_(scheme), parsed_(std::move(parsed)) {}

  Scheme scheme() const noexcept { return scheme_; }
  const Parsed& parsed() const noexcept { return parsed_; }

 private:
  Scheme scheme_;
  Parsed parsed_;
};

// Parses `text` under `scheme`. Returns kParse with a message naming the scheme and the problem
// ("dpkg: epoch 'x' is not a number") for an invalid version; never a silent fallback.
// Thread-safe.
[[nodiscard]] Result<Version> parse(Scheme scheme, std::string_view text);

// Returns -1, 0 or 1 as `lhs` orders before, equal to or after `rhs` under their (shared) scheme.
int compare(const Version& lhs, const Version& rhs);

// Parses both strings and compares them. Errors name which side failed to parse.
[[nodiscard]] Result<int> compare(Scheme scheme, std::string_view lhs, std::string_view rhs);

}  // namespace vigil::version
