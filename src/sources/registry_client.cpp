// RegistryClient: the distribution-spec GET endpoints (/v2/<name>/manifests/<ref>,
// /v2/<name>/blobs/<digest>), authentication per the Docker token spec (a 401 with
// `WWW-Authenticate: Bearer realm=...,service=...,scope=...` is answered by fetching a token from
// the realm, with basic credentials when we have them), digest checks on everything fetched.
#include "sources/registry_client.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "core/strings.hpp"
#include "sources/digest.hpp"
#include "sources/image_manifest.hpp"

namespace vigil::sources {
namespace {

constexpr uint64_t kMaxTokenBytes = uint64_t{1} << 20;

std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(data.data()),
                                      static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    if (is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
  }
  return out;
}

// The registry's error text ({"errors":[{"code","message"}]}), else the start of the body.
std::string error_text(const HttpResponse& response) {
  const auto doc = nlohmann::json::parse(response.body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
      !doc["errors"].empty() && doc["errors"][0].is_object()) {
    const auto& first = doc["errors"][0];
    const auto field = [&](const char* key) {
      return first.contains(key) && first[key].is_string() ? first[key].get<std::string>()
                                                           : std::string{};
    };
    return fmt::format("{} {}", field("code"), field("message")).substr(0, 300);
  }
  std::string text(trim(std::string_view(response.body).substr(0, 200)));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      c = ' ';
    }
  }
  return text;
}

Error status_error(const HttpResponse& response, std::string_view what) {
  const std::string detail = error_text(response);
  const std::string suffix = detail.empty() ? std::string{} : ": " + detail;
  if (response.status == 404) {
    return Error::not_found("{}: not found (HTTP 404){}", what, suffix);
  }
  if (response.status == 401 || response.status == 403) {
    return Error::unavailable("{}: access denied (HTTP {}){}", what, response.status, suffix);
  }
  return Error::unavailable("{}: HTTP {}{}", what, response.status, suffix);
}

bool is_success(long status) { return status >= 200 && status < 300; }

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || !(is_alnum(tag[0]) || tag[0] == '_')) {
    return false;
  }
  for (const char c : tag) {
    if (!(is_alnum(c) || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool valid_repository(std::string_view repository) {
  if (repository.empty() || repository.size() > 255) {
    return false;
  }
  for (const auto part : split(repository, '/')) {
    if (part.empty()) {
      return false;
    }
    for (const char c : part) {
      if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '_' || c == '-')) {
        return false;
      }
    }
  }
  return true;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 255) {
    return false;
  }
  for (const char c : host) {
    if (!(is_alnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string RegistryReference::to_string() const {
  return digest.empty() ? fmt::format("{}/{}:{}", host, repository, tag)
                        : fmt::format("{}/{}@{}", host, repository, digest);
}

Result<RegistryReference> parse_registry_reference(std::string_view text) {
  const std::string_view quoted = text.substr(0, 200);
  RegistryReference out;
  std::string_view rest = text;
  if (const size_t at = rest.find('@'); at != std::string_view::npos) {
    out.digest = std::string(rest.substr(at + 1));
    if (auto checked = check_sha256_digest(out.digest); !checked) {
      return fail(
          Error::invalid_argument("image reference '{}': {}", quoted, checked.error().message));
    }
    rest = rest.substr(0, at);
  }
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return fail(Error::invalid_argument(
        "image reference '{}': expected HOST[:PORT]/REPOSITORY[:TAG] (e.g. docker.io/library/{})",
        quoted, quoted));
  }
  out.host = std::string(rest.substr(0, slash));
  std::string_view repository = rest.substr(slash + 1);
  const size_t last_slash = repository.rfind('/');
  const size_t colon = repository.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    out.tag = std::string(repository.substr(colon + 1));
    repository = repository.substr(0, colon);
    if (!valid_tag(out.tag)) {
      return fail(Error::invalid_argument("image reference '{}': bad tag '{}'", quoted,
                                          std::string_view(out.tag).substr(0, 130)));
    }
  }
  if (out.tag.empty() && out.digest.empty()) {
    out.tag = "latest";
  }
  if (!valid_host(out.host)) {
    return fail(
        Error::invalid_argument("image reference '{}': bad registry host '{}'", quoted, out.host));
  }
  out.repository = std::string(repository);
  if (out.host == "docker.io" || out.host == "index.docker.io") {
    out.host = "registry-1.docker.io";
    if (out.repository.find('/') == std::string::npos) {
      out.repository = "library/" + out.repository;
    }
  }
  if (!valid_repository(out.repository)) {
    return fail(Error::invalid_argument(
        "image reference '{}': bad repository '{}' (lower-case letters, digits, '._-/')", quoted,
        std::string_view(out.repository).substr(0, 200)));
  }
  return out;
}

Result<RegistryCredentials> parse_credentials(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(Error::invalid_argument("registry credentials: expected USER:PASSWORD"));
  }
  return RegistryCredentials{std::string(text.substr(0, colon)),
                             std::string(text.substr(colon + 1))};
}

std::optional<AuthChallenge> parse_auth_challenge(std::string_view header) {
  header = trim(header);
  const size_t space = header.find(' ');
  AuthChallenge out;
  out.scheme = to_lower(header.substr(0, space));
  if (out.scheme.empty()) {
    return std::nullopt;
  }
  if (space == std::string_view::npos) {
    return out;
  }
  std::string_view rest = header.substr(space + 1);
  while (true) {
    rest = trim(rest);
    if (rest.empty()) {
      return out;
    }
    const size_t equals = rest.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return std::nullopt;
    }
    std::string key = to_lower(trim(rest.substr(0, equals)));
    rest = trim(rest.substr(equals + 1));
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      size_t idx = 1;
      bool closed = false;
      for (; idx < rest.size(); ++idx) {
        if (rest[idx] == '\\' && idx + 1 < rest.size()) {
          value.push_back(rest[++idx]);
        } else if (rest[idx] == '"') {
          closed = true;
          break;
        } else {
          value.push_back(rest[idx]);
        }
      }
      if (!closed) {
        return std::nullopt;
      }
      rest = rest.substr(idx + 1);
    } else {
      const size_t end = rest.find(',');
      value = std::string(trim(rest.substr(0, end)));
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    out.params[std::move(key)] = std::move(value);
    rest = trim(rest);
    if (!rest.empty()) {
      if (rest.front() != ',') {
        return out;  // a second challenge follows; the first one is all we use
      }
      rest.remove_prefix(1);
    }
  }
}

