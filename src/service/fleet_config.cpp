#include "service/fleet_config.hpp"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <variant>

#include "core/strings.hpp"

namespace vigil::service {
namespace {

using Strings = std::vector<std::string>;
using Value = std::variant<std::string, std::int64_t, bool, Strings>;

std::string_view type_name(const Value& value) {
  switch (value.index()) {
    case 0:
      return "string";
    case 1:
      return "integer";
    case 2:
      return "boolean";
    default:
      return "array of strings";
  }
}

// A cursor over one line's value text.
class ValueReader {
 public:
  ValueReader(std::string_view text, std::string_view where) : text_(text), where_(where) {}

  Result<Value> read() {
    skip_space();
    if (pos_ >= text_.size()) {
      return fail(error("missing value"));
    }
    Value value;
    const char first = text_[pos_];
    if (first == '"') {
      VIGIL_ASSIGN_OR_RETURN(value, read_string());
    } else if (first == '[') {
      VIGIL_ASSIGN_OR_RETURN(value, read_array());
    } else if (text_.substr(pos_).starts_with("true")) {
      pos_ += 4;
      value = true;
    } else if (text_.substr(pos_).starts_with("false")) {
      pos_ += 5;
      value = false;
    } else {
      VIGIL_ASSIGN_OR_RETURN(value, read_integer());
    }
    skip_space();
    if (pos_ < text_.size() && text_[pos_] != '#') {
      return fail(error(fmt::format("unexpected '{}' after the value", text_.substr(pos_))));
    }
    return value;
  }

 private:
  Error error(std::string_view message) const {
    return Error::parse("{}: {}", where_, message);
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  Result<std::string> read_string() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return fail(error("control character in string"));
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) {
        break;
      }
      const char escaped = text_[pos_++];
      switch (escaped) {
        case '"':
        case '\\':
          out += escaped;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        default:
          return fail(error(fmt::format("unsupported escape \\{}", escaped)));
      }
    }
    return fail(error("unterminated string"));
  }
  Result<std::int64_t> read_integer() {
    const size_t start = pos_;
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) {
      ++pos_;
    }
    while (pos_ < text_.size() && ((text_[pos_] >= '0' && text_[pos_] <= '9') || text_[pos_] == '_')) {
      ++pos_;
    }
    std::string digits;
    for (char c : text_.substr(start, pos_ - start)) {
      if (c != '_' && c != '+') {
        digits += c;
      }
    }
    if (digits.empty() || digits == "-") {
      return fail(error(fmt::format("expected a value, found '{}'", text_.substr(start))));
    }
    std::int64_t number = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return fail(error(fmt::format("integer '{}' out of range", digits)));
    }
    return number;
  }
  Result<Strings> read_array() {
    ++pos_;  // '['
    Strings items;
    while (true) {
      skip_space();
      if (pos_ >= text_.size()) {
        return fail(error("unterminated array (arrays must fit on one line)"));
      }
      if (text_[pos_] == ']') {
        ++pos_;
        return items;
      }
      if (text_[pos_] != '"') {
        return fail(error("arrays may only hold strings"));
      }
      VIGIL_ASSIGN_OR_RETURN(auto item, read_string());
      items.push_back(std::move(item));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < text_.size() && text_[pos_] != ']') {
        return fail(error("expected ',' or ']' in array"));
      }
    }
  }

  std::string_view text_;
  std::string_view where_;
  size_t pos_ = 0;
};

// How one key lands in the config: its expected type and the assignment.
struct KeySpec {
  std::size_t type_index;  // index into Value
  std::function<Result<void>(FleetConfig&, const Value&)> apply;
};

template <class Member>
KeySpec string_key(Member member) {
  return {0, [member](FleetConfig& config, const Value& value) -> Result<void> {
            config.*member = std::get<std::string>(value);
            return {};
          }};
}
KeySpec path_key(std::filesystem::path FleetConfig::*member) {
  return {0, [member](FleetConfig& config, const Value& value) -> Result<void> {
            config.*member = std::get<std::string>(value);
            return {};
          }};
}
KeySpec integer_key(std::function<void(FleetConfig&, std::int64_t)> set, std::int64_t low,
                    std::int64_t high) {
  return {1, [set, low, high](FleetConfig& config, const Value& value) -> Result<void> {
            const auto number = std::get<std::int64_t>(value);
            if (number < low || number > high) {
              return fail(Error::parse("value {} out of range [{}, {}]", number, low, high));
            }
            set(config, number);
            return {};
          }};
}

