// The incremental re-match: its scope (which packages a database change touches), the job payload
// that carries it, and the service re-matching only those packages of stored inventories.
#include "service/internal/rematch_scope.hpp"

#include <gtest/gtest.h>

#include "service/fleet_test_support.hpp"

namespace vigil::service::testing {
namespace {

using internal::PackageKeys;

model::Package package(model::Ecosystem ecosystem, std::string name, std::string source = "") {
  model::Package out;
  out.ecosystem = ecosystem;
  out.name = std::move(name);
  out.version = "1.0";
  out.source_name = std::move(source);
  return out;
}

std::vector<std::string> names(const model::Inventory& inventory) {
  std::vector<std::string> out;
  for (const auto& item : inventory.packages) {
    out.push_back(item.name);
  }
  return out;
}

TEST(RematchScopeTest, PayloadCarriesTheScopeUpToTheLimits) {
  internal::RematchScope scope;
  scope.keys = {{"Debian", "curl"}, {"PyPI", "requests"}};
  scope.names = {"openssl"};
  scope.vulnerabilities = std::set<std::string>{"CVE-2023-38545", "GHSA-abcd-efgh-ijkl"};
  const auto payload = internal::rematch_payload(7, &scope);
  EXPECT_EQ(internal::rematch_scope(payload), scope);
  EXPECT_EQ(internal::rematch_scope(internal::rematch_payload(7, nullptr)), std::nullopt);

  // Too many changed ids: the packages stay scoped, every finding of theirs is rewritten.
  auto many_ids = scope;
  for (std::size_t idx = 0; idx <= internal::kMaxChangedIds; ++idx) {
    many_ids.vulnerabilities->insert("GHSA-" + std::to_string(idx));
  }
  const auto unscoped = internal::rematch_scope(internal::rematch_payload(7, &many_ids));
  ASSERT_TRUE(unscoped.has_value());
  EXPECT_EQ(unscoped->keys, scope.keys);
  EXPECT_EQ(unscoped->vulnerabilities, std::nullopt);

  // Too many keys: the whole resource.
  internal::RematchScope many;
  for (std::size_t idx = 0; idx <= internal::kMaxPartialKeys; ++idx) {
    many.keys.emplace("npm", "package-" + std::to_string(idx));
  }
  EXPECT_EQ(internal::rematch_scope(internal::rematch_payload(7, &many)), std::nullopt);
  // Older or foreign payloads mean "everything", never a guess.
  for (const char* text : {R"({"trigger":"coverage"})", "not json", R"({"keys":[["npm"]]})",
                           R"({"keys":[["npm", 3]]})", R"({"keys":"npm"})",
                           R"({"keys":[],"ids":"CVE-1"})", R"({"keys":[],"names":[1]})"}) {
    EXPECT_EQ(internal::rematch_scope(text), std::nullopt) << text;
  }
  // A payload from before changed ids were carried: packages scoped, findings not.
  const auto older = internal::rematch_scope(R"({"keys":[]})");
  ASSERT_TRUE(older.has_value());
  EXPECT_EQ(older->keys, PackageKeys{});
  EXPECT_EQ(older->vulnerabilities, std::nullopt);
}

TEST(RematchScopeTest, SelectsBySourceNameAndSharedNames) {
  model::Inventory inventory;
  inventory.packages = {package(model::Ecosystem::kDebian, "libcurl4", "curl"),
                        package(model::Ecosystem::kDebian, "curl", "curl"),
                        package(model::Ecosystem::kDebian, "zlib1g", "zlib"),
                        package(model::Ecosystem::kPyPI, "Requests_Toolbelt"),
                        package(model::Ecosystem::kNpm, "zlib1g"),  // same name, other ecosystem
                        package(model::Ecosystem::kNpm, "lodash")};
  auto debian = inventory;
  const auto scope = internal::select_rematch_packages(debian, {{"Debian", "curl"}});
  ASSERT_TRUE(scope.has_value());
  EXPECT_EQ(*scope, (std::set<std::string>{"curl", "libcurl4"}));
  EXPECT_EQ(names(debian), (std::vector<std::string>{"libcurl4", "curl"}));

  // Names are normalised as the store's index keys them (PEP 503 for PyPI).
  auto python = inventory;
  EXPECT_EQ(internal::select_rematch_packages(python, {{"PyPI", "requests-toolbelt"}}),
            std::set<std::string>{"Requests_Toolbelt"});

  // A name in scope brings every instance of that name, whatever its ecosystem.
  auto zlib = inventory;
  EXPECT_EQ(internal::select_rematch_packages(zlib, {{"Debian", "zlib"}}),
            std::set<std::string>{"zlib1g"});
  EXPECT_EQ(names(zlib), (std::vector<std::string>{"zlib1g", "zlib1g"}));

  auto untouched = inventory;
  EXPECT_EQ(internal::select_rematch_packages(untouched, {{"Go", "golang.org/x/net"}}),
            std::set<std::string>{});
  EXPECT_TRUE(untouched.packages.empty());

  // Names from findings select whatever their ecosystem.
  auto named = inventory;
  EXPECT_EQ(internal::select_rematch_packages(named, {}, {"lodash"}),
            std::set<std::string>{"lodash"});
  EXPECT_EQ(names(named), std::vector<std::string>{"lodash"});

  // Everything in scope: a full re-match, inventory left whole.
  auto all = inventory;
  EXPECT_EQ(internal::select_rematch_packages(
                all, {{"Debian", "curl"}, {"Debian", "zlib"}, {"PyPI", "requests-toolbelt"},
                      {"npm", "lodash"}}),
            std::nullopt);
  EXPECT_EQ(all.packages.size(), inventory.packages.size());
}

TEST_F(FleetTest, IncrementalRematchTouchesOnlyChangedPackages) {
  auto service = open();
  ASSERT_NE(service, nullptr);
  const auto with_requests = sample_inventory();
  auto without_requests = with_requests;
  remove_package(without_requests, "requests");
  ingest(*service, agent_document("i-0001", kAccountA, with_requests));
  ingest(*service, agent_document("i-0002", kAccountA, without_requests));
  EXPECT_EQ(drain(*service), 2U);
  const auto before = findings(*service, "i-0001");
  const auto* curl = find(before, kCurlCve, "curl");
  ASSERT_NE(curl, nullptr);
  const auto curl_before = *curl;

  // The requests advisory arrives: a partial re-match of i-0001's requests package only.
  clock_ = kT0 + kDay;
  import({kSamples + "/advisories/GHSA-j8r2-6x86-q33q.json"});
  auto added = service->on_vulndb_updated();
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(added->jobs_enqueued, 1U);
  EXPECT_EQ(drain(*service), 1U);
  auto after = findings(*service, "i-0001");
  const auto* requests = find(after, kRequestsCve, "requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->finding.status, model::FindingStatus::kActive);
  EXPECT_EQ(requests->first_observed_at, kT0 + kDay);
  curl = find(after, kCurlCve, "curl");
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->updated_at, curl_before.updated_at);
  EXPECT_EQ(curl->finding.status, model::FindingStatus::kActive);
  EXPECT_EQ(after.size(), before.size() + 1);

  // The advisory is corrected (fixed in 2.28.0, before the host's 2.28.1): the requests finding
  // closes, everything else stays open and untouched.
  clock_ = kT0 + 2 * kDay;
  const auto corrected = dir_.write("GHSA-j8r2-6x86-q33q.json", R"({
    "schema_version": "1.6.0", "id": "GHSA-j8r2-6x86-q33q",
    "modified": "2023-06-01T00:00:00Z", "published": "2023-05-22T20:33:00Z",
    "aliases": ["CVE-2023-32681"], "summary": "corrected range",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.28.0"}]}]}]})");
  import({corrected});
  auto changed = service->on_vulndb_updated();
  ASSERT_TRUE(changed.has_value()) << changed.error().message;
  EXPECT_EQ(drain(*service), changed->jobs_enqueued);
  const auto closed = service->store().finding(requests->finding.id);
  ASSERT_TRUE(closed.has_value() && closed->has_value());
  EXPECT_EQ((*closed)->finding.status, model::FindingStatus::kClosed);
  EXPECT_EQ((*closed)->closed_at, kT0 + 2 * kDay);
  const auto last = findings(*service, "i-0001");
  std::size_t open = 0;
  for (const auto& stored : last) {
    if (stored.finding.status != model::FindingStatus::kClosed) {
      ++open;
      EXPECT_LE(stored.updated_at, kT0) << stored.finding.id;
    }
  }
  EXPECT_EQ(open, before.size());
  // The host without requests was never re-matched.
  EXPECT_EQ(service->store().resource("i-0002").value()->last_scanned_at, kT0);
}

TEST_F(FleetTest, ChangedNvdRecordRescoresTheFindingsOfItsCve) {
  auto service = open();
  ASSERT_NE(service, nullptr);
  ingest(*service, agent_document("i-0001", kAccountA, sample_inventory()));
  EXPECT_EQ(drain(*service), 1U);
  const auto before = findings(*service, "i-0001");
  const auto* curl = find(before, kCurlCve, "curl");
  ASSERT_NE(curl, nullptr);
  ASSERT_EQ(curl->finding.inspector_score, 9.8);

  // NVD re-analyses the CVE (local attack vector, lower impact): an NVD record has no package
  // keys, yet the findings naming the CVE are re-matched and re-scored; no other finding moves.
  clock_ = kT0 + kDay;
  const auto reanalysed = dir_.write("nvd-update.json", R"({"resultsPerPage": 1, "startIndex": 0,
    "totalResults": 1, "format": "NVD_CVE", "version": "2.0", "timestamp": "2025-09-01T00:00:00.000",
    "vulnerabilities": [{"cve": {"id": "CVE-2023-38545", "sourceIdentifier": "support@hackerone.com",
      "published": "2023-10-18T04:15:11.077", "lastModified": "2025-09-01T00:00:00.000",
      "vulnStatus": "Modified", "descriptions": [{"lang": "en", "value": "SOCKS5 heap overflow."}],
      "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {
        "version": "3.1", "vectorString": "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N",
        "baseScore": 3.6, "baseSeverity": "LOW"}}]}}}]})");
  import({reanalysed});
  auto updated = service->on_vulndb_updated();
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(updated->jobs_enqueued, 1U);
  EXPECT_EQ(drain(*service), 1U);
  const auto after = findings(*service, "i-0001");
  ASSERT_EQ(after.size(), before.size());
  for (const auto& stored : after) {
    if (stored.finding.vulnerability_id == kCurlCve) {
      EXPECT_LT(stored.finding.inspector_score, 9.8) << stored.finding.id;
      EXPECT_EQ(stored.updated_at, kT0 + kDay) << stored.finding.id;
    } else {
      EXPECT_EQ(stored.updated_at, kT0) << stored.finding.id;
    }
  }
}

}  // namespace
}  // namespace vigil::service::testing
