// HttpTransport over libcurl's easy interface. One handle per transport, reset between
// requests, so connections to the registry are reused across manifest and blob fetches.
#include <curl/curl.h>

#include <mutex>
#include <string>
#include <utility>

#include "core/strings.hpp"
#include "sources/registry_client.hpp"

namespace vigil::sources {
namespace {

constexpr uint64_t kMaxErrorBody = uint64_t{64} << 10;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with the callbacks of one transfer.
struct Transfer {
  CURL* handle = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse response;
  std::optional<Error> error;
  uint64_t received = 0;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();  // a new response (after a redirect or 100-continue)
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    transfer->response.headers[to_lower(trim(line.substr(0, colon)))] =
        std::string(trim(line.substr(colon + 1)));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(transfer->handle, CURLINFO_RESPONSE_CODE, &status);
  const bool success = status >= 200 && status < 300;
  transfer->received += bytes;
  if (success && transfer->received > transfer->request->max_body) {
    transfer->error = Error::invalid_argument("{}: response larger than {} bytes",
                                              transfer->request->url, transfer->request->max_body);
    return 0;
  }
  if (success && transfer->request->sink) {
    auto written = transfer->request->sink(std::string_view(data, bytes));
    if (!written) {
      transfer->error = written.error();
      return 0;
    }
    return bytes;
  }
  std::string& body = transfer->response.body;
  const uint64_t cap = success ? transfer->request->max_body : kMaxErrorBody;
  if (body.size() < cap) {
    body.append(data, std::min<uint64_t>(bytes, cap - body.size()));
  }
  return bytes;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport() {
    global_init();
    handle_ = curl_easy_init();
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  ~CurlTransport() override {
    if (handle_ != nullptr) {
      curl_easy_cleanup(handle_);
    }
  }

  Result<HttpResponse> get(const HttpRequest& request) override {
    if (handle_ == nullptr) {
      return fail(Error::internal("libcurl could not be initialised"));
    }
    curl_easy_reset(handle_);
    Transfer transfer;
    transfer.handle = handle_;
    transfer.request = &request;
    curl_slist* headers = nullptr;
    for (const auto& header : request.headers) {
      headers = curl_slist_append(headers, header.c_str());
    }
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle_, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(handle_, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(handle_, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_USERAGENT, "vigil");
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &transfer);
    const CURLcode code = curl_easy_perform(handle_);
    curl_slist_free_all(headers);
    if (transfer.error) {
      return fail(std::move(*transfer.error));
    }
    if (code != CURLE_OK) {
      return fail(
          Error::unavailable("GET {}: {}", request.url,
                             error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code)));
    }
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    return std::move(transfer.response);
  }

 private:
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport() { return std::make_unique<CurlTransport>(); }

}  // namespace vigil::sources
