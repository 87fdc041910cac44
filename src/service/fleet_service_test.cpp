#include "service/fleet_service.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "service/fleet_test_support.hpp"

namespace vigil::service::testing {
namespace {


TEST_F(FleetTest, FindingLifecycleAcrossRescans) {
  auto service = open();
  ASSERT_NE(service, nullptr);
  const auto vulnerable = sample_inventory();
  auto first = service->ingest_agent_document(agent_document("i-0aaa", kAccountA, vulnerable));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(first->changed);
  EXPECT_EQ(coverage(*service, "i-0aaa").reason, "PENDING_INITIAL_SCAN");
  EXPECT_EQ(drain(*service), 1U);

  auto list = findings(*service, "i-0aaa");
  const auto* curl = find(list, kCurlCve, "curl");
  ASSERT_NE(curl, nullptr);
  const std::string arn = curl->finding.id;
  EXPECT_EQ(curl->finding.status, model::FindingStatus::kActive);
  EXPECT_EQ(curl->first_observed_at, kT0);
  EXPECT_EQ(curl->resource_type, "AWS_EC2_INSTANCE");
  EXPECT_NE(find(list, "CVE-2021-23337", "lodash"), nullptr);
  const auto active = coverage(*service, "i-0aaa");
  EXPECT_EQ(active.status_code, "ACTIVE");
  EXPECT_EQ(active.reason, "SUCCESSFUL");
  EXPECT_EQ(active.last_scanned_at, kT0);

  // The host upgrades curl: the curl findings close, the rest stay.
  clock_ = kT0 + kDay;
  auto fixed = vulnerable;
  set_version(fixed, "curl", "7.88.1-10+deb12u4");
  ingest(*service, agent_document("i-0aaa", kAccountA, fixed));
  EXPECT_EQ(drain(*service), 1U);
  auto closed = service->store().finding(arn);
  ASSERT_TRUE(closed.has_value() && closed->has_value());
  EXPECT_EQ((*closed)->finding.status, model::FindingStatus::kClosed);
  EXPECT_EQ((*closed)->closed_at, kT0 + kDay);
  list = findings(*service, "i-0aaa");
  EXPECT_EQ(find(list, "CVE-2021-23337", "lodash")->finding.status, model::FindingStatus::kActive);

  // A rollback brings the vulnerable version back: the same finding reopens, history kept.
  clock_ = kT0 + 2 * kDay;
  ingest(*service, agent_document("i-0aaa", kAccountA, vulnerable));
  EXPECT_EQ(drain(*service), 1U);
  auto reopened = service->store().finding(arn);
  ASSERT_TRUE(reopened.has_value() && reopened->has_value());
  EXPECT_EQ((*reopened)->finding.status, model::FindingStatus::kActive);
  EXPECT_EQ((*reopened)->first_observed_at, kT0);
  EXPECT_EQ((*reopened)->closed_at, 0);
  EXPECT_EQ((*reopened)->last_observed_at, kT0 + 2 * kDay);
  const auto history = service->store().finding_history(arn);
  ASSERT_TRUE(history.has_value());
  EXPECT_GE(history->size(), 3U);  // created, closed, reopened
}

TEST_F(FleetTest, IdenticalPushOnlyRefreshesReportTime) {
  auto service = open();
  const auto document = agent_document("i-0aaa", kAccountA, sample_inventory());
  ingest(*service, document);
  EXPECT_EQ(drain(*service), 1U);
  clock_ = kT0 + 3600 * 1000;
  auto again = service->ingest_agent_document(document);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->job_id, 0);
  EXPECT_EQ(service->store().pending_jobs().value(), 0U);
  const auto resource = service->store().resource("i-0aaa").value();
  EXPECT_EQ(resource->inventory_reported_at, kT0 + 3600 * 1000);
  EXPECT_EQ(resource->last_scanned_at, kT0);
}

TEST_F(FleetTest, DatabaseUpdateRematchesOnlyAffectedStoredInventories) {
  auto service = open();
  const auto with_requests = sample_inventory();
  auto without_requests = with_requests;
  remove_package(without_requests, "requests");
  ingest(*service, agent_document("i-0001", kAccountA, with_requests));
  ingest(*service, agent_document("i-0002", kAccountA, without_requests));
  ingest(*service, agent_document("i-0003", kAccountB, without_requests));
  EXPECT_EQ(drain(*service), 3U);
  EXPECT_EQ(find(findings(*service, "i-0001"), kRequestsCve, "requests"), nullptr);

  // Nobody touches the hosts; the requests advisory arrives.
  clock_ = kT0 + 90 * kDay;
  ingest(*service, agent_document("i-0001", kAccountA, with_requests));
  ingest(*service, agent_document("i-0002", kAccountA, without_requests));
  ingest(*service, agent_document("i-0003", kAccountB, without_requests));
  import({kSamples + "/advisories/GHSA-j8r2-6x86-q33q.json"});
  auto summary = service->on_vulndb_updated();
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_GT(summary->to_version, summary->from_version);
  EXPECT_EQ(summary->changed_advisories, 1U);
  EXPECT_EQ(summary->resources_affected, 1U);
  EXPECT_EQ(summary->jobs_enqueued, 1U);
  EXPECT_EQ(drain(*service), 1U);

  const auto requests_list = findings(*service, "i-0001");
  const auto* requests = find(requests_list, kRequestsCve, "requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->first_observed_at, kT0 + 90 * kDay);
  EXPECT_EQ(service->store().resource("i-0002").value()->last_scanned_at, kT0);
  EXPECT_EQ(service->store().resource("i-0003").value()->last_scanned_at, kT0);

  // Applied once: a second call finds nothing new.
  auto again = service->on_vulndb_updated();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->jobs_enqueued, 0U);

  // The full path re-matches every eligible resource.
  auto full = service->rematch_all();
  ASSERT_TRUE(full.has_value());
  EXPECT_TRUE(full->full);
  EXPECT_EQ(full->jobs_enqueued, 3U);
  EXPECT_EQ(drain(*service), 3U);
}

TEST_F(FleetTest, KevAdditionRescoresExistingFindings) {
  import({kSamples + "/advisories/GHSA-j8r2-6x86-q33q.json"});
  auto service = open();
  ingest(*service, agent_document("i-0001", kAccountA, sample_inventory()));
  ASSERT_TRUE(service->ingest_agent_document(
      agent_document("i-0002", kAccountA, [] {
        auto inventory = sample_inventory();
        remove_package(inventory, "requests");
        return inventory;
      }())));
  EXPECT_EQ(drain(*service), 2U);
  const auto before_list = findings(*service, "i-0001");
  const auto* before = find(before_list, kRequestsCve, "requests");
  ASSERT_NE(before, nullptr);
  EXPECT_FALSE(before->finding.exploit_available);
  const std::string arn = before->finding.id;
  const double score_before = before->finding.vigil_risk;

  clock_ = kT0 + kDay;
  const auto kev = dir_.write("kev.json", R"({
    "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.10.10",
    "dateReleased": "2025-10-10T00:00:00.0000Z", "count": 1,
    "vulnerabilities": [{"cveID": "CVE-2023-32681", "vendorProject": "Python", "product": "requests",
      "vulnerabilityName": "Requests Information Disclosure", "dateAdded": "2025-10-10",
      "shortDescription": "Proxy-Authorization leak.", "requiredAction": "Update.",
      "dueDate": "2025-10-31", "knownRansomwareCampaignUse": "Unknown", "notes": ""}]})");
  import({kev});
  auto summary = service->on_vulndb_updated();
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->kev_added, 1U);
  EXPECT_EQ(summary->jobs_enqueued, 1U);  // only the host with a finding of that CVE
  EXPECT_EQ(drain(*service), 1U);

  auto after = service->store().finding(arn);
  ASSERT_TRUE(after.has_value()) << after.error().message;
  ASSERT_TRUE(after->has_value()) << arn;
  EXPECT_TRUE((*after)->finding.exploit_available);
  EXPECT_GE((*after)->finding.vigil_risk, score_before);
  EXPECT_EQ((*after)->updated_at, kT0 + kDay);
  EXPECT_EQ((*after)->first_observed_at, kT0);
  const auto history = service->store().finding_history(arn).value();
  EXPECT_GE(history.size(), 2U);

  // A later complete catalogue no longer lists it: the finding is re-scored down again.
  clock_ = kT0 + 2 * kDay;
  const auto without = dir_.write("kev-later.json", R"({
    "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.10.11",
    "dateReleased": "2025-10-11T00:00:00.0000Z", "count": 1,
    "vulnerabilities": [{"cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
      "vulnerabilityName": "Log4Shell", "dateAdded": "2021-12-10",
      "shortDescription": "JNDI lookups.", "requiredAction": "Update.",
      "dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known", "notes": ""}]})");
  import({without});
  auto removed = service->on_vulndb_updated();
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  EXPECT_EQ(removed->kev_removed, 1U);
  EXPECT_EQ(removed->jobs_enqueued, 1U);
  EXPECT_EQ(drain(*service), 1U);
  const auto dropped = service->store().finding(arn).value();
  ASSERT_TRUE(dropped.has_value());
  EXPECT_FALSE(dropped->finding.exploit_available);
  EXPECT_EQ(dropped->finding.vigil_risk, score_before);
  EXPECT_EQ(dropped->updated_at, kT0 + 2 * kDay);
}

