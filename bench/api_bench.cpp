// Signed-request load generator for the Inspector2 API: starts the API in-process on loopback
// (dispatcher + cpp-httplib server over a SQLite store), then N keep-alive connections send
// SigV4-signed ListFindings requests for a fixed time. Prints requests/s, p50/p99 and errors.
//
//   vigil_api_bench [--connections N] [--seconds S] [--threads T] [--store DIR --account ID]
//                   [--body JSON]
// Without --store a fresh store with a handful of findings is used (measures the protocol
// path: SigV4 verify, routing, validation, JSON); with --store (e.g. a 1M-finding bench DB) the
// same requests run against that store.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "api/dispatcher.hpp"
#include "api/keys.hpp"
#include "api/server.hpp"
#include "store/store.hpp"

namespace {

using namespace vigil;

struct Options {
  int connections = 4;
  int seconds = 5;
  std::size_t threads = 4;
  std::string store_dir;
  std::string account = "111111111111";
  std::string body = R"({"maxResults":100,"filterCriteria":{"severity":[{"comparison":"EQUALS","value":"CRITICAL"}]}})";
};

Options parse(int argc, char** argv) {
  Options options;
  for (int index = 1; index + 1 < argc; index += 2) {
    const std::string flag = argv[index];
    const std::string value = argv[index + 1];
    if (flag == "--connections") {
      options.connections = std::max(1, std::atoi(value.c_str()));
    } else if (flag == "--seconds") {
      options.seconds = std::max(1, std::atoi(value.c_str()));
    } else if (flag == "--threads") {
      options.threads = static_cast<std::size_t>(std::max(1, std::atoi(value.c_str())));
    } else if (flag == "--store") {
      options.store_dir = value;
    } else if (flag == "--account") {
      options.account = value;
    } else if (flag == "--body") {
      options.body = value;
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const bool temporary = options.store_dir.empty();
  const std::filesystem::path dir =
      temporary ? std::filesystem::temp_directory_path() / "vigil-api-bench"
                : std::filesystem::path(options.store_dir);
  if (temporary) {
    std::filesystem::remove_all(dir);
  }
  auto store = store::open_sqlite_store(dir.string());
  auto vault = api::KeyVault::open(dir);
  if (!store || !vault) {
    std::fprintf(stderr, "cannot open store/keys in %s\n", dir.c_str());
    return 1;
  }
  if (temporary) {
    store::Account admin;
    admin.id = options.account;
    admin.role = store::AccountRole::kDelegatedAdmin;
    (void)(*store)->put_account(admin);
  }
  auto key = (*vault)->create(**store, options.account, "admin");
  if (!key) {
    std::fprintf(stderr, "cannot create key: %s\n", key.error().message.c_str());
    return 1;
  }
  api::Metrics metrics;
  api::ApiContext context;
  context.store = store->get();
  context.keys = vault->get();
  context.metrics = &metrics;
  api::DispatcherOptions dispatcher_options;
  dispatcher_options.log = [](std::string_view) {};
  api::Dispatcher dispatcher(context, api::default_registry(), dispatcher_options);
  api::ServerOptions server_options;
  server_options.threads = options.threads;
  api::HttpServer server(dispatcher, server_options);
  const auto port = server.bind();
  if (!port) {
    std::fprintf(stderr, "%s\n", port.error().message.c_str());
    return 1;
  }
  std::thread serving([&server] { server.serve(); });

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(options.connections));
  std::vector<std::thread> clients;
  const std::string host = "127.0.0.1:" + std::to_string(*port);
  for (int index = 0; index < options.connections; ++index) {
    clients.emplace_back([&, index] {
      httplib::Client client("127.0.0.1", *port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      auto& mine = latencies[static_cast<std::size_t>(index)];
      while (!stop.load(std::memory_order_relaxed)) {
        const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        const std::string amz_date = api::amz_date(now);
        const std::vector<api::Header> headers = {
            {"content-type", "application/json"}, {"host", host}, {"x-amz-date", amz_date}};
        const auto authorization = api::sign_request(
            api::RequestParts{"POST", "/findings/list", headers, options.body},
            api::SigningKey{key->access_key_id, key->secret}, now);
        const httplib::Headers sent = {{"X-Amz-Date", amz_date},
                                       {"Authorization", authorization.value_or("")}};
        const auto started = std::chrono::steady_clock::now();
        const auto response = client.Post("/findings/list", sent, options.body, "application/json");
        const double elapsed =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (!response || response->status != 200) {
          errors.fetch_add(1);
        }
        mine.push_back(elapsed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(options.seconds));
  stop = true;
  for (auto& client : clients) {
    client.join();
  }
  server.stop();
  serving.join();
  std::vector<double> all;
  for (const auto& mine : latencies) {
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  const auto percentile = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<std::size_t>(p * static_cast<double>(all.size())))];
  };
  std::printf("ListFindings signed requests: %zu in %d s = %.0f req/s, %d connections, %zu server threads\n",
              all.size(), options.seconds, static_cast<double>(all.size()) / options.seconds,
              options.connections, options.threads);
  std::printf("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; errors %llu\n", percentile(0.50),
              percentile(0.99), all.empty() ? 0.0 : all.back(),
              static_cast<unsigned long long>(errors.load()));
  if (temporary) {
    store->reset();
    std::filesystem::remove_all(dir);
  }
  return errors.load() == 0 ? 0 : 1;
}
