// `vigil network analyze|port`: network reachability of EC2 instances from a bundle of
// `aws ec2|elbv2 describe-* --output json` files.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/strings.hpp"
#include "reachability/analyzer.hpp"
#include "reachability/bundle.hpp"
#include "reachability/report.hpp"
#include "sources/file_tree.hpp"

namespace vigil::cli {
namespace {

struct NetworkOptions {
  std::string bundle_dir;
  std::string format = "table";
  std::string instance_id;
  std::string port;  // "22", "22/tcp", "53/udp"
};

Result<reachability::Environment> load(const std::string& dir) {
  VIGIL_ASSIGN_OR_RETURN(auto tree, sources::open_directory(dir));
  return reachability::load_bundle(*tree);
}

void print_diagnostics(const std::vector<model::Diagnostic>& diagnostics) {
  for (const auto& diagnostic : diagnostics) {
    std::cerr << (diagnostic.level == model::DiagnosticLevel::kInfo ? "note: " : "warning: ")
              << diagnostic.where << ": " << diagnostic.message << '\n';
  }
}

int run_analyze(const NetworkOptions& opts) {
  if (opts.format != "table" && opts.format != "json") {
    return usage_error("--format must be table or json");
  }
  const auto env = load(opts.bundle_dir);
  if (!env) {
    return report_error(env.error());
  }
  const auto analysis = reachability::analyze(*env);
  if (opts.format == "json") {
    std::cout << reachability::render_json(analysis);
  } else {
    std::cout << reachability::render_table(analysis);
    print_diagnostics(analysis.diagnostics);
  }
  return kExitOk;
}

int run_port(const NetworkOptions& opts) {
  reachability::Protocol protocol = reachability::Protocol::kTcp;
  std::string_view number = opts.port;
  if (const size_t slash = number.find('/'); slash != std::string_view::npos) {
    const std::string name = to_lower(number.substr(slash + 1));
    if (name == "udp") {
      protocol = reachability::Protocol::kUdp;
    } else if (name != "tcp") {
      return usage_error("--port takes PORT, PORT/tcp or PORT/udp");
    }
    number = number.substr(0, slash);
  }
  if (number.empty() || number.size() > 5 || !std::all_of(number.begin(), number.end(), is_digit) ||
      std::stoul(std::string(number)) > 65535) {
    return usage_error("--port takes a number 0-65535, optionally with /tcp or /udp");
  }
  const auto port = static_cast<uint16_t>(std::stoul(std::string(number)));
  const auto env = load(opts.bundle_dir);
  if (!env) {
    return report_error(env.error());
  }
  const reachability::Analyzer analyzer(*env);
  std::cout << reachability::reachability_class_name(
                   analyzer.port_reachability(opts.instance_id, protocol, port))
            << '\n';
  return kExitOk;
}

}  // namespace

void add_network_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("network", "Network reachability of EC2 instances");
  cmd->require_subcommand(1);

  auto analyze_opts = std::make_shared<NetworkOptions>();
  auto* analyze = cmd->add_subcommand(
      "analyze",
      "Which ports of which instances the internet or the VPC reaches, and by which path");
  analyze->add_option("dir", analyze_opts->bundle_dir,
                      "Bundle directory: describe-instances.json, describe-security-groups.json, "
                      "... (one `aws ... --output json` file per command)")
      ->required();
  analyze->add_option("--format", analyze_opts->format, "table (default) or json");
  analyze->callback([analyze_opts] { throw ExitRequest{run_analyze(*analyze_opts)}; });

  auto port_opts = std::make_shared<NetworkOptions>();
  auto* port = cmd->add_subcommand(
      "port", "Print INTERNET, VPC, NONE or UNKNOWN: how far one instance port is reachable");
  port->add_option("dir", port_opts->bundle_dir, "Bundle directory")->required();
  port->add_option("--instance", port_opts->instance_id, "Instance id (i-...)")->required();
  port->add_option("--port", port_opts->port, "PORT, PORT/tcp or PORT/udp")->required();
  port->callback([port_opts] { throw ExitRequest{run_port(*port_opts)}; });
}

}  // namespace vigil::cli
