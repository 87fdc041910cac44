// Sending an agent inventory document to the Vigil service over HTTP(S), signed with AWS SigV4.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vigil::agent {

inline constexpr std::string_view kInventoryPath = "/vigil/v1/agent/inventory";

struct PushConfig {
  std::string server;  // "http://127.0.0.1:8080" (a trailing '/' is ignored)
  std::string region;  // SigV4 region; empty: VIGIL_REGION, AWS_REGION, else "us-east-1"
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // sent as X-Amz-Security-Token when set
  long timeout_seconds = 60;
  // When set and it becomes true, a transfer in progress is abandoned (kUnavailable).
  const std::atomic<bool>* cancel = nullptr;
};

// Fills empty credential fields from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, and an empty region from VIGIL_REGION / AWS_REGION / "us-east-1".
void apply_push_environment(PushConfig& config);

struct PushReceipt {
  long status = 0;
  std::string body;  // the server's answer (truncated to 64 KiB)
};

// POSTs `document` (JSON) to `config.server` + kInventoryPath with Content-Type
// application/json, signed by libcurl's SigV4 ("aws:amz:REGION:inspector2"). Returns the
// receipt for a 2xx answer. Errors: kInvalidArgument without credentials or for a bad server
// URL; kUnavailable when the server cannot be reached, times out, answers 5xx, 408 or 429 (worth
// retrying); kConflict for any other 4xx (the document was refused for good). The message of an
// HTTP failure quotes the status and the server's message ("message" of a JSON error body, or
// the body text). Thread-safe (one curl handle per call).
[[nodiscard]] Result<PushReceipt> push_document(const PushConfig& config,
                                                std::string_view document);

// True for errors push_document reports as worth retrying later.
inline bool is_retryable(const Error& error) { return error.code == ErrorCode::kUnavailable; }

}  // namespace vigil::agent
