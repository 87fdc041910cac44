// The fleet service's network reachability: bundles from tests/data/reachability ingested by
// directory and by content, NETWORK_REACHABILITY findings and their lifecycle, NETWORK coverage,
// and package scores re-computed from each instance's reachability.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "service/fleet_service.hpp"
#include "service/fleet_test_support.hpp"

namespace vigil::service::testing {
namespace {

using nlohmann::json;

const std::string kBundles = std::string(VIGIL_SOURCE_DIR) + "/tests/data/reachability/";
constexpr const char* kFixtureAccount = "123456789012";
constexpr const char* kBastion = "i-0ba57100000000001";

std::map<std::string, std::string> read_bundle(const std::string& name) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kBundles + name)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    files[entry.path().filename().string()] = text.str();
  }
  return files;
}

// The bundle with every occurrence of the fixture account replaced by `account`.
std::map<std::string, std::string> as_account(std::map<std::string, std::string> files,
                                              const std::string& account) {
  for (auto& [name, text] : files) {
    for (auto at = text.find(kFixtureAccount); at != std::string::npos;
         at = text.find(kFixtureAccount, at + account.size())) {
      text.replace(at, std::string_view(kFixtureAccount).size(), account);
    }
  }
  return files;
}

// The bastion bundle with its security group's inbound rules reduced to the ICMP one (22 closed).
std::map<std::string, std::string> bastion_ssh_closed() {
  auto files = read_bundle("bastion-ssh");
  auto groups = json::parse(files.at("describe-security-groups.json"));
  auto& permissions = groups["SecurityGroups"][0]["IpPermissions"];
  permissions.erase(permissions.begin());
  files["describe-security-groups.json"] = groups.dump();
  return files;
}

class FleetNetworkTest : public FleetTest {
 protected:
  std::vector<store::StoredFinding> network_findings(FleetService& service,
                                                     store::Criteria criteria = {}) {
    store::FindingQuery query;
    query.criteria = std::move(criteria);
    query.criteria.strings["findingType"].push_back({store::StringOp::kEquals, "NETWORK_REACHABILITY"});
    query.limit = 1000;
    auto page = service.store().list_findings(query);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    return page ? page->items : std::vector<store::StoredFinding>{};
  }

  double curl_score(FleetService& service, const std::string& instance) {
    const auto list = findings(service, instance);
    const auto* curl = find(list, kCurlCve, "curl");
    EXPECT_NE(curl, nullptr) << instance;
    return curl == nullptr ? -1.0 : curl->finding.inspector_score;
  }
};

TEST_F(FleetNetworkTest, BastionPort22IsAnInternetFinding) {
  auto service = open();
  ASSERT_NE(service, nullptr);
  auto result = service->ingest_network_directory(kBundles + "bastion-ssh");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->account_id, kFixtureAccount);
  EXPECT_EQ(result->instances, 1U);
  EXPECT_EQ(result->internet, 1U);
  EXPECT_EQ(result->open_findings, 1U);
  EXPECT_EQ(result->created, 1U);
  EXPECT_EQ(result->rematches, 0U);  // no agent inventory to re-score

  const auto list = network_findings(*service);
  ASSERT_EQ(list.size(), 1U);
  const auto& finding = list[0];
  EXPECT_EQ(finding.type, "NETWORK_REACHABILITY");
  EXPECT_EQ(finding.finding.resource_id, kBastion);
  EXPECT_EQ(finding.finding.account_id, kFixtureAccount);
  EXPECT_EQ(finding.finding.title, "Port 22 is reachable from an Internet Gateway - TCP");
  EXPECT_EQ(finding.finding.severity, model::Severity::kMedium);
  EXPECT_EQ(finding.finding.status, model::FindingStatus::kActive);
  EXPECT_EQ(finding.resource_type, "AWS_EC2_INSTANCE");
  const auto details = json::parse(finding.network_json);
  EXPECT_EQ(details["openPortRange"], (json{{"begin", 22}, {"end", 22}}));
  EXPECT_EQ(details["protocol"], "TCP");
  const auto& steps = details["networkPath"]["steps"];
  ASSERT_GE(steps.size(), 3U);
  EXPECT_EQ(steps.front()["componentType"], "AWS::EC2::InternetGateway");
  EXPECT_EQ(steps.back()["componentType"], "AWS::EC2::Instance");
  EXPECT_EQ(steps.back()["componentId"], kBastion);

  // The instance came in with the bundle; its NETWORK row is done, PACKAGE waits for an agent.
  EXPECT_EQ(coverage(*service, kBastion, "NETWORK").reason, "SUCCESSFUL");
  EXPECT_EQ(coverage(*service, kBastion).reason, "UNMANAGED_EC2_INSTANCE");
  EXPECT_EQ(service->instance_reachability(kFixtureAccount, kBastion).value(),
            scoring::Reachability::kInternet);

  // Filters on the network fields.
  store::Criteria port22;
  port22.ports["portRange"].push_back({20, 25});
  EXPECT_EQ(network_findings(*service, port22).size(), 1U);
  store::Criteria port80;
  port80.ports["portRange"].push_back({80, 80});
  EXPECT_TRUE(network_findings(*service, port80).empty());

  // The same bundle again by content: same finding, nothing changes.
  auto again = service->ingest_network_bundle(read_bundle("bastion-ssh"));
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->created, 0U);
  EXPECT_EQ(again->closed, 0U);
  EXPECT_EQ(network_findings(*service).size(), 1U);
}

