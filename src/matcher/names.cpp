#include "core/strings.hpp"
#include "matcher/matcher.hpp"

namespace vigil::matcher {

std::string normalize_name(model::Ecosystem ecosystem, std::string_view name) {
  switch (ecosystem) {
    case model::Ecosystem::kPyPI: {
      // PEP 503: lower case, and every run of '-', '_' and '.' becomes one '-'.
      std::string out;
      out.reserve(name.size());
      bool in_separator = false;
      for (char c : trim(name)) {
        if (c == '-' || c == '_' || c == '.') {
          in_separator = true;
          continue;
        }
        if (in_separator && !out.empty()) {
          out += '-';
        }
        in_separator = false;
        out += to_lower(c);
      }
      return out;
    }
    case model::Ecosystem::kNuGet:
    case model::Ecosystem::kPackagist:
      return to_lower(trim(name));
    default:
      return std::string(trim(name));
  }
}

std::string normalize_release(model::Ecosystem ecosystem, std::string_view release) {
  std::string_view text = trim(release);
  if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    text = text.substr(0, colon);  // "22.04:LTS"
  }
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) {
    text.remove_prefix(1);
  }
  const auto keep_parts = [&text](int parts) {
    size_t pos = 0;
    for (int part = 0; part < parts; ++part) {
      pos = text.find('.', pos);
      if (pos == std::string_view::npos) {
        return std::string(text);
      }
      if (part + 1 < parts) {
        ++pos;
      }
    }
    return std::string(text.substr(0, pos));
  };
  switch (ecosystem) {
    case model::Ecosystem::kAlpine:
    case model::Ecosystem::kUbuntu:
      return keep_parts(2);
    case model::Ecosystem::kDebian:
    case model::Ecosystem::kAmazonLinux:
    case model::Ecosystem::kRedHat:
    case model::Ecosystem::kAlmaLinux:
    case model::Ecosystem::kRocky:
      return keep_parts(1);
    default:
      return std::string(text);
  }
}

}  // namespace vigil::matcher
