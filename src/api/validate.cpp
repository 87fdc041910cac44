#include "api/validate.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace vigil::api {
namespace {

constexpr std::size_t kMaxReportedFields = 10;
// Inspector's input shapes nest a handful of levels; anything deeper is not a valid request.
constexpr int kMaxDepth = 16;

using Fields = std::vector<std::pair<std::string, std::string>>;

std::size_t utf8_length(const std::string& text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
      ++count;
    }
  }
  return count;
}

std::string format_bound(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  return fmt::format("{}", value);
}

class Validator {
 public:
  void check(std::uint16_t shape_index, const nlohmann::json& value, const std::string& path,
             int depth) {
    if (fields_.size() >= kMaxReportedFields) {
      return;
    }
    if (depth > kMaxDepth) {
      add(path, "nesting too deep");
      return;
    }
    const spec::Shape& shape = spec::shape(shape_index);
    switch (shape.type) {
      case spec::ShapeType::kStructure:
        check_structure(shape, value, path, depth);
        return;
      case spec::ShapeType::kList:
        if (!value.is_array()) {
          add(path, "must be a list");
          return;
        }
        check_size(shape, value.size(), path, "list length");
        for (std::size_t index = 0; index < value.size(); ++index) {
          if (value[index].is_null()) {
            add(fmt::format("{}[{}]", path, index), "must not be null");
            continue;
          }
          check(shape.element, value[index], fmt::format("{}[{}]", path, index), depth + 1);
        }
        return;
      case spec::ShapeType::kMap:
        if (!value.is_object()) {
          add(path, "must be a map");
          return;
        }
        check_size(shape, value.size(), path, "map size");
        for (const auto& [key, item] : value.items()) {
          const std::string item_path = fmt::format("{}.{}", path, key);
          check(shape.key, nlohmann::json(key), item_path, depth + 1);
          if (item.is_null()) {
            add(item_path, "must not be null");
            continue;
          }
          check(shape.element, item, item_path, depth + 1);
        }
        return;
      case spec::ShapeType::kString:
      case spec::ShapeType::kBlob:
        check_string(shape, value, path);
        return;
      case spec::ShapeType::kInteger:
      case spec::ShapeType::kLong:
        check_integer(shape, value, path);
        return;
      case spec::ShapeType::kDouble:
        if (!value.is_number()) {
          add(path, "must be a number");
          return;
        }
        check_range(shape, value.get<double>(), path);
        return;
      case spec::ShapeType::kBoolean:
        if (!value.is_boolean()) {
          add(path, "must be a boolean");
        }
        return;
      case spec::ShapeType::kTimestamp:
        if (!timestamp_ms(value)) {
          add(path, "must be a timestamp (epoch seconds or ISO-8601)");
        }
        return;
    }
  }

  Fields take() { return std::move(fields_); }

 private:
  void add(const std::string& path, std::string message) {
    if (fields_.size() < kMaxReportedFields) {
      fields_.emplace_back(path.empty() ? "(request)" : path, std::move(message));
    }
  }

  static std::string join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : fmt::format("{}.{}", path, name);
  }

  void check_structure(const spec::Shape& shape, const nlohmann::json& value,
                       const std::string& path, int depth) {
    if (!value.is_object()) {
      add(path, "must be a structure (JSON object)");
      return;
    }
    std::size_t present = 0;
    for (const auto& [name, item] : value.items()) {
      const spec::Member* member = spec::find_member(shape, name);
      if (member == nullptr) {
        add(join(path, name), "unknown member");
        continue;
      }
      if (item.is_null()) {
        continue;
      }
      ++present;
      check(member->shape, item, join(path, name), depth + 1);
    }
    for (const spec::Member& member : spec::members(shape)) {
      if (!member.required) {
        continue;
      }
      const auto found = value.find(std::string(member.name));
      if (found == value.end() || found->is_null()) {
        add(join(path, member.name), "required member is missing");
      }
    }
    if (shape.is_union && present != 1) {
      add(path, fmt::format("exactly one member of {} must be set (got {})", shape.name, present));
    }
  }

  void check_size(const spec::Shape& shape, std::size_t size, const std::string& path,
                  std::string_view what) {
    const auto as_double = static_cast<double>(size);
    if (shape.has_min && as_double < shape.min) {
      add(path, fmt::format("{} must be >= {}", what, format_bound(shape.min)));
    }
    if (shape.has_max && as_double > shape.max) {
      add(path, fmt::format("{} must be <= {}", what, format_bound(shape.max)));
    }
  }

  void check_range(const spec::Shape& shape, double number, const std::string& path) {
    if (!std::isfinite(number)) {
      add(path, "must be finite");
      return;
    }
    if (shape.has_min && number < shape.min) {
      add(path, fmt::format("must be >= {}", format_bound(shape.min)));
    }
    if (shape.has_max && number > shape.max) {
      add(path, fmt::format("must be <= {}", format_bound(shape.max)));
    }
  }

  void check_string(const spec::Shape& shape, const nlohmann::json& value, const std::string& path) {
    if (!value.is_string()) {
      add(path, "must be a string");
      return;
    }
    const auto& text = value.get_ref<const std::string&>();
    const auto values = spec::enum_values(shape);
    if (!values.empty()) {
      for (const std::string_view allowed : values) {
        if (allowed == text) {
          return;
        }
      }
      std::string list;
      for (const std::string_view allowed : values) {
        list += list.empty() ? "" : ", ";
        list += allowed;
      }
      add(path, fmt::format("must be one of [{}]", list));
      return;
    }
    check_size(shape, utf8_length(text), path, "length");
  }

  void check_integer(const spec::Shape& shape, const nlohmann::json& value, const std::string& path) {
    if (!value.is_number_integer() && !value.is_number_unsigned()) {
      add(path, "must be an integer");
      return;
    }
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      add(path, "is out of range");
      return;
    }
    const auto number = value.get<std::int64_t>();
    if (shape.type == spec::ShapeType::kInteger &&
        (number > std::numeric_limits<std::int32_t>::max() ||
         number < std::numeric_limits<std::int32_t>::min())) {
      add(path, "is out of range for an integer");
      return;
    }
    check_range(shape, static_cast<double>(number), path);
  }

  Fields fields_;
};

}  // namespace

ApiResult<void> validate_input(std::uint16_t shape_index, const nlohmann::json& input) {
  Validator validator;
  validator.check(shape_index, input, "", 0);
  Fields fields = validator.take();
  if (fields.empty()) {
    return {};
  }
  std::string message = fmt::format("{} validation error{} detected: ", fields.size(),
                                    fields.size() == 1 ? "" : "s");
  for (std::size_t index = 0; index < fields.size(); ++index) {
    message += fmt::format("{}Value at '{}' failed to satisfy constraint: {}", index > 0 ? "; " : "",
                           fields[index].first, fields[index].second);
  }
  return reject(ApiError::validation(std::move(message), std::move(fields)));
}

}  // namespace vigil::api
