// Identity sources inside Java archives: META-INF/maven/**/pom.properties, META-INF/MANIFEST.MF
// and the archive's own file name. Pure parsers; internal to the inventory module.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::inventory::lang {

struct MavenCoordinates {
  std::string group_id;  // empty when unknown (manifest or file name identification)
  std::string artifact_id;
  std::string version;

  friend bool operator==(const MavenCoordinates&, const MavenCoordinates&) = default;
};

// Parses a pom.properties (Java properties: "key=value", "key: value", '#'/'!' comments).
// Returns nullopt unless artifactId and version are present; groupId may be empty.
std::optional<MavenCoordinates> parse_pom_properties(std::string_view text);

// Parses the main section of a JAR manifest: "Name: value" lines up to the first empty line,
// continuation lines (starting with one space) joined without that space.
std::map<std::string, std::string, std::less<>> parse_manifest(std::string_view text);

// Splits an archive file name "commons-lang3-3.12.0.jar" into ("commons-lang3", "3.12.0"): the
// version starts after the first '-' followed by a digit. nullopt when there is none.
std::optional<std::pair<std::string, std::string>> parse_archive_file_name(std::string_view name);

// Identifies an archive without pom.properties from its manifest, using the file-name artifact
// (`file_artifact`, may be empty) when present. The group comes from Implementation-Vendor-Id,
// from a Bundle-SymbolicName of the form "<group>.<artifact>", or, for sbt-style file names
// "<group>.<artifact>", from the longest dotted prefix of Bundle-SymbolicName,
// Automatic-Module-Name or Implementation-Vendor that starts the file name. nullopt without a
// version.
std::optional<MavenCoordinates> coordinates_from_manifest(
    const std::map<std::string, std::string, std::less<>>& manifest,
    std::string_view file_artifact);

// True for the archive kinds the Java cataloger opens (.jar .war .ear .jpi .hpi).
bool is_java_archive_name(std::string_view path);

}  // namespace vigil::inventory::lang
