#include "service/fleet_config.hpp"

#include <gtest/gtest.h>

namespace vigil::service {
namespace {

TEST(FleetConfigTest, ParsesEverySetting) {
  const auto config = parse_fleet_config(R"(# vigil.toml
region = "eu-west-1"
workers = 4
stale_after_hours = 48  # two days
data_dir = "/var/lib/vigil"
events_file = "/var/log/vigil/events.jsonl"

[organization]
id = "o-abcdefghij"
management_account = "111111111111"
delegated_admin = "222222222222"
auto_enable = ["EC2", "LAMBDA"]

[ecr]
rescan_duration = "DAYS_30"

[sla]
critical_days = 3
low_days = 1_000

[vulndb]
poll_seconds = 30
update_sources = "/etc/vigil/sources.json"
update_interval_hours = 6
)",
                                         "vigil.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->region, "eu-west-1");
  EXPECT_EQ(config->workers, 4);
  EXPECT_EQ(config->stale_after_hours, 48);
  EXPECT_EQ(config->data_dir, "/var/lib/vigil");
  EXPECT_EQ(config->organization_id, "o-abcdefghij");
  EXPECT_EQ(config->delegated_admin, "222222222222");
  EXPECT_EQ(config->auto_enable, (store::ScanTypes{true, false, true, false}));
  EXPECT_EQ(config->ecr_rescan_duration, "DAYS_30");
  EXPECT_EQ(config->sla.critical_days, 3);
  EXPECT_EQ(config->sla.high_days, 14);  // default kept
  EXPECT_EQ(config->sla.low_days, 1000);
  EXPECT_EQ(config->vulndb_poll_seconds, 30);
  EXPECT_EQ(config->update_interval_hours, 6);
}

TEST(FleetConfigTest, KeepsTheBaseForAbsentKeys) {
  FleetConfig base;
  base.workers = 7;
  base.region = "ap-south-1";
  const auto config = parse_fleet_config("region = \"us-west-2\"\n", "flags", base);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->workers, 7);
  EXPECT_EQ(config->region, "us-west-2");
}

TEST(FleetConfigTest, RejectsBadInputNamingLineAndKey) {
  struct Row {
    const char* text;
    const char* expected;  // substring of the message
  };
  const Row rows[] = {
      {"region = \"a\"\nregoin = \"b\"\n", "vigil.toml:2: unknown key 'regoin'"},
      {"[sla]\nurgent_days = 1\n", "vigil.toml:2: unknown key 'sla.urgent_days'"},
      {"[nope]\n", "vigil.toml:1: unknown section [nope]"},
      {"workers = \"4\"\n", "vigil.toml:1: 'workers' must be a integer, not a string"},
      {"region = 5\n", "'region' must be a string"},
      {"workers = 4\nworkers = 5\n", "vigil.toml:2: key 'workers' appears twice"},
      {"[sla]\n[sla]\n", "section [sla] appears twice"},
      {"workers = 65\n", "out of range"},
      {"workers = 99999999999999999999999\n", "out of range"},
      {"region = \"unterminated\n", "unterminated string"},
      {"region\n", "expected 'key = value'"},
      {"region = \"a\" trailing\n", "unexpected"},
      {"[organization]\nauto_enable = [\"EC2\", \"S3\"]\n", "unknown scan type 'S3'"},
      {"[organization]\nauto_enable = [\"EC2\"\n", "unterminated array"},
      {"[organization]\ndelegated_admin = \"12\"\n", "not a 12-digit account id"},
      {"[organization]\nid = \"org-1\"\n", "not an organisation id"},
      {"[ecr]\nrescan_duration = \"DAYS_7\"\n", "unknown rescan duration"},
      {"[sla]\ncritical_days = 0\n", "out of range"},
      {"region = \"a\\q\"\n", "unsupported escape"},
      {"bad key = 1\n", "invalid key"},
  };
  for (const auto& row : rows) {
    const auto config = parse_fleet_config(row.text, "vigil.toml");
    ASSERT_FALSE(config.has_value()) << row.text;
    EXPECT_EQ(config.error().code, ErrorCode::kParse) << row.text;
    EXPECT_NE(config.error().message.find(row.expected), std::string::npos)
        << row.text << " -> " << config.error().message;
  }
}

TEST(FleetConfigTest, ScanTypesAndDurations) {
  EXPECT_EQ(scan_type_names({true, false, true, true}),
            (std::vector<std::string>{"EC2", "LAMBDA", "LAMBDA_CODE"}));
  EXPECT_EQ(parse_scan_types({"ECR"}).value(), (store::ScanTypes{false, true, false, false}));
  EXPECT_EQ(rescan_duration_days("LIFETIME").value(), 0);
  EXPECT_EQ(rescan_duration_days("DAYS_180").value(), 180);
  EXPECT_FALSE(rescan_duration_days("days_30").has_value());
  EXPECT_TRUE(is_account_id("012345678901"));
  EXPECT_FALSE(is_account_id("01234567890a"));
  EXPECT_FALSE(load_fleet_config("/nonexistent/vigil.toml").has_value());
}

}  // namespace
}  // namespace vigil::service
