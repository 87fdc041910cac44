// Test support for the export module (tests only): sample documents and findings, schema
// validation against the official schemas in the shared data, and npm reference packages
// cached beside the test binary.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/strings.hpp"
#include "export/findings.hpp"
#include "export/internal/common.hpp"
#include "export/sbom.hpp"
#include "support/command.hpp"
#include "support/json_schema.hpp"

namespace vigil::model {

// Readable gtest failure messages for packages.
inline void PrintTo(const Package& package, std::ostream* out) {
  *out << "{" << ecosystem_name(package.ecosystem) << ":" << package.distro_release << " "
       << package.name << " " << package.version << " arch=" << package.arch
       << " source=" << package.source_name << "@" << package.source_version
       << " purl=" << package.purl << " layer=" << package.layer_digest << " locations=[";
  for (const auto& location : package.locations) {
    *out << location << ";";
  }
  *out << "]}";
}

}  // namespace vigil::model

namespace vigil::exporter::testing {

namespace fs = std::filesystem;
using vigil::testing::SchemaCheck;
using vigil::testing::SchemaVerdict;

// Pattern checks without std::regex (g++ 12 warns inside <regex> under -fsanitize).
inline bool is_lower_hex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lower-case.
inline bool is_uuid4(std::string_view text) {
  return text.size() == 36 && text[8] == '-' && text[13] == '-' && text[18] == '-' &&
         text[23] == '-' && is_lower_hex(text.substr(0, 8)) && is_lower_hex(text.substr(9, 4)) &&
         text[14] == '4' && is_lower_hex(text.substr(14, 4)) &&
         std::string_view("89ab").find(text[19]) != std::string_view::npos &&
         is_lower_hex(text.substr(19, 4)) && is_lower_hex(text.substr(24));
}

// "arn:<partition>:inspector2:<region>:<12 digits>:finding/<32 hex>".
inline bool is_finding_arn(std::string_view text) {
  const auto parts = vigil::split(text, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "inspector2" || parts[4].size() != 12 ||
      !std::all_of(parts[4].begin(), parts[4].end(), vigil::is_digit)) {
    return false;
  }
  const std::string_view resource = parts[5];
  return resource.size() == 40 && resource.substr(0, 8) == "finding/" &&
         is_lower_hex(resource.substr(8));
}

inline fs::path shared_dir() { return fs::path(VIGIL_SHARED_DIR); }
inline fs::path schema_dir() { return shared_dir() / "data/sbom-schemas"; }
inline bool have_schemas() { return fs::is_directory(schema_dir()); }

inline SchemaCheck validate_cyclonedx(const std::string& json) {
  const fs::path dir = schema_dir() / "cyclonedx";
  return vigil::testing::validate_json_schema(
      (dir / "bom-1.6.schema.json").string(), json,
      {(dir / "spdx.schema.json").string(), (dir / "jsf-0.82.schema.json").string()});
}

// SPDX 2.3 has two official JSON schemas (support/2.3 and the 2.3.1 errata); both must pass.
inline std::vector<SchemaCheck> validate_spdx(const std::string& json) {
  const fs::path dir = schema_dir() / "spdx-2.3";
  return {vigil::testing::validate_json_schema((dir / "spdx-schema-2.3.json").string(), json),
          vigil::testing::validate_json_schema((dir / "spdx-schema-2.3.1.json").string(), json)};
}

// Skips (or, with VIGIL_REQUIRE_REFERENCE=1, fails) the test when the validator could not run.
#define VIGIL_REQUIRE_VALIDATOR(check)                                                      \
  do {                                                                                      \
    if ((check).verdict == ::vigil::testing::SchemaVerdict::kUnavailable) {                 \
      if (::vigil::testing::reference_required()) {                                         \
        FAIL() << "schema validator unavailable: " << (check).output;                       \
      }                                                                                     \
      GTEST_SKIP() << "schema validator unavailable (apt-get install python3-jsonschema): " \
                   << (check).output;                                                       \
    }                                                                                       \
  } while (false)

// Skips the test when the shared schemas are absent.
#define VIGIL_REQUIRE_SCHEMAS()                                          \
  do {                                                                   \
    if (!::vigil::exporter::testing::have_schemas()) {                   \
      GTEST_SKIP() << "shared schemas absent: "                          \
                   << ::vigil::exporter::testing::schema_dir().string(); \
    }                                                                    \
  } while (false)

// A directory beside the test binary where npm reference packages are kept between runs
// (installing cdxgen takes most of a minute; a fresh build directory starts empty).
inline fs::path reference_cache(const std::string& name) {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  const fs::path base = error ? fs::temp_directory_path() : exe.parent_path();
  const fs::path dir = base / "reference-cache" / name;
  fs::create_directories(dir, error);
  return dir;
}

// Runs `install` (a shell command, run in `dir` under a lock so parallel tests do not race)
// unless `marker` (relative to `dir`) already exists. Returns the marker's path, or nullopt.
inline std::optional<fs::path> ensure_reference(const fs::path& dir, const std::string& marker,
                                                const std::string& install) {
  if (fs::exists(dir / marker)) {
    return dir / marker;
  }
  if (!vigil::testing::have_program("npm")) {
    return std::nullopt;
  }
  const std::string command = "cd '" + dir.string() + "' && flock .lock sh -c 'test -e \"" +
                              marker + "\" || (" + install + ")' >/dev/null 2>&1";
  vigil::testing::run_command(command);
  if (fs::exists(dir / marker)) {
    return dir / marker;
  }
  return std::nullopt;
}

// The OASIS SARIF 2.1.0 schema as Microsoft's @microsoft/jest-sarif ships it.
inline std::optional<fs::path> sarif_schema() {
  return ensure_reference(
      reference_cache("jest-sarif"), "package/lib/schemas/sarif-2.1.0-rtm.5.json",
      "npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 && "
      "tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json");
}

// The cdxgen executable (@cyclonedx/cdxgen, OWASP's CycloneDX generator).
inline std::optional<fs::path> cdxgen() {
  return ensure_reference(reference_cache("cdxgen"), "node_modules/.bin/cdxgen",
                          "npm install --silent --no-audit --no-fund --prefix . "
                          "@cyclonedx/cdxgen@12.8.4");
}

inline model::Package deb(std::string name, std::string version, std::string source,
                          std::string layer) {
  model::Package package;
  package.ecosystem = model::Ecosystem::kDebian;
  package.name = name;
  package.version = version;
  package.arch = "amd64";
  package.source_name = std::move(source);
  package.source_version = version;
  package.distro_release = "12";
  package.locations = {"var/lib/dpkg/status"};
  package.purl = "pkg:deb/debian/" + name + "@" + version + "?arch=amd64&distro=debian-12";
  package.layer_digest = std::move(layer);
  return package;
}

inline model::Package language(model::Ecosystem ecosystem, std::string name, std::string version,
                               std::string purl, std::string location, std::string layer) {
  model::Package package;
  package.ecosystem = ecosystem;
  package.name = std::move(name);
  package.version = std::move(version);
  package.purl = std::move(purl);
  package.locations = {std::move(location)};
  package.layer_digest = std::move(layer);
  return package;
}

inline const std::string kLayer1 =
    "sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6";
inline const std::string kLayer2 =
    "sha256:0b2b3d5f0c1ef0e9dc4d1f7e3b6c0b5a7f2b9e4c1d3a5f7e9b1c3d5f7a9b1c3d";

// An image with an OS, two layers, OS and language packages, a purl-less package, a package
// found twice (same purl) and awkward strings.
inline SbomDocument sample_document() {
  SbomDocument document;
  document.subject = {SubjectKind::kImage, "registry.example/shop/api:1.4.2", "1.4.2",
                      "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                      "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api"};
  document.inventory.target = "api.tar";
  document.inventory.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", "", false};
  document.inventory.packages = {
      deb("libssl3", "3.0.11-1~deb12u2", "openssl", kLayer1),
      deb("libc6", "2.36-9+deb12u4", "glibc", kLayer1),
      language(model::Ecosystem::kPyPI, "requests", "2.31.0", "pkg:pypi/requests@2.31.0",
               "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", kLayer2),
      language(model::Ecosystem::kMaven, "org.apache.logging.log4j:log4j-core", "2.14.1",
               "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
               "opt/app/lib/log4j core 2.14.1.jar", kLayer2),
      language(model::Ecosystem::kNpm, "@babel/traverse", "7.22.5",
               "pkg:npm/%40babel/traverse@7.22.5",
               "opt/app/node_modules/@babel/traverse/package.json", kLayer2),
      language(model::Ecosystem::kNpm, "@babel/traverse", "7.22.5",
               "pkg:npm/%40babel/traverse@7.22.5",
               "opt/other/node_modules/@babel/traverse/package.json", kLayer2),
      language(model::Ecosystem::kGeneric, "mystery-tool", "1.0", "", "usr/local/bin/mystery", ""),
  };
  document.layers = {{kLayer1, "ADD rootfs.tar.xz /"}, {kLayer2, "RUN pip install requests"}};
  document.tool_version = "0.1.0";
  document.timestamp = "2024-05-01T12:00:00Z";
  document.seed = 42;
  return document;
}

// sample_document() plus CPEs (one package with two) and a dist-info owned by its Debian
// package (model::Package::owner_purl).
inline SbomDocument sample_document_with_cpes() {
  SbomDocument document = sample_document();
  auto& packages = document.inventory.packages;
  packages[0].cpes = {"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"};
  packages[3].cpes = {"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"};
  model::Package owner = deb("python3-urllib3", "1.26.12-1+deb12u1", "python-urllib3", kLayer1);
  model::Package owned =
      language(model::Ecosystem::kPyPI, "urllib3", "1.26.12", "pkg:pypi/urllib3@1.26.12",
               "usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA", kLayer1);
  owned.owner_purl = owner.purl;
  owned.cpes = {"cpe:2.3:a:python:urllib3:1.26.12:*:*:*:*:*:*:*",
                "cpe:2.3:a:urllib3_project:urllib3:1.26.12:*:*:*:*:python:*:*"};
  packages.push_back(owner);
  packages.push_back(owned);
  return document;
}

inline model::Finding finding_for(const model::Package& package, std::string id,
                                  model::Severity severity, double score) {
  model::Finding finding;
  const std::string identity = id + "\n" + package.name + "\n" +
                               (package.locations.empty() ? "" : package.locations.front());
  finding.id = "arn:vigil:inspector2:us-east-1:123456789012:finding/" +
               internal::hash_hex(identity) + internal::hash_hex(identity + "\n2");
  finding.resource_id = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  finding.account_id = "123456789012";
  finding.package = package;
  finding.vulnerability_id = std::move(id);
  finding.title = finding.vulnerability_id + " - " + package.name;
  finding.description = "A flaw was found in " + package.name + ".";
  finding.sources = {"osv"};
  finding.severity = severity;
  if (score > 0.0) {
    finding.cvss = {
        {"3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score, "nvd@nist.gov (Primary)"}};
    finding.inspector_score = score;
  }
  finding.vigil_risk = score;
  finding.first_observed_at = "2024-04-30T08:00:00Z";
  finding.last_observed_at = "2024-05-01T12:00:00Z";
  return finding;
}

// Findings on sample_document(): fixed and unfixed, suppressed, KEV + EPSS, no CVSS.
inline std::vector<model::Finding> sample_findings() {
  const auto document = sample_document();
  const auto& packages = document.inventory.packages;
  auto log4shell = finding_for(packages[3], "CVE-2021-44228", model::Severity::kCritical, 10.0);
  log4shell.aliases = {"GHSA-jfh8-c2jp-5v3q"};
  log4shell.references = {"https://logging.apache.org/log4j/2.x/security.html"};
  log4shell.fixed_in = "2.15.0";
  log4shell.fix_available = model::FixAvailable::kYes;
  log4shell.remediation = "Upgrade org.apache.logging.log4j:log4j-core to 2.15.0";
  log4shell.exploit_available = true;
  log4shell.exploit_last_seen = "2021-12-10";
  log4shell.ransomware = true;
  log4shell.epss = 0.97565;
  log4shell.epss_percentile = 0.99996;
  log4shell.vigil_risk = 10.0;
  log4shell.risk_explanation = {{"base", "", "10.0", "CVSS base score"},
                                {"exploit", "10.0", "11.5", "in CISA KEV"}};

  auto openssl = finding_for(packages[0], "CVE-2023-5678", model::Severity::kMedium, 5.3);
  openssl.sources = {"nvd", "osv"};
  openssl.cvss.push_back({"3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3, "osv:DSA-1"});
  openssl.inspector_adjustments = {
      {"MAV", "N", "L", "no network path from the internet or the VPC"}};
  openssl.inspector_score = 4.0;
  openssl.vendor_severity = "medium";

  auto suppressed = finding_for(packages[1], "CVE-2023-4911", model::Severity::kHigh, 7.8);
  suppressed.status = model::FindingStatus::kSuppressed;
  suppressed.suppression_reason = "glibc tunables are not reachable in this container";
  suppressed.fixed_in = "2.36-9+deb12u3";
  suppressed.fix_available = model::FixAvailable::kYes;

  auto untriaged = finding_for(packages[4], "GHSA-67hx-6x53-jw92", model::Severity::kUntriaged, 0);
  untriaged.sources = {"osv"};
  auto twice = finding_for(packages[5], "GHSA-67hx-6x53-jw92", model::Severity::kUntriaged, 0);
  return {log4shell, openssl, suppressed, untriaged, twice};
}

inline FindingsContext sample_context() {
  FindingsContext context;
  context.resource.type = model::ResourceType::kImage;
  context.resource.id =
      "arn:aws:ecr:us-east-1:123456789012:repository/shop/api/"
      "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  context.resource.account_id = "123456789012";
  context.resource.region = "us-east-1";
  context.resource.name = "shop/api:1.4.2";
  context.resource.tags = {{"team", "payments"}};
  context.os = sample_document().inventory.os;
  context.tool_version = "0.1.0";
  context.timestamp = "2024-05-01T12:00:00Z";
  return context;
}

}  // namespace vigil::exporter::testing
