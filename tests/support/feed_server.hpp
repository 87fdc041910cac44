// Test support: a feed server on 127.0.0.1 (random port) for fetcher and update tests. Serves
// in-memory files with ETag/Last-Modified validators, 304s, byte ranges with If-Range, and
// scripted faults: N error responses, or a connection dropped after some body bytes.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vigil::testing {

class FeedServer {
 public:
  // The conditional and range headers of one request, as received.
  struct Seen {
    std::string if_none_match;
    std::string if_modified_since;
    std::string range;
    std::string if_range;
  };

  FeedServer() {
    server_.Get(R"(/(.*))",
                [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) {
      std::abort();
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already listens; wait for the accept loop so stop() cannot miss it.
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;
  ~FeedServer() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Serves `content` at `path`; an empty `etag` sends no ETag (and no Accept-Ranges).
  void set_file(const std::string& path, std::string content, std::string etag,
                std::string last_modified = "Tue, 01 Apr 2025 10:00:00 GMT") {
    std::lock_guard lock(mutex_);
    auto& file = files_[path];
    file.content = std::move(content);
    file.etag = std::move(etag);
    file.last_modified = std::move(last_modified);
  }
  // The next `count` requests for `path` get `status` and a short error body.
  void fail_next(const std::string& path, int count, int status = 500) {
    std::lock_guard lock(mutex_);
    files_[path].fail_remaining = count;
    files_[path].fail_status = status;
  }
  // The next full response for `path` sends `bytes` body bytes, then drops the connection.
  void drop_next_after(const std::string& path, size_t bytes) {
    std::lock_guard lock(mutex_);
    files_[path].drop_after = bytes;
  }
  std::vector<Seen> seen(const std::string& path) const {
    std::lock_guard lock(mutex_);
    const auto it = files_.find(path);
    return it == files_.end() ? std::vector<Seen>{} : it->second.seen;
  }

 private:
  struct File {
    std::string content;
    std::string etag;
    std::string last_modified;
    int fail_remaining = 0;
    int fail_status = 500;
    std::optional<size_t> drop_after;
    std::vector<Seen> seen;
  };

  void handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    const auto it = files_.find(req.path);
    if (it == files_.end()) {
      res.status = 404;
      res.set_content("not found", "text/plain");
      return;
    }
    auto& file = it->second;
    file.seen.push_back({req.get_header_value("If-None-Match"),
                         req.get_header_value("If-Modified-Since"), req.get_header_value("Range"),
                         req.get_header_value("If-Range")});
    if (file.fail_remaining > 0) {
      --file.fail_remaining;
      res.status = file.fail_status;
      res.set_content("try again later", "text/plain");
      return;
    }
    const std::string if_none_match = req.get_header_value("If-None-Match");
    const bool not_modified = !if_none_match.empty()
                                  ? (!file.etag.empty() && if_none_match == file.etag)
                                  : req.get_header_value("If-Modified-Since") == file.last_modified;
    if (!file.etag.empty()) {
      res.set_header("ETag", file.etag);
      res.set_header("Accept-Ranges", "bytes");
    }
    res.set_header("Last-Modified", file.last_modified);
    if (not_modified) {
      res.status = 304;
      return;
    }
    const std::string content = file.content;
    const std::string if_range = req.get_header_value("If-Range");
    if (req.has_header("Range") && !if_range.empty() && if_range != file.etag) {
      // RFC 9110 §13.1.5: a stale If-Range gets the whole representation. httplib slices any
      // fixed-length body by the Range header, so send this one chunked.
      res.status = 200;
      res.set_chunked_content_provider(
          "application/octet-stream", [content](size_t offset, httplib::DataSink& sink) {
            if (offset < content.size()) {
              sink.write(content.data() + offset, content.size() - offset);
            } else {
              sink.done();
            }
            return true;
          });
      return;
    }
    if (file.drop_after && !req.has_header("Range")) {
      const size_t cut = *file.drop_after;
      file.drop_after.reset();
      res.set_content_provider(
          content.size(), "application/octet-stream",
          [content, cut](size_t offset, size_t length, httplib::DataSink& sink) {
            if (offset >= cut) {
              return false;  // httplib closes the connection mid-body
            }
            sink.write(content.data() + offset, std::min(length, cut - offset));
            return true;
          });
      return;
    }
    // httplib answers a Range header itself (206 + Content-Range).
    res.set_content(content, "application/octet-stream");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, File> files_;
};

}  // namespace vigil::testing