RegistryClient::RegistryClient(HttpTransport& transport, RegistryReference reference,
                               std::optional<RegistryCredentials> credentials, bool insecure)
    : transport_(transport),
      reference_(std::move(reference)),
      credentials_(std::move(credentials)),
      insecure_(insecure) {}

std::string RegistryClient::base_url() const {
  return fmt::format("{}://{}/v2/{}/", insecure_ ? "http" : "https", reference_.host,
                     reference_.repository);
}

Result<void> RegistryClient::authenticate(const HttpResponse& challenge_response) {
  const auto header = challenge_response.headers.find("www-authenticate");
  const auto challenge = header == challenge_response.headers.end()
                             ? std::nullopt
                             : parse_auth_challenge(header->second);
  const std::string what = fmt::format("registry {}", reference_.host);
  if (!challenge) {
    return fail(
        Error::unavailable("{}: HTTP 401 without a usable WWW-Authenticate challenge", what));
  }
  if (challenge->scheme == "basic") {
    if (!credentials_) {
      return fail(Error::unavailable(
          "{}: requires credentials (--username/--password or VIGIL_REGISTRY_AUTH)", what));
    }
    authorization_ =
        "Authorization: Basic " + base64(credentials_->username + ":" + credentials_->password);
    return {};
  }
  if (challenge->scheme != "bearer") {
    return fail(Error::unsupported("{}: unsupported authentication scheme '{}'", what,
                                   challenge->scheme.substr(0, 50)));
  }
  const auto realm = challenge->params.find("realm");
  if (realm == challenge->params.end() ||
      !(realm->second.starts_with("https://") || realm->second.starts_with("http://"))) {
    return fail(Error::unavailable("{}: bearer challenge without an http(s) realm", what));
  }
  std::string url = realm->second;
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  if (const auto service = challenge->params.find("service"); service != challenge->params.end()) {
    url += fmt::format("{}service={}", separator, url_encode(service->second));
    separator = '&';
  }
  const auto scope = challenge->params.find("scope");
  url += fmt::format("{}scope={}", separator,
                     url_encode(scope != challenge->params.end()
                                    ? scope->second
                                    : "repository:" + reference_.repository + ":pull"));
  HttpRequest request;
  request.url = std::move(url);
  request.max_body = kMaxTokenBytes;
  if (credentials_) {
    request.headers.push_back("Authorization: Basic " +
                              base64(credentials_->username + ":" + credentials_->password));
  }
  ++requests_;
  VIGIL_ASSIGN_OR_RETURN(const HttpResponse response, transport_.get(request));
  if (!is_success(response.status)) {
    return fail(status_error(response, what + " token service"));
  }
  const auto doc = nlohmann::json::parse(response.body, nullptr, false);
  std::string token;
  if (doc.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (doc.contains(key) && doc[key].is_string() && !doc[key].get<std::string>().empty()) {
        token = doc[key].get<std::string>();
        break;
      }
    }
  }
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    return fail(Error::unavailable("{} token service: the response holds no usable token", what));
  }
  authorization_ = "Authorization: Bearer " + token;
  return {};
}

