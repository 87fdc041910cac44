#include "agent/push.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/strings.hpp"

namespace vigil::agent {
namespace {

constexpr size_t kMaxResponse = size_t{64} << 10;

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (body->size() < kMaxResponse) {
    body->append(data, std::min(bytes, kMaxResponse - body->size()));
  }
  return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel != nullptr && cancel->load() ? 1 : 0;
}

void take_env(std::string& field, const char* name) {
  if (field.empty()) {
    if (const char* value = std::getenv(name); value != nullptr) {
      field = value;
    }
  }
}

// The server's own words: "message"/"Message" of a JSON error body, else the text itself.
std::string server_message(const std::string& body) {
  try {
    const auto root = nlohmann::json::parse(body);
    for (const char* key : {"message", "Message", "error"}) {
      if (root.is_object() && root.contains(key) && root[key].is_string()) {
        return root[key].get<std::string>();
      }
    }
  } catch (const nlohmann::json::exception&) {
    // Not JSON: quote the text.
  }
  const std::string_view text = trim(body);
  return text.empty() ? std::string("(no message)") : std::string(text.substr(0, 500));
}

}  // namespace

void apply_push_environment(PushConfig& config) {
  take_env(config.access_key_id, "AWS_ACCESS_KEY_ID");
  take_env(config.secret_access_key, "AWS_SECRET_ACCESS_KEY");
  take_env(config.session_token, "AWS_SESSION_TOKEN");
  take_env(config.region, "VIGIL_REGION");
  take_env(config.region, "AWS_REGION");
  if (config.region.empty()) {
    config.region = "us-east-1";
  }
}

Result<PushReceipt> push_document(const PushConfig& config, std::string_view document) {
  if (config.access_key_id.empty() || config.secret_access_key.empty()) {
    return fail(Error::invalid_argument(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
  }
  std::string server = config.server;
  while (server.ends_with('/')) {
    server.pop_back();
  }
  if (!server.starts_with("http://") && !server.starts_with("https://")) {
    return fail(Error::invalid_argument("--server {}: expected an http:// or https:// URL",
                                        config.server));
  }
  const std::string url = server + std::string(kInventoryPath);
  static std::once_flag init_once;
  std::call_once(init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  CURL* curl = handle.get();
  curl_slist* raw_headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!config.session_token.empty()) {
    raw_headers =
        curl_slist_append(raw_headers, ("X-Amz-Security-Token: " + config.session_token).c_str());
  }
  const std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
  const std::string sigv4 = "aws:amz:" + (config.region.empty() ? std::string("us-east-1")
                                                                 : config.region) +
                            ":inspector2";
  const std::string user = config.access_key_id + ":" + config.secret_access_key;
  std::string body;
  std::array<char, CURL_ERROR_SIZE> error_text{};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, document.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(document.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, user.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text.data());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, config.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, config.cancel);

  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    const std::string detail = error_text[0] != '\0' ? std::string(error_text.data())
                                                     : std::string(curl_easy_strerror(code));
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
      return fail(Error::invalid_argument("{}: {}", url, detail));
    }
    return fail(Error::unavailable("cannot reach {}: {}", url, detail));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) {
    return PushReceipt{status, std::move(body)};
  }
  const std::string message = server_message(body);
  if (status >= 500 || status == 408 || status == 429) {
    return fail(Error::unavailable("{} answered {}: {}", url, status, message));
  }
  if (status >= 400) {
    return fail(Error::conflict("{} refused the document ({}): {}", url, status, message));
  }
  return fail(Error::unavailable("{} answered an unexpected {}: {}", url, status, message));
}

}  // namespace vigil::agent
