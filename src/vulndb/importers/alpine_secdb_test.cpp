#include "vulndb/importers/alpine_secdb.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "vulndb/importers/feed_test_files.hpp"

namespace vigil::vulndb {
namespace {

using testing_files::load;
using testing_files::load_all;

ImportBatch parse_alpine_secdb_ok(const SourceFile& file) {
  const auto importer = make_alpine_secdb_importer();
  EXPECT_TRUE(importer->detects(file)) << file.name;
  ImportBatch batch;
  const auto result = importer->parse(file, batch);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return batch;
}

const model::Advisory* find_alpine_secdb(const ImportBatch& batch, std::string_view id) {
  const auto it = std::find_if(batch.advisories.begin(), batch.advisories.end(),
                               [&](const auto& advisory) { return advisory.id == id; });
  return it == batch.advisories.end() ? nullptr : &*it;
}

std::vector<std::string> fixed_versions(const model::Advisory& advisory) {
  std::vector<std::string> out;
  for (const auto& package : advisory.affected) {
    for (const auto& range : package.ranges) {
      EXPECT_EQ(range.events.size(), 2U);
      EXPECT_EQ(range.events.at(0), (model::RangeEvent{model::EventKind::kIntroduced, "0"}));
      out.push_back(range.events.at(1).version);
    }
  }
  return out;
}

TEST(AlpineSecdbImporterTest, RealSecfixMapping) {
  const auto file = load("alpine-secdb/json/v3.11-main.json");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_alpine_secdb_ok(*file);
  const auto* openssl = find_alpine_secdb(batch, "ALPINE-v3.11-openssl-CVE-2019-1551");
  ASSERT_NE(openssl, nullptr);
  EXPECT_EQ(openssl->source, "alpine-secdb");
  EXPECT_EQ(openssl->aliases, std::vector<std::string>{"CVE-2019-1551"});
  ASSERT_EQ(openssl->affected.size(), 1U);
  EXPECT_EQ(openssl->affected[0].ecosystem,
            (model::EcosystemRef{model::Ecosystem::kAlpine, "v3.11"}));
  EXPECT_EQ(openssl->affected[0].name, "openssl");
  EXPECT_EQ(fixed_versions(*openssl), std::vector<std::string>{"1.1.1d-r3"});
  EXPECT_EQ(openssl->summary, "openssl: CVE-2019-1551 fixed in 1.1.1d-r3 (Alpine v3.11 main)");
  const auto raw = nlohmann::json::parse(openssl->raw);
  EXPECT_EQ(raw["pkg"]["secfixes"]["1.1.1d-r3"][0], "CVE-2019-1551");
  // "CVE-2016-6258 XSA-182": the Xen advisory id becomes an alias.
  const auto* xen = find_alpine_secdb(batch, "ALPINE-v3.11-xen-CVE-2016-6258");
  ASSERT_NE(xen, nullptr);
  EXPECT_EQ(xen->aliases, (std::vector<std::string>{"CVE-2016-6258", "XSA-182"}));
  // "CVE-2018-16301 (was fixed in libpcap)": the comment is dropped.
  const auto* tcpdump = find_alpine_secdb(batch, "ALPINE-v3.11-tcpdump-CVE-2018-16301");
  ASSERT_NE(tcpdump, nullptr);
  EXPECT_EQ(fixed_versions(*tcpdump), std::vector<std::string>{"4.9.3-r0"});
}

TEST(AlpineSecdbImporterTest, FixedVersionZeroMeansNeverAffected) {
  const auto file = load("alpine-secdb/json/v3.8-main.json");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_alpine_secdb_ok(*file);
  const auto* db = find_alpine_secdb(batch, "ALPINE-v3.8-db-CVE-2016-0682");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->status, "not-affected");
  // The package is named without ranges: explainable, never matchable.
  ASSERT_EQ(db->affected.size(), 1U);
  EXPECT_EQ(db->affected[0].name, "db");
  EXPECT_EQ(db->affected[0].ecosystem.release, "v3.8");
  EXPECT_TRUE(db->affected[0].ranges.empty());
  EXPECT_TRUE(db->affected[0].versions.empty());
  EXPECT_EQ(db->aliases, std::vector<std::string>{"CVE-2016-0682"});
  EXPECT_NE(db->details.find("never affected"), std::string::npos);
}

TEST(AlpineSecdbImporterTest, AllSharedFilesCoverEveryPackage) {
  const auto files = load_all("alpine-secdb/json");
  if (!files) {
    GTEST_SKIP() << "shared data missing";
  }
  ASSERT_EQ(files->size(), 18U);  // README §3
  // Every package shows up either in an advisory or in a skip diagnostic ("file: pkg version").
  std::set<std::string> packages;
  size_t advisories = 0;
  size_t skipped = 0;
  for (const auto& file : *files) {
    const auto batch = parse_alpine_secdb_ok(file);
    advisories += batch.advisories.size();
    skipped += batch.records_skipped;
    for (const auto& advisory : batch.advisories) {
      const auto raw = nlohmann::json::parse(advisory.raw);
      packages.insert(raw["distroversion"].get<std::string>() + "-" +
                      raw["reponame"].get<std::string>() + ".json/" +
                      raw["pkg"]["name"].get<std::string>());
    }
    const std::string stem = std::filesystem::path(file.name).filename().string();
    for (const auto& diagnostic : batch.diagnostics) {
      const std::string what = diagnostic.where.substr(file.name.size() + 2);
      packages.insert(stem + "/" + what.substr(0, what.find(' ')));
    }
  }
  // README §3: 1,652 package entries, all with secfixes.
  EXPECT_EQ(packages.size(), 1652U);
  // The real files carry 23 fixed versions that are not apk versions ("4.8.0.-r1",
  // "0.8.21.r2", "1.11-20-r0", ...); each is skipped with a diagnostic, nothing else is.
  EXPECT_EQ(skipped, 23U);
  EXPECT_EQ(advisories, 11'838U);
}

TEST(AlpineSecdbImporterTest, SplitsSecfixEntries) {
  struct Case {
    std::string_view entry;
    std::vector<std::string> cves;
    std::vector<std::string> others;
  };
  const Case cases[] = {
      {"CVE-2019-14904", {"CVE-2019-14904"}, {}},
      {"CVE-2016-6258 XSA-182", {"CVE-2016-6258"}, {"XSA-182"}},
      {"CVE-2018-3639   XSA-263", {"CVE-2018-3639"}, {"XSA-263"}},
      {"CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI",
       {"CVE-2017-5753", "CVE-2017-5715", "CVE-2017-5754"},
       {"XSA-254"}},
      {"CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)", {"CVE-2018-10103"}, {}},
      {"CVE-2017-17434-1", {"CVE-2017-17434"}, {}},
      {"CVE_2019-2426", {"CVE-2019-2426"}, {}},
      {"CVE 2018-16859", {"CVE-2018-16859"}, {}},
      {"CVE-2017-8073.patch", {"CVE-2017-8073"}, {}},
      {"CVE-2019-5060 TALOS-2019-0844", {"CVE-2019-5060"}, {"TALOS-2019-0844"}},
      {"XSA-207", {}, {"XSA-207"}},
      {"wnpa-sec-2017-18", {}, {"wnpa-sec-2017-18"}},
      {"ZBX-11023", {}, {"ZBX-11023"}},
      {"CVE-\?\?\?\?-\?\?\?\?\?  XSA-295", {}, {"XSA-295"}},  // a placeholder CVE
      {"CVE-2020-1234, CVE-2020-5678", {"CVE-2020-1234", "CVE-2020-5678"}, {}},
      {"CVE-2020-1234 CVE-2020-1234", {"CVE-2020-1234"}, {}},
      {"fixed upstream", {}, {}},
      {"", {}, {}},
      {"CVE", {}, {}},
  };
  for (const auto& c : cases) {
    const auto ids = split_secfix_entry(c.entry);
    EXPECT_EQ(ids.cves, c.cves) << c.entry;
    EXPECT_EQ(ids.others, c.others) << c.entry;
  }
}

TEST(AlpineSecdbImporterTest, MergesRepeatsAndSkipsBadEntries) {
  const SourceFile file{"v3.99-main.json", R"({"distroversion":"v3.99","reponame":"main",
    "packages":[
      {"pkg":{"name":"wireshark","secfixes":{
        "2.4.2-r0":["CVE-2017-15191"],"2.2.10-r0":["CVE-2017-15191 XSA-1"],
        "0":["CVE-2017-15191","CVE-2017-0001"],
        "not a version":["CVE-2017-0002"],
        "2.5-r0":["no id here",7,"CVE-2017-0003"],
        "2.6-r0":null}}},
      {"pkg":{"secfixes":{}}},
      {"pkg":{"name":"nofixes"}},
      "junk"]})"};
  const auto batch = parse_alpine_secdb_ok(file);
  ASSERT_EQ(batch.advisories.size(), 3U);
  const auto* repeated = find_alpine_secdb(batch, "ALPINE-v3.99-wireshark-CVE-2017-15191");
  ASSERT_NE(repeated, nullptr);
  EXPECT_EQ(fixed_versions(*repeated), (std::vector<std::string>{"2.4.2-r0", "2.2.10-r0"}));
  EXPECT_EQ(repeated->aliases, (std::vector<std::string>{"CVE-2017-15191", "XSA-1"}));
  EXPECT_EQ(repeated->status, "");  // real fixes win over "0"
  const auto* never = find_alpine_secdb(batch, "ALPINE-v3.99-wireshark-CVE-2017-0001");
  ASSERT_NE(never, nullptr);
  EXPECT_EQ(never->status, "not-affected");
  EXPECT_NE(find_alpine_secdb(batch, "ALPINE-v3.99-wireshark-CVE-2017-0003"), nullptr);
  EXPECT_EQ(find_alpine_secdb(batch, "ALPINE-v3.99-wireshark-XSA-1"), nullptr);  // an alias, not its own
  // Skipped: the bad version, "no id here", the number 7, the nameless pkg, "junk".
  EXPECT_EQ(batch.records_skipped, 5U);
  const auto warns_about = [&](std::string_view where) {
    return std::any_of(batch.diagnostics.begin(), batch.diagnostics.end(), [&](const auto& d) {
      return d.level == model::DiagnosticLevel::kWarning && d.where == where;
    });
  };
  EXPECT_TRUE(warns_about("v3.99-main.json: wireshark not a version"));
  EXPECT_TRUE(warns_about("v3.99-main.json: wireshark 2.5-r0"));
  EXPECT_TRUE(warns_about("v3.99-main.json: packages[1]"));
  EXPECT_TRUE(warns_about("v3.99-main.json: packages[3]"));
}

TEST(AlpineSecdbImporterTest, FileLevelErrorsNameTheFile) {
  const auto importer = make_alpine_secdb_importer();
  const SourceFile cases[] = {
      {"truncated.json", R"({"distroversion":"v3.11","packages":[{"pkg":{"name":"a")"},
      {"norelease.json", R"({"reponame":"main","packages":[]})"},
      {"badpackages.json", R"({"distroversion":"v3.11","packages":{}})"},
  };
  for (const auto& file : cases) {
    ImportBatch batch;
    const auto result = importer->parse(file, batch);
    ASSERT_FALSE(result.has_value()) << file.name;
    EXPECT_NE(result.error().message.find(file.name), std::string::npos) << result.error().message;
  }
  ImportBatch batch;
  EXPECT_TRUE(importer
                  ->parse({"v3.3-community.json",
                           R"({"distroversion":"v3.3","reponame":"community","packages":null})"},
                          batch)
                  .has_value());
  EXPECT_TRUE(batch.advisories.empty());
}

TEST(AlpineSecdbImporterTest, VulsFixturesInTheLiveFeedLayout) {
  const auto file = load("format-fixtures/vuls-data-update/alpine/secdb/edge/main.json");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_alpine_secdb_ok(*file);
  const auto* aom = find_alpine_secdb(batch, "ALPINE-edge-aom-CVE-2021-30473");
  ASSERT_NE(aom, nullptr);
  EXPECT_EQ(aom->affected.at(0).ecosystem.release, "edge");
  EXPECT_EQ(fixed_versions(*aom), std::vector<std::string>{"3.1.1-r0"});
}

}  // namespace
}  // namespace vigil::vulndb
