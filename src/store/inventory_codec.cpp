// Decoding stored inventories with simdjson: every re-match reads one (600 packages is ~100 KB),
// so this is on the continuous-rescanning hot path. The encoder is codec.cpp's inventory_to_json.
#include <simdjson.h>

#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "store/internal/codec.hpp"

namespace vigil::store::internal {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Assigns a string member; null leaves `out` as is, any other type throws (simdjson_error).
void read(element value, std::string& out) {
  if (!value.is_null()) {
    out = std::string_view(value.get_string());
  }
}

void read(element value, std::vector<std::string>& out) {
  if (value.is_null()) {
    return;
  }
  for (const element item : value.get_array()) {
    out.emplace_back(std::string_view(item.get_string()));
  }
}

void read(element value, bool& out) {
  if (!value.is_null()) {
    out = value.get_bool();
  }
}

model::Ecosystem ecosystem_from(element value) {
  if (value.is_null()) {
    return model::Ecosystem::kGeneric;
  }
  auto parsed = model::parse_ecosystem(std::string_view(value.get_string()));
  if (!parsed) {
    throw std::invalid_argument(parsed.error().message);
  }
  return parsed->ecosystem;
}

// A string member's view ("" when absent or null); any other type throws (simdjson_error).
std::string_view view_of(object members, std::string_view key) {
  element value;
  if (members[key].get(value) != simdjson::SUCCESS || value.is_null()) {
    return {};
  }
  return value.get_string();
}

store::PackageHead head_from(object members) {
  store::PackageHead head;
  if (element value; members["ecosystem"].get(value) == simdjson::SUCCESS) {
    head.ecosystem = ecosystem_from(value);
  }
  head.name = view_of(members, "name");
  head.source_name = view_of(members, "sourceName");
  return head;
}

model::Package package_from(object members) {
  model::Package package;
  for (const auto field : members) {
    const std::string_view key = field.key;
    const element value = field.value;
    if (key == "ecosystem") {
      package.ecosystem = ecosystem_from(value);
    } else if (key == "name") {
      read(value, package.name);
    } else if (key == "version") {
      read(value, package.version);
    } else if (key == "arch") {
      read(value, package.arch);
    } else if (key == "sourceName") {
      read(value, package.source_name);
    } else if (key == "sourceVersion") {
      read(value, package.source_version);
    } else if (key == "distroRelease") {
      read(value, package.distro_release);
    } else if (key == "locations") {
      read(value, package.locations);
    } else if (key == "purl") {
      read(value, package.purl);
    } else if (key == "layerDigest") {
      read(value, package.layer_digest);
    } else if (key == "ownerPurl") {
      read(value, package.owner_purl);
    } else if (key == "cpes") {
      read(value, package.cpes);
    }
  }
  return package;
}

model::Diagnostic diagnostic_from(object members) {
  model::Diagnostic diagnostic;
  std::int64_t level = 1;
  for (const auto field : members) {
    const std::string_view key = field.key;
    if (key == "level" && !field.value.is_null()) {
      level = field.value.get_int64();
    } else if (key == "where") {
      read(field.value, diagnostic.where);
    } else if (key == "message") {
      read(field.value, diagnostic.message);
    }
  }
  diagnostic.level = level == 0   ? model::DiagnosticLevel::kInfo
                     : level == 2 ? model::DiagnosticLevel::kError
                                  : model::DiagnosticLevel::kWarning;
  return diagnostic;
}

void os_from(object members, model::OsIdentity& os) {
  for (const auto field : members) {
    const std::string_view key = field.key;
    if (key == "id") {
      read(field.value, os.id);
    } else if (key == "versionId") {
      read(field.value, os.version_id);
    } else if (key == "codename") {
      read(field.value, os.codename);
    } else if (key == "prettyName") {
      read(field.value, os.pretty_name);
    } else if (key == "kernelRelease") {
      read(field.value, os.kernel_release);
    } else if (key == "endOfLife") {
      read(field.value, os.end_of_life);
    }
  }
}

}  // namespace

Result<model::Inventory> inventory_from_json(std::string_view text) {
  return inventory_from_json(text, nullptr);
}

Result<model::Inventory> inventory_from_json(std::string_view text,
                                             const PackageSelector* select) {
  try {
    thread_local simdjson::dom::parser parser;
    const object root = parser.parse(simdjson::padded_string(text)).get_object();
    model::Inventory inventory;
    for (const auto field : root) {
      const std::string_view key = field.key;
      if (key == "target") {
        read(field.value, inventory.target);
      } else if (key == "os" && !field.value.is_null()) {
        os_from(field.value.get_object(), inventory.os);
      } else if (key == "packages" && !field.value.is_null()) {
        std::optional<std::set<std::string>> names;
        if (select != nullptr) {
          std::vector<store::PackageHead> heads;
          for (const element item : field.value.get_array()) {
            heads.push_back(head_from(item.get_object()));
          }
          names = (*select)(heads);
        }
        for (const element item : field.value.get_array()) {
          const object members = item.get_object();
          if (names && !names->contains(std::string(view_of(members, "name")))) {
            continue;
          }
          inventory.packages.push_back(package_from(members));
        }
      } else if (key == "diagnostics" && !field.value.is_null()) {
        for (const element item : field.value.get_array()) {
          inventory.diagnostics.push_back(diagnostic_from(item.get_object()));
        }
      } else if (key == "complete") {
        read(field.value, inventory.complete);
      }
    }
    return inventory;
  } catch (const std::exception& error) {
    return fail(Error::parse("stored inventory: {}", error.what()));
  }
}

}  // namespace vigil::store::internal
