// Package URLs (purl spec, github.com/package-url/purl-spec): parse, build and print canonically.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::model {

// The components of a purl, decoded (no percent-escapes) and normalised per type rules
// (e.g. pypi names lower-cased with '_' -> '-', npm/golang namespaces kept as written).
struct Purl {
  std::string type;
  std::string namespace_;  // '/'-separated segments; empty when absent
  std::string name;
  std::string version;
  std::map<std::string, std::string> qualifiers;  // keys lower-case; empty values dropped
  std::string subpath;

  friend bool operator==(const Purl&, const Purl&) = default;
};

// Parses `text` ("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"). Returns kParse with
// a message naming the offending component for an invalid purl. Thread-safe.
[[nodiscard]] Result<Purl> parse_purl(std::string_view text);

// Prints `purl` in canonical form (percent-encoding, sorted qualifiers, type-specific
// normalisation). Returns kInvalidArgument when a required component is missing or invalid
// for the type (e.g. a maven purl without namespace).
[[nodiscard]] Result<std::string> to_string(const Purl& purl);

}  // namespace vigil::model
