#include "inventory/agent_document.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

using nlohmann::json;

AgentDocument sample_document() {
  AgentDocument document;
  document.host.hostname = "web-1";
  document.host.machine_id = "0123456789abcdef0123456789abcdef";
  document.host.instance_id = "i-0123456789abcdef0";
  document.host.account_id = "111122223333";
  document.host.region = "eu-west-1";
  document.host.ami_id = "ami-0abc1234";
  document.host.tags = {{"env", "prod"}, {"team", "payments"}};
  document.inventory.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)",
                           "6.1.0-18-amd64", false};
  model::Package openssl;
  openssl.ecosystem = model::Ecosystem::kDebian;
  openssl.name = "openssl";
  openssl.version = "3.0.11-1~deb12u2";
  openssl.arch = "amd64";
  openssl.source_name = "openssl";
  openssl.source_version = "3.0.11-1~deb12u2";
  openssl.distro_release = "12";
  openssl.locations = {"/var/lib/dpkg/status"};
  openssl.purl = "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12";
  model::Package requests;
  requests.ecosystem = model::Ecosystem::kPyPI;
  requests.name = "requests";
  requests.version = "2.31.0";
  requests.locations = {"/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"};
  requests.purl = "pkg:pypi/requests@2.31.0";
  document.inventory.packages = {openssl, requests};
  document.inventory.diagnostics = {
      {model::DiagnosticLevel::kWarning, "/opt/app/package.json", "unterminated string"}};
  document.inventory.complete = false;
  document.collected_at = "2026-11-24T20:15:00Z";
  document.agent_version = "0.1.0";
  document.content_hash = agent_content_hash(document);
  return document;
}

TEST(AgentDocumentTest, RoundTripsEveryField) {
  const AgentDocument document = sample_document();
  const auto parsed = parse_agent_document(write_agent_document(document));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, document);
}

