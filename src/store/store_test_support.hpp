// Test helpers for the store tests: a fresh store in a temp dir and finding builders.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace vigil::store::testing {

// A store in its own temporary directory, removed at the end of the test.
struct TestStore {
  vigil::testing::TempDir dir;
  std::unique_ptr<Store> store;

  TestStore() {
    auto opened = open_sqlite_store(dir.path().string());
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return;
    }
    store = std::move(*opened);
  }
  Store* operator->() const { return store.get(); }
};

inline std::string arn_for(const std::string& name) {
  return "arn:aws:inspector2:us-east-1:111111111111:finding/" + name;
}

// A package finding on `resource` of `account` with the given severity and score.
inline StoredFinding package_finding(const std::string& name, const std::string& resource,
                                     const std::string& account = "111111111111",
                                     model::Severity severity = model::Severity::kHigh,
                                     double score = 7.5) {
  StoredFinding stored;
  stored.finding.id = arn_for(name);
  stored.finding.resource_id = resource;
  stored.finding.account_id = account;
  stored.finding.package.ecosystem = model::Ecosystem::kDebian;
  stored.finding.package.name = "openssl";
  stored.finding.package.version = "1:3.0.11-1~deb12u1";
  stored.finding.package.arch = "amd64";
  stored.finding.vulnerability_id = "CVE-2024-" + name;
  stored.finding.title = "CVE-2024-" + name + " - openssl";
  stored.finding.severity = severity;
  stored.finding.inspector_score = score;
  stored.finding.sources = {"debian"};
  stored.type = "PACKAGE_VULNERABILITY";
  stored.resource_type = "AWS_EC2_INSTANCE";
  stored.region = "us-east-1";
  stored.resource_details_json = R"({"awsEc2Instance":{"imageId":"ami-1","vpcId":"vpc-1"}})";
  return stored;
}

}  // namespace vigil::store::testing
