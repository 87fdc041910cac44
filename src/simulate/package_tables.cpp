#include "simulate/package_tables.hpp"

#include <string_view>

#include "core/strings.hpp"

namespace vigil::simulate {
namespace {

constexpr std::string_view kAl2023Table =
#include "simulate/internal/al2023_table.inc"
    ;

constexpr std::string_view kJammyTable =
#include "simulate/internal/jammy_table.inc"
    ;

#include "simulate/internal/image_tables.inc"

// Line format: `name version [<old_version] [@source[=source_version]] [^]`, sections `[group]`.
PackageTable parse_table(std::string_view text) {
  PackageTable table;
  std::vector<PackageSpec>* group = &table["base"];
  for (const std::string_view raw_line : split(text, '\n')) {
    const std::string_view line = trim(raw_line);
    if (line.empty()) {
      continue;
    }
    if (line.front() == '[' && line.back() == ']') {
      group = &table[std::string(line.substr(1, line.size() - 2))];
      continue;
    }
    PackageSpec spec;
    size_t position = 0;
    for (const std::string_view token : split(line, ' ')) {
      if (token.empty()) {
        continue;
      }
      if (position == 0) {
        spec.name = std::string(token);
      } else if (position == 1) {
        spec.version = std::string(token);
      } else if (token.front() == '<') {
        spec.old_version = std::string(token.substr(1));
      } else if (token.front() == '@') {
        const std::string_view source = token.substr(1);
        const size_t equals = source.find('=');
        spec.source = std::string(source.substr(0, equals));
        if (equals != std::string_view::npos) {
          spec.source_version = std::string(source.substr(equals + 1));
        }
      } else if (token == "^") {
        spec.arch_independent = true;
      }
      ++position;
    }
    if (spec.source.empty()) {
      spec.source = spec.name;
    }
    group->push_back(std::move(spec));
  }
  return table;
}

std::string_view table_text(TableId id) {
  switch (id) {
    case TableId::kAmazonLinux2023:
      return kAl2023Table;
    case TableId::kUbuntu2204:
      return kJammyTable;
    case TableId::kDebian12:
      return kBookwormTable;
    case TableId::kAlpine311:
      return kAlpineTable;
    case TableId::kPyPI:
      return kPypiTable;
    case TableId::kNpm:
      return kNpmTable;
    case TableId::kMaven:
      return kMavenTable;
    case TableId::kRubyGems:
      return kGemTable;
    case TableId::kNuGet:
      return kNugetTable;
  }
  return {};
}

constexpr size_t kTableCount = 9;

}  // namespace

const PackageTable& package_table(TableId id) {
  static const std::vector<PackageTable> tables = [] {
    std::vector<PackageTable> parsed;
    for (size_t index = 0; index < kTableCount; ++index) {
      parsed.push_back(parse_table(table_text(static_cast<TableId>(index))));
    }
    return parsed;
  }();
  return tables[static_cast<size_t>(id)];
}

const std::vector<PackageSpec>& package_group(TableId id, const std::string& group) {
  static const std::vector<PackageSpec> kEmpty;
  const auto& table = package_table(id);
  const auto it = table.find(group);
  return it == table.end() ? kEmpty : it->second;
}

model::Ecosystem table_ecosystem(TableId id) {
  switch (id) {
    case TableId::kAmazonLinux2023:
      return model::Ecosystem::kAmazonLinux;
    case TableId::kUbuntu2204:
      return model::Ecosystem::kUbuntu;
    case TableId::kDebian12:
      return model::Ecosystem::kDebian;
    case TableId::kAlpine311:
      return model::Ecosystem::kAlpine;
    case TableId::kPyPI:
      return model::Ecosystem::kPyPI;
    case TableId::kNpm:
      return model::Ecosystem::kNpm;
    case TableId::kMaven:
      return model::Ecosystem::kMaven;
    case TableId::kRubyGems:
      return model::Ecosystem::kRubyGems;
    case TableId::kNuGet:
      return model::Ecosystem::kNuGet;
  }
  return model::Ecosystem::kGeneric;
}

}  // namespace vigil::simulate
