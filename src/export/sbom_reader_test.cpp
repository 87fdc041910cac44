#include "export/sbom_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "export/export_test_support.hpp"
#include "export/internal/reader.hpp"
#include "export/sbom.hpp"

namespace vigil::exporter {
namespace {

namespace fs = std::filesystem;
using model::Ecosystem;
using nlohmann::json;
using testing::sample_document;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A CycloneDX 1.6 document with one component per purl and, when `os_id` is set, an OS.
std::string cyclonedx_with(const std::vector<std::string>& purls, const std::string& os_id = "",
                           const std::string& os_version = "") {
  json components = json::array();
  for (size_t idx = 0; idx < purls.size(); ++idx) {
    components.push_back(
        {{"type", "library"}, {"name", "c" + std::to_string(idx)}, {"purl", purls[idx]}});
  }
  if (!os_id.empty()) {
    components.push_back({{"type", "operating-system"}, {"name", os_id}, {"version", os_version}});
  }
  return json{{"bomFormat", "CycloneDX"}, {"specVersion", "1.6"}, {"components", components}}
      .dump();
}

TEST(SbomReaderTest, CycloneDxRoundTripRestoresTheInventoryExactly) {
  auto document = sample_document();
  document.inventory.os.kernel_release = "6.1.0-18-amd64";
  document.inventory.os.end_of_life = true;
  document.inventory.complete = false;
  const auto text = write_cyclonedx(document);
  ASSERT_TRUE(text.has_value());
  const auto read = read_sbom(*text);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->format, SbomFormat::kCycloneDx);
  EXPECT_EQ(read->spec_version, "1.6");
  EXPECT_EQ(read->inventory.target, document.subject.name);
  EXPECT_EQ(read->inventory.os, document.inventory.os);
  EXPECT_FALSE(read->inventory.complete);
  ASSERT_EQ(read->inventory.packages.size(), document.inventory.packages.size());
  for (size_t idx = 0; idx < document.inventory.packages.size(); ++idx) {
    EXPECT_EQ(read->inventory.packages[idx], document.inventory.packages[idx]) << idx;
  }
  EXPECT_TRUE(read->diagnostics.empty()) << read->diagnostics.front().message;
}

TEST(SbomReaderTest, SpdxRoundTripRestoresTheInventoryExactly) {
  auto document = sample_document();
  document.inventory.complete = false;
  const auto text = write_spdx(document);
  ASSERT_TRUE(text.has_value());
  const auto read = read_sbom(*text);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->format, SbomFormat::kSpdx);
  EXPECT_EQ(read->spec_version, "SPDX-2.3");
  EXPECT_EQ(read->inventory.target, document.subject.name);
  EXPECT_EQ(read->inventory.os, document.inventory.os);
  EXPECT_FALSE(read->inventory.complete);
  EXPECT_EQ(read->inventory.packages, document.inventory.packages);
  EXPECT_TRUE(read->diagnostics.empty());
}

// Vigil SBOM -> reader -> writer -> reader keeps CPEs and ownership, in both formats.
TEST(SbomReaderTest, RoundTripKeepsCpesAndOwners) {
  const auto document = testing::sample_document_with_cpes();
  for (const auto& write : {write_cyclonedx, write_spdx}) {
    const auto first = write(document);
    ASSERT_TRUE(first.has_value());
    const auto read = read_sbom(*first);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ(read->inventory.packages, document.inventory.packages);
    EXPECT_TRUE(read->diagnostics.empty()) << read->diagnostics.front().message;
    auto again = document;
    again.inventory = read->inventory;
    const auto second = write(again);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(*second, *first);
  }
}

