#include <gtest/gtest.h>

#include <string>

#include "sources/file_tree.hpp"

namespace vigil::sources {
namespace {

struct NormalizeCase {
  const char* input;
  const char* want;
};

constexpr NormalizeCase kNormalizeCases[] = {
    {"", ""},
    {"/", ""},
    {"//", ""},
    {".", ""},
    {"..", ""},
    {"etc/passwd", "etc/passwd"},
    {"/etc/passwd", "etc/passwd"},
    {"etc//passwd/", "etc/passwd"},
    {"./etc/./passwd", "etc/passwd"},
    {"../../etc/passwd", "etc/passwd"},
    {"/../../../etc/shadow", "etc/shadow"},
    {"var/lib/../../etc/os-release", "etc/os-release"},
    {"var/lib/dpkg/../../../../../..", ""},
    {"a/b/c/../../d", "a/d"},
    {"a/..b/c", "a/..b/c"},
    {"a/.../c", "a/.../c"},
    {"a/b./c", "a/b./c"},
};

TEST(NormalizePathTest, ResolvesDotsLexicallyWithoutLeavingTheRoot) {
  for (const auto& c : kNormalizeCases) {
    EXPECT_EQ(normalize_path(c.input), c.want) << "input: '" << c.input << "'";
  }
}

TEST(NormalizePathTest, IsIdempotent) {
  for (const auto& c : kNormalizeCases) {
    const std::string once = normalize_path(c.input);
    EXPECT_EQ(normalize_path(once), once) << "input: '" << c.input << "'";
  }
}

}  // namespace
}  // namespace vigil::sources
