// Ruby gems: installed specifications (…/specifications/*.gemspec and Ruby's default gems in
// …/specifications/default/, as RubyGems and Debian's rubygems-integration write them) and
// Bundler's Gemfile.lock.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "inventory/cataloger.hpp"

namespace vigil::inventory {
namespace lang {

struct Gem {
  std::string name;
  std::string version;

  friend bool operator==(const Gem&, const Gem&) = default;
};

// Reads `<var>.name = "x"` and `<var>.version = "1.0"` (single or double quotes or %q{},
// optional .freeze) from an installed gemspec, `<var>` being the block variable of
// `Gem::Specification.new do |<var>|`; falls back to the "# stub: name version" line. nullopt
// when either value is missing or not a string literal.
std::optional<Gem> parse_gemspec(std::string_view text);

// Returns the gems of the GEM and GIT sections' "specs:" of a Gemfile.lock (PATH gems are the
// project's own). A platform suffix ("1.13.10-x86_64-linux") is removed from the version.
// kParse for a spec line that is not "name (version)".
[[nodiscard]] Result<std::vector<Gem>> parse_gemfile_lock(std::string_view text);

}  // namespace lang

// Reports RubyGems packages ("pkg:gem/rails@7.0.0"). Gemfile.lock files inside installed gems
// (a "gems" directory) describe those gems' development and are not wanted. Malformed files
// become warnings. Stateless and thread-safe.
class RubyCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "ruby"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
