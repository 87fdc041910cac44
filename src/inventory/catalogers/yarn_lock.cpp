// yarn.lock, both formats. v1 is yarn's own syntax, berry (v2+) is YAML; both put one entry per
// column-0 key line and its fields two spaces in, which is all we read.
#include <fmt/format.h>

#include <utility>

#include "core/strings.hpp"
#include "inventory/catalogers/lang_util.hpp"
#include "inventory/catalogers/node_lockfiles.hpp"

namespace vigil::inventory::lang {
namespace {

struct Entry {
  std::string_view key;  // without the trailing ':'
  size_t line = 0;
  std::string_view version;
  std::string_view resolution;
};

// "version "1.0.0"" (v1) or "version: 1.0.0" (berry) -> ("version", "1.0.0").
std::pair<std::string_view, std::string_view> split_field(std::string_view field) {
  size_t end = 0;
  while (end < field.size() && field[end] != ' ' && field[end] != ':') {
    ++end;
  }
  std::string_view rest = field.substr(end);
  if (rest.starts_with(':')) {
    rest.remove_prefix(1);
  }
  return {field.substr(0, end), unquote(trim(rest))};
}

// The first specifier of a key: "\"a@^1\", \"a@^2\"" -> "a@^1".
std::string_view first_spec(std::string_view key) {
  return unquote(trim(key.substr(0, key.find(','))));
}

Result<std::optional<NodeDependency>> finish(const Entry& entry) {
  if (entry.key == "__metadata") {
    return std::optional<NodeDependency>{};
  }
  if (entry.version.empty()) {
    return fail(Error::parse("line {}: entry '{}' has no version", entry.line, entry.key));
  }
  if (!entry.resolution.empty()) {
    // berry: "name@npm:1.2.3"; workspace:, patch:, link:, portal:, file: are not registry code.
    const auto parts = split_name_at(entry.resolution);
    if (!parts || !parts->second.starts_with("npm:")) {
      return std::optional<NodeDependency>{};
    }
    return std::optional<NodeDependency>{
        NodeDependency{std::string(parts->first), std::string(entry.version)}};
  }
  const auto parts = split_name_at(first_spec(entry.key));
  if (!parts) {
    return fail(
        Error::parse("line {}: cannot read a package name from '{}'", entry.line, entry.key));
  }
  std::string_view name = parts->first;
  if (parts->second.starts_with("npm:")) {
    // An alias "alias@npm:real@^1.0.0" installs "real".
    if (const auto real = split_name_at(parts->second.substr(4))) {
      name = real->first;
    }
  }
  return std::optional<NodeDependency>{
      NodeDependency{std::string(name), std::string(entry.version)}};
}

}  // namespace

Result<std::vector<NodeDependency>> parse_yarn_lock(std::string_view text) {
  std::vector<NodeDependency> out;
  std::optional<Entry> current;
  std::optional<Error> error;
  size_t line_number = 0;
  const auto close_current = [&]() {
    if (!current) {
      return true;
    }
    auto dependency = finish(*current);
    current.reset();
    if (!dependency) {
      error = std::move(dependency).error();
      return false;
    }
    if (*dependency) {
      out.push_back(std::move(**dependency));
    }
    return true;
  };
  for_each_line(text, [&](std::string_view line) {
    ++line_number;
    if (trim(line).empty() || trim(line).starts_with('#')) {
      return true;
    }
    if (line.front() != ' ') {
      if (!close_current()) {
        return false;
      }
      const std::string_view key = trim(line);
      if (!key.ends_with(':')) {
        error = Error::parse("line {}: expected an entry key ending in ':'", line_number);
        return false;
      }
      current = Entry{key.substr(0, key.size() - 1), line_number, {}, {}};
      return true;
    }
    // Fields of the entry sit exactly two spaces in; deeper lines belong to nested maps.
    if (!current || !line.starts_with("  ") || line.size() < 3 || line[2] == ' ') {
      return true;
    }
    const auto [field, value] = split_field(line.substr(2));
    if (field == "version") {
      current->version = value;
    } else if (field == "resolution") {
      current->resolution = value;
    }
    return true;
  });
  if (!error) {
    close_current();
  }
  if (error) {
    return fail(std::move(*error));
  }
  return out;
}

}  // namespace vigil::inventory::lang
