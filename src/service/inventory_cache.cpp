// Inventory cache: JSON through nlohmann, one file per image, temp file + rename. The key
// includes the running executable's identity (size, mtime, inode of /proc/self/exe), so an
// upgraded or rebuilt Vigil, whose catalogers may behave differently, never reuses old results.
#include "service/inventory_cache.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/field_count.hpp"
#include "sources/digest.hpp"

namespace vigil::service {
namespace {

using Json = nlohmann::json;

static_assert(field_count<model::Package>() == 12,
              "model::Package changed: update encode/decode_inventory and kCodecVersion");
static_assert(field_count<model::OsIdentity>() == 6,
              "model::OsIdentity changed: update encode/decode_inventory and kCodecVersion");
static_assert(field_count<model::Diagnostic>() == 3,
              "model::Diagnostic changed: update encode/decode_inventory and kCodecVersion");
static_assert(field_count<model::Inventory>() == 5,
              "model::Inventory changed: update encode/decode_inventory and kCodecVersion");

constexpr int kCodecVersion = 2;

// Identifies the running build: a rebuilt or upgraded binary gets new keys.
const std::string& build_identity() {
  static const std::string identity = [] {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0) {
      return std::string("unknown");
    }
    return fmt::format("{}:{}:{}.{}", st.st_size, st.st_ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  }();
  return identity;
}

Result<model::DiagnosticLevel> parse_level(const std::string& text) {
  if (text == "info") {
    return model::DiagnosticLevel::kInfo;
  }
  if (text == "warning") {
    return model::DiagnosticLevel::kWarning;
  }
  if (text == "error") {
    return model::DiagnosticLevel::kError;
  }
  return fail(Error::parse("inventory cache: bad diagnostic level '{}'", text));
}

Result<model::Inventory> from_json(const Json& doc) {
  if (!doc.is_object() || doc.value("codec", 0) != kCodecVersion) {
    return fail(Error::parse("inventory cache: unknown format"));
  }
  model::Inventory inventory;
  inventory.target = doc.at("target").get<std::string>();
  inventory.complete = doc.at("complete").get<bool>();
  const Json& os = doc.at("os");
  inventory.os.id = os.at("id").get<std::string>();
  inventory.os.version_id = os.at("version_id").get<std::string>();
  inventory.os.codename = os.at("codename").get<std::string>();
  inventory.os.pretty_name = os.at("pretty_name").get<std::string>();
  inventory.os.kernel_release = os.at("kernel_release").get<std::string>();
  inventory.os.end_of_life = os.at("end_of_life").get<bool>();
  for (const Json& item : doc.at("packages")) {
    model::Package package;
    VIGIL_ASSIGN_OR_RETURN(const auto ecosystem,
                           model::parse_ecosystem(item.at("ecosystem").get<std::string>()));
    package.ecosystem = ecosystem.ecosystem;
    package.name = item.at("name").get<std::string>();
    package.version = item.at("version").get<std::string>();
    package.arch = item.at("arch").get<std::string>();
    package.source_name = item.at("source_name").get<std::string>();
    package.source_version = item.at("source_version").get<std::string>();
    package.distro_release = item.at("distro_release").get<std::string>();
    package.locations = item.at("locations").get<std::vector<std::string>>();
    package.purl = item.at("purl").get<std::string>();
    package.layer_digest = item.at("layer_digest").get<std::string>();
    package.owner_purl = item.at("owner_purl").get<std::string>();
    package.cpes = item.at("cpes").get<std::vector<std::string>>();
    inventory.packages.push_back(std::move(package));
  }
  for (const Json& item : doc.at("diagnostics")) {
    model::Diagnostic diagnostic;
    VIGIL_ASSIGN_OR_RETURN(diagnostic.level, parse_level(item.at("level").get<std::string>()));
    diagnostic.where = item.at("where").get<std::string>();
    diagnostic.message = item.at("message").get<std::string>();
    inventory.diagnostics.push_back(std::move(diagnostic));
  }
  return inventory;
}

}  // namespace

std::string inventory_cache_key(const sources::ImageInfo& image, std::string_view want_key) {
  std::string material = fmt::format("vigil-inventory|{}|{}|{}|{}", kCodecVersion, build_identity(),
                                     want_key, image.config_digest);
  for (const auto& layer : image.layers) {
    material += "|" + layer.digest;
  }
  return sources::sha256_digest(material);
}

std::string encode_inventory(const model::Inventory& inventory) {
  Json doc;
  doc["codec"] = kCodecVersion;
  doc["target"] = inventory.target;
  doc["complete"] = inventory.complete;
  doc["os"] = {{"id", inventory.os.id},
               {"version_id", inventory.os.version_id},
               {"codename", inventory.os.codename},
               {"pretty_name", inventory.os.pretty_name},
               {"kernel_release", inventory.os.kernel_release},
               {"end_of_life", inventory.os.end_of_life}};
  doc["packages"] = Json::array();
  for (const auto& package : inventory.packages) {
    doc["packages"].push_back({{"ecosystem", model::ecosystem_name(package.ecosystem)},
                               {"name", package.name},
                               {"version", package.version},
                               {"arch", package.arch},
                               {"source_name", package.source_name},
                               {"source_version", package.source_version},
                               {"distro_release", package.distro_release},
                               {"locations", package.locations},
                               {"purl", package.purl},
                               {"layer_digest", package.layer_digest},
                               {"owner_purl", package.owner_purl},
                               {"cpes", package.cpes}});
  }
  doc["diagnostics"] = Json::array();
  for (const auto& diagnostic : inventory.diagnostics) {
    doc["diagnostics"].push_back({{"level", model::diagnostic_level_name(diagnostic.level)},
                                  {"where", diagnostic.where},
                                  {"message", diagnostic.message}});
  }
  // Invalid UTF-8 in a path or message is replaced rather than failing the dump.
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<model::Inventory> decode_inventory(std::string_view text) {
  const Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    return fail(Error::parse("inventory cache: not valid JSON"));
  }
  try {
    return from_json(doc);
  } catch (const nlohmann::json::exception& error) {
    return fail(Error::parse("inventory cache: {}", error.what()));
  }
}

Result<std::unique_ptr<InventoryCache>> InventoryCache::open(std::filesystem::path dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir, ec)) {
    return fail(Error::io("inventory cache {}: cannot create directory", dir.string()));
  }
  return std::unique_ptr<InventoryCache>(new InventoryCache(std::move(dir)));
}

