#include "inventory/catalogers/cargo.hpp"

#include <simdjson.h>
#include <zlib.h>

#include <array>
#include <optional>
#include <utility>

#include "core/strings.hpp"
#include "inventory/catalogers/lang_util.hpp"

namespace vigil::inventory {
namespace lang {
namespace {

constexpr size_t kMaxInflatedBytes = size_t{16} << 20;

struct LockEntry {
  size_t line = 0;
  std::string name;
  std::string version;
  bool has_source = false;
};

Result<std::string> inflate_zlib(std::string_view compressed) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) {
    return fail(Error::internal("zlib: cannot initialise"));
  }
  std::string out;
  std::array<unsigned char, 64 * 1024> buffer{};
  // zlib's API takes a non-const pointer but does not write through next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(std::min<size_t>(compressed.size(), UINT32_MAX));
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = buffer.data();
    stream.avail_out = static_cast<uInt>(buffer.size());
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&stream);
      return fail(
          Error::parse("bad zlib data ({})", stream.msg != nullptr ? stream.msg : "truncated"));
    }
    out.append(reinterpret_cast<const char*>(buffer.data()), buffer.size() - stream.avail_out);
    if (out.size() > kMaxInflatedBytes) {
      inflateEnd(&stream);
      return fail(Error::parse("inflates to more than {} bytes", kMaxInflatedBytes));
    }
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace

Result<std::vector<RustCrate>> parse_cargo_lock(std::string_view text) {
  std::vector<RustCrate> out;
  std::optional<LockEntry> current;
  std::optional<Error> error;
  size_t line_number = 0;
  const auto close = [&]() {
    if (current) {
      if (current->name.empty() || current->version.empty()) {
        error = Error::parse("line {}: [[package]] without name or version", current->line);
        return false;
      }
      if (current->has_source) {
        out.push_back({std::move(current->name), std::move(current->version)});
      }
      current.reset();
    }
    return true;
  };
  for_each_line(text, [&](std::string_view line) {
    ++line_number;
    const std::string_view trimmed = trim(line);
    if (trimmed.starts_with('[') && line.starts_with('[')) {
      if (!close()) {
        return false;
      }
      if (trimmed == "[[package]]") {
        current = LockEntry{line_number, {}, {}, false};
      }
      return true;
    }
    // Only top-level `key = "value"` lines of a package; array items hold no '='.
    const size_t equals = trimmed.find('=');
    if (!current || equals == std::string_view::npos || line.starts_with(' ')) {
      return true;
    }
    const std::string_view key = trim(trimmed.substr(0, equals));
    const std::string_view value = unquote(trim(trimmed.substr(equals + 1)));
    if (key == "name") {
      current->name = std::string(value);
    } else if (key == "version") {
      current->version = std::string(value);
    } else if (key == "source") {
      current->has_source = !value.empty();
    }
    return true;
  });
  if (!error) {
    close();
  }
  if (error) {
    return fail(std::move(*error));
  }
  return out;
}

Result<std::vector<RustCrate>> parse_cargo_auditable(std::string_view compressed) {
  VIGIL_ASSIGN_OR_RETURN(const std::string json, inflate_zlib(compressed));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (const auto error = parser.parse(json).get(doc); error != simdjson::SUCCESS) {
    return fail(Error::parse("invalid JSON: {}", simdjson::error_message(error)));
  }
  simdjson::dom::array packages;
  if (doc["packages"].get(packages) != simdjson::SUCCESS) {
    return fail(Error::parse("no \"packages\" array"));
  }
  std::vector<RustCrate> out;
  for (const auto item : packages) {
    std::string_view name;
    std::string_view version;
    std::string_view source;
    if (item["name"].get(name) != simdjson::SUCCESS ||
        item["version"].get(version) != simdjson::SUCCESS) {
      return fail(Error::parse("a package without name or version"));
    }
    if (item["source"].get(source) == simdjson::SUCCESS && source == "local") {
      continue;
    }
    out.push_back({std::string(name), std::string(version)});
  }
  return out;
}

}  // namespace lang

using namespace lang;  // this file implements a cataloger from the lang:: helpers

namespace {
constexpr std::string_view kName = "cargo-lock";
}  // namespace

bool CargoLockCataloger::wants(std::string_view path) const {
  return base_name(path) == "Cargo.lock";
}

void CargoLockCataloger::catalog(const sources::FileTree& tree, std::span<const std::string> paths,
                                 model::Inventory& inventory) const {
  for (const auto& path : paths) {
    const auto text = read_evidence(tree, path, kMaxLockfileBytes, kName, inventory);
    if (!text) {
      continue;
    }
    auto crates = parse_cargo_lock(*text);
    if (!crates) {
      add_warning(inventory, kName, path, crates.error().message);
      continue;
    }
    for (auto& crate : *crates) {
      std::string purl = make_purl("cargo", "", crate.name, crate.version);
      inventory.packages.push_back(make_package(model::Ecosystem::kCratesIo, std::move(crate.name),
                                                std::move(crate.version), std::move(purl), path));
    }
  }
}

}  // namespace vigil::inventory