const std::map<std::string, KeySpec>& key_specs() {
  static const std::map<std::string, KeySpec> specs = [] {
    std::map<std::string, KeySpec> out;
    out.emplace("data_dir", path_key(&FleetConfig::data_dir));
    out.emplace("vulndb_dir", path_key(&FleetConfig::vulndb_dir));
    out.emplace("events_file", path_key(&FleetConfig::events_file));
    out.emplace("region", string_key(&FleetConfig::region));
    out.emplace("workers", integer_key([](FleetConfig& c, std::int64_t v) {
                  c.workers = static_cast<int>(v);
                }, 0, 64));
    out.emplace("stale_after_hours", integer_key([](FleetConfig& c, std::int64_t v) {
                  c.stale_after_hours = v;
                }, 1, 24 * 3650));
    out.emplace("organization.id", string_key(&FleetConfig::organization_id));
    out.emplace("organization.management_account", string_key(&FleetConfig::management_account));
    out.emplace("organization.delegated_admin", string_key(&FleetConfig::delegated_admin));
    out.emplace("organization.auto_enable",
                KeySpec{3, [](FleetConfig& config, const Value& value) -> Result<void> {
                          VIGIL_ASSIGN_OR_RETURN(config.auto_enable,
                                                 parse_scan_types(std::get<Strings>(value)));
                          return {};
                        }});
    out.emplace("ecr.rescan_duration", string_key(&FleetConfig::ecr_rescan_duration));
    const auto sla = [](int SlaPolicy::*member) {
      return integer_key([member](FleetConfig& c, std::int64_t v) {
        c.sla.*member = static_cast<int>(v);
      }, 1, 3650);
    };
    out.emplace("sla.critical_days", sla(&SlaPolicy::critical_days));
    out.emplace("sla.high_days", sla(&SlaPolicy::high_days));
    out.emplace("sla.medium_days", sla(&SlaPolicy::medium_days));
    out.emplace("sla.low_days", sla(&SlaPolicy::low_days));
    out.emplace("vulndb.poll_seconds", integer_key([](FleetConfig& c, std::int64_t v) {
                  c.vulndb_poll_seconds = v;
                }, 1, 7 * 24 * 3600));
    out.emplace("vulndb.update_sources", path_key(&FleetConfig::update_sources));
    out.emplace("vulndb.update_interval_hours", integer_key([](FleetConfig& c, std::int64_t v) {
                  c.update_interval_hours = v;
                }, 1, 24 * 365));
    return out;
  }();
  return specs;
}

const std::set<std::string>& sections() {
  static const std::set<std::string> names{"organization", "ecr", "sla", "vulndb"};
  return names;
}