TEST(SbomReaderTest, ThirdPartyCpesAreKeptAndNormalised) {
  const json cdx = {
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.5"},
      {"components",
       {{{"type", "library"},
         {"name", "curl"},
         {"version", "8.4.0"},
         {"purl", "pkg:generic/curl@8.4.0"},
         {"cpe", "cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*"},
         {"properties",
          {{{"name", "syft:cpe23"}, {"value", "cpe:2.3:a:haxx:libcurl:8.4.0:*:*:*:*:*:*:*"}},
           {{"name", "syft:cpe23"}, {"value", "cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*"}},
           {{"name", "syft:cpe23"}, {"value", "not-a-cpe"}}}}}}}};
  const auto read = read_sbom(cdx.dump());
  ASSERT_TRUE(read.has_value()) << read.error().message;
  ASSERT_EQ(read->inventory.packages.size(), 1U);
  EXPECT_EQ(read->inventory.packages[0].cpes,
            (std::vector<std::string>{"cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*",
                                      "cpe:2.3:a:haxx:libcurl:8.4.0:*:*:*:*:*:*:*"}));
  EXPECT_EQ(std::count_if(read->diagnostics.begin(), read->diagnostics.end(),
                          [](const model::Diagnostic& diagnostic) {
                            return diagnostic.message.find("'not-a-cpe' is not a CPE") !=
                                       std::string::npos &&
                                   diagnostic.level == model::DiagnosticLevel::kWarning;
                          }),
            1);

  const json spdx = {
      {"spdxVersion", "SPDX-2.3"},
      {"SPDXID", "SPDXRef-DOCUMENT"},
      {"packages",
       {{{"SPDXID", "SPDXRef-a"},
         {"name", "openssl"},
         {"versionInfo", "1.0.1"},
         {"externalRefs",
          {{{"referenceCategory", "SECURITY"},
            {"referenceType", "cpe22Type"},
            {"referenceLocator", "cpe:/a:openssl:openssl:1.0.1%2b::~~~linux~~"}},
           {{"referenceCategory", "SECURITY"},
            {"referenceType", "cpe23Type"},
            {"referenceLocator", "cpe:2.3:a:openssl:openssl:1.0.1"}},
           {{"referenceCategory", "PACKAGE-MANAGER"},
            {"referenceType", "purl"},
            {"referenceLocator", "pkg:generic/openssl@1.0.1"}}}}}}}};
  const auto spdx_read = read_sbom(spdx.dump());
  ASSERT_TRUE(spdx_read.has_value()) << spdx_read.error().message;
  ASSERT_EQ(spdx_read->inventory.packages.size(), 1U);
  EXPECT_EQ(spdx_read->inventory.packages[0].cpes,
            (std::vector<std::string>{"cpe:2.3:a:openssl:openssl:1.0.1\\+:*:*:*:*:linux:*:*",
                                      "cpe:2.3:a:openssl:openssl:1.0.1:*:*:*:*:*:*:*"}));
}

TEST(SbomReaderTest, CpeForms) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*", "cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*"},
      {"cpe:2.3:o:debian:debian_linux", "cpe:2.3:o:debian:debian_linux:*:*:*:*:*:*:*:*"},
      {"cpe:2.3:a:x:y\\:z:1", "cpe:2.3:a:x:y\\:z:1:*:*:*:*:*:*:*"},
      {"cpe:/a:apache:log4j:2.14.1", "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
      {"cpe:/o:redhat:enterprise_linux:8::baseos", "cpe:2.3:o:redhat:enterprise_linux:8:*:baseos:*:*:*:*:*"},
      {"cpe:/a:vendor:product:-", "cpe:2.3:a:vendor:product:-:*:*:*:*:*:*:*"},
      {"cpe:2.3:a:a:b:c:d:e:f:g:h:i:j:k:l", ""},  // too many fields
      {"cpe:2.3:x:a:b", ""},
      {"cpe:/a:bad%zzescape", ""},
      {"cpe:/a:trailing%2", ""},
      {"cpe:/a:a:b:1:2:~too~few", ""},
      {"pkg:npm/lodash@4.17.21", ""},
      {"", ""},
  };
  for (const auto& [in, out] : cases) {
    const auto converted = internal::cpe23_of(in);
    EXPECT_EQ(converted.value_or(""), out) << in;
  }
}