TEST_F(FleetNetworkTest, NaclDenyLeavesOnlyTheAllowedPort) {
  auto service = open();
  auto result = service->ingest_network_bundle(read_bundle("nacl-deny"), kFixtureAccount);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->instances, 2U);
  const auto list = network_findings(*service);
  ASSERT_EQ(list.size(), 1U);  // port 80 of the first instance; 22 is denied by the NACL
  EXPECT_EQ(list[0].finding.resource_id, "i-0aa00000000000003");
  EXPECT_EQ(json::parse(list[0].network_json)["openPortRange"]["begin"], 80);
  EXPECT_EQ(service->instance_reachability(kFixtureAccount, "i-0bb00000000000003").value(),
            scoring::Reachability::kVpc);
}

TEST_F(FleetNetworkTest, ClosingThePortClosesTheFindingAndReopeningReopensIt) {
  auto service = open();
  ASSERT_TRUE(service->ingest_network_bundle(read_bundle("bastion-ssh")).has_value());
  const auto arn = network_findings(*service).at(0).finding.id;

  clock_ = kT0 + kDay;
  auto closed = service->ingest_network_bundle(bastion_ssh_closed());
  ASSERT_TRUE(closed.has_value()) << closed.error().message;
  EXPECT_EQ(closed->closed, 1U);
  EXPECT_EQ(closed->open_findings, 0U);
  auto stored = service->store().finding(arn).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->finding.status, model::FindingStatus::kClosed);
  EXPECT_EQ(stored->closed_at, kT0 + kDay);
  EXPECT_NE(service->instance_reachability(kFixtureAccount, kBastion).value(),
            scoring::Reachability::kInternet);

  clock_ = kT0 + 2 * kDay;
  auto reopened = service->ingest_network_bundle(read_bundle("bastion-ssh"));
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(reopened->reopened, 1U);
  EXPECT_EQ(service->store().finding(arn).value()->finding.status, model::FindingStatus::kActive);
}

TEST_F(FleetNetworkTest, ReachabilityAdjustsTheScoreOfTheSameInventory) {
  constexpr const char* kPrivateAccount = "222222222222";
  constexpr const char* kPrivateHost = "i-0c000000000000p01";
  auto service = open();
  ASSERT_NE(service, nullptr);
  // Before any bundle the class is unknown: the base score.
  ingest(*service, agent_document(kBastion, kFixtureAccount, sample_inventory()));
  ingest(*service, agent_document(kPrivateHost, kPrivateAccount, sample_inventory()));
  EXPECT_EQ(drain(*service), 2U);
  const double base = curl_score(*service, kBastion);
  EXPECT_EQ(curl_score(*service, kPrivateHost), base);

  // The bastion is reachable from the internet, the private host only from its VPC.
  auto bastion = service->ingest_network_bundle(read_bundle("bastion-ssh"));
  ASSERT_TRUE(bastion.has_value()) << bastion.error().message;
  EXPECT_EQ(bastion->rematches, 1U);
  auto private_nat =
      service->ingest_network_bundle(as_account(read_bundle("private-nat"), kPrivateAccount));
  ASSERT_TRUE(private_nat.has_value()) << private_nat.error().message;
  EXPECT_EQ(private_nat->account_id, kPrivateAccount);
  EXPECT_EQ(private_nat->rematches, 1U);
  EXPECT_EQ(drain(*service), 2U);
  const double internet = curl_score(*service, kBastion);
  const double vpc = curl_score(*service, kPrivateHost);
  EXPECT_EQ(internet, base);
  EXPECT_LT(vpc, internet);
  EXPECT_EQ(coverage(*service, kBastion).reason, "SUCCESSFUL");
  EXPECT_EQ(coverage(*service, kPrivateHost, "NETWORK").reason, "SUCCESSFUL");

  // Closing port 22 leaves the bastion unreachable: a re-match lowers its score further.
  auto closed = service->ingest_network_bundle(bastion_ssh_closed());
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->rematches, 1U);
  EXPECT_EQ(drain(*service), 1U);
  EXPECT_LT(curl_score(*service, kBastion), internet);
  EXPECT_LE(curl_score(*service, kBastion), vpc);

  // After a restart the stored bundle is analysed again on first use.
  service.reset();
  service = open();
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->instance_reachability(kPrivateAccount, kPrivateHost).value(),
            scoring::Reachability::kVpc);
  EXPECT_EQ(service->instance_reachability(kFixtureAccount, kBastion).value(),
            scoring::Reachability::kNone);
}

