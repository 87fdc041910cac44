#include "model/purl.hpp"

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "core/strings.hpp"

namespace vigil::model {
namespace {

bool one_of(std::string_view value, std::initializer_list<std::string_view> choices) {
  return std::find(choices.begin(), choices.end(), value) != choices.end();
}

// ECMA-427 "Character encoding": the alphanumerics and ".-_~" are never encoded, nor is ':';
// every other byte of the UTF-8 text is, including the separators "/@?=&#" and '+', ' ', ','.
void append_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
  }
}

int hex_value(char c) {
  if (is_digit(c)) {
    return c - '0';
  }
  const char lower = to_lower(c);
  return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}

// Returns true if `text` is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool is_valid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    size_t extra = 0;
    unsigned min_second = 0x80;
    unsigned max_second = 0xbf;
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
      extra = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      extra = 2;
      min_second = lead == 0xe0 ? 0xa0 : 0x80;
      max_second = lead == 0xed ? 0x9f : 0xbf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      extra = 3;
      min_second = lead == 0xf0 ? 0x90 : 0x80;
      max_second = lead == 0xf4 ? 0x8f : 0xbf;
    } else {
      return false;
    }
    if (text.size() - pos <= extra) {
      return false;
    }
    for (size_t idx = 1; idx <= extra; ++idx) {
      const auto byte = static_cast<unsigned char>(text[pos + idx]);
      const unsigned low = idx == 1 ? min_second : 0x80;
      const unsigned high = idx == 1 ? max_second : 0xbf;
      if (byte < low || byte > high) {
        return false;
      }
    }
    pos += extra + 1;
  }
  return true;
}

// Percent-decodes one component (`what` names it in errors). '+' stays '+': purls are not
// form-encoded.
Result<std::string> decode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (text[pos] != '%') {
      out.push_back(text[pos]);
      continue;
    }
    const int high = pos + 2 < text.size() ? hex_value(text[pos + 1]) : -1;
    const int low = pos + 2 < text.size() ? hex_value(text[pos + 2]) : -1;
    if (high < 0 || low < 0) {
      return fail(Error::invalid_argument("{}: bad percent-escape in '{}'", what, text));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    pos += 2;
  }
  if (!is_valid_utf8(out)) {
    return fail(Error::invalid_argument("{}: '{}' is not valid UTF-8", what, text));
  }
  return out;
}

// Splits on '/', dropping empty segments (and, when `drop_dots`, "." and "..").
std::vector<std::string_view> segments(std::string_view text, bool drop_dots) {
  std::vector<std::string_view> out;
  for (const auto part : split(text, '/')) {
    if (part.empty() || (drop_dots && (part == "." || part == ".."))) {
      continue;
    }
    out.push_back(part);
  }
  return out;
}

std::string join(const std::vector<std::string_view>& parts) {
  std::string out;
  for (const auto part : parts) {
    if (!out.empty()) {
      out.push_back('/');
    }
    out.append(part);
  }
  return out;
}

// ECMA-427: a type or qualifier key starts with an ASCII letter; a type then has letters,
// digits, '.' and '-', a key also '_'.
bool valid_identifier(std::string_view text, bool allow_underscore) {
  if (text.empty() || !is_alpha(text.front())) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return is_alnum(c) || c == '.' || c == '-' || (allow_underscore && c == '_');
  });
}

void lower_in_place(std::string& text) { text = to_lower(text); }

std::string_view trim_slashes(std::string_view text) {
  while (!text.empty() && text.front() == '/') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == '/') {
    text.remove_suffix(1);
  }
  return text;
}

// PEP 503 name normalisation: lower case, runs of '-', '_' and '.' become one '-'.
std::string pep503_name(std::string_view name) {
  std::string out;
  bool in_run = false;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) {
        out.push_back('-');
      }
      in_run = true;
    } else {
      out.push_back(to_lower(c));
      in_run = false;
    }
  }
  return out;
}

// Chrome Web Store ids are 32 letters a-p; versions are one to four dot-separated integers.
Result<void> check_chrome_extension(const Purl& purl) {
  const bool id_ok =
      purl.name.size() == 32 &&
      std::all_of(purl.name.begin(), purl.name.end(), [](char c) { return c >= 'a' && c <= 'p'; });
  if (!id_ok) {
    return fail(
        Error::invalid_argument("chrome-extension name '{}' is not a 32-letter a-p id", purl.name));
  }
  if (purl.version.empty()) {
    return {};
  }
  const auto parts = split(purl.version, '.');
  const bool version_ok = parts.size() <= 4 && std::all_of(parts.begin(), parts.end(), [](auto p) {
                            return !p.empty() && std::all_of(p.begin(), p.end(), is_digit);
                          });
  if (!version_ok) {
    return fail(
        Error::invalid_argument("chrome-extension version '{}' is not 1-4 integers", purl.version));
  }
  return {};
}