struct PurlCase {
  std::string purl;
  std::string os_id;
  std::string os_version;
  Ecosystem ecosystem;
  std::string name;
  std::string version;
  std::string release;
  std::string arch;
  std::string source_name;
  std::string source_version;
  bool diagnostic;
};

TEST(SbomReaderTest, PurlsFromOtherToolsMapToEcosystemsAndReleases) {
  const PurlCase cases[] = {
      {"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5&upstream=glibc", "", "",
       Ecosystem::kDebian, "libc6", "2.36-9+deb12u4", "12", "amd64", "glibc", "", false},
      {"pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?arch=amd64&distro=ubuntu-22.04", "", "",
       Ecosystem::kUbuntu, "openssl", "3.0.2-0ubuntu1.10", "22.04", "amd64", "", "", false},
      {"pkg:deb/debian/bash@5.2.15-2?distro=bookworm", "", "", Ecosystem::kDebian, "bash",
       "5.2.15-2", "12", "", "", "", false},
      {"pkg:deb/ubuntu/libc6@2.35-0ubuntu3.6?distro=jammy", "", "", Ecosystem::kUbuntu, "libc6",
       "2.35-0ubuntu3.6", "22.04", "", "", "", false},
      {"pkg:deb/debian/libgcc-s1@12.2.0-14?epoch=1&upstream=gcc-12%4012.2.0-14", "debian", "12",
       Ecosystem::kDebian, "libgcc-s1", "1:12.2.0-14", "12", "", "gcc-12", "12.2.0-14", false},
      {"pkg:dpkg/libgmp10@6.1.2%2Bdfsg-4%2Bdeb10u1?arch=ARM64&epoch=2", "debian", "10",
       Ecosystem::kDebian, "libgmp10", "2:6.1.2+dfsg-4+deb10u1", "10", "ARM64", "", "", false},
      {"pkg:rpm/amzn/curl@8.3.0-1.amzn2023.0.2?arch=x86_64&distro=amzn-2023&epoch=0", "", "",
       Ecosystem::kAmazonLinux, "curl", "8.3.0-1.amzn2023.0.2", "2023", "x86_64", "", "", false},
      {"pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&distro=rhel-9.2&upstream="
       "openssl-3.0.7-24.el9.src.rpm",
       "", "", Ecosystem::kRedHat, "openssl-libs", "1:3.0.7-24.el9", "9", "x86_64", "openssl",
       "3.0.7-24.el9", false},
      {"pkg:rpm/rocky/bash@5.1.8-6.el9_1?distro=rocky-9.3", "", "", Ecosystem::kRocky, "bash",
       "5.1.8-6.el9_1", "9", "", "", "", false},
      {"pkg:rpm/almalinux/bash@5.1.8-6.el9?distro=el9", "", "", Ecosystem::kAlmaLinux, "bash",
       "5.1.8-6.el9", "9", "", "", "", false},
      {"pkg:rpm/libcurl@7.79.1-1.amzn2.0.1?arch=X86_64&epoch=0", "amzn", "2",
       Ecosystem::kAmazonLinux, "libcurl", "7.79.1-1.amzn2.0.1", "2", "X86_64", "", "", false},
      {"pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4", "", "", Ecosystem::kAlpine, "musl",
       "1.2.4-r2", "3.18", "x86_64", "", "", false},
      {"pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64", "alpine", "3.19.1", Ecosystem::kAlpine,
       "busybox", "1.36.1-r5", "3.19", "x86_64", "", "", false},
      {"pkg:rpm/fedora/bash@5.2.15-3.fc38", "", "", Ecosystem::kGeneric, "bash", "5.2.15-3.fc38",
       "", "", "", "", true},
      {"pkg:rpm/centos/bash@4.2.46-35.el7_9?distro=centos-7", "", "", Ecosystem::kGeneric, "bash",
       "4.2.46-35.el7_9", "", "", "", "", true},
      {"pkg:pypi/PyYAML@6.0.1", "", "", Ecosystem::kPyPI, "pyyaml", "6.0.1", "", "", "", "", false},
      {"pkg:npm/%40babel/core@7.22.5", "", "", Ecosystem::kNpm, "@babel/core", "7.22.5", "", "", "",
       "", false},
      {"pkg:golang/github.com/gin-gonic/gin@v1.9.1", "", "", Ecosystem::kGo,
       "github.com/gin-gonic/gin", "v1.9.1", "", "", "", "", false},
      {"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "", "", Ecosystem::kMaven,
       "org.apache.logging.log4j:log4j-core", "2.14.1", "", "", "", "", false},
      {"pkg:nuget/Newtonsoft.Json@13.0.1", "", "", Ecosystem::kNuGet, "Newtonsoft.Json", "13.0.1",
       "", "", "", "", false},
      {"pkg:gem/rails@7.0.4", "", "", Ecosystem::kRubyGems, "rails", "7.0.4", "", "", "", "",
       false},
      {"pkg:cargo/serde@1.0.188", "", "", Ecosystem::kCratesIo, "serde", "1.0.188", "", "", "", "",
       false},
      {"pkg:composer/laravel/framework@10.0.0", "", "", Ecosystem::kPackagist, "laravel/framework",
       "10.0.0", "", "", "", "", false},
      {"pkg:github/actions/checkout@v4", "", "", Ecosystem::kGeneric, "actions/checkout", "v4", "",
       "", "", "", true},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.purl);
    const auto read = read_sbom(cyclonedx_with({row.purl}, row.os_id, row.os_version));
    ASSERT_TRUE(read.has_value()) << read.error().message;
    ASSERT_EQ(read->inventory.packages.size(), 1U);
    const auto& package = read->inventory.packages[0];
    EXPECT_EQ(package.ecosystem, row.ecosystem);
    EXPECT_EQ(package.name, row.name);
    EXPECT_EQ(package.version, row.version);
    EXPECT_EQ(package.distro_release, row.release);
    EXPECT_EQ(package.arch, row.arch);
    EXPECT_EQ(package.source_name, row.source_name);
    EXPECT_EQ(package.source_version, row.source_version);
    EXPECT_EQ(package.purl.rfind("pkg:", 0), 0U);
    EXPECT_EQ(!read->diagnostics.empty(), row.diagnostic);
  }
}