// `text` with every `from` replaced by `to`, in every file of the bundle.
std::map<std::string, std::string> renamed(std::map<std::string, std::string> files,
                                           const std::string& from, const std::string& to) {
  for (auto& [name, text] : files) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return files;
}

// The sample inventory's agent document with `curl` (CVE-2023-38545) listening on tcp `port`.
std::string document_listening(const std::string& instance, const std::string& account,
                               uint16_t port, const std::string& address = "0.0.0.0") {
  auto document = inventory::parse_agent_document(agent_document(instance, account,
                                                                 sample_inventory()));
  EXPECT_TRUE(document.has_value());
  document->listening_sockets = std::vector<inventory::ListeningSocket>{
      {"tcp", address, port, 812, "curl", "/usr/bin/curl", "curl"},
      {"tcp", "127.0.0.1", 25, 900, "exim4", "/usr/sbin/exim4", "exim4-daemon-light"}};
  return inventory::write_agent_document(*document);
}

const model::ScoreAdjustment* step(const std::vector<model::ScoreAdjustment>& steps,
                                   const std::string& factor) {
  for (const auto& item : steps) {
    if (item.factor == factor) {
      return &item;
    }
  }
  return nullptr;
}

bool mentions(const model::ScoreAdjustment* item, const std::string& text) {
  return item != nullptr && item->reason.find(text) != std::string::npos;
}

