// The one-pass key sniff must answer exactly what memmem answers, and detection with it must pick
// the importer that per-importer memmem sniffs pick, on every real shared file.
#include "vulndb/importers/sniff.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "vulndb/importer.hpp"
#include "vulndb/importers/json_util.hpp"

namespace vigil::vulndb::json {
namespace {

uint32_t by_memmem(std::string_view head) {
  uint32_t found = 0;
  for (size_t idx = 0; idx < std::size(kSniffKeys); ++idx) {
    const auto key = kSniffKeys[idx];
    if (memmem(head.data(), head.size(), key.data(), key.size()) != nullptr) {
      found |= uint32_t{1} << idx;
    }
  }
  return found;
}

TEST(Sniff, MatchesMemmemOnEdgeCases) {
  const std::string cases[] = {
      "",
      "\"",
      "\"id\"",
      "{\"id\":\"GO-1\"}",
      "x\"id\"",                          // key not 8-byte aligned
      "\"i\"d\"",                         // quote inside: no "id" span
      "{\"a\":\"x\\\"id\"}",              // escaped quote before id: memmem finds "id"
      "{\"a\":\"\\\"id\\\"\"}",           // \"id\" inside a string: no match
      "\"\"id\"\"",                       // empty spans around
      "\"modified\"\"affected\"\"cve\"",  // adjacent keys share quotes
      "\"cveID\" \"cve\" \"cveIDs\"",
      "\"$schema\":\"NVD_CVE\",\"knownRansomwareCampaignUse\"",
      std::string(7, 'x') + "\"packages\"" + std::string(9, 'y') + "\"distroversion\"",
  };
  for (const auto& text : cases) {
    EXPECT_EQ(scan_sniff_keys(text), by_memmem(text)) << text;
  }
}

TEST(Sniff, MatchesMemmemOnRandomText) {
  // Text built from fragments of keys, quotes and escapes, so partial and overlapping matches
  // are frequent; every prefix length exercises the word loop and the byte tail.
  const std::string fragments[] = {"\"",       "id",   "cve",    "ID", "\\\"",
                                   "modified", "x",    "{",      ":",  "$schema",
                                   "packages", "vuln", "Status", " ",  "\"id\""};
  std::mt19937 random(42);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int parts = static_cast<int>(random() % 40);
    for (int part = 0; part < parts; ++part) {
      text += fragments[random() % std::size(fragments)];
    }
    ASSERT_EQ(scan_sniff_keys(text), by_memmem(text)) << text;
  }
}

TEST(Sniff, WindowEdge) {
  // A key whose closing quote falls just outside the window is not in the head.
  std::string text(kSniffWindow - 4, ' ');
  text += "\"id\"";
  EXPECT_TRUE(head_contains(text, "\"id\""));
  std::string beyond(kSniffWindow - 3, ' ');
  beyond += "\"id\"";
  {
    const HeadScan scan(beyond);
    EXPECT_FALSE(head_contains(beyond, "\"id\""));
    EXPECT_NE(HeadScan::active_for(beyond), nullptr);
    EXPECT_TRUE(head_contains(beyond, "\"id\"", beyond.size()));  // other windows: memmem
  }
  EXPECT_EQ(HeadScan::active_for(beyond), nullptr);
  const HeadScan scan(text);
  EXPECT_TRUE(head_contains(text, "\"id\""));
  EXPECT_FALSE(head_contains(text, "\"cve\""));
  // Another buffer with equal content is not the scanned one: answered by memmem.
  const std::string copy = text;
  EXPECT_EQ(HeadScan::active_for(copy), nullptr);
  EXPECT_TRUE(head_contains(copy, "\"id\""));
}

TEST(Sniff, EveryKeyIsIndexed) {
  for (size_t idx = 0; idx < std::size(kSniffKeys); ++idx) {
    EXPECT_EQ(sniff_key_index(kSniffKeys[idx]), static_cast<int>(idx));
    EXPECT_EQ(scan_sniff_keys(kSniffKeys[idx]), uint32_t{1} << idx);
  }
  EXPECT_EQ(sniff_key_index("\"ids\""), -1);
}

// Detection with the shared scan (detect_importer) against each importer's own sniffs (no scan
// active: memmem), on every file of the shared data.
TEST(Sniff, DetectionUnchangedOnSharedData) {
  const auto importers = default_importers();
  size_t files = 0;
  size_t detected = 0;
  for (const char* source : {"/data/osv", "/data/nvd", "/data/kev", "/data/epss",
                             "/data/alpine-secdb", "/data/format-fixtures", "/data/cvss"}) {
    const auto read = read_source(
        std::string(VIGIL_SHARED_DIR) + source, {}, [&](SourceFile&& file) -> Result<void> {
          const Importer* expected = nullptr;
          for (const auto& importer : importers) {
            if (importer->detects(file)) {
              expected = importer.get();
              break;
            }
          }
          EXPECT_EQ(detect_importer(importers, file), expected) << file.name;
          ++files;
          detected += expected != nullptr ? 1 : 0;
          return {};
        });
    ASSERT_TRUE(read) << read.error().message;
  }
  EXPECT_GT(files, 9000U);
  EXPECT_GT(detected, 8000U);
}

}  // namespace
}  // namespace vigil::vulndb::json