Result<HttpResponse> RegistryClient::send(
    const std::string& path, std::vector<std::string> headers, uint64_t max_body,
    const std::function<Result<void>(std::string_view)>& sink) {
  bool authenticated = false;
  while (true) {
    HttpRequest request;
    request.url = base_url() + path;
    request.headers = headers;
    if (!authorization_.empty()) {
      request.headers.push_back(authorization_);
    }
    request.max_body = max_body;
    request.sink = sink;
    ++requests_;
    VIGIL_ASSIGN_OR_RETURN(HttpResponse response, transport_.get(request));
    if (response.status == 401 && !authenticated) {
      VIGIL_TRY(authenticate(response));
      authenticated = true;
      continue;
    }
    return response;
  }
}

Result<RegistryClient::Manifest> RegistryClient::manifest(std::string_view reference) {
  const std::string what =
      fmt::format("manifest {}/{}:{}", reference_.host, reference_.repository, reference);
  const std::vector<std::string> accept = {
      "Accept: application/vnd.oci.image.index.v1+json, "
      "application/vnd.oci.image.manifest.v1+json, "
      "application/vnd.docker.distribution.manifest.list.v2+json, "
      "application/vnd.docker.distribution.manifest.v2+json"};
  VIGIL_ASSIGN_OR_RETURN(HttpResponse response, send("manifests/" + std::string(reference), accept,
                                                     kMaxManifestBytes, nullptr));
  if (!is_success(response.status)) {
    return fail(status_error(response, what));
  }
  Manifest out;
  out.digest = sha256_digest(response.body);
  if (reference.starts_with("sha256:") && out.digest != reference) {
    return fail(Error::parse("{}: digest mismatch: the manifest hashes to {}", what, out.digest));
  }
  if (const auto type = response.headers.find("content-type"); type != response.headers.end()) {
    out.media_type =
        std::string(trim(std::string_view(type->second).substr(0, type->second.find(';'))));
  }
  out.body = std::move(response.body);
  return out;
}

Result<std::string> RegistryClient::blob(std::string_view digest, uint64_t max_bytes) {
  const std::string what = fmt::format("blob {}", digest);
  VIGIL_TRY(check_sha256_digest(digest));
  VIGIL_ASSIGN_OR_RETURN(HttpResponse response,
                         send("blobs/" + std::string(digest), {}, max_bytes, nullptr));
  if (!is_success(response.status)) {
    return fail(status_error(response, what));
  }
  const std::string got = sha256_digest(response.body);
  if (got != digest) {
    return fail(Error::parse("{}: digest mismatch: the blob hashes to {}", what, got));
  }
  return std::move(response.body);
}

Result<void> RegistryClient::download(std::string_view digest, const std::filesystem::path& path,
                                      uint64_t max_bytes) {
  const std::string what = fmt::format("blob {}", digest);
  VIGIL_TRY(check_sha256_digest(digest));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(Error::io("{}: cannot create {}: {}", what, path.string(),
                          std::error_code(errno, std::generic_category()).message()));
  }
  Sha256 hasher;
  const auto sink = [&](std::string_view data) -> Result<void> {
    hasher.update(data);
    while (!data.empty()) {
      const ssize_t wrote = ::write(fd, data.data(), data.size());
      if (wrote < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(Error::io("{}: cannot write {}: {}", what, path.string(),
                              std::error_code(errno, std::generic_category()).message()));
      }
      data.remove_prefix(static_cast<size_t>(wrote));
    }
    return {};
  };
  auto response = send("blobs/" + std::string(digest), {}, max_bytes, sink);
  ::close(fd);
  const auto failed = [&](Error error) -> Result<void> {
    ::unlink(path.c_str());
    return fail(std::move(error));
  };
  if (!response) {
    return failed(response.error().with_context(what));
  }
  if (!is_success(response->status)) {
    return failed(status_error(*response, what));
  }
  const std::string got = hasher.finish();
  if (got != digest) {
    return failed(Error::parse("{}: digest mismatch: the downloaded blob hashes to {}", what, got));
  }
  return {};
}

}  // namespace vigil::sources
