#include "inventory/catalogers/go_mod.hpp"

#include <fmt/format.h>

#include <optional>
#include <utility>
#include <vector>

#include "core/strings.hpp"
#include "inventory/catalogers/go_buildinfo.hpp"
#include "inventory/catalogers/lang_util.hpp"

namespace vigil::inventory {
namespace lang {
namespace {

struct Replacement {
  std::string old_path;
  std::string old_version;  // empty: every version
  std::string new_path;
  std::string new_version;  // empty: a local directory
};

// Splits a go.mod line into tokens: comments removed, "quoted" and `raw` paths unquoted.
std::vector<std::string_view> tokenize(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos < line.size()) {
    const char c = line[pos];
    if (c == ' ' || c == '\t') {
      ++pos;
      continue;
    }
    if (line.substr(pos).starts_with("//")) {
      break;
    }
    if (c == '"' || c == '`') {
      const size_t end = line.find(c, pos + 1);
      const size_t stop = end == std::string_view::npos ? line.size() : end;
      tokens.push_back(line.substr(pos + 1, stop - pos - 1));
      pos = stop + 1;
      continue;
    }
    size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') {
      ++end;
    }
    tokens.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return tokens;
}

}  // namespace

Result<std::vector<GoModule>> parse_go_mod(std::string_view text) {
  std::vector<GoModule> requires_list;
  std::vector<Replacement> replacements;
  std::string block;  // the directive of the open "( … )" block
  size_t line_number = 0;
  size_t block_line = 0;
  std::optional<Error> error;
  const auto apply = [&](std::string_view directive, std::span<const std::string_view> args) {
    if (directive == "require") {
      if (args.size() < 2) {
        error = Error::parse("line {}: require without a version", line_number);
        return false;
      }
      requires_list.push_back({std::string(args[0]), std::string(args[1])});
    } else if (directive == "replace") {
      size_t arrow = 0;
      while (arrow < args.size() && args[arrow] != "=>") {
        ++arrow;
      }
      if (arrow == 0 || arrow > 2 || arrow + 1 >= args.size()) {
        error =
            Error::parse("line {}: replace needs 'old [version] => new [version]'", line_number);
        return false;
      }
      replacements.push_back({std::string(args[0]), arrow == 2 ? std::string(args[1]) : "",
                              std::string(args[arrow + 1]),
                              arrow + 2 < args.size() ? std::string(args[arrow + 2]) : ""});
    }
    return true;  // module, go, toolchain, exclude, retract, godebug: nothing to report
  };
  for_each_line(text, [&](std::string_view line) {
    ++line_number;
    const auto tokens = tokenize(line);
    if (tokens.empty()) {
      return true;
    }
    if (!block.empty()) {
      if (tokens.size() == 1 && tokens[0] == ")") {
        block.clear();
        return true;
      }
      return apply(block, tokens);
    }
    if (tokens.size() == 2 && tokens[1] == "(") {
      block = std::string(tokens[0]);
      block_line = line_number;
      return true;
    }
    return apply(tokens[0], std::span(tokens).subspan(1));
  });
  if (error) {
    return fail(std::move(*error));
  }
  if (!block.empty()) {
    return fail(Error::parse("line {}: '{} (' block is never closed", block_line, block));
  }
  for (auto& module : requires_list) {
    for (const auto& replacement : replacements) {
      if (replacement.old_path == module.path &&
          (replacement.old_version.empty() || replacement.old_version == module.version)) {
        if (!replacement.new_version.empty()) {
          module = GoModule{replacement.new_path, replacement.new_version};
        }
        break;
      }
    }
  }
  return requires_list;
}

}  // namespace lang

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {
constexpr std::string_view kName = "go-mod";
}  // namespace

bool GoModCataloger::wants(std::string_view path) const {
  if (base_name(path) != "go.mod" || has_dir_segment(path, "vendor")) {
    return false;
  }
  return path.find("/pkg/mod/") == std::string_view::npos && !path.starts_with("pkg/mod/");
}

void GoModCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                             model::Inventory& inventory) const {
  for (const auto& path : paths) {
    const auto text = read_evidence(tree, path, kMaxLockfileBytes, kName, inventory);
    if (!text) {
      continue;
    }
    auto modules = parse_go_mod(*text);
    if (!modules) {
      add_warning(inventory, kName, path, modules.error().message);
      continue;
    }
    for (auto& module : *modules) {
      std::string purl = make_golang_purl(module.path, module.version);
      inventory.packages.push_back(make_package(model::Ecosystem::kGo, std::move(module.path),
                                                std::move(module.version), std::move(purl), path));
    }
  }
}

}  // namespace vigil::inventory
