// Test support: run a shell command and capture its standard output (reference tools such as
// dpkg-query and rpm in differential and integration tests).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace vigil::testing {

// Runs `command` with /bin/sh and returns its standard output, or nullopt when it could not
// be started or exited non-zero. Standard error is left to the test log.
inline std::optional<std::string> run_command(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return std::nullopt;
  }
  std::string output;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output.append(buffer, got);
  }
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  return output;
}

// True when `program` is on PATH.
inline bool have_program(const std::string& program) {
  return run_command("command -v " + program + " >/dev/null 2>&1").has_value();
}

// True when the environment asks reference-tool tests to fail rather than skip when a tool is
// missing (VIGIL_REQUIRE_REFERENCE=1, as CI sets it).
inline bool reference_required() {
  const char* value = std::getenv("VIGIL_REQUIRE_REFERENCE");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace vigil::testing
