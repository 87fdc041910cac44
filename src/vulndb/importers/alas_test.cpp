#include "vulndb/importers/alas.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "vulndb/importers/feed_test_files.hpp"

namespace vigil::vulndb {
namespace {

using testing_files::load;

constexpr const char* kAmazonDir = "format-fixtures/vuls-data-update/amazon/";

ImportBatch parse_alas_ok(const SourceFile& file) {
  const auto importer = make_alas_importer();
  EXPECT_TRUE(importer->detects(file)) << file.name;
  ImportBatch batch;
  const auto result = importer->parse(file, batch);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return batch;
}

std::string fixed_of(const model::AffectedPackage& package) {
  for (const auto& range : package.ranges) {
    for (const auto& event : range.events) {
      if (event.kind == model::EventKind::kFixed) {
        return event.version;
      }
    }
  }
  return {};
}

TEST(AlasImporterTest, AmazonLinux2KernelAdvisory) {
  const auto file = load(std::string(kAmazonDir) + "updateinfo_2.xml.gz");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_alas_ok(*file);
  ASSERT_EQ(batch.advisories.size(), 1U);
  const auto& advisory = batch.advisories[0];
  EXPECT_EQ(advisory.id, "ALAS2-2018-939");
  EXPECT_EQ(advisory.source, "alas");
  EXPECT_EQ(advisory.summary,
            "Amazon Linux 2 2017.12 - ALAS2-2018-939: critical priority package update for kernel");
  EXPECT_TRUE(advisory.details.starts_with("Package updates are available for Amazon Linux 2"));
  EXPECT_EQ(advisory.severity_label, "critical");
  EXPECT_EQ(advisory.published, "2018-01-11T21:05:00Z");
  EXPECT_EQ(advisory.modified, "2018-01-16T01:28:00Z");
  EXPECT_EQ(advisory.aliases, (std::vector<std::string>{"CVE-2017-5715", "CVE-2017-5754"}));
  ASSERT_EQ(advisory.affected.size(), 1U);
  const auto& kernel = advisory.affected[0];
  EXPECT_EQ(kernel.ecosystem, (model::EcosystemRef{model::Ecosystem::kAmazonLinux, "2"}));
  EXPECT_EQ(kernel.name, "kernel");
  ASSERT_EQ(kernel.ranges.size(), 1U);
  EXPECT_EQ(kernel.ranges[0].type, model::RangeType::kEcosystem);
  EXPECT_EQ(kernel.ranges[0].events,
            (std::vector<model::RangeEvent>{{model::EventKind::kIntroduced, "0"},
                                            {model::EventKind::kFixed, "4.9.76-38.79.amzn2"}}));
  EXPECT_EQ(kernel.purl,
            "pkg:rpm/amazonlinux/kernel@4.9.76-38.79.amzn2?arch=x86_64&distro=amazonlinux-2");
  EXPECT_TRUE(advisory.raw.starts_with("<update "));
  EXPECT_NE(advisory.raw.find("<id>ALAS2-2018-939</id>"), std::string::npos);
}

TEST(AlasImporterTest, EveryFixtureGetsItsRelease) {
  struct Case {
    const char* file;
    const char* id;
    const char* release;
    size_t packages;
    size_t cves;
  };
  const Case cases[] = {
      {"updateinfo_1.xml.gz", "ALAS-2011-1", "1", 1, 1},
      {"updateinfo_2.xml.gz", "ALAS2-2018-939", "2", 1, 2},
      {"updateinfo_2_kernel-5.15.xml.gz", "ALAS2KERNEL-5.15-2022-001", "2", 31, 13},
      {"updateinfo_2022.xml.gz", "ALAS2022-2021-001", "2022", 2, 4},
      {"updateinfo_2023.xml.gz", "ALAS2023-2023-001", "2023", 61, 2},
      {"updateinfo_2023_kernel-livepatch.xml.gz", "ALAS2023LIVEPATCH-2023-001", "2023", 1, 1},
      {"updateinfo_2023_nvidia.xml.gz", "ALAS2023NVIDIA-2025-001", "2023", 6, 1},
  };
  for (const auto& c : cases) {
    const auto file = load(std::string(kAmazonDir) + c.file);
    if (!file) {
      GTEST_SKIP() << "shared data missing";
    }
    const auto batch = parse_alas_ok(*file);
    ASSERT_EQ(batch.advisories.size(), 1U) << c.file;
    const auto& advisory = batch.advisories[0];
    EXPECT_EQ(advisory.id, c.id);
    EXPECT_EQ(advisory.affected.size(), c.packages) << c.file;
    EXPECT_EQ(advisory.aliases.size(), c.cves) << c.file;
    for (const auto& package : advisory.affected) {
      EXPECT_EQ(package.ecosystem.release, c.release) << c.file << " " << package.name;
    }
  }
}

TEST(AlasImporterTest, EpochIsKeptWhenNotZero) {
  const auto file = load(std::string(kAmazonDir) + "updateinfo_2022.xml.gz");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto batch = parse_alas_ok(*file);
  ASSERT_EQ(batch.advisories.size(), 1U);
  const auto& affected = batch.advisories[0].affected;
  const auto vim = std::find_if(affected.begin(), affected.end(), [](const auto& package) {
    return package.name == "vim-common-debuginfo";
  });
  ASSERT_NE(vim, affected.end());
  EXPECT_EQ(fixed_of(*vim), "2:8.2.3512-1.amzn2022");
  EXPECT_EQ(vim->purl,
            "pkg:rpm/amazonlinux/vim-common-debuginfo@8.2.3512-1.amzn2022?arch=x86_64&"
            "distro=amazonlinux-2022&epoch=2");
}

TEST(AlasImporterTest, ReleaseFromIdRule) {
  const std::pair<const char*, const char*> cases[] = {
      {"ALAS-2011-1", "1"},
      {"ALAS2-2018-939", "2"},
      {"ALAS2KERNEL-5.15-2022-001", "2"},
      {"ALAS2EXTRAS-2023-001", "2"},
      {"ALAS2022-2021-001", "2022"},
      {"ALAS2023-2023-001", "2023"},
      {"ALAS2023LIVEPATCH-2023-001", "2023"},
      {"ALASKA-1", ""},
      {"RHSA-2020:1234", ""},
      {"", ""},
  };
  for (const auto& [id, release] : cases) {
    EXPECT_EQ(alas_release_from_id(id), release) << id;
  }
}

TEST(AlasImporterTest, BadUpdatesAreSkippedWithDiagnostics) {
  const SourceFile file{"updateinfo.xml", R"(<?xml version="1.0"?>
<!-- mirror copy -->
<updates>
  <update type="security"><id>ALAS2-2099-1</id><issued date="1700000000"/>
    <pkglist><collection short="amazon-linux-2"><package name="libstdc++" version="7.3.1"
      release="5.amzn2" epoch="0" arch="aarch64"/></collection></pkglist></update>
  <update type="security"><id>ALAS2-2099-2</id>
    <pkglist><collection><package name="x" release="1"/></collection></pkglist></update>
  <update type="security"><title>no id</title></update>
  <update type="security"><id>CUSTOM-1</id>
    <pkglist><collection short="something-else"><package name="y" version="1" release="1"/></collection></pkglist></update>
  <update type="security"><id>CUSTOM-2</id>
    <pkglist><collection short="amazon-linux-2023"><package name="z" version="1" release="1"/></collection></pkglist></update>
</updates>)"};
  const auto batch = parse_alas_ok(file);
  ASSERT_EQ(batch.advisories.size(), 2U);
  const auto& first = batch.advisories[0];
  EXPECT_EQ(first.published, "2023-11-14T22:13:20Z");  // Unix seconds
  EXPECT_EQ(first.modified, first.published);          // no <updated>
  EXPECT_EQ(first.affected[0].purl,
            "pkg:rpm/amazonlinux/libstdc%2B%2B@7.3.1-5.amzn2?arch=aarch64&distro=amazonlinux-2");
  EXPECT_EQ(batch.advisories[1].id, "CUSTOM-2");
  EXPECT_EQ(batch.advisories[1].affected[0].ecosystem.release, "2023");  // from the collection
  EXPECT_EQ(batch.records_skipped, 3U);
  ASSERT_EQ(batch.diagnostics.size(), 3U);
  EXPECT_EQ(batch.diagnostics[0].where, "updateinfo.xml: ALAS2-2099-2");
  EXPECT_EQ(batch.diagnostics[1].where, "updateinfo.xml: update[2]");
  EXPECT_EQ(batch.diagnostics[2].where, "updateinfo.xml: CUSTOM-1");
}

TEST(AlasImporterTest, TruncatedXmlIsAFileError) {
  const auto file = load(std::string(kAmazonDir) + "updateinfo_2023.xml.gz");
  if (!file) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto importer = make_alas_importer();
  SourceFile truncated{"updateinfo_2023.xml", file->content.substr(0, file->content.size() / 2)};
  ASSERT_TRUE(importer->detects(truncated));
  ImportBatch batch;
  const auto result = importer->parse(truncated, batch);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_NE(result.error().message.find("updateinfo_2023.xml"), std::string::npos);
  EXPECT_TRUE(batch.advisories.empty());
}

TEST(AlasImporterTest, DetectsOnlyAnUpdatesRoot) {
  const auto importer = make_alas_importer();
  const auto repomd = load(std::string(kAmazonDir) + "repomd_valid.xml");
  if (!repomd) {
    GTEST_SKIP() << "shared data missing";
  }
  EXPECT_FALSE(importer->detects(*repomd));
  EXPECT_TRUE(importer->detects({"u.xml", "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<updates/>"}));
  EXPECT_FALSE(importer->detects({"u.xml", "<updatesx></updatesx>"}));
  EXPECT_FALSE(importer->detects({"u.xml", "<rss><updates></updates></rss>"}));
  EXPECT_FALSE(importer->detects({"u.json", "{\"updates\":[]}"}));
}

}  // namespace
}  // namespace vigil::vulndb
