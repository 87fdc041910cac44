// A client for the OCI distribution API (registry v2): manifests and blobs over HTTP(S) with
// anonymous, basic and bearer-token authentication (the WWW-Authenticate challenge dance of
// the Docker token spec). HTTP itself sits behind HttpTransport so tests can fake a registry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigil::sources {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  uint64_t max_body = uint64_t{4} << 20;
  // When set, a 2xx body is streamed here instead of being kept in HttpResponse::body; an error
  // from it aborts the transfer and is returned by get().
  std::function<Result<void>(std::string_view)> sink;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, last response of redirects
  std::string body;                            // at most max_body bytes (non-2xx: up to 64 KiB)
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Performs a GET, following redirects (credentials are not sent to other hosts). Returns
  // kUnavailable for connection failures and timeouts, kInvalidArgument when the body exceeds
  // `max_body`. Any HTTP status is a successful return.
  [[nodiscard]] virtual Result<HttpResponse> get(const HttpRequest& request) = 0;
};

// The libcurl transport: http/https only, at most 10 redirects, 30 s connect timeout, aborts a
// transfer slower than 1 KiB/s for 60 s. Thread-compatible (one transfer at a time).
std::unique_ptr<HttpTransport> make_curl_transport();

// "HOST[:PORT]/repo/path:tag" or "...@sha256:<hex>" (tag defaults to "latest"). "docker.io"
// maps to registry-1.docker.io and one-segment repositories gain "library/".
struct RegistryReference {
  std::string host;  // with port
  std::string repository;
  std::string tag;
  std::string digest;  // set for @digest references

  // "host/repository:tag" or "host/repository@digest".
  std::string to_string() const;
};

// Parses a reference. kInvalidArgument naming the part that is wrong.
[[nodiscard]] Result<RegistryReference> parse_registry_reference(std::string_view text);

struct RegistryCredentials {
  std::string username;
  std::string password;
};

// Parses "user:password" (as in VIGIL_REGISTRY_AUTH). kInvalidArgument without a ':'.
[[nodiscard]] Result<RegistryCredentials> parse_credentials(std::string_view text);

// One parameter list of a WWW-Authenticate challenge: scheme "bearer"/"basic" (lower case) and
// its auth-params (realm, service, scope, ...).
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};

// Parses the first challenge of a WWW-Authenticate value (RFC 7235: quoted strings with
// backslash escapes, or tokens). nullopt when it cannot be parsed.
std::optional<AuthChallenge> parse_auth_challenge(std::string_view header);

class RegistryClient {
 public:
  // `transport` must outlive the client. `insecure` uses plain http.
  RegistryClient(HttpTransport& transport, RegistryReference reference,
                 std::optional<RegistryCredentials> credentials, bool insecure);

  struct Manifest {
    std::string media_type;  // from Content-Type
    std::string digest;      // of the bytes received (checked against a digest reference)
    std::string body;
  };

  // GETs manifest `reference` (a tag or digest) accepting OCI and Docker v2 types. Returns
  // kNotFound for 404, kUnavailable for 401/403 (after authenticating) and other failures,
  // both naming the registry's own error text; kParse when the bytes do not match a digest
  // reference.
  [[nodiscard]] Result<Manifest> manifest(std::string_view reference);

  // GETs blob `digest` into memory (at most `max_bytes`) and checks its digest.
  [[nodiscard]] Result<std::string> blob(std::string_view digest, uint64_t max_bytes);

  // Streams blob `digest` into the new file `path`, at most `max_bytes`, checking its digest
  // as it arrives; the file is removed on any error.
  [[nodiscard]] Result<void> download(std::string_view digest, const std::filesystem::path& path,
                                      uint64_t max_bytes);

  const RegistryReference& reference() const { return reference_; }
  size_t requests() const { return requests_; }

 private:
  Result<HttpResponse> send(const std::string& path, std::vector<std::string> headers,
                            uint64_t max_body,
                            const std::function<Result<void>(std::string_view)>& sink);
  Result<void> authenticate(const HttpResponse& challenge_response);
  std::string base_url() const;

  HttpTransport& transport_;
  RegistryReference reference_;
  std::optional<RegistryCredentials> credentials_;
  bool insecure_;
  std::string authorization_;  // "Authorization: ..." once known
  size_t requests_ = 0;
};

}  // namespace vigil::sources
