// The Fetcher seam: conditional, resumable downloads of feed files (HTTP(S) through libcurl, and
// file:// URLs or plain paths for offline mirrors). `vigil db update` is its only caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace vigil::vulndb {

// Validators of the copy we already have; empty strings mean "none".
struct Conditional {
  std::string etag;           // sent as If-None-Match
  std::string last_modified;  // sent as If-Modified-Since (an HTTP-date)
};

enum class FetchStatus { kFetched, kNotModified };

struct FetchResult {
  FetchStatus status = FetchStatus::kFetched;
  std::string etag;  // the validators of what `dest` now holds ("" if none were sent)
  std::string last_modified;
  uint64_t bytes = 0;  // size of `dest` after a fetch; 0 when not modified
};

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{30'000};
  // A transfer that moves no byte for this long is abandoned (and retried).
  std::chrono::milliseconds stall_timeout{60'000};
  // Upper bound for one attempt; 0 means none (large feeds on slow links).
  std::chrono::milliseconds total_timeout{0};
  int max_attempts = 4;  // 5xx, 429 and connection errors are retried; other 4xx are not
  std::chrono::milliseconds initial_backoff{1'000};  // doubled after each failed attempt
  std::chrono::milliseconds max_backoff{30'000};
  uint64_t max_bytes = uint64_t{8} << 30;  // a larger download is refused
  std::string user_agent = "vigil-vulndb-fetcher";
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;

  // Downloads `url` to `dest`. When `conditional` names validators and the source reports the
  // copy is current, returns kNotModified and leaves `dest` alone. Otherwise the body goes to
  // `dest` + ".partial" and is renamed over `dest` only when complete, so `dest` is never a
  // truncated file. Errors: kInvalidArgument for an unsupported URL or a body over the size
  // cap, kUnavailable for HTTP errors and connection failures after the retries, kIo for local
  // file problems. A partial download left by a failure is resumed by the next call when the
  // server supports byte ranges and the validator still matches.
  [[nodiscard]] virtual Result<FetchResult> fetch(const std::string& url,
                                                  const Conditional& conditional,
                                                  const std::filesystem::path& dest) = 0;
};

// The default fetcher: http:// and https:// through libcurl; file:// URLs and plain paths are
// copied locally (their modification time serves as Last-Modified, and size plus mtime as a
// weak ETag). Safe to use from one thread at a time.
std::unique_ptr<Fetcher> make_fetcher(const FetchOptions& options = {});

// Formats `time` as an HTTP-date (RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::chrono::system_clock::time_point time);

}  // namespace vigil::vulndb