TEST_F(FleetTest, NewMemberIsAutoEnabledOnFirstReport) {
  auto config_value = config();
  config_value.auto_enable = {true, false, false, false};
  auto service = open(config_value);
  EXPECT_FALSE(service->store().account(kAccountB).value().has_value());
  ingest(*service, agent_document("i-0b01", kAccountB, sample_inventory()));
  const auto account = service->store().account(kAccountB).value();
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->role, store::AccountRole::kMember);
  EXPECT_EQ(account->relationship_status, "ENABLED");
  EXPECT_EQ(account->enabled, (store::ScanTypes{true, false, false, false}));
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_FALSE(findings(*service, "i-0b01").empty());

  // The organisation's administrator was seeded from the configuration.
  const auto admin = service->delegated_admin().value();
  ASSERT_TRUE(admin.has_value());
  EXPECT_EQ(admin->id, kAdmin);
}

TEST_F(FleetTest, DisabledAccountIsNotScannedAndResumesWhenEnabled) {
  auto service = open();
  ASSERT_TRUE(service->ensure_account(kAccountA));
  auto disabled = service->disable({kAccountA}, store::ScanTypes{true, false, false, false});
  ASSERT_TRUE(disabled.has_value());
  ASSERT_EQ(disabled->size(), 1U);
  EXPECT_FALSE((*disabled)[0].account->enabled.ec2);
  EXPECT_TRUE((*disabled)[0].account->enabled.ecr);

  ingest(*service, agent_document("i-0aaa", kAccountA, sample_inventory()));
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_TRUE(findings(*service, "i-0aaa").empty());
  const auto row = coverage(*service, "i-0aaa");
  EXPECT_EQ(row.status_code, "INACTIVE");
  EXPECT_EQ(row.reason, "PENDING_DISABLE");

  auto enabled = service->enable({kAccountA}, store::ScanTypes{true, false, false, false});
  ASSERT_TRUE(enabled.has_value());
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_FALSE(findings(*service, "i-0aaa").empty());
  EXPECT_EQ(coverage(*service, "i-0aaa").reason, "SUCCESSFUL");

  // Disabling again keeps the history.
  ASSERT_TRUE(service->disable({kAccountA}, std::nullopt));
  EXPECT_FALSE(findings(*service, "i-0aaa").empty());
  auto status = service->account_status({kAccountA, "333333333333"});
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)[0].account->enabled, store::ScanTypes{});
  EXPECT_EQ((*status)[1].error_code, "RESOURCE_NOT_FOUND");
  EXPECT_FALSE(service->enable({"12345"}, {true, false, false, false}).has_value());
}

