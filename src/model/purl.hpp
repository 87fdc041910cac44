// Package URLs (purl spec / ECMA-427, github.com/package-url/purl-spec): parse, build and print
// canonically, with the type-specific normalisation rules of the registered types.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::model {

// The components of a purl, decoded (no percent-escapes). Empty means absent. As returned by
// parse_purl() they are normalised: `type` lower-case; `namespace_` segments joined by '/'
// without empty segments; type rules applied (pypi names lower-cased with runs of '-', '_', '.'
// folded to '-'; deb, apk, alpm, npm, github, bitbucket, composer, brew, hex, git, bitnami
// namespaces and names lower-cased; huggingface versions lower-cased; mlflow names lower-cased
// for Databricks; golang, maven, nuget, rpm, ... kept as written).
struct Purl {
  std::string type;
  std::string namespace_;  // '/'-separated segments; empty when absent
  std::string name;        // for "git" the repository path on the host, which may contain '/'
  std::string version;
  std::map<std::string, std::string> qualifiers;  // keys lower-case; empty values dropped
  std::string subpath;                            // '/'-separated segments, none empty, "." or ".."

  friend bool operator==(const Purl&, const Purl&) = default;
};

// Parses `text` ("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"). The scheme is
// case-insensitive and may be followed by slashes ("pkg://npm/x"); qualifier keys are
// lower-cased; subpath "." and ".." segments are dropped. Returns kParse with a message naming
// the offending component: missing scheme, type or name, an invalid type or qualifier key, a
// duplicate key, a bad percent-escape or invalid UTF-8, a control character, or a violation of
// the type's rules (e.g. a maven purl without namespace, a julia purl without "uuid").
// Thread-safe.
[[nodiscard]] Result<Purl> parse_purl(std::string_view text);

// Prints `purl` in canonical form: lower-case type, type-specific normalisation, every byte
// but ASCII letters, digits, ".-_~" and ':' percent-encoded, qualifiers sorted with empty values
// dropped, subpath cleaned. Returns kInvalidArgument when a required component is missing or
// invalid for the type (no type or name, a bad qualifier key, a maven purl without namespace,
// ...). parse_purl(to_string(p)) gives back the normalised `p`. Thread-safe.
[[nodiscard]] Result<std::string> to_string(const Purl& purl);

}  // namespace vigil::model
