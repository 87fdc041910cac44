// `vigil simulate fleet`: generates a deterministic simulated organisation (hosts, functions,
// images, network) as real artefacts; see docs/simulate.md.
#include <chrono>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "simulate/fleet.hpp"

namespace vigil::cli {
namespace {

struct SimulateOptions {
  simulate::FleetOptions fleet;
  std::string out;
};

int run_fleet(const SimulateOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  const auto summary = simulate::simulate_fleet(opts.fleet, opts.out);
  if (!summary) {
    return report_error(summary.error());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "simulated fleet (seed {}) in {}\n"
      "  accounts:  {}\n"
      "  hosts:     {} ({} agent documents, {} packages; {} stopped, {} unmanaged, {} excluded)\n"
      "  functions: {} ({} shared layers)\n"
      "  images:    {} in {} repositories ({} shared base/runtime layers)\n"
      "  output:    {} files, {:.1f} MiB in {:.1f} s\n",
      opts.fleet.seed, opts.out, summary->accounts, summary->hosts, summary->host_documents,
      summary->host_packages, summary->hosts_stopped, summary->hosts_unmanaged,
      summary->hosts_excluded, summary->functions, summary->function_layers, summary->images,
      summary->repositories, summary->base_layers, summary->files,
      static_cast<double>(summary->bytes) / (1024.0 * 1024.0), seconds);
  return kExitOk;
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("simulate", "Generate simulated resources for demos and benchmarks");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<SimulateOptions>();
  auto* fleet = cmd->add_subcommand(
      "fleet", "Generate an organisation's hosts, functions, images and network as real artefacts");
  fleet->add_option("--accounts", opts->fleet.accounts, "Accounts (management, delegated admin, members)")
      ->capture_default_str();
  fleet->add_option("--hosts", opts->fleet.hosts, "EC2 instances")->capture_default_str();
  fleet->add_option("--functions", opts->fleet.functions, "Lambda functions")->capture_default_str();
  fleet->add_option("--images", opts->fleet.images, "Container images")->capture_default_str();
  fleet->add_option("--repos", opts->fleet.repos, "Container repositories")->capture_default_str();
  fleet->add_option("--seed", opts->fleet.seed, "Seed: the same seed gives the same fleet")
      ->capture_default_str();
  fleet->add_flag("--force", opts->fleet.force, "Replace OUT when it exists and is not empty");
  fleet->add_option("out", opts->out, "Output directory (created)")->required();
  fleet->callback([opts] { throw ExitRequest{run_fleet(*opts)}; });
}

}  // namespace vigil::cli
