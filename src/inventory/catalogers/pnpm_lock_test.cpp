#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/catalogers/node_lockfiles.hpp"

namespace vigil::inventory::lang {
namespace {

using PnpmDeps = std::vector<NodeDependency>;

TEST(PnpmLockTest, ReadsV5SlashKeys) {
  const std::string text = R"(lockfileVersion: 5.4

specifiers:
  react: ^17.0.2

dependencies:
  react: 17.0.2

packages:

  /@babel/core/7.12.3:
    resolution: {integrity: sha512-0qXcZYKZp3/6N2jKYVxZv0aNCsxTSVCiK72DTiTYZAu7sjg73W0/aynWjMbiGd87EQL4WyA8reiJVh92AVla9g==}
    engines: {node: '>=6.9.0'}
    dev: true

  /react-dom/17.0.2_react@17.0.2:
    resolution: {integrity: sha512-s4h96KtLDUQlsENhMn1ar8t2bEa+q/YAtj8pPPdIjPDGBDIVNsrD9aXNWqspUe6AzKCIG0C1HZZLqLV7qpOBGA==}
    peerDependencies:
      react: 17.0.2

  /react/17.0.2:
    resolution: {integrity: sha512-gnhPt75i/dq/z3/6q/0asP78D0u592D5L1pd7M8P+dck6Fu/jJeL6iVVK23fptSUZj8Vjf++7wXA8UNclGQcbA==}
)";
  const auto deps = parse_pnpm_lock(text);
  ASSERT_TRUE(deps.has_value()) << deps.error().message;
  EXPECT_EQ(*deps, (PnpmDeps{{"@babel/core", "7.12.3"}, {"react-dom", "17.0.2"}, {"react", "17.0.2"}}));
}

TEST(PnpmLockTest, ReadsV6AndV9AtKeys) {
  const std::string v6 = R"(lockfileVersion: '6.0'

dependencies:
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)

packages:

  /@babel/core@7.21.0:
    resolution: {integrity: sha512-x}

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-y}

  /tarball@https://codeload.github.com/x/y/tar.gz/abc:
    resolution: {tarball: https://codeload.github.com/x/y/tar.gz/abc}
)";
  const auto deps6 = parse_pnpm_lock(v6);
  ASSERT_TRUE(deps6.has_value()) << deps6.error().message;
  EXPECT_EQ(*deps6, (PnpmDeps{{"@babel/core", "7.21.0"}, {"react-dom", "18.2.0"}}));

  const std::string v9 = R"(lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      lodash:
        specifier: ^4.17.21
        version: 4.17.21

packages:

  '@types/node@20.11.5':
    resolution: {integrity: sha512-z}

  lodash@4.17.21:
    resolution: {integrity: sha512-w}

snapshots:

  not-in-packages@1.0.0: {}
)";
  const auto deps9 = parse_pnpm_lock(v9);
  ASSERT_TRUE(deps9.has_value()) << deps9.error().message;
  EXPECT_EQ(*deps9, (PnpmDeps{{"@types/node", "20.11.5"}, {"lodash", "4.17.21"}}));
}

TEST(PnpmLockTest, RejectsFilesWithoutLockfileVersion) {
  EXPECT_FALSE(parse_pnpm_lock("packages:\n  /a/1.0.0:\n").has_value());
  EXPECT_FALSE(parse_pnpm_lock("").has_value());
}

}  // namespace
}  // namespace vigil::inventory::lang
