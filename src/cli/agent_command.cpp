// `vigil agent collect|push|run`: the host agent (see docs/agent.md).
#include <csignal>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "agent/collect.hpp"
#include "agent/push.hpp"
#include "agent/runner.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

namespace vigil::cli {
namespace {

constexpr int kExitUnavailable = 69;  // sysexits.h EX_UNAVAILABLE: the service could not be reached

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

struct AgentOptions {
  std::string root = "/";
  std::string out;
  std::string instance_id;
  std::string account;
  std::string region;
  std::vector<std::string> tags;
  std::string server;
  std::string file;
  std::string interval = "30m";
  std::string spool;
  size_t max_spool = 100;
  bool once = false;
};

int agent_error(const Error& error) {
  if (error.code == ErrorCode::kUnavailable) {
    std::cerr << "vigil: " << error.message << '\n';
    return kExitUnavailable;
  }
  return report_error(error);
}

Result<agent::CollectOptions> collect_options(const AgentOptions& opts) {
  agent::CollectOptions options;
  options.root = opts.root;
  options.agent_version = VIGIL_VERSION;
  options.identity.instance_id = opts.instance_id;
  options.identity.account_id = opts.account;
  options.identity.region = opts.region;
  for (const std::string& tag : opts.tags) {
    const size_t equals = tag.find('=');
    if (equals == std::string::npos || equals == 0) {
      return fail(Error::invalid_argument("--tag '{}': expected KEY=VALUE", tag));
    }
    options.identity.tags[tag.substr(0, equals)] = tag.substr(equals + 1);
  }
  agent::apply_identity_environment(options.identity);
  return options;
}

std::string default_spool_dir() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0') {
    return std::string(state) + "/vigil/agent-spool";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.local/state/vigil/agent-spool";
  }
  return "/var/lib/vigil/agent-spool";
}

int run_collect(const AgentOptions& opts) {
  auto options = collect_options(opts);
  if (!options) {
    return report_error(options.error());
  }
  const auto started = std::chrono::steady_clock::now();
  auto document = agent::collect(*options, std::chrono::system_clock::now());
  if (!document) {
    return report_error(document.error());
  }
  const std::string text = inventory::write_agent_document(*document);
  if (opts.out.empty()) {
    std::cout << text;
  } else if (auto written = agent::write_file_atomic(opts.out, text); !written) {
    return report_error(written.error());
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cerr << "collected " << document->inventory.packages.size() << " packages from "
            << opts.root << " in " << elapsed.count() << " ms"
            << (document->inventory.complete ? "" : " (incomplete)") << '\n';
  return kExitOk;
}

int run_push(const AgentOptions& opts) {
  std::string text;
  std::string region = opts.region;
  if (!opts.file.empty()) {
    std::ifstream in(opts.file, std::ios::binary);
    if (!in) {
      return usage_error("cannot read " + opts.file);
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    const auto document = inventory::parse_agent_document(text);
    if (!document) {
      return report_error(document.error().with_context(opts.file));
    }
    if (region.empty()) {
      region = document->host.region;
    }
  } else {
    auto options = collect_options(opts);
    if (!options) {
      return report_error(options.error());
    }
    auto document = agent::collect(*options, std::chrono::system_clock::now());
    if (!document) {
      return report_error(document.error());
    }
    text = inventory::write_agent_document(*document);
    region = document->host.region;
  }
  agent::PushConfig config;
  config.server = opts.server;
  config.region = region;
  agent::apply_push_environment(config);
  install_stop_handlers();
  config.cancel = &g_stop;
  const auto receipt = agent::push_document(config, text);
  if (!receipt) {
    return agent_error(receipt.error());
  }
  std::cerr << "pushed to " << opts.server << " (HTTP " << receipt->status << ")\n";
  return kExitOk;
}

int run_loop(const AgentOptions& opts) {
  const auto interval = agent::parse_interval(opts.interval);
  if (!interval) {
    return report_error(interval.error());
  }
  auto collect = collect_options(opts);
  if (!collect) {
    return report_error(collect.error());
  }
  agent::RunOptions options;
  options.collect = *collect;
  options.push.server = opts.server;
  options.push.region = collect->identity.region;
  agent::apply_push_environment(options.push);
  options.spool_dir = opts.spool.empty() ? default_spool_dir() : opts.spool;
  options.max_spool = opts.max_spool;
  options.interval = *interval;
  options.once = opts.once;
  install_stop_handlers();
  const auto report = agent::run_agent(options, g_stop);
  if (!report) {
    return agent_error(report.error());
  }
  std::cerr << "agent stopped: " << report->collected << " collected, " << report->pushed
            << " pushed, " << report->rejected << " rejected, " << report->dropped
            << " dropped, " << report->left << " left in " << options.spool_dir.string() << '\n';
  return kExitOk;
}

void add_identity_options(CLI::App* sub, const std::shared_ptr<AgentOptions>& opts) {
  sub->add_option("--root", opts->root, "Root filesystem to inventory (default /)");
  sub->add_option("--instance-id", opts->instance_id,
                  "Instance id (default $VIGIL_INSTANCE_ID, else derived from the machine id)");
  sub->add_option("--account", opts->account, "12-digit account id (default $VIGIL_ACCOUNT_ID)");
  sub->add_option("--region", opts->region, "Region (default $VIGIL_REGION)");
  sub->add_option("--tag", opts->tags, "Tag KEY=VALUE (repeatable)");
}

}  // namespace

void add_agent_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("agent", "Host agent: collect, push and periodically report inventory");
  cmd->require_subcommand(1);

  auto collect = std::make_shared<AgentOptions>();
  auto* collect_cmd = cmd->add_subcommand("collect", "Write this host's inventory document");
  add_identity_options(collect_cmd, collect);
  collect_cmd->add_option("--out,-o", collect->out, "Write the document to FILE (atomically)");
  collect_cmd->callback([collect] { throw ExitRequest{run_collect(*collect)}; });

  auto push = std::make_shared<AgentOptions>();
  auto* push_cmd = cmd->add_subcommand("push", "Send an inventory document to the service");
  add_identity_options(push_cmd, push);
  push_cmd->add_option("--server", push->server, "Service URL (http://host:port)")->required();
  push_cmd->add_option("--file", push->file, "Document to send (default: collect now)");
  push_cmd->callback([push] { throw ExitRequest{run_push(*push)}; });

  auto run = std::make_shared<AgentOptions>();
  auto* run_cmd = cmd->add_subcommand("run", "Collect and push periodically, spooling while the service is down");
  add_identity_options(run_cmd, run);
  run_cmd->add_option("--server", run->server, "Service URL (http://host:port)")->required();
  run_cmd->add_option("--interval", run->interval, "Time between collections (30m, 1h, 90s)");
  run_cmd->add_option("--spool", run->spool,
                      "Spool directory (default $XDG_STATE_HOME/vigil/agent-spool)");
  run_cmd->add_option("--max-spool", run->max_spool, "Documents kept while the service is down")
      ->check(CLI::Range(1, 100000));
  run_cmd->add_flag("--once", run->once, "One collection and one push pass, then exit");
  run_cmd->callback([run] { throw ExitRequest{run_loop(*run)}; });
}

}  // namespace vigil::cli
