// Test support for the fleet service tests: a vulnerability database built from the repository's
// sample advisories, agent documents made from the sample root filesystem's real inventory, and
// a service on a temporary data directory with a controllable clock.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "inventory/agent_document.hpp"
#include "inventory/cataloger.hpp"
#include "service/fleet_service.hpp"
#include "sources/digest.hpp"
#include "sources/file_tree.hpp"
#include "support/temp_dir.hpp"
#include "vulndb/database.hpp"

namespace vigil::service::testing {

inline const std::string kSamples = std::string(VIGIL_SOURCE_DIR) + "/samples";
inline constexpr store::Timestamp kT0 = 1'760'000'000'000;  // 2025-10-09
inline constexpr store::Timestamp kDay = 24LL * 3600 * 1000;
inline constexpr const char* kAccountA = "111111111111";
inline constexpr const char* kAccountB = "222222222222";
inline constexpr const char* kAdmin = "999999999999";
inline constexpr const char* kCurlCve = "CVE-2023-38545";      // curl 7.88.1-10+deb12u3 (DSA-5523-1)
inline constexpr const char* kRequestsCve = "CVE-2023-32681";  // requests 2.28.1 (GHSA-j8r2-...)

// The sample rootfs inventory (Debian 12: curl/libcurl4 7.88.1-10+deb12u3, requests, lodash...).
inline model::Inventory sample_inventory() {
  static const model::Inventory inventory = [] {
    auto tree = sources::open_directory(kSamples + "/rootfs").value();
    const auto catalogers = inventory::default_catalogers();
    auto result = inventory::catalog(*tree, catalogers);
    result.target = "/";
    return result;
  }();
  return inventory;
}

// Sets every package named `name` (or built from source `name`) to `version`.
inline void set_version(model::Inventory& inventory, const std::string& name,
                        const std::string& version) {
  for (auto& package : inventory.packages) {
    if (package.name == name || package.source_name == name) {
      package.version = version;
      if (!package.source_version.empty()) {
        package.source_version = version;
      }
    }
  }
}

inline void remove_package(model::Inventory& inventory, const std::string& name) {
  std::erase_if(inventory.packages,
                [&](const model::Package& package) { return package.name == name; });
}

inline std::string agent_document(const std::string& instance_id, const std::string& account,
                                  const model::Inventory& inventory,
                                  std::map<std::string, std::string> tags = {}) {
  inventory::AgentDocument document;
  document.host.hostname = "host-" + instance_id;
  document.host.machine_id = sources::digest_hex(sources::sha256_digest(instance_id)).substr(0, 32);
  document.host.instance_id = instance_id;
  document.host.account_id = account;
  document.host.region = "us-east-1";
  document.host.tags = std::move(tags);
  document.inventory = inventory;
  document.collected_at = "2025-10-09T00:00:00Z";
  document.agent_version = "test";
  return inventory::write_agent_document(document);
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_dir_ = dir_.path() / "vulndb";
    std::vector<std::filesystem::path> base;
    for (const auto& entry : std::filesystem::directory_iterator(kSamples + "/advisories")) {
      if (entry.path().filename() != "GHSA-j8r2-6x86-q33q.json") {  // requests: added later
        base.push_back(entry.path());
      }
    }
    import(base);
  }

  void import(const std::vector<std::filesystem::path>& paths) {
    auto db = vulndb::Database::open(db_dir_, true);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    const auto summary = vulndb::import_paths(**db, paths);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
  }

  FleetConfig config() const {
    FleetConfig config;
    config.data_dir = dir_.path() / "data";
    config.vulndb_dir = db_dir_;
    config.workers = 0;
    config.organization_id = "o-abcdefghij";
    config.delegated_admin = kAdmin;
    return config;
  }

  std::unique_ptr<FleetService> open(FleetConfig fleet_config) {
    FleetOptions options;
    options.clock = [this] { return clock_.load(); };
    options.scheduler = false;
    auto service = FleetService::open(std::move(fleet_config), std::move(options));
    EXPECT_TRUE(service.has_value()) << service.error().message;
    return service ? std::move(service).value() : nullptr;
  }
  std::unique_ptr<FleetService> open() { return open(config()); }

  void ingest(FleetService& service, const std::string& document) {
    const auto result = service.ingest_agent_document(document);
    ASSERT_TRUE(result.has_value()) << result.error().message;
  }

  std::size_t drain(FleetService& service) {
    const auto ran = service.run_pending();
    EXPECT_TRUE(ran.has_value()) << ran.error().message;
    return ran.value_or(0);
  }

  std::vector<store::StoredFinding> findings(FleetService& service, const std::string& resource) {
    store::FindingQuery query;
    query.criteria.strings["resourceId"].push_back({store::StringOp::kEquals, resource});
    query.limit = 1000;
    auto page = service.store().list_findings(query);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    return page ? page->items : std::vector<store::StoredFinding>{};
  }

  const store::StoredFinding* find(const std::vector<store::StoredFinding>& list,
                                   const std::string& vulnerability, const std::string& package) {
    for (const auto& stored : list) {
      if (stored.finding.vulnerability_id == vulnerability && stored.finding.package.name == package) {
        return &stored;
      }
    }
    return nullptr;
  }

  store::CoverageRecord coverage(FleetService& service, const std::string& resource,
                                 const std::string& scan_type = "PACKAGE") {
    auto rows = service.refresh_coverage(resource);
    EXPECT_TRUE(rows.has_value()) << rows.error().message;
    for (const auto& row : rows.value_or(std::vector<store::CoverageRecord>{})) {
      if (row.scan_type == scan_type) {
        return row;
      }
    }
    return {};
  }

  vigil::testing::TempDir dir_;
  std::filesystem::path db_dir_;
  std::atomic<store::Timestamp> clock_{kT0};
};

}  // namespace vigil::service::testing
