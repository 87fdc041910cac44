// AWS Signature Version 4 (AWS4-HMAC-SHA256) verification and signing, exactly as botocore
// builds the canonical request, so the AWS CLI and SDKs authenticate against Vigil unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::api {

struct Header {
  std::string name;  // any case; compared case-insensitively
  std::string value;
};

// One HTTP request as received: `target` is the raw request target (path plus optional
// "?query", still percent-encoded as on the wire). Views; the caller owns the data.
struct RequestParts {
  std::string_view method;
  std::string_view target;
  std::span<const Header> headers;
  std::string_view body;
};

// The parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
struct Authorization {
  std::string access_key_id;
  std::string date;     // YYYYMMDD from the credential scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lower case, as listed
  std::string signature;                    // 64 lower-case hex
};

// Parses an Authorization header value. kInvalidArgument with a precise message when it is not
// an AWS4-HMAC-SHA256 header, the credential scope is not "<key>/<date>/<region>/<service>/
// aws4_request", SignedHeaders is empty or not sorted lower-case, or Signature is not 64 hex.
[[nodiscard]] Result<Authorization> parse_authorization(std::string_view header);

struct VerifyOptions {
  std::string service = "inspector2";
  std::chrono::seconds max_skew{300};
  std::int64_t now_epoch_seconds = 0;  // the server's clock
};

// Returns the canonical request botocore builds for `request` over `signed_headers` with
// `payload_hash` (hex SHA-256 of the body, or the X-Amz-Content-SHA256 value):
// method, URI-encoded normalised path, sorted canonical query, canonical headers, signed
// header list, payload hash — joined by '\n'. kInvalidArgument when a signed header is absent.
[[nodiscard]] Result<std::string> canonical_request(const RequestParts& request,
                                                    std::span<const std::string> signed_headers,
                                                    std::string_view payload_hash);

// Returns the string to sign for `canonical` at `amz_date` (YYYYMMDDTHHMMSSZ) with `scope`
// ("<date>/<region>/<service>/aws4_request").
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical);

// Returns the raw signing key HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service),
// "aws4_request").
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// Verifies `request` against `auth` and the key's `secret`: the service must be
// `options.service`, "host" and "x-amz-date" must be signed, X-Amz-Date must parse, match the
// scope date and lie within ±max_skew of now, an X-Amz-Content-SHA256 header must equal the
// body's hash, and the recomputed signature must equal the given one (constant-time compare).
// Every failure is kInvalidArgument whose message says which check failed. Thread-safe.
[[nodiscard]] Result<void> verify_signature(const RequestParts& request, const Authorization& auth,
                                            std::string_view secret, const VerifyOptions& options);

struct SigningKey {
  std::string access_key_id;
  std::string secret;
  std::string region = "us-east-1";
  std::string service = "inspector2";
};

// Signs `request` as botocore does (every header in `request.headers` is signed, so pass
// host, content-type and x-amz-date, the latter formatted for `epoch_seconds`) and returns the
// Authorization header value. kInvalidArgument when a header is missing or malformed.
[[nodiscard]] Result<std::string> sign_request(const RequestParts& request, const SigningKey& key,
                                               std::int64_t epoch_seconds);

// Formats epoch seconds as SigV4's X-Amz-Date ("YYYYMMDDTHHMMSSZ"), for signers.
std::string amz_date(std::int64_t epoch_seconds);

// Percent-encodes per SigV4: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, everything
// else becomes %XX (upper-case hex); '/' stays when `keep_slash`.
std::string uri_encode(std::string_view text, bool keep_slash);

// Decodes %XX escapes (invalid escapes are kept literally); '+' is not special.
std::string uri_decode(std::string_view text);

}  // namespace vigil::api
