// read_sbom(): format detection, the nesting guard and typed JSON access for both readers.
#include "export/sbom_reader.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"
#include "export/internal/reader.hpp"

namespace vigil::exporter {
namespace internal {
namespace {

// Documents nested deeper than this are rejected before the parser sees them, so no later
// recursive walk (ours or the library's printing and destruction) can exhaust the stack.
constexpr std::size_t kMaxNesting = 200;

Error wrong_type(std::string_view where, std::string_view key, std::string_view expected,
                 const Json& value) {
  return Error::parse("{}: expected {}, got {}", member_path(where, key), expected,
                      value.type_name());
}

const Json* member(const Json& object, std::string_view key) {
  const auto it = object.find(std::string(key));
  if (it == object.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

}  // namespace

std::string member_path(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}

Result<std::optional<std::string>> get_string(const Json& object, std::string_view key,
                                              std::string_view where) {
  const Json* value = member(object, key);
  if (value == nullptr) {
    return std::optional<std::string>{};
  }
  if (!value->is_string()) {
    return fail(wrong_type(where, key, "a string", *value));
  }
  return std::optional<std::string>{value->get_ref<const std::string&>()};
}

Result<const Json*> get_array(const Json& object, std::string_view key, std::string_view where) {
  const Json* value = member(object, key);
  if (value != nullptr && !value->is_array()) {
    return fail(wrong_type(where, key, "an array", *value));
  }
  return value;
}

Result<const Json*> get_object(const Json& object, std::string_view key, std::string_view where) {
  const Json* value = member(object, key);
  if (value != nullptr && !value->is_object()) {
    return fail(wrong_type(where, key, "an object", *value));
  }
  return value;
}

}  // namespace internal

Result<ReadSbom> read_sbom(std::string_view json) {
  if (!json_nesting_within(json, internal::kMaxNesting)) {
    return fail(Error::parse("SBOM: JSON nested deeper than {} levels", internal::kMaxNesting));
  }
  internal::Json root;
  try {
    root = internal::Json::parse(json.begin(), json.end());
  } catch (const internal::Json::exception& error) {
    return fail(Error::parse("SBOM: invalid JSON: {}", error.what()));
  }
  if (!root.is_object()) {
    return fail(
        Error::parse("SBOM: expected a JSON object at the top level, got {}", root.type_name()));
  }
  if (root.contains("bomFormat")) {
    return internal::read_cyclonedx(root).map_error(
        [](const Error& error) { return error.with_context("CycloneDX"); });
  }
  if (root.contains("spdxVersion")) {
    return internal::read_spdx(root).map_error(
        [](const Error& error) { return error.with_context("SPDX"); });
  }
  return fail(
      Error::unsupported("SBOM: neither CycloneDX (no bomFormat) nor SPDX (no spdxVersion) JSON"));
}

}  // namespace vigil::exporter
