// Test support: validate a JSON document against a JSON Schema by running
// tests/support/validate_json_schema.py with Debian's python3 and python3-jsonschema.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace vigil::testing {

enum class SchemaVerdict { kValid, kInvalid, kUnavailable };

struct SchemaCheck {
  SchemaVerdict verdict = SchemaVerdict::kUnavailable;
  std::string output;  // the validator's messages (the errors when invalid)
};

// Validates `document` against `schema` (a path), registering every schema in `refs` under its
// $id. kUnavailable when /usr/bin/python3 or its jsonschema module is missing, or the validator
// could not load its inputs.
inline SchemaCheck validate_json_schema(const std::string& schema, const std::string& document,
                                        const std::vector<std::string>& refs = {}) {
  const TempDir dir;
  const auto instance = dir.write("instance.json", document);
  std::string command = "/usr/bin/python3 '" + std::string(VIGIL_SOURCE_DIR) +
                        "/tests/support/validate_json_schema.py' '" + schema + "' '" +
                        instance.string() + "'";
  for (const auto& ref : refs) {
    command += " --ref '" + ref + "'";
  }
  command += " 2>&1";
  SchemaCheck check;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return check;
  }
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    check.output.append(buffer, got);
  }
  const int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    check.verdict = code == 0   ? SchemaVerdict::kValid
                    : code == 1 ? SchemaVerdict::kInvalid
                                : SchemaVerdict::kUnavailable;
  }
  return check;
}

}  // namespace vigil::testing
