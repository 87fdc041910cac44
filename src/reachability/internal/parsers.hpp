// Internal: one parser per `aws` command output. Each reads the document's top-level object,
// appends what it understands to the environment, records per-item problems as diagnostics and
// returns false only when the document lacks its top-level list (so it is not that command's
// output at all).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reachability/environment.hpp"
#include "reachability/internal/json_fields.hpp"

namespace vigil::reachability::internal {

// Where parsed items go and where their problems are reported.
class ParseContext {
 public:
  ParseContext(Environment& env, std::string file) : env_(env), file_(std::move(file)) {}

  Environment& env() { return env_; }
  const std::string& file() const { return file_; }

  // Records a warning at "<file>: <where>".
  void warn(std::string_view where, std::string message);
  // Parses `text` as a CIDR block; on failure records a warning and returns nullopt.
  std::optional<Cidr> cidr(std::string_view where, std::string_view field, std::string_view text);

 private:
  Environment& env_;
  std::string file_;
};

// Limits far above AWS quotas (60 rules per group and direction by default, 1,000 at most; 20
// NACL entries per direction, 40 at most; 50 routes per table, 1,000 at most). An object over a
// limit is dropped with a warning, so that references to it become UNKNOWN: they bound the
// quadratic parts of the analysis on hostile input.
inline constexpr size_t kMaxRulesPerGroup = 2000;   // sources summed over a direction's rules
inline constexpr size_t kMaxNaclEntries = 400;      // both directions
inline constexpr size_t kMaxRoutesPerTable = 2000;

// "<list>[<index>]" when `id` is empty, else `id`: how diagnostics name an item.
std::string item_where(std::string_view list, size_t index, std::string_view id);
// Parses `text` (when not empty) into `out`; a malformed block becomes a warning.
void add_cidr(ParseContext& ctx, std::string_view where, std::string_view field,
              std::string_view text, std::vector<Cidr>& out);

bool parse_instances(const object& root, ParseContext& ctx);
bool parse_network_interfaces(const object& root, ParseContext& ctx);
bool parse_security_groups(const object& root, ParseContext& ctx);
bool parse_network_acls(const object& root, ParseContext& ctx);
bool parse_route_tables(const object& root, ParseContext& ctx);
bool parse_subnets(const object& root, ParseContext& ctx);
bool parse_vpcs(const object& root, ParseContext& ctx);
bool parse_internet_gateways(const object& root, ParseContext& ctx);
bool parse_nat_gateways(const object& root, ParseContext& ctx);
bool parse_peering_connections(const object& root, ParseContext& ctx);
bool parse_prefix_lists(const object& root, ParseContext& ctx);
// `get-managed-prefix-list-entries --prefix-list-id <id>` output: the entries of `prefix_list_id`.
bool parse_prefix_list_entries(const object& root, std::string_view prefix_list_id,
                               ParseContext& ctx);
bool parse_load_balancers(const object& root, ParseContext& ctx);
bool parse_listeners(const object& root, ParseContext& ctx);
bool parse_target_groups(const object& root, ParseContext& ctx);
// `describe-target-health --target-group-arn <arn>` output for the group named `group_name`.
bool parse_target_health(const object& root, std::string_view group_name, ParseContext& ctx);

// Maps an IpProtocol / NACL Protocol value ("tcp", "6", "-1", "icmpv6") to its IANA number
// (-1 for all); nullopt for anything else.
std::optional<int> parse_protocol(std::string_view text);

}  // namespace vigil::reachability::internal