TEST_F(FleetTest, DescribeInstancesMakesAgentlessInstancesCovered) {
  auto service = open();
  const std::string describe = R"({"Reservations": [{"OwnerId": "111111111111", "Instances": [
    {"InstanceId": "i-0aaa", "State": {"Name": "running"}, "ImageId": "ami-1", "VpcId": "vpc-1",
     "SubnetId": "subnet-1", "Tags": [{"Key": "Name", "Value": "web"}]},
    {"InstanceId": "i-0bbb", "State": {"Name": "running"}},
    {"InstanceId": "i-0ccc", "State": {"Name": "stopped"}},
    {"InstanceId": "i-0ddd", "State": {"Name": "running"},
     "Tags": [{"Key": "InspectorEc2Exclusion", "Value": ""}]}]}]})";
  auto imported = service->import_ec2_instances(describe);
  ASSERT_TRUE(imported.has_value()) << imported.error().message;
  EXPECT_EQ(imported->instances, 4U);
  EXPECT_EQ(imported->created, 4U);
  EXPECT_EQ(coverage(*service, "i-0bbb").reason, "UNMANAGED_EC2_INSTANCE");
  EXPECT_EQ(coverage(*service, "i-0ccc").reason, "EC2_INSTANCE_STOPPED");
  EXPECT_EQ(coverage(*service, "i-0ddd").reason, "EXCLUDED_BY_TAG");
  // The NETWORK row waits for the account's network bundle (fleet_network_test.cpp).
  EXPECT_EQ(coverage(*service, "i-0aaa", "NETWORK").reason, "PENDING_INITIAL_SCAN");
  EXPECT_EQ(coverage(*service, "i-0bbb", "NETWORK").reason, "PENDING_INITIAL_SCAN");

  // The agent of i-0aaa reports: it becomes managed, keeps its tags and gets scanned.
  ingest(*service, agent_document("i-0aaa", kAccountA, sample_inventory()));
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_EQ(coverage(*service, "i-0aaa").reason, "SUCCESSFUL");
  const auto resource = service->store().resource("i-0aaa").value();
  EXPECT_EQ(resource->tags.at("Name"), "web");
  EXPECT_EQ(findings(*service, "i-0aaa").front().resource_tags.at("Name"), "web");

  // An excluded host's agent report is stored but not scanned.
  ingest(*service, agent_document("i-0ddd", kAccountA, sample_inventory()));
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_TRUE(findings(*service, "i-0ddd").empty());

  EXPECT_FALSE(service->import_ec2_instances("{\"Reservations\": 3}").has_value());
  EXPECT_FALSE(service->import_ec2_instances("not json").has_value());

  // Every known resource has rows: 4 instances x (PACKAGE + NETWORK).
  auto total = service->store().coverage_statistics({}, {}, "");
  ASSERT_TRUE(total.has_value());
  std::int64_t rows = 0;
  for (const auto& [key, count] : *total) {
    rows += count;
  }
  EXPECT_EQ(rows, 8);
}

