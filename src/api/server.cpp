#include "api/server.hpp"

#include <httplib.h>

#include <vector>

namespace vigil::api {

struct HttpServer::Impl {
  Dispatcher& dispatcher;
  ServerOptions options;
  httplib::Server server;

  Impl(Dispatcher& d, ServerOptions o) : dispatcher(d), options(std::move(o)) {}

  void handle(const httplib::Request& request, httplib::Response& response) {
    std::vector<Header> headers;
    headers.reserve(request.headers.size() + 1);
    for (const auto& [name, value] : request.headers) {
      headers.push_back({name, value});
    }
    if (!request.has_header("REMOTE_ADDR")) {
      headers.push_back({"REMOTE_ADDR", request.remote_addr});
    }
    const RequestParts parts{request.method, request.target, headers, request.body};
    HttpResponse reply = dispatcher.handle(parts);
    response.status = reply.status;
    std::string content_type = "application/json";
    for (Header& header : reply.headers) {
      if (header.name == "Content-Type") {
        content_type = std::move(header.value);
      } else {
        response.set_header(header.name.c_str(), header.value);
      }
    }
    response.set_content(std::move(reply.body), content_type.c_str());
  }
};

HttpServer::HttpServer(Dispatcher& dispatcher, ServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {
  const std::size_t threads = std::max<std::size_t>(1, impl_->options.threads);
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Responses go out as header + body writes; without TCP_NODELAY, Nagle plus delayed ACKs add
  // ~40 ms to every keep-alive request.
  impl_->server.set_tcp_nodelay(true);
  impl_->server.set_payload_max_length(impl_->options.max_body_bytes);
  impl_->server.set_read_timeout(impl_->options.read_timeout);
  impl_->server.set_keep_alive_max_count(impl_->options.keep_alive_max_requests);
  const auto handler = [impl = impl_.get()](const httplib::Request& request,
                                            httplib::Response& response) {
    impl->handle(request, response);
  };
  impl_->server.Get(".*", handler);
  impl_->server.Post(".*", handler);
  impl_->server.Put(".*", handler);
  impl_->server.Delete(".*", handler);
  impl_->server.Patch(".*", handler);
}

HttpServer::~HttpServer() { stop(); }

Result<int> HttpServer::bind() {
  if (impl_->options.port == 0) {
    const int port = impl_->server.bind_to_any_port(impl_->options.host);
    if (port < 0) {
      return fail(Error::io("cannot listen on {}: no free port", impl_->options.host));
    }
    return port;
  }
  if (!impl_->server.bind_to_port(impl_->options.host, impl_->options.port)) {
    return fail(Error::io("cannot listen on {}:{}", impl_->options.host, impl_->options.port));
  }
  return impl_->options.port;
}

void HttpServer::serve() { impl_->server.listen_after_bind(); }

void HttpServer::stop() {
  if (impl_ && impl_->server.is_running()) {
    impl_->server.stop();
  }
}

}  // namespace vigil::api