// The rules of the registered types that change or constrain components.
Result<void> apply_type_rules(Purl& purl) {
  const std::string_view type = purl.type;
  if (one_of(type, {"alpm", "apk", "bitbucket", "bitnami", "brew", "composer", "deb", "git",
                    "github", "hex", "npm"})) {
    lower_in_place(purl.namespace_);
    lower_in_place(purl.name);
  } else if (type == "pypi") {
    purl.name = pep503_name(purl.name);
  } else if (type == "huggingface") {
    lower_in_place(purl.version);  // a commit hash
  } else if (type == "mlflow") {
    // Databricks model names are case-insensitive; Azure ML ones are not.
    const auto repository = purl.qualifiers.find("repository_url");
    if (repository != purl.qualifiers.end() &&
        to_lower(repository->second).find("databricks") != std::string::npos) {
      lower_in_place(purl.name);
    }
  }

  if (purl.namespace_.empty() && one_of(type, {"maven", "swift", "vscode-extension", "git"})) {
    return fail(Error::invalid_argument("a {} purl needs a namespace", type));
  }
  if (!purl.namespace_.empty() && one_of(type, {"otp", "pypi", "vcpkg"})) {
    return fail(
        Error::invalid_argument("a {} purl has no namespace (got '{}')", type, purl.namespace_));
  }
  if (type == "cpan" && purl.name.find("::") != std::string::npos) {
    return fail(
        Error::invalid_argument("cpan name '{}' is a module name, not a distribution", purl.name));
  }
  if (type == "julia" && !purl.qualifiers.contains("uuid")) {
    return fail(Error::invalid_argument("a julia purl needs a 'uuid' qualifier"));
  }
  if (type == "chrome-extension") {
    return check_chrome_extension(purl);
  }
  return {};
}

// Brings decoded components to their canonical values and checks them; shared by parsing and
// printing so both apply the same rules.
Result<void> normalize(Purl& purl) {
  lower_in_place(purl.type);
  if (!valid_identifier(purl.type, false)) {
    return fail(Error::invalid_argument(
        "type '{}' must start with a letter and hold only letters, digits, '.' and '-'",
        purl.type));
  }
  purl.namespace_ = join(segments(purl.namespace_, false));
  // Leading and trailing slashes are not part of a name; a git name is a path of segments.
  purl.name =
      purl.type == "git" ? join(segments(purl.name, false)) : std::string(trim_slashes(purl.name));
  if (purl.name.empty()) {
    return fail(Error::invalid_argument("a name is required"));
  }
  std::map<std::string, std::string> qualifiers;
  for (auto& [key, value] : purl.qualifiers) {
    std::string lowered = to_lower(key);
    if (!valid_identifier(lowered, true)) {
      return fail(Error::invalid_argument("invalid qualifier key '{}'", key));
    }
    if (value.empty()) {
      continue;
    }
    if (!qualifiers.emplace(std::move(lowered), value).second) {
      return fail(Error::invalid_argument("duplicate qualifier key '{}'", key));
    }
  }
  purl.qualifiers = std::move(qualifiers);
  purl.subpath = join(segments(purl.subpath, true));
  return apply_type_rules(purl);
}

Result<std::string> decode_segments(std::string_view text, bool drop_dots, std::string_view what) {
  std::string out;
  for (const auto part : segments(text, drop_dots)) {
    auto segment = decode(part, what);
    if (!segment) {
      return fail(segment.error());
    }
    const std::string_view decoded = *segment;
    if (decoded.find('/') != std::string_view::npos) {
      return fail(Error::invalid_argument("{} segment '{}' contains an encoded '/'", what, part));
    }
    if (drop_dots && (decoded == "." || decoded == "..")) {
      continue;
    }
    if (!out.empty()) {
      out.push_back('/');
    }
    out.append(decoded);
  }
  return out;
}