// Two hosts, same curl, same instance-wide class (INTERNET: both open tcp/22 to the world):
// curl listening on 22 stays INTERNET, curl listening on 8080 (no group opens it) is NONE.
TEST_F(FleetNetworkTest, ListeningSocketsScoreThePackageByItsPort) {
  constexpr const char* kOtherAccount = "333333333333";
  constexpr const char* kOtherHost = "i-0ba57100000000002";
  auto service = open();
  ASSERT_NE(service, nullptr);
  ASSERT_TRUE(service->ingest_network_bundle(read_bundle("bastion-ssh")).has_value());
  const auto other_bundle =
      renamed(as_account(read_bundle("bastion-ssh"), kOtherAccount), kBastion, kOtherHost);
  ASSERT_TRUE(service->ingest_network_bundle(other_bundle).has_value());
  EXPECT_EQ(service->instance_reachability(kOtherAccount, kOtherHost).value(),
            scoring::Reachability::kInternet);
  ingest(*service, document_listening(kBastion, kFixtureAccount, 22));
  ingest(*service, document_listening(kOtherHost, kOtherAccount, 8080));
  EXPECT_EQ(drain(*service), 2U);

  const auto exposed_list = findings(*service, kBastion);
  const auto hidden_list = findings(*service, kOtherHost);
  const auto* exposed = find(exposed_list, kCurlCve, "curl");
  const auto* hidden = find(hidden_list, kCurlCve, "curl");
  ASSERT_NE(exposed, nullptr);
  ASSERT_NE(hidden, nullptr);
  EXPECT_LT(hidden->finding.inspector_score, exposed->finding.inspector_score);
  EXPECT_LT(hidden->finding.vigil_risk, exposed->finding.vigil_risk);

  // The explanations name the port, the process and the path source.
  const auto* exposed_reach = step(exposed->finding.risk_explanation, "reachability");
  EXPECT_TRUE(mentions(exposed_reach, "INTERNET reachability ×1.0")) << exposed_reach->reason;
  EXPECT_TRUE(mentions(exposed_reach, "tcp/22 on 0.0.0.0 (curl, /usr/bin/curl)"));
  EXPECT_TRUE(mentions(exposed_reach, "source 0.0.0.0/0, path igw-"));
  EXPECT_TRUE(exposed->finding.inspector_adjustments.empty());
  const auto* hidden_reach = step(hidden->finding.risk_explanation, "reachability");
  EXPECT_TRUE(mentions(hidden_reach, "NONE reachability ×0.6"));
  EXPECT_TRUE(mentions(hidden_reach, "tcp/8080 on 0.0.0.0 (curl, /usr/bin/curl) is not reachable"))
      << hidden_reach->reason;
  const auto* mav = step(hidden->finding.inspector_adjustments, "MAV");
  ASSERT_NE(mav, nullptr);
  EXPECT_EQ(mav->to, "L");
  EXPECT_TRUE(mentions(mav, "tcp/8080"));

  // libcurl4 owns no listening socket: the instance's class (INTERNET) applies, and says so.
  const auto* library = find(hidden_list, kCurlCve, "libcurl4");
  ASSERT_NE(library, nullptr);
  EXPECT_EQ(library->finding.inspector_score, exposed->finding.inspector_score);
  EXPECT_TRUE(mentions(step(library->finding.risk_explanation, "reachability"),
                       "owns no listening socket: the instance's class (INTERNET) applies"));

  // Opening 8080 to the world keeps the instance INTERNET but changes the port: re-scored.
  auto groups = json::parse(other_bundle.at("describe-security-groups.json"));
  auto opened = groups["SecurityGroups"][0]["IpPermissions"][0];
  opened["FromPort"] = 8080;
  opened["ToPort"] = 8080;
  groups["SecurityGroups"][0]["IpPermissions"].push_back(opened);
  auto wider = other_bundle;
  wider["describe-security-groups.json"] = groups.dump();
  const auto result = service->ingest_network_bundle(wider);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->rematches, 1U);
  EXPECT_EQ(drain(*service), 1U);
  const auto rescored_list = findings(*service, kOtherHost);
  const auto* rescored = find(rescored_list, kCurlCve, "curl");
  ASSERT_NE(rescored, nullptr);
  EXPECT_EQ(rescored->finding.inspector_score, exposed->finding.inspector_score);
  EXPECT_TRUE(mentions(step(rescored->finding.risk_explanation, "reachability"),
                       "tcp/8080 on 0.0.0.0 (curl, /usr/bin/curl) is reachable from the internet"));

  // Port 22 is open to the world, but curl listens on the loopback address only.
  ingest(*service, document_listening(kBastion, kFixtureAccount, 22, "127.0.0.1"));
  EXPECT_EQ(drain(*service), 1U);
  const auto loopback_list = findings(*service, kBastion);
  const auto* loopback = find(loopback_list, kCurlCve, "curl");
  ASSERT_NE(loopback, nullptr);
  EXPECT_EQ(loopback->finding.inspector_score, hidden->finding.inspector_score);
  EXPECT_TRUE(mentions(step(loopback->finding.risk_explanation, "reachability"),
                       "tcp/22 on 127.0.0.1 (curl, /usr/bin/curl) is bound to the loopback "
                       "address only"));

  // Hosts without sockets (schema 1) keep the instance-wide rule with nothing added.
  ingest(*service, agent_document(kBastion, kFixtureAccount, sample_inventory()));
  EXPECT_EQ(drain(*service), 1U);
  const auto plain_list = findings(*service, kBastion);
  const auto* plain = find(plain_list, kCurlCve, "curl");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(step(plain->finding.risk_explanation, "reachability"), nullptr);
}

TEST_F(FleetNetworkTest, BadBundlesAreTypedErrors) {
  auto service = open();
  EXPECT_EQ(service->ingest_network_bundle({{"README.md", "x"}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(service->ingest_network_directory(kBundles + "no-such-bundle").has_value(), false);
  // The bundle's instances belong to another account than the one named.
  EXPECT_EQ(service->ingest_network_bundle(read_bundle("bastion-ssh"), kAccountA).error().code,
            ErrorCode::kInvalidArgument);
  // A describe-instances that is not JSON: no instance, diagnostics, no finding.
  auto broken = read_bundle("bastion-ssh");
  broken["describe-instances.json"] = "{not json";
  EXPECT_EQ(service->ingest_network_bundle(broken).error().code, ErrorCode::kInvalidArgument);
  auto unparsed = service->ingest_network_bundle(broken, kFixtureAccount);
  ASSERT_TRUE(unparsed.has_value()) << unparsed.error().message;
  EXPECT_EQ(unparsed->instances, 0U);
  EXPECT_GE(unparsed->diagnostics, 2U);
  EXPECT_TRUE(network_findings(*service).empty());
  // A bundle with dangling references still ingests (diagnostics reported).
  auto dangling = service->ingest_network_directory(kBundles + "broken-bundle");
  ASSERT_TRUE(dangling.has_value()) << dangling.error().message;
  EXPECT_GT(dangling->diagnostics, 0U);
  EXPECT_FALSE(dangling->diagnostic_messages.empty());
}

}  // namespace
}  // namespace vigil::service::testing
