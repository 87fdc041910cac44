#include "vulndb/importers/nvd.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "vulndb/importers/feed_test_files.hpp"

namespace vigil::vulndb {
namespace {

using testing_files::load;

ImportBatch parse_nvd_ok(const SourceFile& file) {
  const auto importer = make_nvd_importer();
  EXPECT_TRUE(importer->detects(file)) << file.name;
  ImportBatch batch;
  const auto result = importer->parse(file, batch);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return batch;
}

const model::SeverityVector* find_severity(const model::Advisory& advisory, std::string_view type,
                                           std::string_view source) {
  for (const auto& severity : advisory.severities) {
    if (severity.type == type && severity.source == source) {
      return &severity;
    }
  }
  return nullptr;
}

TEST(NvdImporterTest, BareCveRecordSalt) {
  const auto file = load("nvd/fkie-cad-records/CVE-2020-11651.json");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_nvd_ok(*file);
  ASSERT_EQ(batch.advisories.size(), 1U);
  const auto& advisory = batch.advisories[0];
  EXPECT_EQ(advisory.id, "CVE-2020-11651");
  EXPECT_EQ(advisory.source, "nvd");
  EXPECT_EQ(advisory.status, "Modified");
  EXPECT_EQ(advisory.published, "2020-04-30T17:15:12.143Z");
  EXPECT_EQ(advisory.modified, "2025-10-21T20:17:45.920Z");
  EXPECT_EQ(advisory.summary,
            "An issue was discovered in SaltStack Salt before 2019.2.4 and 3000 before 3000.2.");
  EXPECT_TRUE(advisory.details.starts_with(advisory.summary));
  EXPECT_TRUE(advisory.cwes.empty());  // only NVD-CWE-Other, which is not a CWE id

  const auto* v31 = find_severity(advisory, "CVSS_V3", "nvd@nist.gov (Primary)");
  ASSERT_NE(v31, nullptr);
  EXPECT_EQ(v31->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  EXPECT_EQ(v31->base_score, 9.8);
  const auto* v2 = find_severity(advisory, "CVSS_V2", "nvd@nist.gov (Primary)");
  ASSERT_NE(v2, nullptr);
  EXPECT_EQ(v2->vector, "AV:N/AC:L/Au:N/C:P/I:P/A:P");
  EXPECT_EQ(v2->base_score, 7.5);
  EXPECT_NE(find_severity(advisory, "CVSS_V3", "134c704f-9b21-4f2e-91b3-4a467353bcc0 (Secondary)"),
            nullptr);

  EXPECT_TRUE(advisory.cpe_configurations.starts_with("[{\"nodes\":[{\"operator\":\"OR\""));
  EXPECT_NE(advisory.cpe_configurations.find("\"versionEndExcluding\":\"2019.2.4\""),
            std::string::npos);
  EXPECT_TRUE(advisory.raw.starts_with("{\"id\":\"CVE-2020-11651\",\"sourceIdentifier\""));
  EXPECT_EQ(advisory.raw.find('\n'), std::string::npos);
  EXPECT_FALSE(advisory.references.empty());
}

TEST(NvdImporterTest, CvssV4RecordKeepsTheFullVector) {
  const auto file = load("nvd/fkie-cad-records/CVE-2025-29787.json");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_nvd_ok(*file);
  ASSERT_EQ(batch.advisories.size(), 1U);
  const auto* v4 =
      find_severity(batch.advisories[0], "CVSS_V4", "security-advisories@github.com (Secondary)");
  ASSERT_NE(v4, nullptr);
  EXPECT_EQ(v4->vector,
            "CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:N/VC:L/VI:H/VA:N/SC:H/SI:H/SA:H/E:X/CR:X/IR:X/AR:X/"
            "MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/"
            "RE:X/U:X");
  EXPECT_EQ(v4->base_score, 7.3);
}

// Without vectorString the V40 vector is rebuilt from the named fields, under both spellings.
TEST(NvdImporterTest, RebuildsV4VectorFromEitherFieldNaming) {
  struct Case {
    const char* path;
    const char* want;
  };
  const Case cases[] = {
      // 2025 naming: vulnConfidentialityImpact, subConfidentialityImpact, ...
      {"nvd/fkie-cad-records/CVE-2025-29787.json",
       "CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:N/VC:L/VI:H/VA:N/SC:H/SI:H/SA:H"},
      // 2024 naming: vulnerableSystemConfidentiality, subsequentSystemConfidentiality, ...
      {"format-fixtures/vuls-data-update/nvd/api/cve/1_item/0-1.json",
       "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N"},
  };
  for (const auto& c : cases) {
    auto file = load(c.path);
    if (!file) {
      GTEST_SKIP() << "shared data missing";
    }
    // Rename every vectorString so only the named fields remain.
    for (size_t pos = 0;
         (pos = file->content.find("\"vectorString\"", pos)) != std::string::npos;) {
      file->content.replace(pos, 14, "\"vectorStrinX\"");
    }
    const auto batch = parse_nvd_ok(*file);
    ASSERT_EQ(batch.advisories.size(), 1U) << c.path;
    const auto& severities = batch.advisories[0].severities;
    ASSERT_EQ(severities.size(), 1U) << c.path;  // v3/v2 have no vector left and are dropped
    EXPECT_EQ(severities[0].type, "CVSS_V4");
    EXPECT_EQ(severities[0].vector, c.want) << c.path;
  }
}

TEST(NvdImporterTest, ApiPagesHaveAllRecordsAndMetricMix) {
  const auto page2023 = load("nvd/api-pages/nvd-api-cves-2023-page1.json.gz");
  const auto page1999 = load("nvd/api-pages/nvd-api-cves-1999-page1.json.gz");
  if (!page2023 || !page1999) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto count_with = [](const ImportBatch& batch, std::string_view vector_prefix,
                             std::string_view type) {
    return std::count_if(batch.advisories.begin(), batch.advisories.end(), [&](const auto& adv) {
      return std::any_of(adv.severities.begin(), adv.severities.end(), [&](const auto& sev) {
        return sev.type == type && sev.vector.starts_with(vector_prefix);
      });
    });
  };
  const auto batch2023 = parse_nvd_ok(*page2023);
  EXPECT_EQ(batch2023.advisories.size(), 200U);
  EXPECT_EQ(batch2023.records_skipped, 0U);
  // README §5: cvssMetricV31 x199, V30 x3, V2 x1 (records carrying each).
  EXPECT_EQ(count_with(batch2023, "CVSS:3.1/", "CVSS_V3"), 199);
  EXPECT_EQ(count_with(batch2023, "CVSS:3.0/", "CVSS_V3"), 3);
  EXPECT_EQ(count_with(batch2023, "", "CVSS_V2"), 1);

  const auto batch1999 = parse_nvd_ok(*page1999);
  EXPECT_EQ(batch1999.advisories.size(), 200U);
  EXPECT_EQ(count_with(batch1999, "", "CVSS_V2"), 197);
  EXPECT_EQ(count_with(batch1999, "CVSS:3.1/", "CVSS_V3"), 1);
  // Rejected CVEs are kept and marked.
  EXPECT_EQ(std::count_if(batch1999.advisories.begin(), batch1999.advisories.end(),
                          [](const auto& adv) { return adv.status == "Rejected"; }),
            3);
  const auto rejected = std::find_if(batch2023.advisories.begin(), batch2023.advisories.end(),
                                     [](const auto& adv) { return adv.id == "CVE-2022-44577"; });
  ASSERT_NE(rejected, batch2023.advisories.end());
  EXPECT_EQ(rejected->status, "Rejected");
  EXPECT_TRUE(rejected->withdrawn.empty());
}

TEST(NvdImporterTest, ReadsYearlyAndModifiedFeedFiles) {
  const auto year =
      load("format-fixtures/vuls-data-update/nvd/feed/cve/v2/nvdcve-2.0-2021.json.gz");
  const auto modified =
      load("format-fixtures/vuls-data-update/nvd/feed/cve/v2/nvdcve-2.0-modified.json.gz");
  if (!year || !modified) {
    GTEST_SKIP() << "shared data missing";
  }
  EXPECT_EQ(year->name.find(".gz"), std::string::npos);  // decompressed by the source reader
  const auto year_batch = parse_nvd_ok(*year);
  ASSERT_EQ(year_batch.advisories.size(), 3U);
  EXPECT_EQ(year_batch.advisories[0].id, "CVE-2021-3002");
  const auto modified_batch = parse_nvd_ok(*modified);
  ASSERT_EQ(modified_batch.advisories.size(), 2U);
  EXPECT_EQ(modified_batch.advisories[0].details,
            "UPDATED BY MODIFIED FEED - this should overwrite the year feed data.");
}

TEST(NvdImporterTest, DetectsOnlyCveResponsesAndRecords) {
  const auto importer = make_nvd_importer();
  const auto history = load("nvd/api-pages/nvd-api-cvehistory-CVE-2019-1010218.json.gz");
  const auto cpematch = load("nvd/api-pages/nvd-api-cpematch-CVE-2022-32223.json.gz");
  const auto kev = load("kev/known_exploited_vulnerabilities.json");
  if (!history || !cpematch || !kev) {
    GTEST_SKIP() << "shared data missing";
  }
  EXPECT_FALSE(importer->detects(*history));
  EXPECT_FALSE(importer->detects(*cpematch));
  EXPECT_FALSE(importer->detects(*kev));
  EXPECT_FALSE(importer->detects(
      {"osv.json", R"({"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","details":"x"})"}));
  EXPECT_TRUE(importer->detects(
      {"one.json", R"({"id":"CVE-2024-1","sourceIdentifier":"x","descriptions":[]})"}));
}

TEST(NvdImporterTest, TruncatedJsonIsAFileError) {
  const auto importer = make_nvd_importer();
  ImportBatch batch;
  const auto result = importer->parse(
      {"nvdcve-2.0-2024.json", R"({"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-2)"},
      batch);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_NE(result.error().message.find("nvdcve-2.0-2024.json"), std::string::npos);
}

TEST(NvdImporterTest, BadRecordsAreSkippedWithDiagnostics) {
  const auto importer = make_nvd_importer();
  ImportBatch batch;
  const auto result = importer->parse({"page.json", R"({"format":"NVD_CVE","vulnerabilities":[
        {"cve":{"id":"CVE-2024-0001","lastModified":"2024-01-02T03:04:05.678",
                "descriptions":[{"lang":"es","value":"hola"},{"lang":"en","value":"Good one. More."}],
                "weaknesses":[{"description":[{"lang":"en","value":"CWE-79"},{"lang":"en","value":"CWE-79"}]}],
                "metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"baseScore":5}}]}}},
        {"cve":{"id":"CVE-2024-0002","published":"2024-01-01T00:00:00"}},
        {"cve":{"id":"CVE-2024-0003","lastModified":"yesterday"}},
        {"cve":{"lastModified":"2024-01-01T00:00:00"}},
        {"nocve":1},
        7]})"},
                                      batch);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  ASSERT_EQ(batch.advisories.size(), 1U);
  const auto& good = batch.advisories[0];
  EXPECT_EQ(good.summary, "Good one.");
  EXPECT_EQ(good.cwes, std::vector<std::string>{"CWE-79"});
  EXPECT_TRUE(good.severities.empty());  // the metric had no vector
  EXPECT_EQ(batch.records_skipped, 5U);
  const auto mentions = [&](std::string_view text) {
    return std::any_of(batch.diagnostics.begin(), batch.diagnostics.end(), [&](const auto& d) {
      return d.level == model::DiagnosticLevel::kWarning && d.where.starts_with("page.json") &&
             d.where.find(text) != std::string::npos;
    });
  };
  EXPECT_TRUE(mentions("CVE-2024-0002"));
  EXPECT_TRUE(mentions("CVE-2024-0003"));
  EXPECT_TRUE(mentions("vulnerabilities[3]"));
  EXPECT_TRUE(mentions("vulnerabilities[4]"));
  EXPECT_TRUE(mentions("vulnerabilities[5]"));
}

TEST(NvdImporterTest, NonCveResponseIsAFileError) {
  const auto importer = make_nvd_importer();
  ImportBatch batch;
  const auto result =
      importer->parse({"hist.json", R"({"format":"NVD_CVEHistory","vulnerabilities":[]})"}, batch);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("hist.json"), std::string::npos);
}

}  // namespace
}  // namespace vigil::vulndb