std::optional<model::Inventory> InventoryCache::find(std::string_view key) const {
  if (!sources::check_sha256_digest(key)) {
    return std::nullopt;
  }
  const auto file = dir_ / (std::string(sources::digest_hex(key)) + ".inventory.json");
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  const std::string text(std::istreambuf_iterator<char>(in), {});
  auto inventory = decode_inventory(text);
  if (!inventory) {
    std::error_code ec;
    std::filesystem::remove(file, ec);  // corrupt: scan again and rewrite it
    return std::nullopt;
  }
  return std::move(*inventory);
}

Result<void> InventoryCache::store(std::string_view key, const model::Inventory& inventory) const {
  VIGIL_TRY(sources::check_sha256_digest(key));
  const auto file = dir_ / (std::string(sources::digest_hex(key)) + ".inventory.json");
  std::string pattern = (dir_ / ".tmp-inventory-XXXXXX").string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    return fail(Error::io("inventory cache {}: cannot create a file", dir_.string()));
  }
  const std::string text = encode_inventory(inventory);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t got = ::write(fd, text.data() + written, text.size() - written);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      ::close(fd);
      ::unlink(pattern.c_str());
      return fail(Error::io("inventory cache: cannot write {}", pattern));
    }
    written += static_cast<size_t>(got);
  }
  ::close(fd);
  if (std::rename(pattern.c_str(), file.c_str()) != 0) {
    ::unlink(pattern.c_str());
    return fail(Error::io("inventory cache: cannot rename into {}", file.string()));
  }
  return {};
}

}  // namespace vigil::service
