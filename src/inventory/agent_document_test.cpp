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
  requests.owner_purl = "pkg:deb/debian/python3-requests@2.31.0-1?arch=all&distro=debian-12";
  openssl.cpes = {"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"};
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

// Each case sets (or, with null, removes) one member of `document` and expects parsing to fail
// with that error code and a message naming the member.
void expect_rejected(const AgentDocument& document, const std::vector<InvalidCase>& cases) {
  const json base = json::parse(write_agent_document(document));
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

TEST(AgentDocumentTest, RejectsInvalidFieldsNamingThem) {
  const std::vector<InvalidCase> cases = {
      {"schema", json::json_pointer("/schemaVersion"), 3, ErrorCode::kInvalidArgument,
       "schemaVersion"},
      {"schema 2 without sockets", json::json_pointer("/schemaVersion"), 2,
       ErrorCode::kInvalidArgument, "listeningSockets: missing"},
      {"sockets in schema 1", json::json_pointer("/listeningSockets"), json::array(),
       ErrorCode::kInvalidArgument, "listeningSockets: needs schemaVersion 2"},
      {"schema type", json::json_pointer("/schemaVersion"), "1", ErrorCode::kParse,
       "schemaVersion"},
      {"owner", json::json_pointer("/packages/1/ownerPurl"), 7, ErrorCode::kParse,
       "packages[1].ownerPurl"},
      {"cpe item", json::json_pointer("/packages/0/cpes/0"), false, ErrorCode::kParse,
       "packages[0].cpes[0]"},
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
  expect_rejected(sample_document(), cases);
}

// sample_document() with two listening sockets (schema 2).
AgentDocument socket_document() {
  AgentDocument document = sample_document();
  document.schema_version = kAgentDocumentSocketsSchema;
  document.listening_sockets = std::vector<ListeningSocket>{
      {"tcp", "0.0.0.0", 443, 812, "nginx", "/usr/sbin/nginx", "nginx-core"},
      {"udp", "::", 5353, 0, "", "", ""}};
  document.content_hash = agent_content_hash(document);
  return document;
}

TEST(AgentDocumentTest, ListeningSocketsMakeSchema2AndRoundTrip) {
  const AgentDocument document = socket_document();
  const std::string text = write_agent_document(document);
  const json root = json::parse(text);
  EXPECT_EQ(root["schemaVersion"], 2);
  EXPECT_EQ(root["listeningSockets"][0]["localAddress"], "0.0.0.0");
  EXPECT_EQ(root["listeningSockets"][0]["port"], 443);
  EXPECT_EQ(root["listeningSockets"][0]["pid"], 812);
  EXPECT_EQ(root["listeningSockets"][0]["processName"], "nginx");
  EXPECT_EQ(root["listeningSockets"][0]["executable"], "/usr/sbin/nginx");
  EXPECT_EQ(root["listeningSockets"][0]["package"], "nginx-core");
  const auto parsed = parse_agent_document(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, document);

  // Looked, found none: still schema 2, an empty array.
  AgentDocument none = sample_document();
  none.schema_version = kAgentDocumentSocketsSchema;
  none.listening_sockets.emplace();
  const auto empty = parse_agent_document(write_agent_document(none));
  ASSERT_TRUE(empty) << empty.error().message;
  ASSERT_TRUE(empty->listening_sockets.has_value());
  EXPECT_TRUE(empty->listening_sockets->empty());
  EXPECT_EQ(empty->schema_version, 2);
}

TEST(AgentDocumentTest, DocumentsWithoutSocketsStaySchema1) {
  const json root = json::parse(write_agent_document(sample_document()));
  EXPECT_EQ(root["schemaVersion"], 1);
  EXPECT_FALSE(root.contains("listeningSockets"));
  const auto parsed = parse_agent_document(root.dump());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->listening_sockets.has_value());
  EXPECT_EQ(parsed->schema_version, 1);
}

TEST(AgentDocumentTest, SocketHashIgnoresPidsButNotPorts) {
  const AgentDocument document = socket_document();
  AgentDocument restarted = document;
  (*restarted.listening_sockets)[0].pid = 9999;
  EXPECT_EQ(agent_content_hash(restarted), agent_content_hash(document));
  AgentDocument moved = document;
  (*moved.listening_sockets)[0].port = 8443;
  EXPECT_NE(agent_content_hash(moved), agent_content_hash(document));
  EXPECT_NE(agent_content_hash(document), agent_content_hash(sample_document()));
}

TEST(AgentDocumentTest, RejectsInvalidSocketsNamingTheField) {
  const std::vector<InvalidCase> cases = {
      {"protocol", json::json_pointer("/listeningSockets/0/protocol"), "sctp",
       ErrorCode::kInvalidArgument, "listeningSockets[0].protocol"},
      {"protocol missing", json::json_pointer("/listeningSockets/1/protocol"), nullptr,
       ErrorCode::kInvalidArgument, "listeningSockets[1].protocol: missing"},
      {"address", json::json_pointer("/listeningSockets/0/localAddress"), "999.0.0.1",
       ErrorCode::kInvalidArgument, "listeningSockets[0].localAddress"},
      {"address nul", json::json_pointer("/listeningSockets/0/localAddress"),
       std::string("1.2.3.4\0x", 9), ErrorCode::kInvalidArgument,
       "listeningSockets[0].localAddress"},
      {"address type", json::json_pointer("/listeningSockets/0/localAddress"), 1,
       ErrorCode::kParse, "listeningSockets[0].localAddress"},
      {"port zero", json::json_pointer("/listeningSockets/0/port"), 0,
       ErrorCode::kInvalidArgument, "listeningSockets[0].port: expected 1 to 65535"},
      {"port big", json::json_pointer("/listeningSockets/0/port"), 65536,
       ErrorCode::kInvalidArgument, "listeningSockets[0].port"},
      {"port huge", json::json_pointer("/listeningSockets/0/port"),
       json(uint64_t{18446744073709551615ULL}), ErrorCode::kInvalidArgument,
       "listeningSockets[0].port"},
      {"port float", json::json_pointer("/listeningSockets/0/port"), 443.5, ErrorCode::kParse,
       "listeningSockets[0].port: expected an integer"},
      {"port missing", json::json_pointer("/listeningSockets/0/port"), nullptr,
       ErrorCode::kInvalidArgument, "listeningSockets[0].port: missing"},
      {"pid", json::json_pointer("/listeningSockets/0/pid"), -1, ErrorCode::kInvalidArgument,
       "listeningSockets[0].pid"},
      {"process", json::json_pointer("/listeningSockets/0/processName"), std::string(65, 'x'),
       ErrorCode::kInvalidArgument, "listeningSockets[0].processName"},
      {"executable", json::json_pointer("/listeningSockets/0/executable"), "nginx",
       ErrorCode::kInvalidArgument, "listeningSockets[0].executable"},
      {"package", json::json_pointer("/listeningSockets/0/package"), "two words",
       ErrorCode::kInvalidArgument, "listeningSockets[0].package"},
      {"entry type", json::json_pointer("/listeningSockets/1"), "tcp", ErrorCode::kParse,
       "listeningSockets[1]: expected an object"},
      {"array type", json::json_pointer("/listeningSockets"), json::object(), ErrorCode::kParse,
       "listeningSockets: expected an array"},
  };
  expect_rejected(socket_document(), cases);
}

TEST(AgentDocumentTest, SocketListAloneRoundTrips) {
  const auto sockets = *socket_document().listening_sockets;
  const auto parsed = parse_listening_sockets(write_listening_sockets(sockets));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, sockets);
  EXPECT_EQ(parse_listening_sockets("{}").error().code, ErrorCode::kParse);
  EXPECT_EQ(parse_listening_sockets("[").error().code, ErrorCode::kParse);
  const auto bad = parse_listening_sockets(R"([{"protocol":"tcp","localAddress":"::1"}])");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("listeningSockets[0].port"), std::string::npos);
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
