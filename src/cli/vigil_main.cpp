#include <exception>
#include <iostream>

#include "cli/commands.hpp"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Vigil: self-hosted continuous vulnerability management", "vigil"};
  app.set_version_flag("--version", std::string("vigil ") + VIGIL_VERSION);
  app.require_subcommand(1);
  vigil::cli::add_version_command(app);
  vigil::cli::add_cvss_command(app);
  vigil::cli::add_db_command(app);
  vigil::cli::add_scan_command(app);
  vigil::cli::add_network_command(app);
  vigil::cli::add_sbom_command(app);
  vigil::cli::add_agent_command(app);
  vigil::cli::add_simulate_command(app);
  vigil::cli::add_serve_command(app);
  vigil::cli::add_keys_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return vigil::cli::kExitUsage;
  } catch (const vigil::cli::ExitRequest& request) {
    return request.code;
  } catch (const std::exception& e) {
    std::cerr << "vigil: internal error: " << e.what() << '\n';
    return 70;
  }
  return vigil::cli::kExitOk;
}
