#include "vulndb/importers/vigil_bundle.hpp"

#include <gtest/gtest.h>

namespace vigil::vulndb {
namespace {

model::Advisory full_advisory() {
  model::Advisory advisory;
  advisory.source = "nvd";
  advisory.id = "CVE-2024-3094";
  advisory.aliases = {"GHSA-rxwq-x6h5-x525"};
  advisory.related = {"CVE-2024-0001"};
  advisory.upstream = {"CVE-2023-9999"};
  advisory.summary = "xz backdoor";
  advisory.details = "line one\nline two \"quoted\" \t tab, unicode: \xc3\xa9";
  advisory.published = "2024-03-29T17:15:21Z";
  advisory.modified = "2024-04-01T00:00:00Z";
  advisory.withdrawn = "2024-05-01T00:00:00Z";
  model::AffectedPackage deb;
  deb.ecosystem = {model::Ecosystem::kDebian, "12"};
  deb.name = "xz-utils";
  deb.purl = "pkg:deb/debian/xz-utils";
  deb.ranges = {{model::RangeType::kEcosystem,
                 "",
                 {{model::EventKind::kIntroduced, "5.6.0"},
                  {model::EventKind::kFixed, "5.6.1+really5.4.5-1"}}},
                {model::RangeType::kGit,
                 "https://git.example.invalid/xz",
                 {{model::EventKind::kIntroduced, "abc"},
                  {model::EventKind::kLastAffected, "def"},
                  {model::EventKind::kLimit, "fed"}}}};
  deb.versions = {"5.6.0-0.1", "5.6.0-0.2"};
  deb.severity = "critical";
  model::AffectedPackage ubuntu;
  // A release holding colons and a trailing space must survive byte for byte.
  ubuntu.ecosystem = {model::Ecosystem::kUbuntu, "Pro:18.04:LTS "};
  ubuntu.name = "xz-utils";
  model::AffectedPackage generic;
  generic.name = "liblzma";
  advisory.affected = {deb, ubuntu, generic};
  advisory.severities = {
      {"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "nvd@nist.gov", 10.0},
      {"CVSS_V4", "CVSS:4.0/AV:N", "", std::nullopt},
      {"CVSS_V2", "AV:N/AC:L", "x", 0.1 + 0.2}};
  advisory.references = {{"WEB", "https://example.invalid/a"}, {"", "https://example.invalid/b"}};
  advisory.cwes = {"CWE-506"};
  advisory.severity_label = "CRITICAL";
  advisory.status = "Analyzed";
  advisory.cpe_configurations = R"([{"nodes":[{"operator":"OR"}]}])";
  advisory.raw = R"({"cve":{"id":"CVE-2024-3094"}})";
  return advisory;
}

struct Parsed {
  ImportBatch batch;
  BundleLineCounts counts;
};

Parsed parse_lines(const std::string& content) {
  Parsed out;
  BundleRecordParser parser;
  const auto result = parser.parse(content, "records.jsonl", 1, out.batch, out.counts);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return out;
}

TEST(VigilBundleRecordsTest, AdvisoryRoundTripsExactly) {
  const auto advisory = full_advisory();
  const std::string line = encode_bundle_advisory(advisory);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_TRUE(
      line.starts_with(R"({"vigil_record":"advisory","source":"nvd","id":"CVE-2024-3094")"));
  const auto parsed = parse_lines(std::string(kBundleRecordsHeader) + "\n" + line + "\n");
  ASSERT_EQ(parsed.batch.advisories.size(), 1U);
  EXPECT_EQ(parsed.batch.advisories[0], advisory);
  EXPECT_EQ(parsed.counts, (BundleLineCounts{0, 1, 0, 0}));

  model::Advisory minimal;
  minimal.source = "alpine-secdb";
  minimal.id = "ALPINE-1";
  const auto again = parse_lines(encode_bundle_advisory(minimal));
  ASSERT_EQ(again.batch.advisories.size(), 1U);
  EXPECT_EQ(again.batch.advisories[0], minimal);
}

TEST(VigilBundleRecordsTest, KevAndEpssRoundTripExactly) {
  const model::KevEntry kev{"CVE-2024-3400", "Palo Alto",  "PAN-OS", "Command injection",
                            "2024-04-12",    "2024-04-19", true,     "Apply mitigations",
                            "notes \"here\""};
  const model::EpssScore epss{"CVE-2024-3400", 0.95746123456789012, 1.0 / 3.0, "2025-03-01",
                              "v2025.03.14"};
  const auto parsed = parse_lines(encode_bundle_kev(kev) + "\r\n" + encode_bundle_epss(epss));
  ASSERT_EQ(parsed.batch.kev.size(), 1U);
  ASSERT_EQ(parsed.batch.epss.size(), 1U);
  EXPECT_EQ(parsed.batch.kev[0], kev);
  EXPECT_EQ(parsed.batch.epss[0], epss);
  EXPECT_EQ(parsed.counts, (BundleLineCounts{0, 0, 1, 1}));
}

TEST(VigilBundleRecordsTest, RawOsvLinesGoThroughTheOsvImporter) {
  const std::string osv =
      R"({"id":"RUSTSEC-2023-0060","modified":"2023-09-14T00:00:00Z","aliases":["CVE-2023-4863"],)"
      R"("affected":[{"package":{"ecosystem":"crates.io","name":"libwebp-sys"},"ranges":[{"type":)"
      R"("SEMVER","events":[{"introduced":"0"},{"fixed":"0.9.3"}]}]}]})";
  const auto parsed = parse_lines(std::string(kBundleRecordsHeader) + "\n\n" + osv + "\n");
  ASSERT_EQ(parsed.batch.advisories.size(), 1U);
  EXPECT_EQ(parsed.batch.advisories[0].source, "osv");
  EXPECT_EQ(parsed.batch.advisories[0].raw, osv);
  EXPECT_EQ(parsed.counts, (BundleLineCounts{1, 0, 0, 0}));
}

TEST(VigilBundleRecordsTest, MalformedLinesAreErrorsNamingTheLine) {
  struct Case {
    std::string content;
    const char* message;
  };
  const Case cases[] = {
      {std::string(kBundleRecordsHeader) + "\n{\"vigil_record\":\"advisory\",", "records.jsonl:2"},
      {"\n\n{\"vigil_record\":\"cpe\",\"id\":\"x\"}", "unknown record kind 'cpe'"},
      {R"({"vigil_bundle_records":2})", "unsupported bundle records header"},
      {"{\"id\":\"X\",\"modified\":", "records.jsonl:1"},
      {"[1,2", "records.jsonl:1"},
  };
  for (const auto& c : cases) {
    ImportBatch batch;
    BundleLineCounts counts;
    BundleRecordParser parser;
    const auto result = parser.parse(c.content, "records.jsonl", 1, batch, counts);
    ASSERT_FALSE(result.has_value()) << c.content;
    EXPECT_EQ(result.error().code, ErrorCode::kParse);
    EXPECT_NE(result.error().message.find(c.message), std::string::npos)
        << c.content << " -> " << result.error().message;
  }
}

TEST(VigilBundleRecordsTest, BadRecordsBecomeDiagnostics) {
  const auto parsed = parse_lines(
      R"({"vigil_record":"advisory","source":"nvd"})"
      "\n"
      R"({"vigil_record":"kev","vendor_project":"x"})"
      "\n"
      R"({"vigil_record":"epss","cve_id":"CVE-1","epss":"high"})"
      "\n"
      R"({"vigil_record":"advisory","source":"nvd","id":"CVE-2","affected":[{"package":{"ecosystem":"Plan9","name":"x"}}]})");
  EXPECT_EQ(parsed.batch.records_skipped, 3U);
  ASSERT_EQ(parsed.batch.advisories.size(), 1U);
  EXPECT_TRUE(parsed.batch.advisories[0].affected.empty());
  EXPECT_EQ(parsed.batch.diagnostics.size(), 4U);  // three skipped records, one dropped entry
}

TEST(VigilBundleRecordsTest, RegisteredFirstAndDetectedByItsLeadingKey) {
  const auto importers = default_importers();
  const SourceFile payload{"records.jsonl", std::string(kBundleRecordsHeader) + "\n"};
  const SourceFile record{"r.jsonl", encode_bundle_advisory(full_advisory())};
  const SourceFile osv{"a.json", R"({"id":"GO-1","modified":"2024-01-01T00:00:00Z"})"};
  ASSERT_NE(detect_importer(importers, payload), nullptr);
  EXPECT_EQ(detect_importer(importers, payload)->name(), "vigil-bundle");
  EXPECT_EQ(detect_importer(importers, record)->name(), "vigil-bundle");
  EXPECT_EQ(detect_importer(importers, osv)->name(), "osv");

  ImportBatch batch;
  ASSERT_TRUE(detect_importer(importers, record)->parse(record, batch).has_value());
  ASSERT_EQ(batch.advisories.size(), 1U);
  EXPECT_EQ(batch.advisories[0].source, "nvd");
}

}  // namespace
}  // namespace vigil::vulndb
