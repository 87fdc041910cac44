#include "api/sigv4.hpp"

#include <algorithm>
#include <utility>

#include "api/internal/crypto.hpp"
#include "api/internal/time.hpp"
#include "core/strings.hpp"

namespace vigil::api {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

bool is_unreserved(char c) {
  return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); });
}

// RFC 3986 §5.2.4 as botocore applies it: empty and "." segments vanish, ".." pops; the
// leading and trailing slashes survive.
std::string normalize_path(std::string_view path) {
  if (path.empty()) {
    return "/";
  }
  std::vector<std::string_view> segments;
  for (const std::string_view segment : split(path, '/')) {
    if (segment.empty() || segment == ".") {
      continue;
    }
    if (segment == "..") {
      if (!segments.empty()) {
        segments.pop_back();
      }
      continue;
    }
    segments.push_back(segment);
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (std::size_t index = 0; index < segments.size(); ++index) {
    if (index > 0) {
      out += '/';
    }
    out += segments[index];
  }
  if (path.back() == '/' && !segments.empty()) {
    out += '/';
  }
  return out;
}

std::string canonical_query(std::string_view query) {
  if (query.empty()) {
    return "";
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string_view pair : split(query, '&')) {
    const std::size_t equals = pair.find('=');
    const std::string_view key = pair.substr(0, equals);
    const std::string_view value = equals == std::string_view::npos ? "" : pair.substr(equals + 1);
    pairs.emplace_back(uri_encode(uri_decode(key), false), uri_encode(uri_decode(value), false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) {
      out += '&';
    }
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

// botocore: ' '.join(value.split()) — trims and collapses runs of white space.
std::string collapse_spaces(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
  }
  return out;
}

const Header* find_header(std::span<const Header> headers, std::string_view name) {
  for (const Header& header : headers) {
    if (equals_ci(header.name, name)) {
      return &header;
    }
  }
  return nullptr;
}

Result<std::string> compute_signature(const RequestParts& request,
                                      std::span<const std::string> signed_headers,
                                      std::string_view amz_date, std::string_view date,
                                      std::string_view region, std::string_view service,
                                      std::string_view secret) {
  std::string payload_hash;
  if (const Header* content_sha = find_header(request.headers, "x-amz-content-sha256")) {
    payload_hash = content_sha->value;
  } else {
    payload_hash = internal::sha256_hex(request.body);
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string canonical,
                         canonical_request(request, signed_headers, payload_hash));
  const std::string scope = fmt::format("{}/{}/{}/{}", date, region, service, kTerminator);
  const std::string key = signing_key(secret, date, region, service);
  return internal::to_hex(internal::hmac_sha256(key, string_to_sign(amz_date, scope, canonical)));
}

}  // namespace

std::string amz_date(std::int64_t epoch_seconds) { return internal::format_amz_date(epoch_seconds); }

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4U];
    out += kHex[byte & 0xFU];
  }
  return out;
}

std::string uri_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (text[index] == '%' && index + 2 < text.size()) {
      const int high = hex_value(text[index + 1]);
      const int low = hex_value(text[index + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        index += 2;
        continue;
      }
    }
    out += text[index];
  }
  return out;
}

Result<Authorization> parse_authorization(std::string_view header) {
  header = trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ') {
    return fail(Error::invalid_argument(
        "Authorization header must use the AWS4-HMAC-SHA256 algorithm"));
  }
  Authorization auth;
  bool have_credential = false;
  bool have_signed_headers = false;
  bool have_signature = false;
  for (std::string_view part : split(header.substr(kAlgorithm.size() + 1), ',')) {
    part = trim(part);
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      return fail(Error::invalid_argument("Authorization header: malformed component '{}'", part));
    }
    const std::string_view name = part.substr(0, equals);
    const std::string_view value = part.substr(equals + 1);
    if (name == "Credential") {
      const std::vector<std::string_view> scope = split(value, '/');
      if (scope.size() != 5 || scope[0].empty() || scope[1].size() != 8 ||
          !std::all_of(scope[1].begin(), scope[1].end(), is_digit) || scope[2].empty() ||
          scope[3].empty() || scope[4] != kTerminator) {
        return fail(Error::invalid_argument(
            "Authorization header: Credential must be <AccessKeyId>/<YYYYMMDD>/<region>/<service>/"
            "aws4_request"));
      }
      auth.access_key_id = scope[0];
      auth.date = scope[1];
      auth.region = scope[2];
      auth.service = scope[3];
      have_credential = true;
    } else if (name == "SignedHeaders") {
      for (const std::string_view signed_header : split(value, ';')) {
        if (signed_header.empty() || to_lower(signed_header) != signed_header) {
          return fail(Error::invalid_argument(
              "Authorization header: SignedHeaders must be lower-case names separated by ';'"));
        }
        auth.signed_headers.emplace_back(signed_header);
      }
      if (!std::is_sorted(auth.signed_headers.begin(), auth.signed_headers.end())) {
        return fail(Error::invalid_argument("Authorization header: SignedHeaders must be sorted"));
      }
      have_signed_headers = true;
    } else if (name == "Signature") {
      if (value.size() != 64 || !is_lower_hex(value)) {
        return fail(Error::invalid_argument(
            "Authorization header: Signature must be 64 lower-case hex digits"));
      }
      auth.signature = value;
      have_signature = true;
    } else {
      return fail(Error::invalid_argument("Authorization header: unknown component '{}'", name));
    }
  }
  if (!have_credential || !have_signed_headers || !have_signature) {
    return fail(Error::invalid_argument(
        "Authorization header must contain Credential, SignedHeaders and Signature"));
  }
  return auth;
}

