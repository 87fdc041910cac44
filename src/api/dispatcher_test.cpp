#include "api/dispatcher.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "api/internal/time.hpp"
#include "api/keys.hpp"
#include "store/store.hpp"

namespace vigil::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1764000000;
constexpr const char* kAdmin = "111111111111";
constexpr const char* kMemberA = "222222222222";
constexpr const char* kMemberB = "333333333333";

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-api-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    auto store = store::open_sqlite_store(dir_.string());
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_ = std::move(*store);
    auto vault = KeyVault::open(dir_);
    ASSERT_TRUE(vault.has_value()) << vault.error().message;
    vault_ = std::move(*vault);
    store::Account admin;
    admin.id = kAdmin;
    admin.role = store::AccountRole::kDelegatedAdmin;
    ASSERT_TRUE(store_->put_account(admin).has_value());
    for (const auto& [name, account, role] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"admin", kAdmin, "admin"},
             {"a", kMemberA, "member"},
             {"b", kMemberB, "member"},
             {"ro", kAdmin, "readonly"}}) {
      auto key = vault_->create(*store_, account, role);
      ASSERT_TRUE(key.has_value()) << key.error().message;
      keys_[name] = *key;
    }
    seed_finding(kMemberA, "i-0aaaaaaaaaaaaaaa1", "CVE-2023-0001", model::Severity::kCritical);
    seed_finding(kMemberB, "i-0bbbbbbbbbbbbbbb1", "CVE-2023-0002", model::Severity::kHigh);
    seed_finding(kMemberB, "i-0bbbbbbbbbbbbbbb1", "CVE-2023-0003", model::Severity::kLow);
    ApiContext context;
    context.store = store_.get();
    context.keys = vault_.get();
    context.metrics = &metrics_;
    DispatcherOptions options;
    options.clock_seconds = [] { return kNow; };
    options.log = [this](std::string_view line) { log_.emplace_back(line); };
    dispatcher_ = std::make_unique<Dispatcher>(context, default_registry(), options);
  }

  void TearDown() override {
    dispatcher_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void seed_finding(const std::string& account, const std::string& resource, const std::string& cve,
                    model::Severity severity) {
    store::ResourceRecord record;
    record.id = resource;
    record.account_id = account;
    record.region = "us-east-1";
    record.type = "AWS_EC2_INSTANCE";
    ASSERT_TRUE(store_->put_resource(record).has_value());
    store::CoverageRecord coverage{resource, account, "AWS_EC2_INSTANCE", "PACKAGE", "ACTIVE",
                                   "SUCCESSFUL", kNow * 1000, kNow * 1000};
    ASSERT_TRUE(store_->put_coverage(coverage).has_value());
    store::StoredFinding stored;
    stored.finding.id = "arn:aws:inspector2:us-east-1:" + account + ":finding/" +
                        std::string(28, 'a') + cve.substr(cve.size() - 4);
    stored.finding.resource_id = resource;
    stored.finding.account_id = account;
    stored.finding.vulnerability_id = cve;
    stored.finding.title = cve + " - curl";
    stored.finding.package.name = "curl";
    stored.finding.package.version = "7.88.1";
    stored.finding.severity = severity;
    stored.resource_type = "AWS_EC2_INSTANCE";
    stored.region = "us-east-1";
    std::vector<store::StoredFinding> existing;
    auto page = store_->list_findings(store::FindingQuery{});
    ASSERT_TRUE(page.has_value());
    for (const auto& item : page->items) {
      if (item.finding.resource_id == resource) {
        existing.push_back(item);
      }
    }
    existing.push_back(stored);
    ASSERT_TRUE(store_->reconcile_findings(resource, "PACKAGE_VULNERABILITY", existing, kNow * 1000)
                    .has_value());
  }

  struct Sent {
    int status;
    std::string type;
    json body;
    HttpResponse raw;
  };

  Sent send(const std::string& key, const std::string& method, const std::string& target,
            const std::string& body, bool sign = true, std::int64_t when = kNow) {
    std::vector<Header> headers = {{"Content-Type", "application/json"},
                                   {"Host", "127.0.0.1:8080"},
                                   {"X-Amz-Date", internal::format_amz_date(when)}};
    if (sign) {
      const ResolvedKey& resolved = keys_.at(key);
      const auto authorization = sign_request(RequestParts{method, target, headers, body},
                                              SigningKey{resolved.access_key_id, resolved.secret}, when);
      EXPECT_TRUE(authorization.has_value());
      headers.push_back({"Authorization", authorization.value_or("")});
    }
    Sent sent;
    sent.raw = dispatcher_->handle(RequestParts{method, target, headers, body});
    sent.status = sent.raw.status;
    for (const Header& header : sent.raw.headers) {
      if (header.name == "x-amzn-ErrorType") {
        sent.type = header.value;
      }
    }
    sent.body = json::parse(sent.raw.body, nullptr, false);
    return sent;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<KeyVault> vault_;
  std::map<std::string, ResolvedKey> keys_;
  Metrics metrics_;
  std::vector<std::string> log_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

struct ErrorCase {
  const char* name;
  const char* key;
  const char* method;
  const char* target;
  const char* body;
  int status;
  const char* type;
};

TEST_F(DispatcherTest, ErrorsAreTypedAsInspectorReturnsThem) {
  const std::vector<ErrorCase> cases = {
      {"unknown route", "admin", "POST", "/nope", "{}", 404, "UnknownOperationException"},
      {"unknown member", "admin", "POST", "/findings/list", R"({"bogus":1})", 400, "ValidationException"},
      {"bad enum", "admin", "POST", "/findings/list",
       R"({"sortCriteria":{"field":"NOPE","sortOrder":"ASC"}})", 400, "ValidationException"},
      {"max too big", "admin", "POST", "/findings/list", R"({"maxResults":101})", 400, "ValidationException"},
      {"wrong type", "admin", "POST", "/findings/list", R"({"maxResults":"5"})", 400, "ValidationException"},
      {"missing required", "admin", "POST", "/findings/aggregation/list", "{}", 400, "ValidationException"},
      {"union two members", "admin", "POST", "/findings/aggregation/list",
       R"({"aggregationType":"AMI","aggregationRequest":{"amiAggregation":{},"accountAggregation":{}}})",
       400, "ValidationException"},
      {"not json", "admin", "POST", "/findings/list", "{", 400, "ValidationException"},
      {"array body", "admin", "POST", "/findings/list", "[]", 400, "ValidationException"},
      {"bad token", "admin", "POST", "/findings/list", R"({"nextToken":"!!"})", 400, "ValidationException"},
      {"token of another op", "admin", "POST", "/coverage/list",
       R"({"nextToken":"dmlnaWwxfExpc3RGaW5kaW5nc3x4"})", 400, "ValidationException"},
      {"readonly mutating", "ro", "POST", "/filters/create",
       R"({"name":"x","action":"NONE","filterCriteria":{}})", 403, "AccessDeniedException"},
      {"member manages filters", "a", "POST", "/filters/delete", R"({"arn":"arn:x"})", 403,
       "AccessDeniedException"},
      {"readonly pushes inventory", "ro", "POST", "/vigil/v1/agent/inventory", "{}", 403,
       "AccessDeniedException"},
      {"not implemented", "admin", "POST", "/cis/scan/list", "{}", 501, "NotImplementedException"},
  };
  for (const ErrorCase& row : cases) {
    const Sent sent = send(row.key, row.method, row.target, row.body);
    EXPECT_EQ(sent.status, row.status) << row.name << ": " << sent.raw.body;
    EXPECT_EQ(sent.type, row.type) << row.name;
    ASSERT_TRUE(sent.body.is_object()) << row.name;
    EXPECT_TRUE(sent.body.contains("message")) << row.name;
    if (std::string(row.type) == "ValidationException") {
      EXPECT_TRUE(sent.body.contains("reason")) << row.name;
      EXPECT_TRUE(sent.body.contains("fields")) << row.name;
    }
  }
}

TEST_F(DispatcherTest, AuthenticationFailuresAre403AndLogged) {
  Sent sent = send("admin", "POST", "/findings/list", "{}", false);
  EXPECT_EQ(sent.status, 403);
  EXPECT_EQ(sent.type, "MissingAuthenticationTokenException");
  sent = send("admin", "POST", "/findings/list", "{}", true, kNow - 600);
  EXPECT_EQ(sent.type, "InvalidSignatureException");
  EXPECT_NE(sent.body["message"].get<std::string>().find("Signature expired"), std::string::npos);
  keys_["ghost"] = ResolvedKey{"AKIAGHOST00000000000", "secret", kAdmin, "admin"};
  sent = send("ghost", "POST", "/findings/list", "{}");
  EXPECT_EQ(sent.type, "UnrecognizedClientException");
  keys_["forged"] = keys_["admin"];
  keys_["forged"].secret = "not-the-secret";
  sent = send("forged", "POST", "/findings/list", "{}");
  EXPECT_EQ(sent.type, "InvalidSignatureException");
  EXPECT_GE(log_.size(), 4U);
  EXPECT_EQ(send("admin", "GET", "/healthz", "", false).status, 200);
}

std::set<std::string> accounts_of(const json& findings) {
  std::set<std::string> accounts;
  for (const json& finding : findings) {
    accounts.insert(finding.at("awsAccountId").get<std::string>());
  }
  return accounts;
}

TEST_F(DispatcherTest, ListFindingsIsScopedToTheCallersAccount) {
  Sent sent = send("admin", "POST", "/findings/list", "{}");
  ASSERT_EQ(sent.status, 200) << sent.raw.body;
  EXPECT_EQ(accounts_of(sent.body["findings"]), (std::set<std::string>{kMemberA, kMemberB}));
  sent = send("a", "POST", "/findings/list", "{}");
  EXPECT_EQ(accounts_of(sent.body["findings"]), std::set<std::string>{kMemberA});
  const std::string other = R"({"filterCriteria":{"awsAccountId":[{"comparison":"EQUALS","value":"333333333333"}]}})";
  sent = send("a", "POST", "/findings/list", other);
  EXPECT_TRUE(sent.body["findings"].empty());
  EXPECT_EQ(send("ro", "POST", "/findings/list", other).body["findings"].size(), 2U);
}

TEST_F(DispatcherTest, ListFindingsPaginatesWithOpaqueTokens) {
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    json body = {{"maxResults", 1}};
    if (!token.empty()) {
      body["nextToken"] = token;
    }
    const Sent sent = send("admin", "POST", "/findings/list", body.dump());
    ASSERT_EQ(sent.status, 200) << sent.raw.body;
    for (const json& finding : sent.body["findings"]) {
      EXPECT_TRUE(seen.insert(finding["findingArn"].get<std::string>()).second);
    }
    token = sent.body.value("nextToken", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 3U);
  EXPECT_EQ(pages, 3);
}

TEST_F(DispatcherTest, OtherReadOperationsAreScoped) {
  // BatchGetFindingDetails: another account's finding is reported as not found.
  const Sent all = send("admin", "POST", "/findings/list", "{}");
  std::string b_arn;
  for (const json& finding : all.body["findings"]) {
    if (finding["awsAccountId"] == kMemberB) {
      b_arn = finding["findingArn"];
    }
  }
  Sent sent = send("a", "POST", "/findings/details/batch/get", json{{"findingArns", {b_arn}}}.dump());
  ASSERT_EQ(sent.status, 200) << sent.raw.body;
  EXPECT_TRUE(sent.body["findingDetails"].empty());
  EXPECT_EQ(sent.body["errors"][0]["errorCode"], "FINDING_DETAILS_NOT_FOUND");
  sent = send("b", "POST", "/findings/details/batch/get", json{{"findingArns", {b_arn}}}.dump());
  EXPECT_EQ(sent.body["findingDetails"].size(), 1U);
  // Aggregations.
  sent = send("a", "POST", "/findings/aggregation/list", R"({"aggregationType":"ACCOUNT"})");
  ASSERT_EQ(sent.status, 200) << sent.raw.body;
  ASSERT_EQ(sent.body["responses"].size(), 1U);
  EXPECT_EQ(sent.body["responses"][0]["accountAggregation"]["accountId"], kMemberA);
  sent = send("admin", "POST", "/findings/aggregation/list", R"({"aggregationType":"ACCOUNT"})");
  EXPECT_EQ(sent.body["responses"].size(), 2U);
  // Coverage and statistics.
  sent = send("b", "POST", "/coverage/list", "{}");
  ASSERT_EQ(sent.status, 200) << sent.raw.body;
  ASSERT_EQ(sent.body["coveredResources"].size(), 1U);
  EXPECT_EQ(sent.body["coveredResources"][0]["accountId"], kMemberB);
  sent = send("b", "POST", "/coverage/statistics/list", R"({"groupBy":"ACCOUNT_ID"})");
  ASSERT_EQ(sent.status, 200) << sent.raw.body;
  EXPECT_EQ(sent.body["totalCounts"], 1);
  EXPECT_EQ(sent.body["countsByGroup"][0]["groupKey"], kMemberB);
  sent = send("admin", "POST", "/coverage/statistics/list", R"({"groupBy":"ACCOUNT_ID"})");
  EXPECT_EQ(sent.body["totalCounts"], 2);
  // Filters: a member lists none of the administrator's (none exist here) and gets 200.
  EXPECT_EQ(send("a", "POST", "/filters/list", "{}").status, 200);
}

TEST_F(DispatcherTest, MetricsCountRequests) {
  (void)send("admin", "POST", "/findings/list", "{}");
  const Sent sent = send("admin", "GET", "/metrics", "");
  ASSERT_EQ(sent.status, 200);
  EXPECT_NE(sent.raw.body.find("vigil_api_requests_total{operation=\"ListFindings\",status=\"200\"} 1"),
            std::string::npos)
      << sent.raw.body;
}

TEST(KeyVaultTest, SealsSecretsUnderTheMasterKey) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vigil-vault-" + std::to_string(std::random_device{}()));
  auto vault = KeyVault::open(dir);
  ASSERT_TRUE(vault.has_value());
  struct stat info {};
  ASSERT_EQ(::stat((dir / "master.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0600U);
  const auto sealed = (*vault)->seal("AKIATEST", "the-secret");
  ASSERT_TRUE(sealed.has_value());
  EXPECT_EQ(sealed->find("the-secret"), std::string::npos);
  EXPECT_EQ((*vault)->unseal("AKIATEST", *sealed).value_or(""), "the-secret");
  EXPECT_FALSE((*vault)->unseal("AKIAOTHER", *sealed).has_value());  // bound to its key id
  std::filesystem::remove_all(dir);
  auto other = KeyVault::open(dir);
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE((*other)->unseal("AKIATEST", *sealed).has_value());  // another master key
  std::filesystem::remove_all(dir);
}

TEST(ProtocolTest, TimestampsAndErrorsRenderAsBotocoreExpects) {
  EXPECT_EQ(timestamp_ms(json(1704067200)), 1704067200000);
  EXPECT_EQ(timestamp_ms(json(1704067200.5)), 1704067200500);
  EXPECT_EQ(timestamp_ms(json("2024-01-01T00:00:00Z")), 1704067200000);
  EXPECT_EQ(timestamp_ms(json("2024-05-20T16:23:20.25-07:00")), 1716247400250);
  EXPECT_FALSE(timestamp_ms(json("2024-13-01")).has_value());
  EXPECT_FALSE(timestamp_ms(json(1e300)).has_value());
  EXPECT_EQ(epoch_seconds(1748539687919).dump(), "1748539687.919");
  EXPECT_EQ(epoch_seconds(1748539687000).dump(), "1748539687");
  const HttpResponse throttled = error_response(ApiError::throttling("slow down", 3), "rid");
  EXPECT_EQ(throttled.status, 429);
  bool retry_after = false;
  for (const Header& header : throttled.headers) {
    retry_after = retry_after || (header.name == "Retry-After" && header.value == "3");
  }
  EXPECT_TRUE(retry_after);
  const HttpResponse conflict = error_response(ApiError::conflict("busy", "r-1", "FILTER"), "rid");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(json::parse(conflict.body)["resourceId"], "r-1");
  const HttpResponse internal_error = error_response(ApiError::from(Error::io("disk on fire")), "rid");
  EXPECT_EQ(internal_error.status, 500);
  EXPECT_EQ(internal_error.body.find("disk"), std::string::npos);  // details are logged, not sent
  EXPECT_EQ(error_response(ApiError::from(Error::not_found("x")), "rid").status, 404);
  const auto token = encode_token("ListFindings", "cursor|with|bars");
  EXPECT_EQ(decode_token("ListFindings", token).value_or(""), "cursor|with|bars");
  EXPECT_FALSE(decode_token("ListCoverage", token).has_value());
}

}  // namespace
}  // namespace vigil::api
