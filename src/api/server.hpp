// The HTTP front end of the API: cpp-httplib with a fixed thread pool, keep-alive and a request
// size limit, handing every request to a Dispatcher.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "api/dispatcher.hpp"
#include "core/result.hpp"

namespace vigil::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port (see bound_port())
  std::size_t threads = 8;
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // larger bodies get 413
  std::chrono::seconds read_timeout{30};
  std::size_t keep_alive_max_requests = 10000;
};

class HttpServer {
 public:
  // `dispatcher` must outlive the server.
  HttpServer(Dispatcher& dispatcher, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the bound port. kIo when the address is unusable.
  [[nodiscard]] Result<int> bind();
  // Serves until stop() is called (blocks the calling thread). Call after bind().
  void serve();
  // Stops accepting and returns serve() once in-flight requests are answered. Thread-safe,
  // idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::api
