// Configuration of the fleet service (`vigil serve`): a strict TOML subset file merged with
// command-line flags by the caller. Unknown sections and keys, wrong value types and malformed
// lines are errors that name the file, the line and the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace vigil::service {

// Days from firstObservedAt to the remediation due date, per severity. Informational and
// untriaged findings have no due date.
struct SlaPolicy {
  int critical_days = 7;
  int high_days = 14;
  int medium_days = 30;
  int low_days = 90;
  friend bool operator==(const SlaPolicy&, const SlaPolicy&) = default;
};

struct FleetConfig {
  std::filesystem::path data_dir;    // the store lives here (store.db)
  std::filesystem::path vulndb_dir;  // "" = <data_dir>/vulndb
  std::string region = "us-east-1";
  int workers = 2;                   // concurrent scans; 0 = none (run_pending() drives the queue)
  std::int64_t stale_after_hours = 7 * 24;  // agent silence before STALE_INVENTORY
  SlaPolicy sla;
  // Organisation (all optional: without them the service is one standalone account).
  std::string organization_id;     // "o-..."
  std::string management_account;  // 12 digits
  std::string delegated_admin;     // 12 digits
  store::ScanTypes auto_enable{true, true, true, false};  // EC2, ECR, LAMBDA on by default
  std::string ecr_rescan_duration = "LIFETIME";  // LIFETIME, DAYS_14, DAYS_30, ... DAYS_180
  // Vulnerability data: how often the vulndb directory's version is checked, and an optional
  // scheduled update from a feed sources file (vulndb/update.hpp) every `update_interval_hours`.
  std::int64_t vulndb_poll_seconds = 60;
  std::filesystem::path update_sources;
  std::int64_t update_interval_hours = 24;
  std::filesystem::path events_file;  // JSON-lines EventBridge events; "" = none
  friend bool operator==(const FleetConfig&, const FleetConfig&) = default;
};

// Parses `text` (named `name` in errors) over `base`: only the keys present change. Format:
//   region = "eu-west-1"        workers = 4          stale_after_hours = 168
//   data_dir / vulndb_dir / events_file = "path"
//   [organization] id, management_account, delegated_admin (strings), auto_enable = ["EC2", ...]
//   [ecr] rescan_duration = "DAYS_30"
//   [sla] critical_days, high_days, medium_days, low_days (integers)
//   [vulndb] poll_seconds, update_sources, update_interval_hours
// Values: "strings" (escapes \" \\ \n \t), integers, true/false, one-line arrays of strings;
// `#` starts a comment. kParse "<name>:<line>: ..." for syntax, an unknown key or section, a
// duplicate key, a wrong type or an out-of-range value; the result is also validated.
[[nodiscard]] Result<FleetConfig> parse_fleet_config(std::string_view text, std::string_view name,
                                                     FleetConfig base = {});

// Reads and parses the file at `path`. kIo when it cannot be read.
[[nodiscard]] Result<FleetConfig> load_fleet_config(const std::filesystem::path& path,
                                                    FleetConfig base = {});

// Checks ranges and formats (account ids, organisation id, durations, workers 0-64, SLA days
// 1-3650). kInvalidArgument naming the setting.
[[nodiscard]] Result<void> validate_fleet_config(const FleetConfig& config);

// Inspector scan-type names ("EC2", "ECR", "LAMBDA", "LAMBDA_CODE") to and from ScanTypes.
// kInvalidArgument names an unknown type.
[[nodiscard]] Result<store::ScanTypes> parse_scan_types(const std::vector<std::string>& names);
std::vector<std::string> scan_type_names(const store::ScanTypes& types);

// Days an ECR rescan duration keeps an image eligible ("DAYS_30" -> 30); 0 for "LIFETIME".
// kInvalidArgument for anything else.
[[nodiscard]] Result<int> rescan_duration_days(std::string_view duration);

// True for a 12-digit account id.
bool is_account_id(std::string_view text);

}  // namespace vigil::service
