// Organisation operations through the dispatcher: authorisation matrix, happy paths, isolation.
#include <gtest/gtest.h>

#include "api/ops_test_fixture.hpp"

namespace vigil::api::testing {
namespace {

using nlohmann::json;

std::string encode(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

struct Refusal {
  const char* name;
  const char* key;
  const char* target;
  const char* body;
  int status;
  const char* type;
};

class OrgOpsTest : public OpsTest {};

TEST_F(OrgOpsTest, RefusesWhatTheCallerMayNotDo) {
  const std::vector<Refusal> cases = {
      {"member enables", "a", "/enable", R"({"resourceTypes":["EC2"]})", 403,
       "AccessDeniedException"},
      {"account admin enables another account", "a_admin", "/enable",
       R"({"accountIds":["333333333333"],"resourceTypes":["EC2"]})", 403, "AccessDeniedException"},
      {"readonly enables", "ro", "/enable", R"({"resourceTypes":["EC2"]})", 403,
       "AccessDeniedException"},
      {"member disables", "a", "/disable", "{}", 403, "AccessDeniedException"},
      {"code repositories", "admin", "/enable", R"({"resourceTypes":["CODE_REPOSITORY"]})", 400,
       "ValidationException"},
      {"unknown resource type", "admin", "/enable", R"({"resourceTypes":["S3"]})", 400,
       "ValidationException"},
      {"administrator designates", "admin", "/delegatedadminaccounts/enable",
       R"({"delegatedAdminAccountId":"555555555555"})", 403, "AccessDeniedException"},
      {"second administrator", "mgmt", "/delegatedadminaccounts/enable",
       R"({"delegatedAdminAccountId":"555555555555"})", 409, "ConflictException"},
      {"management as its own administrator", "mgmt", "/delegatedadminaccounts/enable",
       R"({"delegatedAdminAccountId":"444444444444"})", 400, "ValidationException"},
      {"remove a non-administrator", "mgmt", "/delegatedadminaccounts/disable",
       R"({"delegatedAdminAccountId":"222222222222"})", 404, "ResourceNotFoundException"},
      {"member reads the administrator", "a", "/delegatedadminaccounts/get", "", 403,
       "AccessDeniedException"},
      {"member lists administrators", "a_admin", "/delegatedadminaccounts/list", "{}", 403,
       "AccessDeniedException"},
      {"member reads org configuration", "a", "/organizationconfiguration/describe", "", 403,
       "AccessDeniedException"},
      {"member updates org configuration", "a_admin", "/organizationconfiguration/update",
       R"({"autoEnable":{"ec2":true,"ecr":true}})", 403, "AccessDeniedException"},
      {"auto-enable code repositories", "admin", "/organizationconfiguration/update",
       R"({"autoEnable":{"ec2":true,"ecr":true,"codeRepository":true}})", 400,
       "ValidationException"},
      {"lambda code without lambda", "admin", "/organizationconfiguration/update",
       R"({"autoEnable":{"ec2":true,"ecr":true,"lambda":false,"lambdaCode":true}})", 400,
       "ValidationException"},
      {"member associates", "a_admin", "/members/associate", R"({"accountId":"666666666666"})", 403,
       "AccessDeniedException"},
      {"readonly associates", "ro", "/members/associate", R"({"accountId":"666666666666"})", 403,
       "AccessDeniedException"},
      {"disassociate a non-member", "admin", "/members/disassociate",
       R"({"accountId":"777777777777"})", 400, "ValidationException"},
      {"member reads another member", "a", "/members/get", R"({"accountId":"333333333333"})", 404,
       "ResourceNotFoundException"},
      {"unknown member", "admin", "/members/get", R"({"accountId":"777777777777"})", 404,
       "ResourceNotFoundException"},
      {"member updates configuration", "a_admin", "/configuration/update",
       R"({"ecrConfiguration":{"rescanDuration":"DAYS_30"}})", 403, "AccessDeniedException"},
      {"empty configuration update", "admin", "/configuration/update", "{}", 400,
       "ValidationException"},
      {"pull duration LIFETIME", "admin", "/configuration/update",
       R"({"ecrConfiguration":{"rescanDuration":"DAYS_30","pullDateRescanDuration":"LIFETIME"}})",
       400, "ValidationException"},
      {"bad members token", "admin", "/members/list", R"({"nextToken":"garbage"})", 400,
       "ValidationException"},
  };
  for (const Refusal& refusal : cases) {
    const Sent sent = send(refusal.key, refusal.target, refusal.body);
    EXPECT_EQ(sent.status, refusal.status) << refusal.name << ": " << sent.body.dump();
    EXPECT_EQ(sent.type, refusal.type) << refusal.name;
  }
}

TEST_F(OrgOpsTest, EnableDisableAndStatus) {
  Sent sent =
      send("admin", "/disable", R"({"accountIds":["222222222222"],"resourceTypes":["EC2"]})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  ASSERT_EQ(sent.body["accounts"].size(), 1u);
  EXPECT_EQ(sent.body["accounts"][0]["resourceStatus"]["ec2"], "DISABLED");
  EXPECT_EQ(sent.body["accounts"][0]["status"], "ENABLED");

  sent = send(
      "admin", "/enable",
      R"({"accountIds":["222222222222","555555555555"],"resourceTypes":["EC2","LAMBDA","LAMBDA_CODE"]})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  ASSERT_EQ(sent.body["accounts"].size(), 2u);
  for (const json& account : sent.body["accounts"]) {
    EXPECT_EQ(account["resourceStatus"]["ec2"], "ENABLED");
    EXPECT_EQ(account["resourceStatus"]["lambdaCode"], "ENABLED");
  }

  // An account administrator changes its own account.
  sent = send("a_admin", "/disable", R"({"resourceTypes":["LAMBDA_CODE"]})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  EXPECT_EQ(sent.body["accounts"][0]["accountId"], kMemberA);
  EXPECT_EQ(sent.body["accounts"][0]["resourceStatus"]["lambdaCode"], "DISABLED");

  sent = send("admin", "/status/batch/get",
              R"({"accountIds":["222222222222","333333333333","888888888888"]})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  ASSERT_EQ(sent.body["accounts"].size(), 2u);
  EXPECT_EQ(sent.body["accounts"][0]["state"]["status"], "ENABLED");
  EXPECT_EQ(sent.body["accounts"][0]["resourceState"]["lambdaCode"]["status"], "DISABLED");
  ASSERT_EQ(sent.body["failedAccounts"].size(), 1u);
  EXPECT_EQ(sent.body["failedAccounts"][0]["errorCode"], "RESOURCE_NOT_FOUND");

  // A member queries only itself: other accounts are refused whether they exist or not.
  sent = send("a", "/status/batch/get",
              R"({"accountIds":["222222222222","333333333333","888888888888"]})");
  ASSERT_EQ(sent.status, 200);
  ASSERT_EQ(sent.body["accounts"].size(), 1u);
  EXPECT_EQ(sent.body["accounts"][0]["accountId"], kMemberA);
  ASSERT_EQ(sent.body["failedAccounts"].size(), 2u);
  for (const json& failed : sent.body["failedAccounts"]) {
    EXPECT_EQ(failed["errorCode"], "ACCESS_DENIED");
  }
  sent = send("b", "/status/batch/get", "{}");
  ASSERT_EQ(sent.body["accounts"].size(), 1u);
  EXPECT_EQ(sent.body["accounts"][0]["accountId"], kMemberB);
}

TEST_F(OrgOpsTest, DelegatedAdministratorLifecycle) {
  Sent sent = send("admin", "/delegatedadminaccounts/get", "");
  ASSERT_EQ(sent.status, 200);
  EXPECT_EQ(sent.body["delegatedAdmin"]["accountId"], kAdmin);
  sent = send("mgmt", "/delegatedadminaccounts/list", "{}");
  ASSERT_EQ(sent.status, 200);
  ASSERT_EQ(sent.body["delegatedAdminAccounts"].size(), 1u);
  EXPECT_EQ(sent.body["delegatedAdminAccounts"][0]["status"], "ENABLED");

  sent = send("mgmt", "/delegatedadminaccounts/disable",
              R"({"delegatedAdminAccountId":"111111111111"})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  sent = send("mgmt", "/delegatedadminaccounts/get", "");
  EXPECT_FALSE(sent.body.contains("delegatedAdmin"));
  // The former administrator's keys no longer see the organisation.
  sent = send("admin", "/members/list", "{}");
  ASSERT_EQ(sent.status, 200);
  EXPECT_TRUE(sent.body["members"].empty());

  sent = send("mgmt", "/delegatedadminaccounts/enable",
              R"({"delegatedAdminAccountId":"555555555555"})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  EXPECT_EQ(sent.body["delegatedAdminAccountId"], "555555555555");
  sent = send("mgmt", "/delegatedadminaccounts/enable",
              R"({"delegatedAdminAccountId":"111111111111"})");
  EXPECT_EQ(sent.status, 409);
  EXPECT_EQ(sent.body["resourceId"], "555555555555");
}

TEST_F(OrgOpsTest, OrganizationConfiguration) {
  Sent sent = send("admin", "/organizationconfiguration/update",
                   R"({"autoEnable":{"ec2":true,"ecr":false,"lambda":true,"lambdaCode":true}})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  sent = send("ro", "/organizationconfiguration/describe", "");
  ASSERT_EQ(sent.status, 200);
  EXPECT_EQ(sent.body["autoEnable"],
            json({{"ec2", true}, {"ecr", false}, {"lambda", true}, {"lambdaCode", true}}));
  EXPECT_EQ(sent.body["maxAccountLimitReached"], false);
  // New members join with the auto-enable types.
  ASSERT_EQ(send("admin", "/members/associate", R"({"accountId":"666666666666"})").status, 200);
  sent = send("admin", "/status/batch/get", R"({"accountIds":["666666666666"]})");
  EXPECT_EQ(sent.body["accounts"][0]["resourceState"]["ecr"]["status"], "DISABLED");
  EXPECT_EQ(sent.body["accounts"][0]["resourceState"]["lambdaCode"]["status"], "ENABLED");
}

TEST_F(OrgOpsTest, MembersListGetAssociateDisassociate) {
  Sent sent = send("admin", "/members/list", R"({"maxResults":1})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  ASSERT_EQ(sent.body["members"].size(), 1u);
  ASSERT_TRUE(sent.body.contains("nextToken"));
  EXPECT_EQ(sent.body["members"][0]["accountId"], kMemberA);
  EXPECT_EQ(sent.body["members"][0]["delegatedAdminAccountId"], kAdmin);
  EXPECT_TRUE(sent.body["members"][0]["updatedAt"].is_number());
  sent = send("admin", "/members/list",
              json({{"maxResults", 1}, {"nextToken", sent.body["nextToken"]}}).dump());
  ASSERT_EQ(sent.body["members"].size(), 1u);
  EXPECT_EQ(sent.body["members"][0]["accountId"], kMemberB);
  EXPECT_FALSE(sent.body.contains("nextToken"));

  sent = send("a", "/members/list", "{}");
  ASSERT_EQ(sent.body["members"].size(), 1u);
  EXPECT_EQ(sent.body["members"][0]["accountId"], kMemberA);

  ASSERT_EQ(send("admin", "/members/associate", R"({"accountId":"666666666666"})").status, 200);
  ASSERT_EQ(send("admin", "/members/disassociate", R"({"accountId":"333333333333"})").status, 200);
  sent = send("admin", "/members/get", R"({"accountId":"333333333333"})");
  ASSERT_EQ(sent.status, 200);
  EXPECT_EQ(sent.body["member"]["relationshipStatus"], "REMOVED");
  sent = send("admin", "/members/list", R"({"onlyAssociated":true})");
  std::vector<std::string> ids;
  for (const json& member : sent.body["members"]) {
    ids.push_back(member["accountId"]);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{kMemberA, "666666666666"}));
  sent = send("a", "/members/get", R"({"accountId":"222222222222"})");
  EXPECT_EQ(sent.status, 200);
}

TEST_F(OrgOpsTest, ScanConfiguration) {
  Sent sent = send("a", "/configuration/get", "");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  EXPECT_EQ(sent.body["ecrConfiguration"]["rescanDurationState"]["rescanDuration"], "LIFETIME");
  EXPECT_EQ(sent.body["ec2Configuration"]["scanModeState"]["scanMode"], "EC2_SSM_AGENT_BASED");
  sent = send(
      "admin", "/configuration/update",
      R"({"ecrConfiguration":{"rescanDuration":"DAYS_30","pullDateRescanDuration":"DAYS_90",)"
      R"("pullDateRescanMode":"LAST_IN_USE_AT"},"ec2Configuration":{"scanMode":"EC2_HYBRID"}})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  sent = send("b", "/configuration/get", "");
  const json& ecr = sent.body["ecrConfiguration"]["rescanDurationState"];
  EXPECT_EQ(ecr["rescanDuration"], "DAYS_30");
  EXPECT_EQ(ecr["pullDateRescanDuration"], "DAYS_90");
  EXPECT_EQ(ecr["pullDateRescanMode"], "LAST_IN_USE_AT");
  EXPECT_EQ(ecr["status"], "SUCCESS");
  EXPECT_TRUE(ecr["updatedAt"].is_number());
  EXPECT_EQ(sent.body["ec2Configuration"]["scanModeState"]["scanMode"], "EC2_HYBRID");
}

TEST_F(OrgOpsTest, TagsOnFilters) {
  Sent sent = send(
      "admin", "/filters/create",
      R"({"name":"saved","action":"NONE","filterCriteria":{"severity":[{"comparison":"EQUALS","value":"HIGH"}]},"tags":{"team":"sec"}})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  const std::string path = "/tags/" + encode(sent.body["arn"].get<std::string>());
  sent = send("admin", path, R"({"tags":{"env":"prod"}})");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  sent = send("a", path, "", "GET");  // an organisation rule is visible to members
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  EXPECT_EQ(sent.body["tags"], json({{"env", "prod"}, {"team", "sec"}}));
  EXPECT_EQ(send("a", path, R"({"tags":{"x":"y"}})").type, "AccessDeniedException");
  EXPECT_EQ(send("ro", path, R"({"tags":{"x":"y"}})").type, "AccessDeniedException");
  sent = send("admin", path + "?tagKeys=team&tagKeys=absent", "", "DELETE");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  sent = send("admin", path, "", "GET");
  EXPECT_EQ(sent.body["tags"], json({{"env", "prod"}}));

  const std::string unknown =
      "/tags/" + encode("arn:aws:inspector2:us-east-1:111111111111:owner/111111111111/filter/nope");
  EXPECT_EQ(send("admin", unknown, "", "GET").type, "ResourceNotFoundException");
  EXPECT_EQ(send("admin", unknown, R"({"tags":{"a":"b"}})").type, "ResourceNotFoundException");

  // A filter of account A's own (kept from when it was standalone) is invisible to B.
  store::FilterRecord mine;
  mine.arn = "arn:aws:inspector2:us-east-1:222222222222:owner/222222222222/filter/mine";
  mine.owner_id = kMemberA;
  mine.name = "mine";
  mine.action = "NONE";
  mine.criteria_json = "{}";
  ASSERT_TRUE(fleet_->store().put_filter(mine).has_value());
  const std::string own = "/tags/" + encode(mine.arn);
  EXPECT_EQ(send("a_admin", own, R"({"tags":{"k":"v"}})").status, 200);
  EXPECT_EQ(send("b", own, "", "GET").type, "ResourceNotFoundException");
}

TEST_F(OrgOpsTest, UsageTotals) {
  Sent sent = send("admin", "/usage/list", "{}");
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  std::map<std::string, json> by_account;
  for (const json& total : sent.body["totals"]) {
    by_account[total["accountId"]] = total["usage"];
  }
  ASSERT_TRUE(by_account.contains(kMemberA));
  ASSERT_TRUE(by_account.contains(kMemberB));
  for (const json& usage : by_account[kMemberA]) {
    EXPECT_EQ(usage["currency"], "USD");
    EXPECT_EQ(usage["estimatedMonthlyCost"], 0.0);
  }
  sent = send("a", "/usage/list", R"({"accountIds":["222222222222","333333333333"]})");
  ASSERT_EQ(sent.body["totals"].size(), 1u);
  EXPECT_EQ(sent.body["totals"][0]["accountId"], kMemberA);
  sent = send("admin", "/usage/list", R"({"maxResults":1})");
  EXPECT_EQ(sent.body["totals"].size(), 1u);
  EXPECT_TRUE(sent.body.contains("nextToken"));
}

}  // namespace
}  // namespace vigil::api::testing
