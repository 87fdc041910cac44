// Shared helpers for differential tests: run a reference implementation over a batch of inputs.
#pragma once

#include <optional>
#include <string>

namespace vigil::testing {

// True when the environment demands the reference tools (CI sets VIGIL_REQUIRE_REFERENCE=1):
// a missing tool is then a failure rather than a skip.
bool reference_required();

// Runs `command` through /bin/sh with `input` on its standard input and returns its standard
// output, or nullopt if it could not be started or exited non-zero.
std::optional<std::string> run_with_input(const std::string& command, const std::string& input);

// True if `command` (a shell snippet such as "/usr/bin/python3 -c 'import rpm'") exits 0.
bool command_succeeds(const std::string& command);

}  // namespace vigil::testing

// Skips the current test when a reference tool is missing, unless reference_required().
#define VIGIL_REQUIRE_TOOL(available, what)                                       \
  do {                                                                            \
    if (!(available)) {                                                           \
      if (::vigil::testing::reference_required()) {                               \
        FAIL() << "reference implementation missing: " << (what);                 \
      }                                                                           \
      GTEST_SKIP() << "reference implementation missing: " << (what);             \
    }                                                                             \
  } while (false)
