#include "vulndb/importers/kev.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "vulndb/importers/feed_test_files.hpp"

namespace vigil::vulndb {
namespace {

using testing_files::load;

ImportBatch parse_kev_ok(const SourceFile& file) {
  const auto importer = make_kev_importer();
  EXPECT_TRUE(importer->detects(file)) << file.name;
  ImportBatch batch;
  const auto result = importer->parse(file, batch);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return batch;
}

const model::KevEntry* find_kev(const ImportBatch& batch, std::string_view cve) {
  const auto it = std::find_if(batch.kev.begin(), batch.kev.end(),
                               [&](const auto& entry) { return entry.cve_id == cve; });
  return it == batch.kev.end() ? nullptr : &*it;
}

TEST(KevImporterTest, RealJsonCatalogue) {
  const auto file = load("kev/known_exploited_vulnerabilities.json");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_kev_ok(*file);
  EXPECT_TRUE(batch.advisories.empty());
  EXPECT_EQ(batch.kev.size(), 1404U);  // README §1 and the catalogue's own "count"
  EXPECT_EQ(batch.records_skipped, 0U);
  const auto* salt = find_kev(batch, "CVE-2020-11651");
  ASSERT_NE(salt, nullptr);
  EXPECT_EQ(salt->vendor_project, "SaltStack");
  EXPECT_EQ(salt->product, "Salt");
  EXPECT_EQ(salt->name, "SaltStack Salt Authentication Bypass Vulnerability");
  EXPECT_EQ(salt->date_added, "2021-11-03");
  EXPECT_EQ(salt->due_date, "2022-05-03");
  EXPECT_FALSE(salt->known_ransomware_use);
  EXPECT_EQ(salt->notes, "https://nvd.nist.gov/vuln/detail/CVE-2020-11651");
  const auto known = std::count_if(batch.kev.begin(), batch.kev.end(),
                                   [](const auto& entry) { return entry.known_ransomware_use; });
  EXPECT_EQ(known, 293);
}

// The CSV form of the same catalogue must give exactly the same entries.
TEST(KevImporterTest, RealCsvMatchesJson) {
  const auto json_file = load("kev/known_exploited_vulnerabilities.json");
  const auto csv_file = load("kev/known_exploited_vulnerabilities.csv");
  if (!json_file || !csv_file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto from_json = parse_kev_ok(*json_file);
  const auto from_csv = parse_kev_ok(*csv_file);
  ASSERT_EQ(from_csv.kev.size(), 1404U);
  EXPECT_EQ(from_csv.records_skipped, 0U);
  EXPECT_EQ(from_csv.kev, from_json.kev);
  // A quoted field holding commas and doubled quotes survives intact.
  const auto* apple = find_kev(from_csv, "CVE-2025-43300");
  ASSERT_NE(apple, nullptr);
  EXPECT_EQ(apple->product, "iOS, iPadOS, and macOS");
}

TEST(KevImporterTest, CsvQuotingAndBadRows) {
  const SourceFile file{
      "kev.csv",
      "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,"
      "dueDate,knownRansomwareCampaignUse,notes,cwes\r\n"
      "CVE-2024-0001,Acme,\"Widget, Pro\",\"The \"\"bad\"\" bug\",2024-01-02,\"two\nlines\","
      "Patch,2024-01-23,Known,\"note\r\nmore\",CWE-79\r\n"
      "CVE-2024-0002,Acme,short row\r\n"
      "NOT-A-CVE,Acme,W,N,2024-01-02,d,a,2024-01-23,Unknown,,\r\n"
      "CVE-2024-0003,Acme,W,N,,d,a,2024-01-23,Unknown,,\r\n"
      "CVE-2024-0004,Acme,W,N,2024-01-05,d,a,2024-01-26,Unknown,,\r\n"};
  const auto batch = parse_kev_ok(file);
  ASSERT_EQ(batch.kev.size(), 2U);
  const auto& first = batch.kev[0];
  EXPECT_EQ(first.product, "Widget, Pro");
  EXPECT_EQ(first.name, "The \"bad\" bug");
  EXPECT_EQ(first.notes, "note\r\nmore");
  EXPECT_TRUE(first.known_ransomware_use);
  EXPECT_EQ(batch.kev[1].cve_id, "CVE-2024-0004");
  EXPECT_EQ(batch.records_skipped, 3U);
  ASSERT_EQ(batch.diagnostics.size(), 3U);
  EXPECT_EQ(batch.diagnostics[0].where, "kev.csv: line 5");  // the quoted newlines count
  EXPECT_EQ(batch.diagnostics[1].where, "kev.csv: NOT-A-CVE");
  EXPECT_EQ(batch.diagnostics[2].where, "kev.csv: CVE-2024-0003");
}

TEST(KevImporterTest, BadJsonEntriesAreSkipped) {
  const SourceFile file{"kev.json", R"({"catalogVersion":"1","vulnerabilities":[
      {"cveID":"CVE-2024-0001","dateAdded":"2024-01-01","knownRansomwareCampaignUse":"Known"},
      {"cveID":"CVE-2024-0002"},
      "junk"]})"};
  const auto batch = parse_kev_ok(file);
  ASSERT_EQ(batch.kev.size(), 1U);
  EXPECT_TRUE(batch.kev[0].known_ransomware_use);
  EXPECT_EQ(batch.records_skipped, 2U);
  EXPECT_EQ(batch.diagnostics[0].where, "kev.json: CVE-2024-0002");
  EXPECT_EQ(batch.diagnostics[1].where, "kev.json: vulnerabilities[2]");
}

TEST(KevImporterTest, FileLevelErrorsNameTheFile) {
  const auto importer = make_kev_importer();
  const SourceFile cases[] = {
      {"truncated.json", R"({"catalogVersion":"2025.08.25","vulnerabilities":[{"cveID":"CVE-)"},
      {"novulns.json", R"({"catalogVersion":"2025.08.25"})"},
      {"open-quote.csv", "cveID,dateAdded\nCVE-2024-0001,\"2024-01-01\n"},
  };
  for (const auto& file : cases) {
    ImportBatch batch;
    const auto result = importer->parse(file, batch);
    ASSERT_FALSE(result.has_value()) << file.name;
    EXPECT_EQ(result.error().code, ErrorCode::kParse);
    EXPECT_NE(result.error().message.find(file.name), std::string::npos) << result.error().message;
  }
}

TEST(KevImporterTest, DetectsKevButNotEpssOrOsv) {
  const auto importer = make_kev_importer();
  EXPECT_TRUE(importer->detects({"x.csv",
                                 "\xEF\xBB\xBF"
                                 "cveID,vendorProject,dateAdded\n"}));
  EXPECT_FALSE(importer->detects({"x.csv", "cve,epss,percentile\nCVE-2020-1,0.1,0.2\n"}));
  EXPECT_FALSE(importer->detects({"x.json", R"({"id":"GHSA-1","modified":"2024"})"}));
  EXPECT_FALSE(importer->detects({"x.json", R"({"resultsPerPage":1,"vulnerabilities":[]})"}));
}

}  // namespace
}  // namespace vigil::vulndb
