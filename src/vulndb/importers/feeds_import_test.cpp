// End to end: every shared feed through detection, the importers and the SQLite database in one
// import_paths transaction, checked through the Database read API. Also checks that each real
// file is claimed by exactly the importer meant for it, and prints parse throughput.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>

#include "support/temp_dir.hpp"
#include "vulndb/database.hpp"
#include "vulndb/importers/feed_test_files.hpp"

namespace vigil::vulndb {
namespace {

using testing_files::load_all;
using testing_files::shared_data;

const std::vector<std::string> kSources = {
    "kev",  // JSON, CSV, the JSON schema and LICENSE
    "epss/epss_scores-2026-08-16.derived.csv.gz",
    "nvd/api-pages",
    "nvd/fkie-cad-records",
    "alpine-secdb/json",
    "format-fixtures/vuls-data-update/amazon",
    "osv/go/go-vulndb-osv.zip",
    "osv/rustsec/rustsec-osv.zip",
    "osv/pypa/pypi-osv-json-converted.zip",
};

// Which importer must claim each real file ("" = none: licences, schemas, non-CVE NVD APIs).
std::string expected_importer(const std::string& source, const std::string& name) {
  if (name.find("LICENSE") != std::string::npos || name.find("_schema") != std::string::npos ||
      name.find("repomd") != std::string::npos ||
      name.find("extras-catalog") != std::string::npos ||
      name.find("cvehistory") != std::string::npos || name.find("cpematch") != std::string::npos) {
    return "";
  }
  if (source == "kev") {
    return "kev";
  }
  if (source.starts_with("epss")) {
    return "epss";
  }
  if (source.starts_with("nvd")) {
    return "nvd";
  }
  if (source.starts_with("alpine")) {
    return "alpine-secdb";
  }
  if (source.find("amazon") != std::string::npos) {
    return "alas";
  }
  return "osv";
}

TEST(FeedsImportTest, EachRealFileIsClaimedByItsImporter) {
  const auto importers = default_importers();
  size_t checked = 0;
  for (const auto& source : kSources) {
    const auto files = load_all(source);
    if (!files) {
      GTEST_SKIP() << "shared data missing: " << source;
    }
    for (const auto& file : *files) {
      const Importer* importer = detect_importer(importers, file);
      const std::string want = expected_importer(source, file.name);
      EXPECT_EQ(importer == nullptr ? "" : std::string(importer->name()), want) << file.name;
      // No other feed importer may claim it as well: their formats never overlap. (OSV's sniff
      // also accepts a bare NVD cve object; the order of default_importers() settles that.)
      const auto claims = std::count_if(importers.begin(), importers.end(), [&](const auto& each) {
        return each->name() != "osv" && each->detects(file);
      });
      EXPECT_EQ(claims, want.empty() || want == "osv" ? 0 : 1) << file.name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 8000U);
}

TEST(FeedsImportTest, ParseThroughputPerImporter) {
  const auto importers = default_importers();
  struct Tally {
    size_t records = 0;
    size_t bytes = 0;
    double seconds = 0;
  };
  std::map<std::string, Tally> tally;
  for (const auto& source : kSources) {
    const auto files = load_all(source);
    if (!files) {
      GTEST_SKIP() << "shared data missing: " << source;
    }
    for (const auto& file : *files) {
      const Importer* importer = detect_importer(importers, file);
      if (importer == nullptr) {
        continue;
      }
      ImportBatch batch;
      const auto start = std::chrono::steady_clock::now();
      const auto parsed = importer->parse(file, batch);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
      auto& entry = tally[std::string(importer->name())];
      entry.records += batch.advisories.size() + batch.kev.size() + batch.epss.size();
      entry.bytes += file.content.size();
      entry.seconds += took.count();
    }
  }
  for (const auto& [name, entry] : tally) {
    std::cout << "[ timing ] " << name << ": " << entry.records << " records, "
              << entry.bytes / 1024 << " KiB in " << entry.seconds * 1000 << " ms ("
              << static_cast<double>(entry.records) / entry.seconds << " records/s, "
              << static_cast<double>(entry.bytes) / entry.seconds / 1e6 << " MB/s)\n";
  }
  EXPECT_EQ(tally.size(), 6U);
}

bool has_fix(const model::Advisory& advisory, std::string_view package, std::string_view fixed) {
  for (const auto& affected : advisory.affected) {
    for (const auto& range : affected.ranges) {
      for (const auto& event : range.events) {
        if (affected.name == package && event.kind == model::EventKind::kFixed &&
            event.version == fixed) {
          return true;
        }
      }
    }
  }
  return false;
}

const model::Advisory* by_id(const std::vector<model::Advisory>& found, std::string_view id) {
  const auto it = std::find_if(found.begin(), found.end(),
                               [&](const auto& advisory) { return advisory.id == id; });
  return it == found.end() ? nullptr : &*it;
}

TEST(FeedsImportTest, ImportsAllSharedFeedsIntoOneDatabase) {
  std::vector<std::filesystem::path> paths;
  for (const auto& source : kSources) {
    paths.push_back(shared_data(source));
    if (!std::filesystem::exists(paths.back())) {
      GTEST_SKIP() << "shared data missing: " << source;
    }
  }
  testing::TempDir dir;
  auto db = Database::open(dir.path() / "db", true).value();
  const auto start = std::chrono::steady_clock::now();
  const auto summary = import_paths(*db, paths);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  std::cout << "[ timing ] import_paths of all shared feeds: " << took.count() << " s\n";
  EXPECT_EQ(summary->kev, 1404U);
  EXPECT_EQ(summary->epss, 360'142U);

  const auto status = db->status().value();
  EXPECT_EQ(status.kev, 1404);
  EXPECT_EQ(status.epss, 360'142);
  EXPECT_EQ(status.epss_date, "");  // the derived file carries no score_date
  std::map<std::string, int64_t> per_source;
  for (const auto& count : status.counts) {
    per_source[count.source] += count.records;
  }
  EXPECT_EQ(per_source["nvd"], 200 + 200 + 1 + 4);
  EXPECT_EQ(per_source["alas"], 7);
  EXPECT_EQ(per_source["alpine-secdb"], 11'838);  // as AlpineSecdbImporterTest counts
  // OSV: Go 4,291 (17 withdrawn), RustSec 1,206 (13), PyPI 2,661 (10); status counts live ones.
  EXPECT_EQ(per_source["osv"], (4291 - 17) + (1206 - 13) + (2661 - 10));

  // One CVE seen from every angle: NVD, OSV, KEV and EPSS.
  const auto salt = db->lookup("CVE-2020-11651").value();
  const auto* nvd = by_id(salt, "CVE-2020-11651");
  ASSERT_NE(nvd, nullptr);
  EXPECT_EQ(nvd->source, "nvd");
  EXPECT_FALSE(nvd->cpe_configurations.empty());
  const auto v31 = std::find_if(nvd->severities.begin(), nvd->severities.end(), [](const auto& s) {
    return s.source == "nvd@nist.gov (Primary)" && s.type == "CVSS_V3";
  });
  ASSERT_NE(v31, nvd->severities.end());
  EXPECT_EQ(v31->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  EXPECT_EQ(v31->base_score, 9.8);
  const auto* pysec = by_id(salt, "PYSEC-2020-102");
  ASSERT_NE(pysec, nullptr);
  EXPECT_TRUE(has_fix(*pysec, "salt", "2019.2.4"));
  const auto kev = db->kev("CVE-2020-11651").value();
  ASSERT_TRUE(kev.has_value());
  EXPECT_EQ(kev->date_added, "2021-11-03");
  const auto epss = db->epss("CVE-2020-11651").value();
  ASSERT_TRUE(epss.has_value());
  EXPECT_DOUBLE_EQ(epss->epss, 0.96614);
  EXPECT_DOUBLE_EQ(epss->percentile, 0.99880);

  // Amazon Linux: the ALAS advisory is found through its CVE alias.
  const auto meltdown = db->lookup("CVE-2017-5754").value();
  const auto* alas = by_id(meltdown, "ALAS2-2018-939");
  ASSERT_NE(alas, nullptr);
  EXPECT_EQ(alas->affected.at(0).ecosystem,
            (model::EcosystemRef{model::Ecosystem::kAmazonLinux, "2"}));
  EXPECT_TRUE(has_fix(*alas, "kernel", "4.9.76-38.79.amzn2"));

  // Alpine: one advisory per release for the same CVE, and the "never affected" marker.
  const auto openssl = db->lookup("CVE-2019-1547").value();
  const auto* alpine = by_id(openssl, "ALPINE-v3.11-openssl-CVE-2019-1547");
  ASSERT_NE(alpine, nullptr);
  EXPECT_TRUE(has_fix(*alpine, "openssl", "1.1.1d-r1"));
  EXPECT_EQ(std::count_if(openssl.begin(), openssl.end(),
                          [](const auto& advisory) { return advisory.source == "alpine-secdb"; }),
            5);  // v3.7 to v3.11
  const auto db_cve = db->lookup("ALPINE-v3.8-db-CVE-2016-0682").value();
  const auto* never = by_id(db_cve, "ALPINE-v3.8-db-CVE-2016-0682");
  ASSERT_NE(never, nullptr);
  EXPECT_EQ(never->status, "not-affected");
  // The package is named without ranges: explainable, never matchable.
  ASSERT_EQ(never->affected.size(), 1U);
  EXPECT_EQ(never->affected[0].name, "db");
  EXPECT_EQ(never->affected[0].ecosystem.release, "v3.8");
  EXPECT_TRUE(never->affected[0].ranges.empty());
  EXPECT_TRUE(never->affected[0].versions.empty());

  // NVD v4 metric survives the database round trip.
  const auto zip = db->lookup("CVE-2025-29787").value();
  const auto* zip_nvd = by_id(zip, "CVE-2025-29787");
  ASSERT_NE(zip_nvd, nullptr);
  ASSERT_FALSE(zip_nvd->severities.empty());
  EXPECT_EQ(zip_nvd->severities[0].type, "CVSS_V4");
  EXPECT_EQ(zip_nvd->severities[0].base_score, 7.3);

  // Importing the same feeds again changes nothing.
  const auto again = import_paths(*db, paths);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->added + again->modified, 0U);
  EXPECT_EQ(again->kev, 0U);
}

}  // namespace
}  // namespace vigil::vulndb
