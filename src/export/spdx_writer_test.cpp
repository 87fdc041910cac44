#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "export/export_test_support.hpp"
#include "export/sbom.hpp"

namespace vigil::exporter {
namespace {

using nlohmann::json;
using testing::sample_document;

json write_spdx_json(const SbomDocument& document) {
  auto text = write_spdx(document);
  EXPECT_TRUE(text.has_value()) << text.error().message;
  return text ? json::parse(*text) : json();
}

const json* package_by_name(const json& doc, const std::string& name) {
  for (const auto& package : doc["packages"]) {
    if (package["name"] == name) {
      return &package;
    }
  }
  return nullptr;
}

TEST(SpdxWriterTest, ValidatesAgainstBothOfficial23Schemas) {
  VIGIL_REQUIRE_SCHEMAS();
  auto host = sample_document();
  host.subject = {SubjectKind::kHost, "ip-10-0-0-12", "", "", "i-0fabcdefabcdef50b"};
  host.layers.clear();
  for (auto& package : host.inventory.packages) {
    package.layer_digest.clear();
  }
  host.inventory.complete = false;
  SbomDocument empty;
  empty.timestamp = "2024-01-01T00:00:00Z";
  for (const auto& document :
       {sample_document(), host, empty, testing::sample_document_with_cpes()}) {
    const auto text = write_spdx(document);
    ASSERT_TRUE(text.has_value()) << text.error().message;
    for (const auto& check : testing::validate_spdx(*text)) {
      VIGIL_REQUIRE_VALIDATOR(check);
      EXPECT_EQ(check.verdict, testing::SchemaVerdict::kValid) << check.output;
    }
  }
}

TEST(SpdxWriterTest, ValidatorRejectsBrokenDocuments) {
  VIGIL_REQUIRE_SCHEMAS();
  const json good = write_spdx_json(sample_document());
  std::vector<json> broken(3, good);
  broken[0].erase("spdxVersion");
  broken[1]["packages"][0].erase("SPDXID");
  broken[2]["packages"][1]["primaryPackagePurpose"] = "SPACESHIP";
  for (const auto& document : broken) {
    for (const auto& check : testing::validate_spdx(document.dump())) {
      VIGIL_REQUIRE_VALIDATOR(check);
      EXPECT_EQ(check.verdict, testing::SchemaVerdict::kInvalid);
    }
  }
}

TEST(SpdxWriterTest, WritesDocumentHeader) {
  const json doc = write_spdx_json(sample_document());
  EXPECT_EQ(doc["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(doc["dataLicense"], "CC0-1.0");
  EXPECT_EQ(doc["SPDXID"], "SPDXRef-DOCUMENT");
  EXPECT_EQ(doc["name"], "registry.example/shop/api:1.4.2");
  EXPECT_EQ(doc["creationInfo"]["created"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(doc["creationInfo"]["creators"], json::array({"Tool: vigil-0.1.0"}));
  const std::string ns = doc["documentNamespace"];
  const std::string prefix = "https://vigil.invalid/spdx/image/registry.example-shop-api-1.4.2-";
  EXPECT_EQ(ns.rfind(prefix, 0), 0U) << ns;
  EXPECT_TRUE(testing::is_uuid4(ns.substr(prefix.size()))) << ns;
  auto other = sample_document();
  other.seed = 7;
  EXPECT_NE(write_spdx_json(other)["documentNamespace"], ns);
}

TEST(SpdxWriterTest, PackagesHavePurlRefsAndUniqueIds) {
  const auto document = sample_document();
  const json doc = write_spdx_json(document);
  const auto spdx_id = [](const std::string& id) {
    return id.size() > 8 && id.rfind("SPDXRef-", 0) == 0 &&
           std::all_of(id.begin() + 8, id.end(),
                       [](char c) { return vigil::is_alnum(c) || c == '.' || c == '-'; });
  };
  std::set<std::string> ids;
  for (const auto& package : doc["packages"]) {
    const std::string id = package["SPDXID"];
    EXPECT_TRUE(spdx_id(id)) << id;
    EXPECT_TRUE(ids.insert(id).second) << id;
    EXPECT_EQ(package["downloadLocation"], "NOASSERTION");
    EXPECT_EQ(package["filesAnalyzed"], false);
  }
  // subject + OS + 2 layers + 7 packages
  EXPECT_EQ(ids.size(), 11U);
  const json* ssl = package_by_name(doc, "libssl3");
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ((*ssl)["versionInfo"], "3.0.11-1~deb12u2");
  EXPECT_EQ((*ssl)["primaryPackagePurpose"], "LIBRARY");
  EXPECT_EQ((*ssl)["externalRefs"][0],
            json({{"referenceCategory", "PACKAGE-MANAGER"},
                  {"referenceType", "purl"},
                  {"referenceLocator", document.inventory.packages[0].purl}}));
  EXPECT_EQ((*ssl)["sourceInfo"], "acquired package info from var/lib/dpkg/status");
  const json* os = package_by_name(doc, "debian");
  ASSERT_NE(os, nullptr);
  EXPECT_EQ((*os)["primaryPackagePurpose"], "OPERATING_SYSTEM");
  const json* mystery = package_by_name(doc, "mystery-tool");
  ASSERT_NE(mystery, nullptr);
  EXPECT_FALSE(mystery->contains("externalRefs"));
}

TEST(SpdxWriterTest, RelationshipsDescribeTheSubjectAndItsContainment) {
  const auto document = sample_document();
  const json doc = write_spdx_json(document);
  std::map<std::string, std::string> id_of_name;
  for (const auto& package : doc["packages"]) {
    id_of_name[package["name"]] = package["SPDXID"];
  }
  std::multimap<std::string, std::pair<std::string, std::string>> relations;
  for (const auto& relationship : doc["relationships"]) {
    relations.emplace(relationship["spdxElementId"],
                      std::make_pair(relationship["relationshipType"].get<std::string>(),
                                     relationship["relatedSpdxElement"].get<std::string>()));
  }
  const auto has = [&relations](const std::string& from, const std::string& type,
                                const std::string& to) {
    const auto [begin, end] = relations.equal_range(from);
    for (auto it = begin; it != end; ++it) {
      if (it->second == std::make_pair(type, to)) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(has("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Subject"));
  EXPECT_TRUE(has("SPDXRef-Subject", "CONTAINS", "SPDXRef-OperatingSystem"));
  EXPECT_TRUE(has("SPDXRef-Subject", "CONTAINS", "SPDXRef-Layer-0"));
  EXPECT_TRUE(has("SPDXRef-Layer-0", "CONTAINS", id_of_name["libssl3"]));
  EXPECT_TRUE(has("SPDXRef-Layer-1", "CONTAINS", id_of_name["requests"]));
  EXPECT_TRUE(has("SPDXRef-Subject", "CONTAINS", id_of_name["mystery-tool"]));
  EXPECT_EQ(doc["relationships"].size(), 1U + 1U + 2U + 7U);
}

TEST(SpdxWriterTest, RejectsMalformedTimestamp) {
  auto document = sample_document();
  document.timestamp = "2024-05-01 12:00:00";
  const auto result = write_spdx(document);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST(SpdxWriterTest, CpesAreSecurityRefsAndOwnersContainWhatTheyInstalled) {
  const auto document = testing::sample_document_with_cpes();
  const auto text = write_spdx(document);
  ASSERT_TRUE(text.has_value()) << text.error().message;
  const json doc = json::parse(*text);
  const json* urllib3 = package_by_name(doc, "urllib3");
  const json* owner = package_by_name(doc, "python3-urllib3");
  ASSERT_NE(urllib3, nullptr);
  ASSERT_NE(owner, nullptr);
  std::vector<std::string> cpes;
  for (const auto& ref : (*urllib3)["externalRefs"]) {
    if (ref["referenceType"] == "cpe23Type") {
      EXPECT_EQ(ref["referenceCategory"], "SECURITY");
      cpes.push_back(ref["referenceLocator"]);
    }
  }
  EXPECT_EQ(cpes, document.inventory.packages.back().cpes);
  const json expected = {{"spdxElementId", (*owner)["SPDXID"]},
                         {"relationshipType", "CONTAINS"},
                         {"relatedSpdxElement", (*urllib3)["SPDXID"]}};
  EXPECT_NE(std::find(doc["relationships"].begin(), doc["relationships"].end(), expected),
            doc["relationships"].end());
}

}  // namespace
}  // namespace vigil::exporter
