// Test support for the operation-group tests (ops_*_test.cpp): a fleet service on a temporary
// data directory with the sample advisories, an organisation (management 444..., delegated
// administrator 111..., members 222... and 333... with scanned sample inventories), keys for
// each role, and a dispatcher that signs requests like botocore.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/dispatcher.hpp"
#include "api/internal/time.hpp"
#include "api/keys.hpp"
#include "service/fleet_test_support.hpp"

namespace vigil::api::testing {

inline constexpr const char* kMgmt = "444444444444";
inline constexpr const char* kAdmin = "111111111111";
inline constexpr const char* kMemberA = "222222222222";
inline constexpr const char* kMemberB = "333333333333";

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto db_dir = dir_.path() / "vulndb";
    {
      auto db = vulndb::Database::open(db_dir, true);
      ASSERT_TRUE(db.has_value()) << db.error().message;
      std::vector<std::filesystem::path> paths;
      for (const auto& entry :
           std::filesystem::directory_iterator(service::testing::kSamples + "/advisories")) {
        paths.push_back(entry.path());
      }
      const auto summary = vulndb::import_paths(**db, paths);
      ASSERT_TRUE(summary.has_value()) << summary.error().message;
    }
    service::FleetConfig config;
    config.data_dir = dir_.path() / "data";
    config.vulndb_dir = db_dir;
    config.workers = 0;
    config.organization_id = "o-abcdefghij";
    config.management_account = kMgmt;
    config.delegated_admin = kAdmin;
    service::FleetOptions options;
    options.scheduler = false;
    auto fleet = service::FleetService::open(config, std::move(options));
    ASSERT_TRUE(fleet.has_value()) << fleet.error().message;
    fleet_ = std::move(*fleet);
    auto vault = KeyVault::open(config.data_dir);
    ASSERT_TRUE(vault.has_value()) << vault.error().message;
    vault_ = std::move(*vault);
    for (const auto& [name, account, role] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"admin", kAdmin, "admin"},
             {"mgmt", kMgmt, "admin"},
             {"a", kMemberA, "member"},
             {"b", kMemberB, "member"},
             {"a_admin", kMemberA, "admin"},
             {"ro", kAdmin, "readonly"},
             {"ro_a", kMemberA, "readonly"}}) {
      auto key = vault_->create(fleet_->store(), account, role);
      ASSERT_TRUE(key.has_value()) << key.error().message;
      keys_[name] = *key;
    }
    const auto inventory = service::testing::sample_inventory();
    for (const auto& [instance, account] : std::vector<std::pair<std::string, std::string>>{
             {"i-0aaaaaaaaaaaaaaa1", kMemberA}, {"i-0bbbbbbbbbbbbbbb1", kMemberB}}) {
      const auto ingested = fleet_->ingest_agent_document(
          service::testing::agent_document(instance, account, inventory, {{"env", "prod"}}));
      ASSERT_TRUE(ingested.has_value()) << ingested.error().message;
    }
    ASSERT_TRUE(fleet_->run_pending().has_value());
    ApiContext context;
    context.store = &fleet_->store();
    context.fleet = fleet_.get();
    context.keys = vault_.get();
    DispatcherOptions dispatcher_options;
    dispatcher_options.log = [](std::string_view) {};
    dispatcher_ = std::make_unique<Dispatcher>(context, default_registry(), dispatcher_options);
  }

  void TearDown() override {
    dispatcher_.reset();
    if (fleet_) {
      fleet_->stop();
    }
  }

  struct Sent {
    int status = 0;
    std::string type;
    nlohmann::json body;
  };

  Sent send(const std::string& key, const std::string& target, const std::string& body = "{}",
            const std::string& method = "POST") {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    std::vector<Header> headers = {{"Content-Type", "application/json"},
                                   {"Host", "127.0.0.1:8080"},
                                   {"X-Amz-Date", internal::format_amz_date(now)}};
    const ResolvedKey& resolved = keys_.at(key);
    const auto authorization =
        sign_request(RequestParts{method, target, headers, body},
                     SigningKey{resolved.access_key_id, resolved.secret}, now);
    EXPECT_TRUE(authorization.has_value());
    headers.push_back({"Authorization", authorization.value_or("")});
    const HttpResponse raw = dispatcher_->handle(RequestParts{method, target, headers, body});
    Sent sent;
    sent.status = raw.status;
    for (const Header& header : raw.headers) {
      if (header.name == "x-amzn-ErrorType") {
        sent.type = header.value;
      }
    }
    sent.body = nlohmann::json::parse(raw.body, nullptr, false);
    return sent;
  }

  std::filesystem::path data_dir() const { return dir_.path() / "data"; }

  vigil::testing::TempDir dir_;
  std::unique_ptr<service::FleetService> fleet_;
  std::unique_ptr<KeyVault> vault_;
  std::map<std::string, ResolvedKey> keys_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace vigil::api::testing
