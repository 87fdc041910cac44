#include "store/internal/cursor.hpp"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace vigil::store::internal {

namespace {

using nlohmann::json;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  }
  return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
  std::array<int, 256> lookup{};
  lookup.fill(-1);
  for (std::size_t index = 0; index < kAlphabet.size(); ++index) {
    lookup[static_cast<unsigned char>(kAlphabet[index])] = static_cast<int>(index);
  }
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = lookup[static_cast<unsigned char>(c)];
    if (value < 0) {
      return std::nullopt;
    }
    buffer = ((buffer << 6) | static_cast<std::uint32_t>(value)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::string encode_cursor(std::string_view tag, const std::vector<Value>& key) {
  json array = json::array();
  array.push_back(tag);
  for (const auto& value : key) {
    std::visit(
        [&](const auto& held) {
          using T = std::decay_t<decltype(held)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            array.push_back(nullptr);
          } else {
            array.push_back(held);
          }
        },
        value);
  }
  return base64url(array.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<std::vector<Value>> decode_cursor(std::string_view cursor, std::string_view tag,
                                         std::size_t size) {
  const auto invalid = [] { return fail(Error::invalid_argument("invalid pagination token")); };
  const auto bytes = unbase64url(cursor);
  if (!bytes) {
    return invalid();
  }
  const json array = json::parse(*bytes, nullptr, false);
  if (array.is_discarded() || !array.is_array() || array.size() != size + 1 ||
      !array[0].is_string() || array[0].get_ref<const std::string&>() != tag) {
    return invalid();
  }
  std::vector<Value> key;
  for (std::size_t index = 1; index < array.size(); ++index) {
    const json& item = array[index];
    if (item.is_null()) {
      key.emplace_back(nullptr);
    } else if (item.is_number_integer()) {
      key.emplace_back(item.get<std::int64_t>());
    } else if (item.is_number()) {
      key.emplace_back(item.get<double>());
    } else if (item.is_string()) {
      key.emplace_back(item.get<std::string>());
    } else {
      return invalid();
    }
  }
  return key;
}

}  // namespace vigil::store::internal
