// `vigil serve`: the fleet service with its Inspector2-compatible HTTP API. Opens the store,
// the vulnerability database and the scan workers, serves SigV4-authenticated requests and
// shuts down gracefully on SIGTERM/SIGINT.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "api/dispatcher.hpp"
#include "api/keys.hpp"
#include "api/metrics.hpp"
#include "api/server.hpp"
#include "cli/commands.hpp"
#include "service/fleet_config.hpp"
#include "service/fleet_service.hpp"

namespace vigil::cli {
namespace {

struct ServeOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:8080";
  std::string config_file;
  std::string db_dir;
  int workers = -1;
  std::size_t threads = 8;
  int max_skew_seconds = 300;
};

Result<std::pair<std::string, int>> parse_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return fail(Error::invalid_argument("--listen '{}' must be HOST:PORT", listen));
  }
  const std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return fail(Error::invalid_argument("--listen '{}': bad port", listen));
  }
  const int port = std::stoi(port_text);
  if (port > 65535) {
    return fail(Error::invalid_argument("--listen '{}': port out of range", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host, port};
}

int run_serve(const ServeOptions& opts) {
  const auto address = parse_listen(opts.listen);
  if (!address) {
    std::cerr << "vigil: " << address.error().message << '\n';
    return kExitUsage;
  }
  service::FleetConfig base;
  base.data_dir = opts.data_dir;
  auto config = opts.config_file.empty() ? Result<service::FleetConfig>(base)
                                         : service::load_fleet_config(opts.config_file, base);
  if (!config) {
    std::cerr << "vigil: " << config.error().message << '\n';
    return kExitUsage;
  }
  config->data_dir = opts.data_dir;  // the flag wins over the file
  if (!opts.db_dir.empty()) {
    config->vulndb_dir = opts.db_dir;
  }
  if (opts.workers >= 0) {
    config->workers = opts.workers;
  }

  // Every thread started from here on inherits the blocked set; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto vault = api::KeyVault::open(config->data_dir);
  if (!vault) {
    std::cerr << "vigil: " << vault.error().message << '\n';
    return 70;
  }
  const std::string region = config->region;
  auto fleet = service::FleetService::open(std::move(*config));
  if (!fleet) {
    std::cerr << "vigil: serve: " << fleet.error().message << '\n';
    return fleet.error().code == ErrorCode::kInvalidArgument ? kExitUsage : 70;
  }
  api::Metrics metrics;
  api::ApiContext context;
  context.store = &(*fleet)->store();
  context.fleet = fleet->get();
  context.keys = vault->get();
  context.metrics = &metrics;
  context.region = region;
  api::DispatcherOptions dispatcher_options;
  dispatcher_options.max_skew = std::chrono::seconds(opts.max_skew_seconds);
  api::Dispatcher dispatcher(context, api::default_registry(), dispatcher_options);
  api::ServerOptions server_options;
  server_options.host = address->first;
  server_options.port = address->second;
  server_options.threads = opts.threads;
  api::HttpServer server(dispatcher, server_options);
  const auto port = server.bind();
  if (!port) {
    std::cerr << "vigil: serve: " << port.error().message << '\n';
    (*fleet)->stop();
    return 70;
  }
  std::cout << "vigil serve: listening on http://" << address->first << ':' << *port << std::endl;

  std::jthread waiter([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    std::cerr << "vigil serve: signal " << received << ", shutting down\n";
    server.stop();
  });
  server.serve();
  // serve() returns once stop() ran: no new requests; now finish or requeue scans and close.
  (*fleet)->stop();
  fleet->reset();
  if (waiter.joinable()) {
    // serve() can also return on a listener error; wake the waiter so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  std::cerr << "vigil serve: stopped\n";
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Run the fleet service and its Inspector2-compatible API");
  auto opts = std::make_shared<ServeOptions>();
  cmd->add_option("--data", opts->data_dir, "Data directory (store, master.key)")->required();
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (port 0 = any free port)");
  cmd->add_option("--config", opts->config_file, "Fleet configuration file (TOML subset)");
  cmd->add_option("--db", opts->db_dir, "Vulnerability database directory (default <data>/vulndb)");
  cmd->add_option("--workers", opts->workers, "Scan worker threads (overrides the config)");
  cmd->add_option("--threads", opts->threads, "HTTP worker threads")->check(CLI::Range(1, 256));
  cmd->add_option("--max-skew", opts->max_skew_seconds, "Allowed SigV4 clock skew in seconds")
      ->check(CLI::Range(1, 3600));
  cmd->callback([opts] { throw ExitRequest{run_serve(*opts)}; });
}

}  // namespace vigil::cli
