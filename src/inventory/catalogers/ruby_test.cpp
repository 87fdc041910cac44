#include "inventory/catalogers/ruby.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

using lang::Gem;
using Gems = std::vector<Gem>;

TEST(GemspecTest, ReadsInstalledSpecifications) {
  const std::string rake = R"(# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.summary = "Rake is a Make-like program implemented in Ruby".freeze
end
)";
  EXPECT_EQ(lang::parse_gemspec(rake), (Gem{"rake", "13.0.6"}));
  const std::string debian =
      "Gem::Specification.new do |spec|\n  spec.name = 'net-telnet'\n"
      "  spec.version = '0.2.0'\n  spec.version_check == 'x'\nend\n";
  EXPECT_EQ(lang::parse_gemspec(debian), (Gem{"net-telnet", "0.2.0"}));
  const std::string old =
      "Gem::Specification.new do |s|\n  s.name = %q{rack}\n"
      "  s.version = \"1.1.0\"\nend\n";
  EXPECT_EQ(lang::parse_gemspec(old), (Gem{"rack", "1.1.0"}));
  const std::string stub_only =
      "# stub: json 2.6.1 ruby lib\nGem::Specification.new do |s|\n"
      "  s.name = NAME\n  s.version = JSON::VERSION\nend\n";
  EXPECT_EQ(lang::parse_gemspec(stub_only), (Gem{"json", "2.6.1"}));
  EXPECT_FALSE(lang::parse_gemspec("Gem::Specification.new do |s|\n  s.name = \"x\"\nend\n"));
  EXPECT_FALSE(lang::parse_gemspec(""));
}

TEST(GemfileLockTest, ReadsRegistryAndGitSpecs) {
  const std::string text = R"(PATH
  remote: .
  specs:
    myapp (0.1.0)
      rails (~> 7.0)

GIT
  remote: https://github.com/rails/rails.git
  revision: 0123abcd
  specs:
    activesupport (7.1.0.alpha)

GEM
  remote: https://rubygems.org/
  specs:
    actioncable (7.0.4)
      actionpack (= 7.0.4)
      nio4r (~> 2.0)
    nokogiri (1.13.10-x86_64-linux)
      racc (~> 1.4)
    racc (1.6.1)
    rails (7.0.4)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  rails (~> 7.0)

BUNDLED WITH
   2.3.26
)";
  const auto gems = lang::parse_gemfile_lock(text);
  ASSERT_TRUE(gems.has_value()) << gems.error().message;
  EXPECT_EQ(*gems, (Gems{{"activesupport", "7.1.0.alpha"},
                         {"actioncable", "7.0.4"},
                         {"nokogiri", "1.13.10"},
                         {"racc", "1.6.1"},
                         {"rails", "7.0.4"}}));
  EXPECT_FALSE(lang::parse_gemfile_lock("GEM\n  specs:\n    broken-line\n").has_value());
}

TEST(RubyCatalogerTest, WantsSpecificationsAndProjectLockfiles) {
  const RubyCataloger cataloger;
  const std::vector<std::pair<std::string, bool>> cases = {
      {"usr/share/rubygems-integration/all/specifications/rake-13.0.6.gemspec", true},
      {"usr/lib/ruby/gems/3.1.0/specifications/default/abbrev-0.1.0.gemspec", true},
      {"srv/app/Gemfile.lock", true},
      {"srv/app/gems.locked", true},
      {"usr/lib/ruby/gems/3.1.0/gems/typeprof-0.21.2/Gemfile.lock", false},
      {"srv/app/myapp.gemspec", false},
      {"usr/lib/ruby/gems/3.1.0/specifications/rake.txt", false},
  };
  for (const auto& [path, want] : cases) {
    EXPECT_EQ(cataloger.wants(path), want) << path;
  }
}

TEST(RubyCatalogerTest, ReportsGemsAndDiagnostics) {
  const std::vector<std::string> paths = {"a/specifications/rake-13.0.6.gemspec",
                                          "a/specifications/bad-1.gemspec", "srv/Gemfile.lock"};
  sources::MemoryFileTree tree{
      {paths[0], "Gem::Specification.new do |s|\n  s.name = \"rake\"\n  s.version = \"13.0.6\"\n"},
      {paths[1], "not ruby at all"},
      {paths[2], "GEM\n  specs:\n    rails (7.0.0)\n"}};
  model::Inventory inventory;
  RubyCataloger{}.catalog(tree, paths, inventory);
  ASSERT_EQ(inventory.packages.size(), 2U);
  EXPECT_EQ(inventory.packages[0].ecosystem, model::Ecosystem::kRubyGems);
  EXPECT_EQ(inventory.packages[0].purl, "pkg:gem/rake@13.0.6");
  EXPECT_EQ(inventory.packages[1].purl, "pkg:gem/rails@7.0.0");
  EXPECT_EQ(inventory.packages[1].locations, std::vector<std::string>{paths[2]});
  ASSERT_EQ(inventory.diagnostics.size(), 1U);
  EXPECT_EQ(inventory.diagnostics[0].where, paths[1]);
}

}  // namespace
}  // namespace vigil::inventory