TEST(AgentDocumentTest, UsesCamelCaseFieldNames) {
  const json root = json::parse(write_agent_document(sample_document()));
  for (const char* key : {"schemaVersion", "host", "os", "packages", "diagnostics", "complete",
                          "collectedAt", "agentVersion", "contentHash"}) {
    EXPECT_TRUE(root.contains(key)) << key;
  }
  EXPECT_EQ(root["host"]["machineId"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(root["host"]["tags"]["env"], "prod");
  EXPECT_EQ(root["os"]["kernelRelease"], "6.1.0-18-amd64");
  EXPECT_EQ(root["packages"][0]["ecosystem"], "Debian");
  EXPECT_EQ(root["packages"][0]["sourceVersion"], "3.0.11-1~deb12u2");
  EXPECT_EQ(root["packages"][1]["locations"].size(), 1U);
  EXPECT_EQ(root["diagnostics"][0]["level"], "warning");
}

TEST(AgentDocumentTest, HashIgnoresCollectionTimeButNotContent) {
  const AgentDocument document = sample_document();
  AgentDocument later = document;
  later.collected_at = "2026-11-25T08:00:00Z";
  EXPECT_EQ(agent_content_hash(later), agent_content_hash(document));
  later.content_hash = "ignored";
  EXPECT_EQ(agent_content_hash(later), agent_content_hash(document));

  AgentDocument changed = document;
  changed.inventory.packages[0].version = "3.0.13-1~deb12u1";
  EXPECT_NE(agent_content_hash(changed), agent_content_hash(document));
  changed = document;
  changed.host.tags["env"] = "staging";
  EXPECT_NE(agent_content_hash(changed), agent_content_hash(document));
  EXPECT_EQ(agent_content_hash(document).size(), 64U);
}

TEST(AgentDocumentTest, AcceptsMissingHashAndOptionalFields) {
  json root = json::parse(write_agent_document(sample_document()));
  root.erase("contentHash");
  root.erase("diagnostics");
  root["host"].erase("tags");
  root["host"].erase("instanceState");
  root["packages"][1].erase("arch");
  const auto parsed = parse_agent_document(root.dump());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->host.instance_state, "running");
  EXPECT_TRUE(parsed->host.tags.empty());
  EXPECT_EQ(parsed->content_hash, agent_content_hash(*parsed));
}

struct InvalidCase {
  const char* name;
  json::json_pointer pointer;
  json value;
  ErrorCode code;
  const char* message_part;
};

TEST(AgentDocumentTest, RejectsInvalidFieldsNamingThem) {
  const std::vector<InvalidCase> cases = {
      {"schema", json::json_pointer("/schemaVersion"), 2, ErrorCode::kInvalidArgument,
       "schemaVersion"},
      {"schema type", json::json_pointer("/schemaVersion"), "1", ErrorCode::kParse,
       "schemaVersion"},
      {"account", json::json_pointer("/host/accountId"), "12345", ErrorCode::kInvalidArgument,
       "host.accountId: expected 12 digits"},
      {"machine id", json::json_pointer("/host/machineId"), "XYZ", ErrorCode::kInvalidArgument,
       "host.machineId"},
      {"hostname", json::json_pointer("/host/hostname"), "", ErrorCode::kInvalidArgument,
       "host.hostname"},
      {"instance id", json::json_pointer("/host/instanceId"), nullptr,
       ErrorCode::kInvalidArgument, "host.instanceId: missing"},
      {"state", json::json_pointer("/host/instanceState"), "exploded",
       ErrorCode::kInvalidArgument, "host.instanceState"},
      {"region", json::json_pointer("/host/region"), "EU West", ErrorCode::kInvalidArgument,
       "host.region"},
      {"ami", json::json_pointer("/host/amiId"), "img-1", ErrorCode::kInvalidArgument,
       "host.amiId"},
      {"tag type", json::json_pointer("/host/tags/env"), 3, ErrorCode::kParse, "host.tags.env"},
      {"os type", json::json_pointer("/os"), json::array(), ErrorCode::kParse, "os:"},
      {"eol type", json::json_pointer("/os/endOfLife"), "no", ErrorCode::kParse, "os.endOfLife"},
      {"ecosystem", json::json_pointer("/packages/1/ecosystem"), "Cobol",
       ErrorCode::kInvalidArgument, "packages[1].ecosystem"},
      {"name", json::json_pointer("/packages/0/name"), "", ErrorCode::kInvalidArgument,
       "packages[0].name"},
      {"location", json::json_pointer("/packages/0/locations/0"), 7, ErrorCode::kParse,
       "packages[0].locations[0]"},
      {"packages", json::json_pointer("/packages"), json::object(), ErrorCode::kParse,
       "packages:"},
      {"level", json::json_pointer("/diagnostics/0/level"), "fatal", ErrorCode::kInvalidArgument,
       "diagnostics[0].level"},
      {"complete", json::json_pointer("/complete"), 1, ErrorCode::kParse, "complete"},
      {"time", json::json_pointer("/collectedAt"), "yesterday", ErrorCode::kInvalidArgument,
       "collectedAt"},
      {"time month", json::json_pointer("/collectedAt"), "2026-13-01T00:00:00Z",
       ErrorCode::kInvalidArgument, "collectedAt"},
      {"agent version", json::json_pointer("/agentVersion"), "", ErrorCode::kInvalidArgument,
       "agentVersion"},
      {"hash", json::json_pointer("/contentHash"), std::string(64, '0'),
       ErrorCode::kInvalidArgument, "contentHash"},
  };
  const json base = json::parse(write_agent_document(sample_document()));
  for (const InvalidCase& row : cases) {
    json root = base;
    root[row.pointer] = row.value;
    if (row.value.is_null()) {
      root[row.pointer.parent_pointer()].erase(row.pointer.back());
    }
    const auto parsed = parse_agent_document(root.dump());
    ASSERT_FALSE(parsed) << row.name;
    EXPECT_EQ(parsed.error().code, row.code) << row.name << ": " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(row.message_part), std::string::npos)
        << row.name << ": " << parsed.error().message;
  }
}

TEST(AgentDocumentTest, RejectsNonDocuments) {
  EXPECT_EQ(parse_agent_document("").error().code, ErrorCode::kParse);
  EXPECT_EQ(parse_agent_document("[1,2]").error().code, ErrorCode::kParse);
  EXPECT_EQ(parse_agent_document("{\"schemaVersion\":1").error().code, ErrorCode::kParse);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(parse_agent_document(deep).error().code, ErrorCode::kParse);
}

TEST(AgentDocumentTest, InvalidUtf8IsReplacedNotThrown) {
  AgentDocument document = sample_document();
  document.inventory.packages[0].name = "bad\xff";
  const std::string text = write_agent_document(document);
  const auto parsed = parse_agent_document(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->inventory.packages[0].name, "bad\xef\xbf\xbd");
}

}  // namespace
}  // namespace vigil::inventory