TEST(SbomReaderTest, ReadsSyftStyleEvidenceAndOs) {
  const std::string text = R"j({
    "bomFormat": "CycloneDX", "specVersion": "1.5",
    "metadata": {"component": {"type": "container", "name": "debian:12"}},
    "components": [
      {"type": "library", "name": "tzdata", "version": "2024a-0+deb12u1",
       "purl": "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
       "properties": [
         {"name": "syft:package:type", "value": "deb"},
         {"name": "syft:location:0:layerID", "value": "sha256:abc"},
         {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"}]},
      {"type": "operating-system", "name": "debian", "version": "12",
       "description": "Debian GNU/Linux 12 (bookworm)",
       "properties": [{"name": "syft:distro:versionCodename", "value": "bookworm"}]}
    ]})j";
  const auto read = read_sbom(text);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->inventory.target, "debian:12");
  EXPECT_EQ(read->inventory.os.id, "debian");
  EXPECT_EQ(read->inventory.os.codename, "bookworm");
  EXPECT_EQ(read->inventory.os.pretty_name, "Debian GNU/Linux 12 (bookworm)");
  ASSERT_EQ(read->inventory.packages.size(), 1U);
  const auto& package = read->inventory.packages[0];
  EXPECT_EQ(package.ecosystem, Ecosystem::kDebian);
  EXPECT_EQ(package.locations, std::vector<std::string>{"/var/lib/dpkg/status"});
  EXPECT_EQ(package.layer_digest, "sha256:abc");
  EXPECT_EQ(package.version, "2024a-0+deb12u1");
}

