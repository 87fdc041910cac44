#include "scoring/internal/vector_parser.hpp"

#include <algorithm>
#include <cassert>

namespace vigil::scoring::internal {
namespace {

constexpr size_t kMaxQuoted = 40;

std::string join_values(const MetricSpec& spec) {
  std::string joined;
  for (const std::string_view value : spec.values) {
    if (value.empty()) {
      break;
    }
    if (!joined.empty()) {
      joined += ", ";
    }
    joined += value;
  }
  return joined;
}

std::string missing_mandatory(std::span<const MetricSpec> specs, std::span<const int8_t> found) {
  std::string missing;
  for (size_t metric = 0; metric < specs.size(); ++metric) {
    if (specs[metric].mandatory && found[metric] == kAbsent) {
      if (!missing.empty()) {
        missing += ", ";
      }
      missing += specs[metric].name;
    }
  }
  return missing;
}

}  // namespace

std::string quoted(std::string_view text) {
  std::string out = "\"";
  const size_t shown = std::min(text.size(), kMaxQuoted);
  for (size_t pos = 0; pos < shown; ++pos) {
    const char c = text[pos];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > kMaxQuoted) {
    out += "...";
  }
  out += '"';
  return out;
}

Result<void> parse_metrics(std::string_view body, std::span<const MetricSpec> specs,
                           Ordering ordering, std::string_view label,
                           std::span<int8_t> value_index) {
  assert(value_index.size() == specs.size() && "one slot per metric");
  std::fill(value_index.begin(), value_index.end(), kAbsent);
  if (body.empty()) {
    return fail(Error::parse("{} vector has no metrics", label));
  }
  size_t previous_metric = specs.size();  // none yet
  size_t component_number = 0;
  size_t start = 0;
  while (true) {
    const size_t slash = body.find('/', start);
    const std::string_view component = body.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    ++component_number;
    if (component.empty()) {
      return fail(
          Error::parse("{} vector: component {} is empty (stray '/')", label, component_number));
    }
    const size_t colon = component.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        component.find(':', colon + 1) != std::string_view::npos) {
      return fail(Error::parse("{} vector: malformed component {} (expected METRIC:VALUE)", label,
                               quoted(component)));
    }
    const std::string_view name = component.substr(0, colon);
    const std::string_view value = component.substr(colon + 1);
    const auto spec = std::find_if(specs.begin(), specs.end(),
                                   [name](const MetricSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      return fail(Error::parse("{} vector: unknown metric {}", label, quoted(name)));
    }
    const auto metric = static_cast<size_t>(spec - specs.begin());
    if (value_index[metric] != kAbsent) {
      return fail(Error::parse("{} vector: duplicate metric {}", label, spec->name));
    }
    if (ordering == Ordering::kSpecOrder && previous_metric != specs.size() &&
        metric < previous_metric) {
      return fail(Error::parse(
          "{} vector: metric {} is out of order (the specification requires it before {})", label,
          spec->name, specs[previous_metric].name));
    }
    const auto allowed = std::find(spec->values.begin(), spec->values.end(), value);
    if (value.empty() || allowed == spec->values.end()) {
      return fail(Error::parse("{} vector: invalid value {} for metric {} (expected one of {})",
                               label, quoted(value), spec->name, join_values(*spec)));
    }
    value_index[metric] = static_cast<int8_t>(allowed - spec->values.begin());
    previous_metric = metric;
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  const std::string missing = missing_mandatory(specs, value_index);
  if (!missing.empty()) {
    return fail(Error::parse("{} vector: missing mandatory base metric(s) {}", label, missing));
  }
  return {};
}

}  // namespace vigil::scoring::internal
