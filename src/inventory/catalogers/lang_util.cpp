#include "inventory/catalogers/lang_util.hpp"

#include <fmt/format.h>

#include <utility>

#include "core/strings.hpp"
#include "model/purl.hpp"

namespace vigil::inventory::lang {
namespace {

// purl spec: components are percent-encoded except the unreserved characters; ':' is kept as
// the reference implementations do.
void append_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4U]);
      out.push_back(kHex[byte & 0x0FU]);
    }
  }
}

std::string normalise_name(std::string_view type, std::string_view name) {
  if (type == "pypi") {
    std::string out = to_lower(name);
    for (char& c : out) {
      if (c == '_') {
        c = '-';
      }
    }
    return out;
  }
  if (type == "npm") {
    return to_lower(name);
  }
  return std::string(name);
}

std::string local_purl(std::string_view type, std::string_view namespace_, std::string_view name,
                       std::string_view version) {
  std::string out = fmt::format("pkg:{}/", type);
  if (!namespace_.empty()) {
    for (const auto segment : split(namespace_, '/')) {
      if (segment.empty()) {
        continue;
      }
      append_encoded(out, type == "npm" ? to_lower(segment) : std::string(segment));
      out.push_back('/');
    }
  }
  append_encoded(out, normalise_name(type, name));
  if (!version.empty()) {
    out.push_back('@');
    append_encoded(out, version);
  }
  return out;
}

}  // namespace

std::string make_purl(std::string_view type, std::string_view namespace_, std::string_view name,
                      std::string_view version) {
  if (name.empty()) {
    return {};
  }
  model::Purl purl;
  purl.type = std::string(type);
  purl.namespace_ = std::string(namespace_);
  purl.name = std::string(name);
  purl.version = std::string(version);
  if (auto printed = model::to_string(purl)) {
    return std::move(printed).value();
  }
  return local_purl(type, namespace_, name, version);
}

std::string make_golang_purl(std::string_view module_path, std::string_view version) {
  const size_t slash = module_path.rfind('/');
  if (slash == std::string_view::npos) {
    return make_purl("golang", "", module_path, version);
  }
  return make_purl("golang", module_path.substr(0, slash), module_path.substr(slash + 1), version);
}

model::Package make_package(model::Ecosystem ecosystem, std::string name, std::string version,
                            std::string purl, std::string location) {
  model::Package package;
  package.ecosystem = ecosystem;
  package.name = std::move(name);
  package.version = std::move(version);
  package.purl = std::move(purl);
  package.locations.push_back(std::move(location));
  return package;
}

void add_warning(model::Inventory& inventory, std::string_view cataloger, std::string_view where,
                 std::string_view message) {
  inventory.diagnostics.push_back(model::Diagnostic{model::DiagnosticLevel::kWarning,
                                                    std::string(where),
                                                    fmt::format("{}: {}", cataloger, message)});
}

std::optional<std::string> read_evidence(const sources::FileTree& tree, std::string_view path,
                                         uint64_t max_bytes, std::string_view cataloger,
                                         model::Inventory& inventory) {
  auto content = tree.read(path, max_bytes);
  if (!content) {
    add_warning(inventory, cataloger, path,
                fmt::format("cannot read: {}", content.error().message));
    return std::nullopt;
  }
  return std::move(content).value();
}

std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dir_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

bool ends_with_ci(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         equals_ci(text.substr(text.size() - suffix.size()), suffix);
}

bool has_dir_segment(std::string_view path, std::string_view segment) {
  std::string_view rest = dir_name(path);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (part == segment) {
      return true;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  return false;
}

std::vector<Header> parse_headers(std::string_view text) {
  std::vector<Header> headers;
  for_each_line(text, [&](std::string_view line) {
    if (line.empty()) {
      return false;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (!headers.empty()) {
        headers.back().value += '\n';
        headers.back().value += trim(line);
      }
      return true;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return true;
    }
    headers.push_back(Header{std::string(trim(line.substr(0, colon))),
                             std::string(trim(line.substr(colon + 1)))});
    return true;
  });
  return headers;
}

std::optional<std::string_view> find_header(const std::vector<Header>& headers,
                                            std::string_view name) {
  for (const auto& header : headers) {
    if (equals_ci(header.name, name)) {
      return std::string_view(header.value);
    }
  }
  return std::nullopt;
}

std::string_view unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

}  // namespace vigil::inventory::lang