TEST(SbomReaderTest, WalksNestedComponentsAndSkipsStructure) {
  const std::string text = R"({
    "bomFormat": "CycloneDX", "specVersion": "1.4",
    "components": [
      {"type": "container", "name": "layer", "components": [
        {"type": "application", "name": "app", "purl": "pkg:npm/app@1.0.0", "components": [
          {"type": "framework", "name": "express", "purl": "pkg:npm/express@4.18.2"},
          {"type": "file", "name": "README"}]}]},
      {"type": "library", "name": "unnamed-thing", "version": "0.1"},
      {"type": "operating-system", "name": "alpine", "version": "3.18.4"},
      {"type": "operating-system", "name": "wolfi", "version": "1"}]})";
  const auto read = read_sbom(text);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  ASSERT_EQ(read->inventory.packages.size(), 3U);
  EXPECT_EQ(read->inventory.packages[0].name, "app");
  EXPECT_EQ(read->inventory.packages[1].name, "express");
  EXPECT_EQ(read->inventory.packages[2].ecosystem, Ecosystem::kGeneric);
  EXPECT_EQ(read->inventory.os.id, "alpine");
  ASSERT_EQ(read->diagnostics.size(), 2U);
  EXPECT_EQ(read->diagnostics[0].where, "components[3]");  // the second OS
  EXPECT_EQ(read->diagnostics[1].where, "components[1]");  // no purl
}

TEST(SbomReaderTest, BadPurlIsADiagnosticNotAFailure) {
  const auto read = read_sbom(cyclonedx_with({"pkg:maven/log4j-core@2.14.1", "npm/left-pad"}));
  ASSERT_TRUE(read.has_value()) << read.error().message;
  ASSERT_EQ(read->inventory.packages.size(), 2U);
  EXPECT_EQ(read->inventory.packages[0].ecosystem, Ecosystem::kGeneric);
  ASSERT_EQ(read->diagnostics.size(), 2U);
  EXPECT_EQ(read->diagnostics[0].where, "components[0].purl");
  EXPECT_EQ(read->diagnostics[1].where, "components[1].purl");
}

TEST(SbomReaderTest, ReadsSpdx22PackageManagerSpelling) {
  const std::string text = R"({
    "spdxVersion": "SPDX-2.2", "SPDXID": "SPDXRef-DOCUMENT", "name": "alpine:3.18",
    "documentDescribes": ["SPDXRef-image"],
    "packages": [
      {"SPDXID": "SPDXRef-image", "name": "alpine", "versionInfo": "3.18",
       "primaryPackagePurpose": "CONTAINER"},
      {"SPDXID": "SPDXRef-musl", "name": "musl", "versionInfo": "1.2.4-r2",
       "externalRefs": [
         {"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
          "referenceLocator": "cpe:2.3:a:musl:musl:1.2.4-r2:*:*:*:*:*:*:*"},
         {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl",
          "referenceLocator": "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4"}]},
      {"SPDXID": "SPDXRef-os", "name": "alpine", "versionInfo": "3.18.4",
       "primaryPackagePurpose": "OPERATING-SYSTEM"}],
    "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                       "relatedSpdxElement": "SPDXRef-image"}]})";
  const auto read = read_sbom(text);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->spec_version, "SPDX-2.2");
  EXPECT_EQ(read->inventory.target, "alpine");
  EXPECT_EQ(read->inventory.os.id, "alpine");
  EXPECT_EQ(read->inventory.os.version_id, "3.18.4");
  ASSERT_EQ(read->inventory.packages.size(), 1U);
  EXPECT_EQ(read->inventory.packages[0].ecosystem, Ecosystem::kAlpine);
  EXPECT_EQ(read->inventory.packages[0].distro_release, "3.18");
}

struct MalformedCase {
  std::string json;
  ErrorCode code;
  std::string message;
};

