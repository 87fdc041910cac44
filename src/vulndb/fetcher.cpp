// libcurl-backed Fetcher. One attempt is one GET; `fetch` loops over attempts with exponential
// backoff. The body streams into "<dest>.partial"; a small "<dest>.partial.state" file records
// which URL and validator the partial bytes belong to, so an interrupted download resumes with
// `Range:` + `If-Range:` (RFC 9110 §13.1.5, §14.2) instead of starting over.
#include "vulndb/fetcher.hpp"

#include <curl/curl.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxDiscardedBody = 1 << 20;  // error pages are read and dropped up to this

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (size_t idx = 0; idx < prefix.size(); ++idx) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(text[idx]) != lower(prefix[idx])) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

fs::path sibling(const fs::path& dest, std::string_view suffix) {
  return fs::path(dest.string() + std::string(suffix));
}

// Which URL and validators the bytes in "<dest>.partial" belong to.
struct PartialState {
  std::string url;
  std::string etag;
  std::string last_modified;
  bool accept_ranges = false;
};

PartialState read_partial_state(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  PartialState state;
  if (doc.is_object()) {
    // Read defensively (json::value throws on a type mismatch): a damaged state file only
    // means the partial download is not resumed.
    const auto text = [&doc](const char* key) {
      const auto it = doc.find(key);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    state.url = text("url");
    state.etag = text("etag");
    state.last_modified = text("last_modified");
    const auto ranges = doc.find("accept_ranges");
    state.accept_ranges = ranges != doc.end() && ranges->is_boolean() && ranges->get<bool>();
  }
  return state;
}

void write_partial_state(const fs::path& path, const PartialState& state) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << nlohmann::json{{"url", state.url},
                        {"etag", state.etag},
                        {"last_modified", state.last_modified},
                        {"accept_ranges", state.accept_ranges}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void remove_partial(const fs::path& dest) {
  std::error_code ec;
  fs::remove(sibling(dest, ".partial"), ec);
  fs::remove(sibling(dest, ".partial.state"), ec);
}

Result<void> finish(const fs::path& dest) {
  std::error_code ec;
  fs::rename(sibling(dest, ".partial"), dest, ec);
  if (ec) {
    return fail(
        Error::io("{}: cannot move the download into place: {}", dest.string(), ec.message()));
  }
  fs::remove(sibling(dest, ".partial.state"), ec);
  return {};
}

// The state of one HTTP attempt, shared with the curl callbacks.
struct Transfer {
  const FetchOptions* options = nullptr;
  std::string url;
  fs::path dest;
  uint64_t resume_offset = 0;  // bytes already in the partial file when the request was sent

  long status = 0;
  std::string etag;
  std::string last_modified;
  std::string content_range;
  bool accept_ranges = false;

  std::FILE* file = nullptr;
  bool body_started = false;
  uint64_t base = 0;  // the body's offset in the file (resume_offset for a 206, else 0)
  uint64_t written = 0;
  uint64_t discarded = 0;
  bool too_large = false;
  bool write_failed = false;
  bool bad_range = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  const std::string_view line(data, length);
  if (starts_with_ci(line, "HTTP/")) {
    // A new response (after a redirect or a 100 Continue): forget the previous headers.
    transfer.etag.clear();
    transfer.last_modified.clear();
    transfer.content_range.clear();
    transfer.accept_ranges = false;
    // The status code: the three digits after the first space (RFC 9112 §4). Parsed within the
    // line, which curl does not NUL-terminate.
    const size_t space = line.find(' ');
    transfer.status = 0;
    for (size_t pos = space == std::string_view::npos ? line.size() : space + 1;
         pos < line.size() && pos <= space + 3 && line[pos] >= '0' && line[pos] <= '9'; ++pos) {
      transfer.status = transfer.status * 10 + (line[pos] - '0');
    }
    return length;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return length;
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim(line.substr(colon + 1));
  const auto is = [&name](std::string_view wanted) {
    return name.size() == wanted.size() && starts_with_ci(name, wanted);
  };
  if (is("ETag")) {
    transfer.etag = std::string(value);
  } else if (is("Last-Modified")) {
    transfer.last_modified = std::string(value);
  } else if (is("Content-Range")) {
    transfer.content_range = std::string(value);
  } else if (is("Accept-Ranges")) {
    transfer.accept_ranges = starts_with_ci(value, "bytes");
  }
  return length;
}

// Opens the partial file for the body the server is about to send; returns false to abort.
bool start_body(Transfer& transfer) {
  transfer.body_started = true;
  const auto partial = sibling(transfer.dest, ".partial");
  if (transfer.status == 206) {
    // Only a range that continues exactly where our bytes stop may be appended.
    const std::string expected = fmt::format("bytes {}-", transfer.resume_offset);
    if (transfer.resume_offset == 0 || !starts_with_ci(transfer.content_range, expected)) {
      transfer.bad_range = true;
      return false;
    }
    transfer.base = transfer.resume_offset;
    transfer.file = std::fopen(partial.c_str(), "ab");
  } else {
    transfer.base = 0;
    transfer.file = std::fopen(partial.c_str(), "wb");
  }
  if (transfer.file == nullptr) {
    transfer.write_failed = true;
    return false;
  }
  write_partial_state(sibling(transfer.dest, ".partial.state"),
                      {transfer.url, transfer.etag, transfer.last_modified,
                       transfer.accept_ranges || transfer.status == 206});
  return true;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  if (transfer.status != 200 && transfer.status != 206) {
    transfer.discarded += length;
    return transfer.discarded > kMaxDiscardedBody ? 0 : length;
  }
  if (!transfer.body_started && !start_body(transfer)) {
    return 0;
  }
  if (transfer.base + transfer.written + length > transfer.options->max_bytes) {
    transfer.too_large = true;
    return 0;
  }
  if (std::fwrite(data, 1, length, transfer.file) != length) {
    transfer.write_failed = true;
    return 0;
  }
  transfer.written += length;
  return length;
}

bool retryable_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

struct Attempt {
  Result<FetchResult> result;
  bool retryable = false;
};

Attempt attempt_failure(Error error, bool retryable) { return {fail(std::move(error)), retryable}; }

struct CurlFree {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class DefaultFetcher final : public Fetcher {
 public:
  explicit DefaultFetcher(FetchOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<FetchResult> fetch(const std::string& url, const Conditional& conditional,
                            const fs::path& dest) override {
    std::error_code ec;
    if (dest.has_parent_path()) {
      fs::create_directories(dest.parent_path(), ec);
    }
    if (starts_with_ci(url, "http://") || starts_with_ci(url, "https://")) {
      return fetch_http(url, conditional, dest);
    }
    if (starts_with_ci(url, "file://")) {
      VIGIL_ASSIGN_OR_RETURN(const auto path, file_url_path(url));
      return fetch_local(path, conditional, dest);
    }
    if (url.find("://") != std::string::npos) {
      return fail(
          Error::invalid_argument("{}: unsupported URL scheme (use https://, http://, "
                                  "file:// or a path)",
                                  url));
    }
    if (url.empty()) {
      return fail(Error::invalid_argument("empty feed URL"));
    }
    return fetch_local(url, conditional, dest);
  }

 private:
  static Result<fs::path> file_url_path(const std::string& url) {
    std::string_view rest = std::string_view(url).substr(7);
    if (starts_with_ci(rest, "localhost/")) {
      rest.remove_prefix(9);
    }
    if (rest.empty() || rest.front() != '/') {
      return fail(Error::invalid_argument("{}: file URLs must name an absolute local path", url));
    }
    std::string path;
    for (size_t pos = 0; pos < rest.size(); ++pos) {
      if (rest[pos] != '%') {
        path += rest[pos];
        continue;
      }
      unsigned value = 0;
      if (pos + 2 >= rest.size() ||
          std::sscanf(std::string(rest.substr(pos + 1, 2)).c_str(), "%2x", &value) != 1 ||
          value == 0) {
        return fail(Error::invalid_argument("{}: bad percent-escape in file URL", url));
      }
      path += static_cast<char>(value);
      pos += 2;
    }
    return fs::path(path);
  }

  Result<FetchResult> fetch_local(const fs::path& source, const Conditional& conditional,
                                  const fs::path& dest) {
    std::error_code ec;
    const auto status = fs::status(source, ec);
    if (ec || !fs::is_regular_file(status)) {
      return fail(Error::io("{}: not a readable file{}", source.string(),
                            ec ? ": " + ec.message() : std::string()));
    }
    const uint64_t size = fs::file_size(source, ec);
    const auto mtime = fs::last_write_time(source, ec);
    if (ec) {
      return fail(Error::io("{}: {}", source.string(), ec.message()));
    }
    if (size > options_.max_bytes) {
      return fail(Error::invalid_argument("{}: {} bytes exceeds the {}-byte download limit",
                                          source.string(), size, options_.max_bytes));
    }
    const auto system_time = std::chrono::file_clock::to_sys(mtime);
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(system_time.time_since_epoch());
    FetchResult result;
    result.last_modified =
        http_date(std::chrono::time_point_cast<std::chrono::seconds>(system_time));
    // Seconds are too coarse to notice a mirror rewritten twice in one second; size plus the
    // nanosecond mtime is a weak validator that does.
    result.etag = fmt::format("W/\"{}-{}\"", size, nanos.count());
    const bool current = !conditional.etag.empty()
                             ? conditional.etag == result.etag
                             : !conditional.last_modified.empty() &&
                                   conditional.last_modified == result.last_modified;
    if (current) {
      result.status = FetchStatus::kNotModified;
      return result;
    }
    const auto partial = sibling(dest, ".partial");
    fs::copy_file(source, partial, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return fail(
          Error::io("{}: cannot copy to {}: {}", source.string(), partial.string(), ec.message()));
    }
    VIGIL_TRY(finish(dest));
    result.status = FetchStatus::kFetched;
    result.bytes = size;
    return result;
  }

  Result<FetchResult> fetch_http(const std::string& url, const Conditional& conditional,
                                 const fs::path& dest) {
    const int attempts = std::max(1, options_.max_attempts);
    auto backoff = options_.initial_backoff;
    Error last{ErrorCode::kUnavailable, ""};
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      auto outcome = attempt_http(url, conditional, dest);
      if (outcome.result || !outcome.retryable) {
        return std::move(outcome.result);
      }
      last = outcome.result.error();
      if (attempt < attempts) {
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, options_.max_backoff);
      }
    }
    return fail(Error::unavailable("{} (gave up after {} attempts)", last.message, attempts));
  }

  Attempt attempt_http(const std::string& url, const Conditional& conditional,
                       const fs::path& dest) {
    const auto partial = sibling(dest, ".partial");
    std::error_code ec;
    Transfer transfer;
    transfer.options = &options_;
    transfer.url = url;
    transfer.dest = dest;
    const PartialState state = read_partial_state(sibling(dest, ".partial.state"));
    const uint64_t partial_size = fs::exists(partial, ec) ? fs::file_size(partial, ec) : 0;
    const std::string validator = !state.etag.empty() ? state.etag : state.last_modified;
    // A weak ETag cannot validate a byte range (RFC 9110 §13.1.5): start over then.
    if (!ec && partial_size > 0 && state.url == url && state.accept_ranges && !validator.empty() &&
        !validator.starts_with("W/")) {
      transfer.resume_offset = partial_size;
    } else {
      remove_partial(dest);
    }

    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) {
      return attempt_failure(Error::internal("cannot initialise libcurl"), false);
    }
    std::unique_ptr<curl_slist, SlistFree> headers;
    const auto add_header = [&headers](const std::string& header) {
      headers.reset(curl_slist_append(headers.release(), header.c_str()));
    };
    if (!conditional.etag.empty()) {
      add_header("If-None-Match: " + conditional.etag);
    }
    if (!conditional.last_modified.empty()) {
      add_header("If-Modified-Since: " + conditional.last_modified);
    }
    if (transfer.resume_offset > 0) {
      add_header(fmt::format("Range: bytes={}-", transfer.resume_offset));
      add_header("If-Range: " + validator);
    }
    char error_buffer[CURL_ERROR_SIZE] = {0};
    CURL* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(
        handle, CURLOPT_LOW_SPEED_TIME,
        static_cast<long>(std::max<int64_t>(
            1, std::chrono::duration_cast<std::chrono::seconds>(options_.stall_timeout).count())));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    const CURLcode code = curl_easy_perform(handle);
    if (transfer.file != nullptr && std::fclose(transfer.file) != 0) {
      transfer.write_failed = true;
    }
    transfer.file = nullptr;

    const auto where = fmt::format("GET {}", url);
    if (transfer.too_large) {
      remove_partial(dest);
      return attempt_failure(Error::invalid_argument("{}: body exceeds the {}-byte download limit",
                                                     where, options_.max_bytes),
                             false);
    }
    if (transfer.write_failed) {
      return attempt_failure(
          Error::io("{}: cannot write {}: {}", where, partial.string(), std::strerror(errno)),
          false);
    }
    if (transfer.bad_range) {
      remove_partial(dest);
      return attempt_failure(Error::unavailable("{}: server answered the resume request with "
                                                "range '{}'",
                                                where, transfer.content_range),
                             true);
    }
    if (code != CURLE_OK) {
      const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      return attempt_failure(Error::unavailable("{}: {}", where, detail),
                             retryable_curl_error(code));
    }
    return complete(transfer, conditional, where);
  }

  static Attempt complete(const Transfer& transfer, const Conditional& conditional,
                          const std::string& where) {
    const auto& dest = transfer.dest;
    if (transfer.status == 304) {
      // Whatever a partial file held is not the version the server says we already have.
      remove_partial(dest);
      if (conditional.etag.empty() && conditional.last_modified.empty()) {
        return attempt_failure(Error::unavailable("{}: 304 Not Modified to an unconditional "
                                                  "request",
                                                  where),
                               false);
      }
      FetchResult result;
      result.status = FetchStatus::kNotModified;
      result.etag = transfer.etag.empty() ? conditional.etag : transfer.etag;
      result.last_modified =
          transfer.last_modified.empty() ? conditional.last_modified : transfer.last_modified;
      return {result, false};
    }
    if (transfer.status == 416) {
      remove_partial(dest);
      return attempt_failure(Error::unavailable("{}: HTTP 416 for the resume range", where), true);
    }
    if (transfer.status == 429 || transfer.status >= 500) {
      return attempt_failure(Error::unavailable("{}: HTTP {}", where, transfer.status), true);
    }
    if (transfer.status != 200 && transfer.status != 206) {
      remove_partial(dest);
      return attempt_failure(Error::unavailable("{}: HTTP {}", where, transfer.status), false);
    }
    if (transfer.status == 206) {
      // "bytes first-last/complete": the resumed file must now hold the complete length.
      const size_t slash = transfer.content_range.rfind('/');
      const std::string total =
          slash == std::string::npos ? std::string() : transfer.content_range.substr(slash + 1);
      if (!total.empty() && total != "*" &&
          total != std::to_string(transfer.base + transfer.written)) {
        return attempt_failure(Error::unavailable("{}: resumed body ends at {} of {} bytes", where,
                                                  transfer.base + transfer.written, total),
                               true);
      }
    }
    if (!transfer.body_started && transfer.status == 200) {
      // An empty 200 body: create the (empty) file the caller expects.
      std::ofstream touch(sibling(dest, ".partial"), std::ios::binary | std::ios::trunc);
    }
    if (auto moved = finish(dest); !moved) {
      return attempt_failure(moved.error(), false);
    }
    FetchResult result;
    result.status = FetchStatus::kFetched;
    result.etag = transfer.etag;
    result.last_modified = transfer.last_modified;
    result.bytes = transfer.base + transfer.written;
    return {result, false};
  }

  FetchOptions options_;
};

}  // namespace

std::unique_ptr<Fetcher> make_fetcher(const FetchOptions& options) {
  return std::make_unique<DefaultFetcher>(options);
}

std::string http_date(std::chrono::system_clock::time_point time) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  // Day and month names are fixed English tokens; strftime's would follow the locale.
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
                     kDays[static_cast<size_t>(utc.tm_wday) % 7], utc.tm_mday,
                     kMonths[static_cast<size_t>(utc.tm_mon) % 12], utc.tm_year + 1900, utc.tm_hour,
                     utc.tm_min, utc.tm_sec);
}

}  // namespace vigil::vulndb
