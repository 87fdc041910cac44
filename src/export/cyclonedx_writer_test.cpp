#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "export/export_test_support.hpp"
#include "export/internal/common.hpp"
#include "export/sbom.hpp"

namespace vigil::exporter {
namespace {

using nlohmann::json;
using testing::sample_document;

json write_json(const SbomDocument& document) {
  auto text = write_cyclonedx(document);
  EXPECT_TRUE(text.has_value()) << text.error().message;
  return text ? json::parse(*text) : json();
}

const json* component_by_ref(const json& bom, const std::string& ref) {
  for (const auto& component : bom["components"]) {
    if (component.value("bom-ref", "") == ref) {
      return &component;
    }
  }
  return nullptr;
}

std::vector<SbomDocument> schema_cases() {
  std::vector<SbomDocument> cases;
  cases.push_back(sample_document());

  SbomDocument host = sample_document();
  host.subject = {SubjectKind::kHost, "ip-10-0-0-12", "", "", "i-0fabcdefabcdef50b"};
  host.layers.clear();
  for (auto& package : host.inventory.packages) {
    package.layer_digest.clear();
  }
  host.inventory.complete = false;
  host.inventory.os.kernel_release = "6.1.0-18-amd64";
  host.inventory.os.end_of_life = true;
  cases.push_back(host);

  SbomDocument function = sample_document();
  function.subject = {SubjectKind::kFunction, "checkout", "$LATEST", "",
                      "arn:aws:lambda:us-east-1:123456789012:function:checkout"};
  function.inventory.os = {};
  function.layers = {{"arn:aws:lambda:us-east-1:123456789012:layer:deps:3", "deps"}};
  for (auto& package : function.inventory.packages) {
    package.layer_digest = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3";
  }
  cases.push_back(function);

  cases.push_back(testing::sample_document_with_cpes());

  SbomDocument empty;
  empty.subject = {SubjectKind::kDirectory, "", "", "", ""};
  empty.timestamp = "2024-01-01T00:00:00Z";
  empty.seed = 1;
  cases.push_back(empty);
  return cases;
}

TEST(CycloneDxWriterTest, EveryShapeValidatesAgainstTheOfficial16Schema) {
  VIGIL_REQUIRE_SCHEMAS();
  for (const auto& document : schema_cases()) {
    SCOPED_TRACE(subject_kind_name(document.subject.kind));
    const auto text = write_cyclonedx(document);
    ASSERT_TRUE(text.has_value()) << text.error().message;
    const auto check = testing::validate_cyclonedx(*text);
    VIGIL_REQUIRE_VALIDATOR(check);
    EXPECT_EQ(check.verdict, testing::SchemaVerdict::kValid) << check.output << *text;
  }
}

TEST(CycloneDxWriterTest, ValidatorRejectsBrokenDocuments) {
  VIGIL_REQUIRE_SCHEMAS();
  const json good = write_json(sample_document());
  std::vector<json> broken(4, good);
  broken[0]["components"][0]["type"] = "bogus";
  broken[1].erase("bomFormat");
  broken[2]["serialNumber"] = "urn:uuid:not-a-uuid";
  broken[3]["components"][1]["hashes"] = json::array({{{"alg", "SHA-256"}, {"content", "xyz"}}});
  for (const auto& document : broken) {
    const auto check = testing::validate_cyclonedx(document.dump());
    VIGIL_REQUIRE_VALIDATOR(check);
    EXPECT_EQ(check.verdict, testing::SchemaVerdict::kInvalid) << document.dump().substr(0, 300);
  }
}

TEST(CycloneDxWriterTest, WritesHeaderToolAndSubject) {
  const json bom = write_json(sample_document());
  EXPECT_EQ(bom["bomFormat"], "CycloneDX");
  EXPECT_EQ(bom["specVersion"], "1.6");
  EXPECT_EQ(bom["version"], 1);
  EXPECT_EQ(bom["metadata"]["timestamp"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(bom["metadata"]["tools"]["components"][0]["name"], "vigil");
  EXPECT_EQ(bom["metadata"]["tools"]["components"][0]["version"], "0.1.0");
  const json& subject = bom["metadata"]["component"];
  EXPECT_EQ(subject["type"], "container");
  EXPECT_EQ(subject["name"], "registry.example/shop/api:1.4.2");
  EXPECT_EQ(subject["hashes"][0]["content"],
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

TEST(CycloneDxWriterTest, SerialIsAVersion4UuidDeterministicForASeed) {
  const auto uuid4 = [](const std::string& serial) {
    return serial.rfind("urn:uuid:", 0) == 0 && testing::is_uuid4(serial.substr(9));
  };
  auto document = sample_document();
  const std::string first = write_json(document)["serialNumber"];
  EXPECT_TRUE(uuid4(first)) << first;
  EXPECT_EQ(write_json(document)["serialNumber"], first);
  document.seed = 43;
  EXPECT_NE(write_json(document)["serialNumber"], first);
  document.seed.reset();
  const std::string random1 = write_json(document)["serialNumber"];
  const std::string random2 = write_json(document)["serialNumber"];
  EXPECT_TRUE(uuid4(random1)) << random1;
  EXPECT_NE(random1, random2);
  document.serial_uuid = "3E671687-395B-41F5-A30F-A58921A69B79";
  EXPECT_EQ(write_json(document)["serialNumber"], "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
}

TEST(CycloneDxWriterTest, EmptyTimestampMeansNow) {
  auto document = sample_document();
  document.timestamp.clear();
  const std::string stamp = write_json(document)["metadata"]["timestamp"];
  EXPECT_TRUE(internal::is_utc_timestamp(stamp)) << stamp;
}

TEST(CycloneDxWriterTest, RejectsMalformedTimestampOrSerial) {
  for (const std::string stamp : {"2024-05-01", "2024-13-01T00:00:00Z", "2024-05-01T12:00:00+02:00",
                                  "yesterday", "2024-05-01T25:00:00Z"}) {
    auto document = sample_document();
    document.timestamp = stamp;
    const auto result = write_cyclonedx(document);
    ASSERT_FALSE(result.has_value()) << stamp;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().message.find("timestamp"), std::string::npos);
  }
  auto document = sample_document();
  document.serial_uuid = "1234";
  const auto result = write_cyclonedx(document);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("serial"), std::string::npos);
}

TEST(CycloneDxWriterTest, ContainmentIsWrittenAsDependencies) {
  const auto document = sample_document();
  const json bom = write_json(document);
  std::map<std::string, std::set<std::string>> depends;
  for (const auto& entry : bom["dependencies"]) {
    for (const auto& ref : entry["dependsOn"]) {
      depends[entry["ref"]].insert(ref.get<std::string>());
    }
  }
  const std::string layer1 = "vigil:layer:" + testing::kLayer1;
  const std::string layer2 = "vigil:layer:" + testing::kLayer2;
  EXPECT_EQ(depends["vigil:subject"],
            (std::set<std::string>{"vigil:os", layer1, layer2,
                                   bom["components"].back()["bom-ref"].get<std::string>()}));
  EXPECT_EQ(depends[layer1].size(), 2U);
  EXPECT_EQ(depends[layer2].size(), 4U);
  EXPECT_EQ(depends[layer1].count(document.inventory.packages[0].purl), 1U);
  // Every reference names a component (or the subject).
  for (const auto& [from, refs] : depends) {
    for (const auto& ref : refs) {
      EXPECT_NE(component_by_ref(bom, ref), nullptr) << from << " -> " << ref;
    }
  }
}

TEST(CycloneDxWriterTest, PackagesCarryPurlEvidenceAndVigilProperties) {
  const auto document = sample_document();
  const json bom = write_json(document);
  const json* ssl = component_by_ref(bom, document.inventory.packages[0].purl);
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ((*ssl)["type"], "library");
  EXPECT_EQ((*ssl)["name"], "libssl3");
  EXPECT_EQ((*ssl)["version"], "3.0.11-1~deb12u2");
  EXPECT_EQ((*ssl)["evidence"]["occurrences"][0]["location"], "var/lib/dpkg/status");
  std::map<std::string, std::string> properties;
  for (const auto& property : (*ssl)["properties"]) {
    properties[property["name"]] = property["value"];
  }
  EXPECT_EQ(properties["vigil:ecosystem"], "Debian:12");
  EXPECT_EQ(properties["vigil:source-name"], "openssl");
  EXPECT_EQ(properties["vigil:location"], "var/lib/dpkg/status");
  EXPECT_EQ(properties["vigil:layer"], testing::kLayer1);

  const json* log4j = component_by_ref(bom, document.inventory.packages[3].purl);
  ASSERT_NE(log4j, nullptr);
  EXPECT_EQ((*log4j)["group"], "org.apache.logging.log4j");
  EXPECT_EQ((*log4j)["name"], "log4j-core");

  const json* os = component_by_ref(bom, "vigil:os");
  ASSERT_NE(os, nullptr);
  EXPECT_EQ((*os)["type"], "operating-system");
  EXPECT_EQ((*os)["name"], "debian");
  EXPECT_EQ((*os)["version"], "12");
}

TEST(CycloneDxWriterTest, BomRefsAreUniqueEvenForRepeatedPurls) {
  const json bom = write_json(sample_document());
  std::set<std::string> refs;
  for (const auto& component : bom["components"]) {
    EXPECT_TRUE(refs.insert(component["bom-ref"].get<std::string>()).second)
        << component["bom-ref"];
  }
  EXPECT_EQ(refs.count("pkg:npm/%40babel/traverse@7.22.5"), 0U) << "a shared purl is no bom-ref";
}

TEST(CycloneDxWriterTest, InvalidUtf8IsReplacedNotThrown) {
  auto document = sample_document();
  document.inventory.packages[0].name = std::string("bad\xff\xfe name");
  const auto text = write_cyclonedx(document);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("bad\xEF\xBF\xBD"), std::string::npos);
  EXPECT_TRUE(json::accept(*text));
}

TEST(CycloneDxWriterTest, CpesAndOwnership) {
  const auto document = testing::sample_document_with_cpes();
  const auto text = write_cyclonedx(document);
  ASSERT_TRUE(text.has_value()) << text.error().message;
  const json bom = json::parse(*text);
  const auto& packages = document.inventory.packages;
  const json* openssl = component_by_ref(bom, packages[0].purl);
  ASSERT_NE(openssl, nullptr);
  EXPECT_EQ(openssl->value("cpe", ""), packages[0].cpes[0]);
  const json* urllib3 = component_by_ref(bom, packages.back().purl);
  ASSERT_NE(urllib3, nullptr);
  EXPECT_EQ(urllib3->value("cpe", ""), packages.back().cpes[0]);
  std::vector<std::string> extra_cpes;
  std::string owned_by;
  for (const auto& property : (*urllib3)["properties"]) {
    if (property["name"] == "vigil:cpe23") {
      extra_cpes.push_back(property["value"]);
    } else if (property["name"] == "vigil:owned-by") {
      owned_by = property["value"];
    }
  }
  EXPECT_EQ(extra_cpes, std::vector<std::string>{packages.back().cpes[1]});
  EXPECT_EQ(owned_by, packages[packages.size() - 2].purl);
  // Without CPEs there is no cpe member.
  const json* requests = component_by_ref(bom, packages[2].purl);
  ASSERT_NE(requests, nullptr);
  EXPECT_FALSE(requests->contains("cpe"));
  // The owner "dependsOn" what it installed, as containment is written.
  bool found = false;
  for (const auto& dependency : bom["dependencies"]) {
    if (dependency["ref"] == packages[packages.size() - 2].purl) {
      EXPECT_EQ(dependency["dependsOn"], json::array({packages.back().purl}));
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace vigil::exporter
