#include "export/internal/common.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <random>
#include <set>

#include "core/strings.hpp"
#include "model/ecosystem.hpp"

namespace vigil::exporter {

std::string_view subject_kind_name(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kImage:
      return "image";
    case SubjectKind::kFunction:
      return "function";
    case SubjectKind::kHost:
      return "host";
    case SubjectKind::kDirectory:
      return "directory";
  }
  return "directory";
}

namespace internal {
namespace {

bool digits_in_range(std::string_view text, size_t pos, int low, int high) {
  if (!is_digit(text[pos]) || !is_digit(text[pos + 1])) {
    return false;
  }
  const int value = (text[pos] - '0') * 10 + (text[pos + 1] - '0');
  return value >= low && value <= high;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) {
    return false;
  }
  for (size_t idx = 0; idx < text.size(); ++idx) {
    const char c = text[idx];
    if (idx == 8 || idx == 13 || idx == 18 || idx == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!is_digit(c) && !(c >= 'a' && c <= 'f')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string hash_hex(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

std::string uuid_v4(std::optional<std::uint64_t> seed) {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  if (seed) {
    std::mt19937_64 engine(*seed);
    high = engine();
    low = engine();
  } else {
    std::random_device device;
    const auto draw = [&device] {
      return (static_cast<std::uint64_t>(device()) << 32) | static_cast<std::uint64_t>(device());
    };
    high = draw();
    low = draw();
  }
  // RFC 4122 §4.4: version 4 in the high nibble of time_hi, variant bits 10 in clock_seq.
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFFU,
                     high & 0xFFFFU, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char buffer[32];
  const size_t written = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(buffer, written);
}

bool is_utc_timestamp(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return false;
  }
  for (const size_t pos : {0U, 1U, 2U, 3U}) {
    if (!is_digit(text[pos])) {
      return false;
    }
  }
  return digits_in_range(text, 5, 1, 12) && digits_in_range(text, 8, 1, 31) &&
         digits_in_range(text, 11, 0, 23) && digits_in_range(text, 14, 0, 59) &&
         digits_in_range(text, 17, 0, 60);
}

std::string ecosystem_string(const model::Package& package) {
  const std::string_view name = model::ecosystem_name(package.ecosystem);
  return package.distro_release.empty() ? std::string(name)
                                        : fmt::format("{}:{}", name, package.distro_release);
}

std::string package_ref(const model::Package& package, int occurrence) {
  return fmt::format("vigil:package:{}",
                     hash_hex(fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", ecosystem_string(package),
                                          package.name, package.version, package.arch,
                                          package.locations.empty() ? "" : package.locations[0],
                                          package.layer_digest, occurrence)));
}

Result<PreparedDocument> prepare(const SbomDocument& document) {
  PreparedDocument prepared;
  prepared.timestamp = document.timestamp.empty() ? utc_now() : document.timestamp;
  if (!is_utc_timestamp(prepared.timestamp)) {
    return fail(Error::invalid_argument("SBOM timestamp '{}': expected YYYY-MM-DDTHH:MM:SSZ",
                                        prepared.timestamp));
  }
  prepared.uuid =
      document.serial_uuid.empty() ? uuid_v4(document.seed) : to_lower(document.serial_uuid);
  if (prepared.uuid.rfind("urn:uuid:", 0) == 0) {
    prepared.uuid.erase(0, 9);
  }
  if (!is_uuid(prepared.uuid)) {
    return fail(Error::invalid_argument("SBOM serial '{}': expected an RFC 4122 UUID",
                                        document.serial_uuid));
  }

  std::set<std::string> seen_layers;
  for (const auto& layer : document.layers) {
    if (!layer.digest.empty() && seen_layers.insert(layer.digest).second) {
      prepared.layers.push_back(layer);
    }
  }
  for (const auto& package : document.inventory.packages) {
    if (!package.layer_digest.empty() && seen_layers.insert(package.layer_digest).second) {
      prepared.layers.push_back({package.layer_digest, ""});
    }
  }

  // A purl names the package when it is unique in the document; duplicates (the same package
  // found twice) and packages without one get a hash of their identity.
  std::map<std::string, int> purl_count;
  for (const auto& package : document.inventory.packages) {
    ++purl_count[package.purl];
  }
  std::set<std::string> used;
  std::map<std::string, int> occurrences;
  for (const auto& package : document.inventory.packages) {
    std::string ref;
    if (!package.purl.empty() && purl_count[package.purl] == 1) {
      ref = package.purl;
    }
    int occurrence = occurrences[package.purl]++;
    while (ref.empty() || used.count(ref) != 0) {
      ref = package_ref(package, occurrence++);
    }
    used.insert(ref);
    prepared.package_refs.push_back(std::move(ref));
  }
  return prepared;
}

std::vector<Property> package_properties(const model::Package& package) {
  std::vector<Property> out;
  out.emplace_back(kPropEcosystem, ecosystem_string(package));
  if (!package.arch.empty()) {
    out.emplace_back(kPropArch, package.arch);
  }
  if (!package.source_name.empty()) {
    out.emplace_back(kPropSourceName, package.source_name);
  }
  if (!package.source_version.empty()) {
    out.emplace_back(kPropSourceVersion, package.source_version);
  }
  for (const auto& location : package.locations) {
    out.emplace_back(kPropLocation, location);
  }
  if (!package.layer_digest.empty()) {
    out.emplace_back(kPropLayer, package.layer_digest);
  }
  if (!package.owner_purl.empty()) {
    out.emplace_back(kPropOwnedBy, package.owner_purl);
  }
  return out;
}

std::vector<std::pair<size_t, std::vector<size_t>>> ownership_edges(
    const model::Inventory& inventory) {
  std::map<std::string_view, size_t> by_purl;
  for (size_t idx = 0; idx < inventory.packages.size(); ++idx) {
    const auto& package = inventory.packages[idx];
    if (model::is_os_ecosystem(package.ecosystem) && !package.purl.empty()) {
      by_purl.emplace(package.purl, idx);
    }
  }
  std::map<size_t, std::vector<size_t>> owned;
  for (size_t idx = 0; idx < inventory.packages.size(); ++idx) {
    const auto& owner_purl = inventory.packages[idx].owner_purl;
    if (owner_purl.empty()) {
      continue;
    }
    const auto owner = by_purl.find(owner_purl);
    if (owner != by_purl.end() && owner->second != idx) {
      owned[owner->second].push_back(idx);
    }
  }
  return {owned.begin(), owned.end()};
}

std::vector<Property> os_properties(const model::OsIdentity& os) {
  std::vector<Property> out;
  if (!os.codename.empty()) {
    out.emplace_back(kPropOsCodename, os.codename);
  }
  if (!os.kernel_release.empty()) {
    out.emplace_back(kPropOsKernel, os.kernel_release);
  }
  if (os.end_of_life) {
    out.emplace_back(kPropOsEndOfLife, "true");
  }
  return out;
}

std::optional<std::string> sha256_hex_of(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.size() != kPrefix.size() + 64 || digest.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  std::string hex = to_lower(digest.substr(kPrefix.size()));
  for (const char c : hex) {
    if (!is_digit(c) && !(c >= 'a' && c <= 'f')) {
      return std::nullopt;
    }
  }
  return hex;
}

std::string dump(const OrderedJson& json) {
  return json.dump(2, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

}  // namespace internal
}  // namespace vigil::exporter