TEST_F(FleetTest, SilentAgentBecomesStaleAndRecovers) {
  auto service = open();
  const auto document = agent_document("i-0aaa", kAccountA, sample_inventory());
  ingest(*service, document);
  EXPECT_EQ(drain(*service), 1U);
  clock_ = kT0 + 6 * kDay;
  auto early = service->sweep();
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(early->marked_stale, 0U);

  clock_ = kT0 + 8 * kDay;
  auto swept = service->sweep();
  ASSERT_TRUE(swept.has_value()) << swept.error().message;
  EXPECT_EQ(swept->marked_stale, 1U);
  const auto row = coverage(*service, "i-0aaa");
  EXPECT_EQ(row.status_code, "INACTIVE");
  EXPECT_EQ(row.reason, "STALE_INVENTORY");
  auto list = findings(*service, "i-0aaa");
  ASSERT_FALSE(list.empty());
  for (const auto& stored : list) {
    EXPECT_TRUE(stored.stale);
    EXPECT_EQ(stored.finding.status, model::FindingStatus::kActive);  // kept
  }
  // A stale host is not re-matched on database updates.
  import({kSamples + "/advisories/GHSA-j8r2-6x86-q33q.json"});
  auto rematch = service->on_vulndb_updated();
  ASSERT_TRUE(rematch.has_value());
  EXPECT_EQ(rematch->resources_affected, 1U);
  EXPECT_EQ(rematch->jobs_enqueued, 0U);

  // The agent reports again (same content): fresh, unmarked, and re-matched at once.
  auto again = service->ingest_agent_document(document);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(coverage(*service, "i-0aaa").reason, "SUCCESSFUL");
  for (const auto& stored : findings(*service, "i-0aaa")) {
    EXPECT_FALSE(stored.stale);
  }
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_NE(find(findings(*service, "i-0aaa"), kRequestsCve, "requests"), nullptr);
}

