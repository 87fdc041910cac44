#include "vulndb/importers/epss.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "vulndb/importers/feed_test_files.hpp"

namespace vigil::vulndb {
namespace {

using testing_files::load;
using testing_files::load_all;

ImportBatch parse_epss_ok(const SourceFile& file) {
  const auto importer = make_epss_importer();
  EXPECT_TRUE(importer->detects(file)) << file.name;
  ImportBatch batch;
  const auto result = importer->parse(file, batch);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return batch;
}

const model::EpssScore* find_epss(const ImportBatch& batch, std::string_view cve) {
  const auto it = std::find_if(batch.epss.begin(), batch.epss.end(),
                               [&](const auto& score) { return score.cve_id == cve; });
  return it == batch.epss.end() ? nullptr : &*it;
}

TEST(EpssImporterTest, RealDerivedFile) {
  const auto file = load("epss/epss_scores-2026-08-16.derived.csv.gz");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto importer = make_epss_importer();
  ASSERT_TRUE(importer->detects(*file));
  ImportBatch batch;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(importer->parse(*file, batch).has_value());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::cout << "[ timing ] epss: " << batch.epss.size() << " rows in " << took.count() * 1000
            << " ms (" << static_cast<double>(batch.epss.size()) / took.count() << " rows/s)\n";
  EXPECT_EQ(batch.epss.size(), 360'142U);  // README §4
  EXPECT_EQ(batch.records_skipped, 0U);
  const auto* salt = find_epss(batch, "CVE-2020-11651");
  ASSERT_NE(salt, nullptr);
  EXPECT_DOUBLE_EQ(salt->epss, 0.96614);
  EXPECT_DOUBLE_EQ(salt->percentile, 0.99880);
  EXPECT_EQ(salt->score_date, "");  // the derived file has no #model_version line
  EXPECT_EQ(salt->model_version, "");
  const auto* webp = find_epss(batch, "CVE-2023-4863");
  ASSERT_NE(webp, nullptr);
  EXPECT_DOUBLE_EQ(webp->epss, 0.99735);
}

TEST(EpssImporterTest, HistoricalHeaderLayouts) {
  struct Case {
    const char* path;
    double epss;        // CVE-2020-5902 in each file
    double percentile;  // 0 when the layout has none
    const char* score_date;
    const char* model_version;
  };
  const Case cases[] = {
      {"epss/format-variants/epss_scores-2021-04-14.trimmed.csv.gz", 0.65117, 0.0, "", ""},
      {"epss/format-variants/epss_scores-2021-09-01.trimmed.csv.gz", 0.65117, 0.9981063485700858,
       "", ""},
      {"epss/format-variants/epss_scores-2022-02-04.trimmed.csv.gz", 0.96817, 0.99999, "2022-02-04",
       "v2022.01.01"},
      {"epss/format-variants/epss_scores-2023-03-07.trimmed.csv.gz", 0.97567, 0.99995, "2023-03-07",
       "v2023.03.01"},
  };
  for (const auto& c : cases) {
    const auto file = load(c.path);
    if (!file) {
      GTEST_SKIP() << "shared data missing";
    }
    const auto batch = parse_epss_ok(*file);
    ASSERT_EQ(batch.epss.size(), 2U) << c.path;
    const auto* score = find_epss(batch, "CVE-2020-5902");
    ASSERT_NE(score, nullptr) << c.path;
    EXPECT_DOUBLE_EQ(score->epss, c.epss) << c.path;
    EXPECT_DOUBLE_EQ(score->percentile, c.percentile) << c.path;
    EXPECT_EQ(score->score_date, c.score_date) << c.path;
    EXPECT_EQ(score->model_version, c.model_version) << c.path;
  }
}

TEST(EpssImporterTest, EmbaSemicolonFiles) {
  const auto files = load_all("epss/emba-epss-by-year-2026-08-16.tar.gz");
  if (!files) {
    GTEST_SKIP() << "shared data missing";
  }
  size_t total = 0;
  const model::EpssScore* probe = nullptr;
  ImportBatch year2020;
  for (const auto& file : *files) {
    const auto batch = parse_epss_ok(file);
    EXPECT_EQ(batch.records_skipped, 0U) << file.name;
    total += batch.epss.size();
    if (file.name.find("CVE_2020_EPSS") != std::string::npos) {
      year2020 = batch;
      probe = find_epss(year2020, "CVE-2020-9999");
    }
  }
  EXPECT_EQ(total, 360'142U);  // the derived file is these rows, one per CVE
  ASSERT_NE(probe, nullptr);
  EXPECT_DOUBLE_EQ(probe->epss, 0.07632);
  EXPECT_DOUBLE_EQ(probe->percentile, 0.94039);
}

TEST(EpssImporterTest, BadRowsAreSkippedWithLineNumbers) {
  const SourceFile file{"epss.csv",
                        "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000\r\n"
                        "cve,epss,percentile\r\n"
                        "CVE-2020-0001,0.5,0.25\r\n"
                        "CVE-2020-0002,1.5,0.25\r\n"
                        "CVE-2020-0003,abc,0.25\r\n"
                        "cve-2020-0004,0.1,0.2\r\n"
                        "CVE-2020-0005,0.1\r\n"
                        "\r\n"
                        "CVE-2020-0006,0.00010,1\r\n"};
  const auto batch = parse_epss_ok(file);
  ASSERT_EQ(batch.epss.size(), 2U);
  EXPECT_EQ(batch.epss[0],
            (model::EpssScore{"CVE-2020-0001", 0.5, 0.25, "2023-03-07", "v2023.03.01"}));
  EXPECT_EQ(batch.epss[1].cve_id, "CVE-2020-0006");
  EXPECT_DOUBLE_EQ(batch.epss[1].epss, 0.0001);
  EXPECT_EQ(batch.records_skipped, 4U);
  ASSERT_EQ(batch.diagnostics.size(), 4U);
  EXPECT_EQ(batch.diagnostics[0].where, "epss.csv: line 4");
  EXPECT_EQ(batch.diagnostics[3].where, "epss.csv: line 7");
}

TEST(EpssImporterTest, ColumnsAreFoundByName) {
  const auto batch = parse_epss_ok({"x.csv", "cve,percentile,epss\nCVE-2021-1234,0.9,0.1\n"});
  ASSERT_EQ(batch.epss.size(), 1U);
  EXPECT_DOUBLE_EQ(batch.epss[0].epss, 0.1);
  EXPECT_DOUBLE_EQ(batch.epss[0].percentile, 0.9);
}

TEST(EpssImporterTest, ManyBadRowsGiveBoundedDiagnostics) {
  std::string content = "cve,epss\n";
  for (int row = 0; row < 1000; ++row) {
    content += "CVE-2020-1,x\n";
  }
  const auto batch = parse_epss_ok({"bad.csv", content});
  EXPECT_EQ(batch.records_skipped, 1000U);
  EXPECT_LE(batch.diagnostics.size(), 101U);
  EXPECT_NE(batch.diagnostics.back().message.find("900 more"), std::string::npos);
}

TEST(EpssImporterTest, DetectionTellsEpssFromKevAndOthers) {
  const auto importer = make_epss_importer();
  EXPECT_TRUE(importer->detects({"a.csv", "cve,epss\n"}));
  EXPECT_TRUE(importer->detects({"a.csv", "#model_version:v1,score_date:2022-01-01\ncve,epss\n"}));
  EXPECT_TRUE(importer->detects({"a.csv", "CVE-1999-0001;0.1;0.2\n"}));
  EXPECT_FALSE(importer->detects({"kev.csv", "cveID,vendorProject,product,dateAdded\n"}));
  EXPECT_FALSE(importer->detects({"a.csv", "# a comment\nname,value\n"}));
  EXPECT_FALSE(importer->detects({"a.json", "{\"cve\":1}"}));
  EXPECT_FALSE(importer->detects({"empty", ""}));
}

TEST(EpssImporterTest, MissingHeaderIsAFileError) {
  const auto importer = make_epss_importer();
  for (const SourceFile& file :
       {SourceFile{"only-comment.csv", "#model_version:v1,score_date:2022-01-01\n"},
        SourceFile{"no-epss-column.csv", "cve,score\nCVE-2020-1234,0.1\n"}}) {
    ImportBatch batch;
    const auto result = importer->parse(file, batch);
    ASSERT_FALSE(result.has_value()) << file.name;
    EXPECT_NE(result.error().message.find(file.name), std::string::npos);
  }
}

}  // namespace
}  // namespace vigil::vulndb
