// Internal: the hash key of the match index.
#pragma once

#include <string>
#include <string_view>

#include "model/ecosystem.hpp"

namespace vigil::matcher::internal {

inline std::string index_key(model::Ecosystem ecosystem, std::string_view normalized_name) {
  std::string key;
  key.reserve(normalized_name.size() + 3);
  key += static_cast<char>('A' + static_cast<int>(ecosystem));
  key += '\x1f';
  key += normalized_name;
  return key;
}

}  // namespace vigil::matcher::internal