TEST(SbomReaderTest, MalformedInputIsATypedErrorNamingTheField) {
  const std::string cdx = R"("bomFormat": "CycloneDX", "specVersion": "1.6")";
  const MalformedCase cases[] = {
      {"not json", ErrorCode::kParse, "invalid JSON"},
      {"", ErrorCode::kParse, "invalid JSON"},
      {"[]", ErrorCode::kParse, "expected a JSON object"},
      {"{}", ErrorCode::kUnsupported, "neither CycloneDX"},
      {R"({"bomFormat": "SPDX"})", ErrorCode::kParse, "CycloneDX: bomFormat"},
      {R"({"bomFormat": "CycloneDX"})", ErrorCode::kParse, "specVersion: missing"},
      {R"({"bomFormat": "CycloneDX", "specVersion": "2.0"})", ErrorCode::kUnsupported,
       "specVersion '2.0'"},
      {R"({"bomFormat": "CycloneDX", "specVersion": 1.6})", ErrorCode::kParse,
       "specVersion: expected a string, got number"},
      {"{" + cdx + R"(, "metadata": []})", ErrorCode::kParse, "metadata: expected an object"},
      {"{" + cdx + R"(, "metadata": {"component": {"name": 7}}})", ErrorCode::kParse,
       "metadata.component.name: expected a string"},
      {"{" + cdx + R"(, "components": {}})", ErrorCode::kParse,
       "components: expected an array, got object"},
      {"{" + cdx + R"(, "components": [1]})", ErrorCode::kParse,
       "components[0]: expected an object, got number"},
      {"{" + cdx + R"(, "components": [{"type": "library", "name": "x", "purl": 5}]})",
       ErrorCode::kParse, "components[0].purl: expected a string, got number"},
      {"{" + cdx + R"(, "components": [{"name": "a", "components": [{"version": []}]}]})",
       ErrorCode::kParse, "components[0].components[0].version: expected a string, got array"},
      {"{" + cdx + R"(, "components": [{"name": "a", "properties": [{"name": 1}]}]})",
       ErrorCode::kParse, "components[0].properties[0].name"},
      {"{" + cdx +
           R"(, "components": [{"name": "a", "evidence": {"occurrences": [{"location": false}]}}]})",
       ErrorCode::kParse, "components[0].evidence.occurrences[0].location"},
      {R"({"spdxVersion": "SPDX-3.0"})", ErrorCode::kUnsupported, "SPDX: spdxVersion 'SPDX-3.0'"},
      {R"({"spdxVersion": "SPDX-2.3", "packages": [{"name": "x"}]})", ErrorCode::kParse,
       "packages[0].SPDXID: missing"},
      {R"({"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-x"}]})", ErrorCode::kParse,
       "packages[0].name: missing"},
      {R"({"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-x", "name": "x",
          "externalRefs": [{"referenceType": "purl", "referenceLocator": 5}]}]})",
       ErrorCode::kParse, "packages[0].externalRefs[0].referenceLocator"},
      {R"({"spdxVersion": "SPDX-2.3", "relationships": ["x"]})", ErrorCode::kParse,
       "relationships[0]: expected an object"},
      {R"({"spdxVersion": "SPDX-2.3", "documentDescribes": [1]})", ErrorCode::kParse,
       "documentDescribes[0]"},
      {std::string(1000, '['), ErrorCode::kParse, "nested deeper than 200"},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.json.substr(0, 120));
    const auto read = read_sbom(row.json);
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().code, row.code) << read.error().message;
    EXPECT_NE(read.error().message.find(row.message), std::string::npos) << read.error().message;
  }
}

TEST(SbomReaderTest, MutatedDocumentsNeverCrash) {
  // A cheap stand-in for the fuzzer: truncations and byte flips of real output must give a value
  // or a typed error (run under ASan+UBSan in CI).
  const auto document = sample_document();
  const std::string sources[] = {*write_cyclonedx(document), *write_spdx(document)};
  std::mt19937 engine(1234);
  int parsed = 0;
  for (const auto& source : sources) {
    for (int round = 0; round < 400; ++round) {
      std::string mutated = source;
      std::uniform_int_distribution<size_t> position(0, mutated.size() - 1);
      if (round % 4 == 0) {
        mutated.resize(position(engine));
      } else {
        for (int flip = 0; flip < 1 + round % 5; ++flip) {
          mutated[position(engine)] = static_cast<char>(engine() % 256);
        }
      }
      const auto read = read_sbom(mutated);
      parsed += read.has_value() ? 1 : 0;
    }
  }
  EXPECT_GT(parsed, 0);
}

