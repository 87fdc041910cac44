#include "inventory/catalogers/java_metadata.hpp"

#include <array>

#include "core/strings.hpp"
#include "inventory/catalogers/lang_util.hpp"

namespace vigil::inventory::lang {
namespace {

std::optional<std::string_view> field(
    const std::map<std::string, std::string, std::less<>>& manifest, std::string_view key) {
  const auto found = manifest.find(key);
  if (found == manifest.end() || trim(found->second).empty()) {
    return std::nullopt;
  }
  return trim(found->second);
}

}  // namespace

std::optional<MavenCoordinates> parse_pom_properties(std::string_view text) {
  MavenCoordinates out;
  for_each_line(text, [&](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == '!') {
      return true;
    }
    const size_t separator = line.find_first_of("=:");
    if (separator == std::string_view::npos) {
      return true;
    }
    const std::string_view key = trim(line.substr(0, separator));
    const std::string value(trim(line.substr(separator + 1)));
    if (key == "groupId") {
      out.group_id = value;
    } else if (key == "artifactId") {
      out.artifact_id = value;
    } else if (key == "version") {
      out.version = value;
    }
    return true;
  });
  if (out.artifact_id.empty() || out.version.empty()) {
    return std::nullopt;
  }
  return out;
}

std::map<std::string, std::string, std::less<>> parse_manifest(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  std::string* last = nullptr;
  for_each_line(text, [&](std::string_view line) {
    if (line.empty()) {
      return false;  // end of the main section
    }
    if (line.front() == ' ') {
      if (last != nullptr) {
        last->append(line.substr(1));
      }
      return true;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      last = nullptr;
      return true;
    }
    auto [it, inserted] = out.insert_or_assign(std::string(trim(line.substr(0, colon))),
                                               std::string(trim(line.substr(colon + 1))));
    last = &it->second;
    return true;
  });
  return out;
}

std::optional<std::pair<std::string, std::string>> parse_archive_file_name(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    name = name.substr(0, dot);
  }
  for (size_t pos = 0; pos + 1 < name.size(); ++pos) {
    if (name[pos] == '-' && is_digit(name[pos + 1])) {
      if (pos == 0) {
        return std::nullopt;
      }
      return std::pair{std::string(name.substr(0, pos)), std::string(name.substr(pos + 1))};
    }
  }
  return std::nullopt;
}

std::optional<MavenCoordinates> coordinates_from_manifest(
    const std::map<std::string, std::string, std::less<>>& manifest,
    std::string_view file_artifact) {
  auto version = field(manifest, "Implementation-Version");
  if (!version) {
    version = field(manifest, "Bundle-Version");
  }
  if (!version) {
    return std::nullopt;
  }
  std::string_view symbolic_name = field(manifest, "Bundle-SymbolicName").value_or("");
  symbolic_name = trim(symbolic_name.substr(0, symbolic_name.find(';')));  // ";singleton:=true"
  std::string_view artifact = file_artifact;
  if (artifact.empty()) {
    artifact = !symbolic_name.empty() ? symbolic_name
                                      : field(manifest, "Implementation-Title").value_or("");
  }
  if (artifact.empty()) {
    return std::nullopt;
  }
  std::string group(field(manifest, "Implementation-Vendor-Id").value_or(""));
  if (group.empty() && symbolic_name.size() > artifact.size() + 1 &&
      symbolic_name.ends_with(artifact) &&
      symbolic_name[symbolic_name.size() - artifact.size() - 1] == '.') {
    group = symbolic_name.substr(0, symbolic_name.size() - artifact.size() - 1);
  }
  if (!group.empty() && artifact.size() > group.size() + 1 && artifact.starts_with(group) &&
      artifact[group.size()] == '.') {
    artifact.remove_prefix(group.size() + 1);  // "<group>.<artifact>" file name
  }
  if (group.empty() && !file_artifact.empty()) {
    // sbt/coursier lay out "<group>.<artifact>-<version>.jar"; a reverse-domain name in the
    // manifest tells where the group ends ("com.h2database.mvstore" -> "com.h2database").
    for (const auto key :
         {"Bundle-SymbolicName", "Automatic-Module-Name", "Implementation-Vendor"}) {
      std::string_view candidate = field(manifest, key).value_or("");
      candidate = trim(candidate.substr(0, candidate.find(';')));
      while (candidate.find('.') != std::string_view::npos && group.empty()) {
        if (artifact.size() > candidate.size() + 1 && artifact.starts_with(candidate) &&
            artifact[candidate.size()] == '.') {
          group = std::string(candidate);
          artifact.remove_prefix(candidate.size() + 1);
        }
        candidate = candidate.substr(0, candidate.rfind('.'));
      }
    }
  }
  return MavenCoordinates{std::move(group), std::string(artifact), std::string(*version)};
}

bool is_java_archive_name(std::string_view path) {
  static constexpr std::array<std::string_view, 5> kSuffixes = {".jar", ".war", ".ear", ".jpi",
                                                                ".hpi"};
  for (const auto suffix : kSuffixes) {
    if (ends_with_ci(path, suffix)) {
      return true;
    }
  }
  return false;
}

}  // namespace vigil::inventory::lang