TEST_F(FleetTest, QueueSurvivesRestart) {
  {
    auto service = open();
    ingest(*service, agent_document("i-0001", kAccountA, sample_inventory()));
    ingest(*service, agent_document("i-0002", kAccountA, sample_inventory()));
    ingest(*service, agent_document("i-0003", kAccountB, sample_inventory()));
    EXPECT_EQ(service->store().pending_jobs().value(), 3U);
  }
  {
    // A worker claimed one job and died before completing it.
    auto store = store::open_sqlite_store((dir_.path() / "data").string());
    ASSERT_TRUE(store.has_value());
    auto claimed = (*store)->claim_next();
    ASSERT_TRUE(claimed.has_value() && claimed->has_value());
  }
  auto restarted = config();
  restarted.workers = 2;
  auto service = open(restarted);
  ASSERT_NE(service, nullptr);
  EXPECT_TRUE(service->wait_idle(std::chrono::seconds(60)));
  for (const char* id : {"i-0001", "i-0002", "i-0003"}) {
    EXPECT_NE(find(findings(*service, id), kCurlCve, "curl"), nullptr) << id;
    EXPECT_EQ(coverage(*service, id).reason, "SUCCESSFUL") << id;
  }
  service->stop();
  EXPECT_EQ(service->store().pending_jobs().value(), 0U);
}

TEST_F(FleetTest, EventsAreWrittenAsEventBridgeLines) {
  auto fleet_config = config();
  fleet_config.events_file = dir_.path() / "events.jsonl";
  {
    auto service = open(fleet_config);
    ingest(*service, agent_document("i-0aaa", kAccountA, sample_inventory()));
    EXPECT_EQ(drain(*service), 1U);
  }
  std::ifstream in(fleet_config.events_file);
  std::string line;
  std::map<std::string, int> types;
  while (std::getline(in, line)) {
    const auto event = nlohmann::json::parse(line);
    EXPECT_EQ(event["source"], "aws.inspector2");
    EXPECT_EQ(event["account"], kAccountA);
    ++types[event["detail-type"].get<std::string>()];
    if (event["detail-type"] == "Inspector2 Scan") {
      EXPECT_EQ(event["detail"]["scan-status"], "INITIAL_SCAN_COMPLETE");
      EXPECT_GT(event["detail"]["finding-severity-counts"]["TOTAL"].get<int>(), 0);
    }
    if (event["detail-type"] == "Inspector2 Coverage") {
      EXPECT_TRUE(event["detail"]["scanStatus"].contains("statusCodeValue"));
    }
  }
  EXPECT_EQ(types["Inspector2 Scan"], 1);
  EXPECT_GT(types["Inspector2 Finding"], 3);
  EXPECT_GE(types["Inspector2 Coverage"], 2);
}

}  // namespace
}  // namespace vigil::service::testing
