#include "inventory/catalogers/ruby.hpp"

#include <array>
#include <utility>

#include "core/strings.hpp"
#include "inventory/catalogers/lang_util.hpp"

namespace vigil::inventory {
namespace lang {
namespace {

constexpr std::array<std::string_view, 11> kPlatformWords = {
    "x86",   "x64",    "arm",   "aarch64",   "java", "mingw",
    "mswin", "darwin", "linux", "universal", "jruby"};

// The string literal at the start of `text` ("x".freeze, 'x', %q{x} from old RubyGems), or
// nullopt.
std::optional<std::string_view> leading_literal(std::string_view text) {
  if (text.starts_with("%q{")) {
    const size_t end = text.find('}');
    return end == std::string_view::npos ? std::nullopt
                                         : std::optional<std::string_view>(text.substr(3, end - 3));
  }
  if (text.empty() || (text.front() != '"' && text.front() != '\'')) {
    return std::nullopt;
  }
  const size_t end = text.find(text.front(), 1);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  return text.substr(1, end - 1);
}

// The identifier between the pipes of "Gem::Specification.new do |s|".
std::optional<std::string_view> block_variable(std::string_view line) {
  const size_t spec = line.find("Gem::Specification.new");
  if (spec == std::string_view::npos) {
    return std::nullopt;
  }
  const size_t open = line.find('|', spec);
  const size_t close = open == std::string_view::npos ? open : line.find('|', open + 1);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  return trim(line.substr(open + 1, close - open - 1));
}

std::string_view strip_platform(std::string_view version) {
  const size_t dash = version.find('-');
  if (dash == std::string_view::npos) {
    return version;
  }
  const std::string_view suffix = version.substr(dash + 1);
  for (const auto word : kPlatformWords) {
    if (suffix.find(word) != std::string_view::npos) {
      return version.substr(0, dash);
    }
  }
  return version;
}

}  // namespace

std::optional<Gem> parse_gemspec(std::string_view text) {
  std::optional<std::string_view> variable;
  Gem from_assignments;
  Gem from_stub;
  for_each_line(text, [&](std::string_view line) {
    const std::string_view trimmed = trim(line);
    if (trimmed.starts_with("# stub:")) {
      const auto words = split(trim(trimmed.substr(7)), ' ');
      if (words.size() >= 2) {
        from_stub = Gem{std::string(words[0]), std::string(words[1])};
      }
      return true;
    }
    if (!variable) {
      variable = block_variable(trimmed);
      return true;
    }
    if (!trimmed.starts_with(*variable) || trimmed.size() <= variable->size() ||
        trimmed[variable->size()] != '.') {
      return true;
    }
    const std::string_view rest = trimmed.substr(variable->size() + 1);
    const size_t equals = rest.find('=');
    if (equals == std::string_view::npos || rest.substr(equals).starts_with("==")) {
      return true;
    }
    const std::string_view attribute = trim(rest.substr(0, equals));
    const auto value = leading_literal(trim(rest.substr(equals + 1)));
    if (!value) {
      return true;
    }
    if (attribute == "name" && from_assignments.name.empty()) {
      from_assignments.name = std::string(*value);
    } else if (attribute == "version" && from_assignments.version.empty()) {
      from_assignments.version = std::string(*value);
    }
    return true;
  });
  for (auto* gem : {&from_assignments, &from_stub}) {
    if (!gem->name.empty() && !gem->version.empty()) {
      return std::move(*gem);
    }
  }
  return std::nullopt;
}

Result<std::vector<Gem>> parse_gemfile_lock(std::string_view text) {
  std::vector<Gem> out;
  bool registry_section = false;
  bool in_specs = false;
  size_t line_number = 0;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    ++line_number;
    if (trim(line).empty()) {
      return true;
    }
    if (line.front() != ' ') {
      registry_section = line == "GEM" || line == "GIT";
      in_specs = false;
      return true;
    }
    if (line.starts_with("  ") && !line.starts_with("   ")) {
      in_specs = registry_section && trim(line) == "specs:";
      return true;
    }
    // Gems sit four spaces in; their own dependencies six.
    if (!in_specs || !line.starts_with("    ") || line.starts_with("     ")) {
      return true;
    }
    const std::string_view spec = trim(line);
    const size_t open = spec.find(" (");
    if (open == std::string_view::npos || !spec.ends_with(')') || open == 0) {
      error = Error::parse("line {}: expected 'name (version)', got '{}'", line_number, spec);
      return false;
    }
    const std::string_view version = spec.substr(open + 2, spec.size() - open - 3);
    out.push_back({std::string(spec.substr(0, open)), std::string(strip_platform(version))});
    return true;
  });
  if (error) {
    return fail(std::move(*error));
  }
  return out;
}

}  // namespace lang

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {

constexpr std::string_view kName = "ruby";

bool is_lockfile(std::string_view base) { return base == "Gemfile.lock" || base == "gems.locked"; }

void add_gem(Gem gem, const std::string& location, model::Inventory& inventory) {
  std::string purl = make_purl("gem", "", gem.name, gem.version);
  inventory.packages.push_back(make_package(model::Ecosystem::kRubyGems, std::move(gem.name),
                                            std::move(gem.version), std::move(purl), location));
}

}  // namespace

bool RubyCataloger::wants(std::string_view path) const {
  const std::string_view base = base_name(path);
  if (base.ends_with(".gemspec")) {
    // Ruby's bundled default gems live in specifications/default/.
    const std::string_view dir = dir_name(path);
    return base_name(dir) == "specifications" ||
           (base_name(dir) == "default" && base_name(dir_name(dir)) == "specifications");
  }
  return is_lockfile(base) && !has_dir_segment(path, "gems");
}

void RubyCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                            model::Inventory& inventory) const {
  for (const auto& path : paths) {
    const bool lockfile = is_lockfile(base_name(path));
    const auto text = read_evidence(tree, path, lockfile ? kMaxLockfileBytes : kMaxMetadataBytes,
                                    kName, inventory);
    if (!text) {
      continue;
    }
    if (!lockfile) {
      if (auto gem = parse_gemspec(*text)) {
        add_gem(std::move(*gem), path, inventory);
      } else {
        add_warning(inventory, kName, path, "gemspec has no literal name and version");
      }
      continue;
    }
    auto gems = parse_gemfile_lock(*text);
    if (!gems) {
      add_warning(inventory, kName, path, gems.error().message);
      continue;
    }
    for (auto& gem : *gems) {
      add_gem(std::move(gem), path, inventory);
    }
  }
}

}  // namespace vigil::inventory