TEST(SbomReaderTest, DeepButAllowedComponentNestingIsBounded) {
  std::string nested = R"({"type": "library", "name": "leaf", "purl": "pkg:npm/leaf@1"})";
  for (int depth = 0; depth < 70; ++depth) {
    nested = R"({"type": "library", "name": "n", "components": [)" + nested + "]}";
  }
  const auto read = read_sbom(
      R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [)" + nested + "]}");
  ASSERT_FALSE(read.has_value());
  EXPECT_NE(read.error().message.find("nested deeper than 64"), std::string::npos);
}

TEST(SbomReaderTest, CycloneDxConformanceExamplesReadOrFailCleanly) {
  const fs::path root = testing::schema_dir() / "cyclonedx";
  if (!fs::is_directory(root)) {
    GTEST_SKIP() << "shared schemas absent";
  }
  int valid = 0;
  int invalid = 0;
  for (const std::string version : {"examples-1.5", "examples-1.6"}) {
    for (const auto& entry : fs::directory_iterator(root / version)) {
      const std::string name = entry.path().filename().string();
      SCOPED_TRACE(name);
      const auto read = read_sbom(read_file(entry.path()));
      if (name.rfind("valid-", 0) == 0) {
        EXPECT_TRUE(read.has_value()) << read.error().message;
        ++valid;
      } else {
        ++invalid;  // may be rejected; reaching here means no crash
      }
    }
  }
  EXPECT_GE(valid, 80);
  EXPECT_GE(invalid, 40);

  const auto bom = read_sbom(read_file(root / "examples-1.6/valid-bom-1.6.json"));
  ASSERT_TRUE(bom.has_value());
  EXPECT_EQ(bom->inventory.target, "Acme Application");
  ASSERT_EQ(bom->inventory.packages.size(), 3U);
  EXPECT_EQ(bom->inventory.packages[0].ecosystem, Ecosystem::kMaven);
  EXPECT_EQ(bom->inventory.packages[0].name, "com.acme:tomcat-catalina");
  EXPECT_EQ(bom->inventory.packages[0].version, "9.0.14");

  const auto types = read_sbom(read_file(root / "examples-1.6/valid-component-types-1.6.json"));
  ASSERT_TRUE(types.has_value());
  EXPECT_EQ(types->inventory.os.id, "operating-system-a");
  ASSERT_EQ(types->inventory.packages.size(), 3U);
  EXPECT_EQ(types->inventory.packages[1].name, "library-a");
}

TEST(SbomReaderTest, ReadsTheSpdx23SpecExample) {
  const fs::path path = testing::schema_dir() / "spdx-2.3/SPDXJSONExample-v2.3.spdx.json";
  if (!fs::exists(path)) {
    GTEST_SKIP() << "shared schemas absent";
  }
  const auto read = read_sbom(read_file(path));
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->format, SbomFormat::kSpdx);
  // The document DESCRIBES one package (glibc, no purl): it is the target, not a package.
  EXPECT_EQ(read->inventory.target, "glibc");
  const auto jena = std::find_if(
      read->inventory.packages.begin(), read->inventory.packages.end(),
      [](const model::Package& package) { return package.ecosystem == Ecosystem::kMaven; });
  ASSERT_NE(jena, read->inventory.packages.end());
  EXPECT_EQ(jena->name, "org.apache.jena:apache-jena");
  EXPECT_EQ(jena->version, "3.12.0");
  EXPECT_EQ(jena->purl, "pkg:maven/org.apache.jena/apache-jena@3.12.0");
  // Commons Lang and Saxon have no purl: kept as Generic, with an info diagnostic each.
  EXPECT_EQ(read->inventory.packages.size(), 3U);
  EXPECT_EQ(read->diagnostics.size(), 2U);
}

}  // namespace
}  // namespace vigil::exporter