Result<std::string> canonical_request(const RequestParts& request,
                                      std::span<const std::string> signed_headers,
                                      std::string_view payload_hash) {
  const std::size_t question = request.target.find('?');
  const std::string_view path = request.target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1);
  std::string out;
  out.reserve(256 + request.target.size());
  out += request.method;
  out += '\n';
  // The wire path is already percent-encoded; SigV4 (non-S3) encodes it once more.
  out += uri_encode(normalize_path(path), true);
  out += '\n';
  out += canonical_query(query);
  out += '\n';
  for (const std::string& name : signed_headers) {
    std::string joined;
    bool found = false;
    for (const Header& header : request.headers) {
      if (!equals_ci(header.name, name)) {
        continue;
      }
      if (found) {
        joined += ',';
      }
      joined += collapse_spaces(header.value);
      found = true;
    }
    if (!found) {
      return fail(Error::invalid_argument("signed header '{}' is not present in the request", name));
    }
    out += name;
    out += ':';
    out += joined;
    out += '\n';
  }
  out += '\n';
  for (std::size_t index = 0; index < signed_headers.size(); ++index) {
    if (index > 0) {
      out += ';';
    }
    out += signed_headers[index];
  }
  out += '\n';
  out += payload_hash;
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical) {
  return fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amz_date, scope,
                     internal::sha256_hex(canonical));
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  const std::string date_key = internal::hmac_sha256(fmt::format("AWS4{}", secret), date);
  const std::string region_key = internal::hmac_sha256(date_key, region);
  const std::string service_key = internal::hmac_sha256(region_key, service);
  return internal::hmac_sha256(service_key, kTerminator);
}

Result<void> verify_signature(const RequestParts& request, const Authorization& auth,
                              std::string_view secret, const VerifyOptions& options) {
  if (auth.service != options.service) {
    return fail(Error::invalid_argument("Credential should be scoped to correct service: '{}'",
                                        options.service));
  }
  const auto signed_has = [&](std::string_view name) {
    return std::find(auth.signed_headers.begin(), auth.signed_headers.end(), name) !=
           auth.signed_headers.end();
  };
  if (!signed_has("host")) {
    return fail(Error::invalid_argument("the 'host' header must be signed"));
  }
  if (!signed_has("x-amz-date")) {
    return fail(Error::invalid_argument("the 'x-amz-date' header must be signed"));
  }
  const Header* date_header = find_header(request.headers, "x-amz-date");
  if (date_header == nullptr) {
    return fail(Error::invalid_argument("missing X-Amz-Date header"));
  }
  const std::string amz_date{trim(date_header->value)};
  const std::optional<std::int64_t> request_time = internal::parse_amz_date(amz_date);
  if (!request_time) {
    return fail(Error::invalid_argument("X-Amz-Date '{}' is not in YYYYMMDDTHHMMSSZ form", amz_date));
  }
  if (amz_date.substr(0, 8) != auth.date) {
    return fail(Error::invalid_argument(
        "Credential date {} does not match the X-Amz-Date date {}", auth.date, amz_date.substr(0, 8)));
  }
  const std::int64_t skew = *request_time - options.now_epoch_seconds;
  if (skew > options.max_skew.count() || -skew > options.max_skew.count()) {
    return fail(Error::invalid_argument(
        "Signature expired: {} is now earlier than {} ({} - {} s) or later than {} (+{} s)",
        amz_date, internal::format_amz_date(options.now_epoch_seconds - options.max_skew.count()),
        internal::format_amz_date(options.now_epoch_seconds), options.max_skew.count(),
        internal::format_amz_date(options.now_epoch_seconds + options.max_skew.count()),
        options.max_skew.count()));
  }
  if (const Header* content_sha = find_header(request.headers, "x-amz-content-sha256")) {
    if (!internal::constant_time_equals(trim(content_sha->value),
                                        internal::sha256_hex(request.body))) {
      return fail(Error::invalid_argument(
          "X-Amz-Content-SHA256 does not match the SHA-256 of the request body"));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string expected,
                         compute_signature(request, auth.signed_headers, amz_date, auth.date,
                                           auth.region, auth.service, secret));
  if (!internal::constant_time_equals(expected, auth.signature)) {
    return fail(Error::invalid_argument(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method."));
  }
  return {};
}

Result<std::string> sign_request(const RequestParts& request, const SigningKey& key,
                                 std::int64_t epoch_seconds) {
  const std::string amz_date = internal::format_amz_date(epoch_seconds);
  const Header* date_header = find_header(request.headers, "x-amz-date");
  if (date_header == nullptr || date_header->value != amz_date) {
    return fail(Error::invalid_argument("sign_request: X-Amz-Date header must be {}", amz_date));
  }
  std::vector<std::string> names;
  for (const Header& header : request.headers) {
    names.push_back(to_lower(header.name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const std::string date = amz_date.substr(0, 8);
  VIGIL_ASSIGN_OR_RETURN(const std::string signature,
                         compute_signature(request, names, amz_date, date, key.region, key.service,
                                           key.secret));
  std::string signed_list;
  for (const std::string& name : names) {
    if (!signed_list.empty()) {
      signed_list += ';';
    }
    signed_list += name;
  }
  return fmt::format("{} Credential={}/{}/{}/{}/{}, SignedHeaders={}, Signature={}", kAlgorithm,
                     key.access_key_id, date, key.region, key.service, kTerminator, signed_list,
                     signature);
}

}  // namespace vigil::api
