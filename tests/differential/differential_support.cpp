#include "differential_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace vigil::testing {

bool reference_required() {
  const char* value = std::getenv("VIGIL_REQUIRE_REFERENCE");
  return value != nullptr && std::string(value) == "1";
}

std::optional<std::string> run_with_input(const std::string& command, const std::string& input) {
  char path[] = "/tmp/vigil-diff-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    return std::nullopt;
  }
  close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    out << input;
  }
  const std::string full = command + " < " + path;
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) {
    std::remove(path);
    return std::nullopt;
  }
  std::string output;
  std::array<char, 65536> buffer{};
  size_t got = 0;
  while ((got = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    output.append(buffer.data(), got);
  }
  const int status = pclose(pipe);
  std::remove(path);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  return output;
}

bool command_succeeds(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace vigil::testing