Result<Purl> parse_components(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return fail(Error::invalid_argument("control character 0x{:02x}", byte));
    }
  }
  Purl purl;
  std::string_view rest = text;
  // The subpath follows the last '#'; qualifiers follow the first '?' before it (a '?' cannot
  // appear unencoded earlier, but a lenient qualifier value may carry one).
  if (const size_t hash = rest.rfind('#'); hash != std::string_view::npos) {
    VIGIL_ASSIGN_OR_RETURN(purl.subpath, decode_segments(rest.substr(hash + 1), true, "subpath"));
    rest = rest.substr(0, hash);
  }
  std::string_view qualifiers;
  if (const size_t question = rest.find('?'); question != std::string_view::npos) {
    qualifiers = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || !equals_ci(rest.substr(0, colon), "pkg")) {
    return fail(Error::invalid_argument("missing 'pkg:' scheme"));
  }
  rest = rest.substr(colon + 1);
  while (!rest.empty() && rest.front() == '/') {
    rest.remove_prefix(1);  // "pkg://type/..." is tolerated
  }
  const size_t type_end = rest.find('/');
  if (type_end == std::string_view::npos) {
    return fail(Error::invalid_argument("missing type or name"));
  }
  purl.type = std::string(rest.substr(0, type_end));
  rest = rest.substr(type_end + 1);
  // The version follows the last '@' of the last path segment ("@scope/name" is a namespace).
  const size_t last_slash = rest.rfind('/');
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos && (last_slash == std::string_view::npos || at > last_slash)) {
    VIGIL_ASSIGN_OR_RETURN(purl.version, decode(rest.substr(at + 1), "version"));
    rest = rest.substr(0, at);
    // "pkg:swift/github.com/Alamofire/@5.4.3" has an empty name, not the name "Alamofire" (the
    // purl-spec suite requires this to fail).
    if (!rest.empty() && rest.back() == '/') {
      return fail(Error::invalid_argument("empty name before '@'"));
    }
  }
  auto parts = segments(rest, false);
  if (parts.empty()) {
    return fail(Error::invalid_argument("missing name"));
  }
  // A git name is the repository path after the host; other names are the last segment.
  const size_t name_begin = to_lower(purl.type) == "git" ? 1 : parts.size() - 1;
  for (size_t idx = 0; idx < parts.size(); ++idx) {
    VIGIL_ASSIGN_OR_RETURN(auto segment,
                           decode(parts[idx], idx < name_begin ? "namespace" : "name"));
    std::string& target = idx < name_begin ? purl.namespace_ : purl.name;
    if (idx < name_begin && segment.find('/') != std::string::npos) {
      return fail(
          Error::invalid_argument("namespace segment '{}' contains an encoded '/'", parts[idx]));
    }
    if (!target.empty()) {
      target.push_back('/');
    }
    target.append(segment);
  }
  for (const auto pair : split(qualifiers, '&')) {
    if (pair.empty()) {
      continue;
    }
    const size_t equals = pair.find('=');
    const std::string key = to_lower(pair.substr(0, equals));
    if (!valid_identifier(key, true)) {
      return fail(Error::invalid_argument("invalid qualifier key '{}'", pair.substr(0, equals)));
    }
    std::string value;
    if (equals != std::string_view::npos) {
      VIGIL_ASSIGN_OR_RETURN(value, decode(pair.substr(equals + 1), "qualifier value"));
    }
    if (purl.qualifiers.contains(key)) {
      return fail(Error::invalid_argument("duplicate qualifier key '{}'", key));
    }
    purl.qualifiers.emplace(key, std::move(value));
  }
  VIGIL_TRY(normalize(purl));
  return purl;
}

}  // namespace

Result<Purl> parse_purl(std::string_view text) {
  auto purl = parse_components(text);
  if (!purl) {
    return fail(Error::parse("purl '{}': {}", text, purl.error().message));
  }
  return purl;
}

Result<std::string> to_string(const Purl& purl) {
  Purl canonical = purl;
  if (auto normalized = normalize(canonical); !normalized) {
    return fail(normalized.error().with_context("purl"));
  }
  std::string out = "pkg:" + canonical.type + "/";
  for (const auto segment : segments(canonical.namespace_, false)) {
    append_encoded(out, segment);
    out.push_back('/');
  }
  if (canonical.type == "git") {
    const auto name_segments = segments(canonical.name, false);
    for (size_t idx = 0; idx < name_segments.size(); ++idx) {
      if (idx > 0) {
        out.push_back('/');
      }
      append_encoded(out, name_segments[idx]);
    }
  } else {
    append_encoded(out, canonical.name);
  }
  if (!canonical.version.empty()) {
    out.push_back('@');
    append_encoded(out, canonical.version);
  }
  // Qualifiers in key order (std::map), as the purl-spec test suite expects ("compiler=..."
  // before "compiler.runtime=...").
  char separator = '?';
  for (const auto& [key, value] : canonical.qualifiers) {
    out.push_back(separator);
    out.append(key);
    out.push_back('=');
    append_encoded(out, value);
    separator = '&';
  }
  const auto subpath_segments = segments(canonical.subpath, true);
  for (size_t idx = 0; idx < subpath_segments.size(); ++idx) {
    out.push_back(idx == 0 ? '#' : '/');
    append_encoded(out, subpath_segments[idx]);
  }
  return out;
}

}  // namespace vigil::model
