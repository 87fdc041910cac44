// The `vigil` command line: one file per subcommand, each adding itself to the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace vigil::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // a gate (e.g. --fail-on) tripped
inline constexpr int kExitUsage = 2;     // bad input: invalid arguments, versions, files

// Thrown by subcommand callbacks to end the program with `code` after they printed their output.
struct ExitRequest {
  int code;
};

void add_version_command(CLI::App& app);
void add_cvss_command(CLI::App& app);
void add_db_command(CLI::App& app);
void add_scan_command(CLI::App& app);
void add_network_command(CLI::App& app);
void add_sbom_command(CLI::App& app);
void add_agent_command(CLI::App& app);
void add_simulate_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_keys_command(CLI::App& app);

}  // namespace vigil::cli