bool is_bare_key(std::string_view key) {
  if (key.empty()) {
    return false;
  }
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_account_id(std::string_view text) {
  if (text.size() != 12) {
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

Result<store::ScanTypes> parse_scan_types(const std::vector<std::string>& names) {
  store::ScanTypes types;
  for (const auto& name : names) {
    if (name == "EC2") {
      types.ec2 = true;
    } else if (name == "ECR") {
      types.ecr = true;
    } else if (name == "LAMBDA") {
      types.lambda = true;
    } else if (name == "LAMBDA_CODE") {
      types.lambda_code = true;
    } else {
      return fail(Error::invalid_argument(
          "unknown scan type '{}' (expected EC2, ECR, LAMBDA or LAMBDA_CODE)", name));
    }
  }
  return types;
}

std::vector<std::string> scan_type_names(const store::ScanTypes& types) {
  std::vector<std::string> names;
  if (types.ec2) {
    names.emplace_back("EC2");
  }
  if (types.ecr) {
    names.emplace_back("ECR");
  }
  if (types.lambda) {
    names.emplace_back("LAMBDA");
  }
  if (types.lambda_code) {
    names.emplace_back("LAMBDA_CODE");
  }
  return names;
}

Result<int> rescan_duration_days(std::string_view duration) {
  static const std::map<std::string, int, std::less<>> kDays{
      {"LIFETIME", 0}, {"DAYS_14", 14}, {"DAYS_30", 30},
      {"DAYS_60", 60}, {"DAYS_90", 90}, {"DAYS_180", 180}};
  const auto it = kDays.find(duration);
  if (it == kDays.end()) {
    return fail(Error::invalid_argument(
        "unknown rescan duration '{}' (expected LIFETIME, DAYS_14, DAYS_30, DAYS_60, DAYS_90 or "
        "DAYS_180)",
        duration));
  }
  return it->second;
}

Result<void> validate_fleet_config(const FleetConfig& config) {
  if (config.workers < 0 || config.workers > 64) {
    return fail(Error::invalid_argument("workers: {} is outside 0-64", config.workers));
  }
  if (config.stale_after_hours < 1) {
    return fail(Error::invalid_argument("stale_after_hours: must be at least 1"));
  }
  if (config.region.empty()) {
    return fail(Error::invalid_argument("region: must not be empty"));
  }
  for (const auto& [name, id] : {std::pair{"organization.management_account",
                                           &config.management_account},
                                 std::pair{"organization.delegated_admin",
                                           &config.delegated_admin}}) {
    if (!id->empty() && !is_account_id(*id)) {
      return fail(Error::invalid_argument("{}: '{}' is not a 12-digit account id", name, *id));
    }
  }
  if (!config.organization_id.empty()) {
    const std::string_view id = config.organization_id;
    bool valid = id.starts_with("o-") && id.size() >= 12 && id.size() <= 34;
    for (size_t pos = 2; valid && pos < id.size(); ++pos) {
      valid = (id[pos] >= 'a' && id[pos] <= 'z') || (id[pos] >= '0' && id[pos] <= '9');
    }
    if (!valid) {
      return fail(Error::invalid_argument(
          "organization.id: '{}' is not an organisation id (o-[a-z0-9]{{10,32}})", id));
    }
  }
  if (const auto days = rescan_duration_days(config.ecr_rescan_duration); !days) {
    return fail(days.error().with_context("ecr.rescan_duration"));
  }
  for (const auto& [name, days] :
       {std::pair{"sla.critical_days", config.sla.critical_days},
        std::pair{"sla.high_days", config.sla.high_days},
        std::pair{"sla.medium_days", config.sla.medium_days},
        std::pair{"sla.low_days", config.sla.low_days}}) {
    if (days < 1 || days > 3650) {
      return fail(Error::invalid_argument("{}: {} is outside 1-3650", name, days));
    }
  }
  if (config.vulndb_poll_seconds < 1 || config.update_interval_hours < 1) {
    return fail(Error::invalid_argument("vulndb: intervals must be positive"));
  }
  return {};
}

Result<FleetConfig> parse_fleet_config(std::string_view text, std::string_view name,
                                       FleetConfig base) {
  FleetConfig config = std::move(base);
  std::string section;
  std::set<std::string> seen_keys;
  std::set<std::string> seen_sections;
  size_t line_number = 0;
  for (const auto raw_line : split(text, '\n')) {
    ++line_number;
    const std::string where = fmt::format("{}:{}", name, line_number);
    const std::string_view line = trim(raw_line);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (line.front() == '[') {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) {
        return fail(Error::parse("{}: unterminated section header", where));
      }
      const std::string_view rest = trim(line.substr(close + 1));
      if (!rest.empty() && rest.front() != '#') {
        return fail(Error::parse("{}: unexpected text after the section header", where));
      }
      section = std::string(trim(line.substr(1, close - 1)));
      if (!sections().contains(section)) {
        return fail(Error::parse("{}: unknown section [{}]", where, section));
      }
      if (!seen_sections.insert(section).second) {
        return fail(Error::parse("{}: section [{}] appears twice", where, section));
      }
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return fail(Error::parse("{}: expected 'key = value'", where));
    }
    const std::string_view bare = trim(line.substr(0, equals));
    if (!is_bare_key(bare)) {
      return fail(Error::parse("{}: invalid key '{}'", where, bare));
    }
    const std::string key = section.empty() ? std::string(bare) : section + "." + std::string(bare);
    const auto spec = key_specs().find(key);
    if (spec == key_specs().end()) {
      return fail(Error::parse("{}: unknown key '{}'", where, key));
    }
    if (!seen_keys.insert(key).second) {
      return fail(Error::parse("{}: key '{}' appears twice", where, key));
    }
    ValueReader reader(line.substr(equals + 1), where);
    VIGIL_ASSIGN_OR_RETURN(const Value value, reader.read());
    if (value.index() != spec->second.type_index) {
      static const Value kExpected[] = {std::string(), std::int64_t{0}, false, Strings()};
      return fail(Error::parse("{}: '{}' must be a {}, not a {}", where, key,
                               type_name(kExpected[spec->second.type_index]), type_name(value)));
    }
    if (auto applied = spec->second.apply(config, value); !applied) {
      return fail(Error::parse("{}: '{}': {}", where, key, applied.error().message));
    }
  }
  if (auto valid = validate_fleet_config(config); !valid) {
    return fail(Error::parse("{}: {}", name, valid.error().message));
  }
  return config;
}

Result<FleetConfig> load_fleet_config(const std::filesystem::path& path, FleetConfig base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::io("{}: cannot read the configuration file", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return fail(Error::io("{}: read error", path.string()));
  }
  return parse_fleet_config(text.str(), path.string(), std::move(base));
}

}  // namespace vigil::service
