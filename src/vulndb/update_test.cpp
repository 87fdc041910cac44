#include "vulndb/update.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/feed_server.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_builder.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;
using testing::FeedServer;
using testing::TempDir;

std::string osv_record(const std::string& id, const std::string& modified,
                       const std::string& package) {
  return R"({"id":")" + id + R"(","modified":")" + modified +
         R"(","affected":[{"package":{"ecosystem":"PyPI","name":")" + package +
         R"("},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]})";
}

FetchOptions update_fast_options() {
  FetchOptions options;
  options.initial_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::chrono::milliseconds(2);
  options.max_attempts = 2;
  return options;
}

struct UpdateFixture {
  TempDir dir;
  FeedServer server;
  fs::path db_dir = dir.path() / "db";
  std::unique_ptr<Database> db = Database::open(db_dir, true).value();
  std::unique_ptr<Fetcher> fetcher = make_fetcher(update_fast_options());

  UpdateReport update(const std::vector<FeedSource>& sources, const UpdateOptions& options = {}) {
    auto report = update_feeds(*db, db_dir, sources, *fetcher, options);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().message);
    return report.value_or(UpdateReport{});
  }
  size_t lookup_count(std::string_view id) { return db->lookup(id).value().size(); }
};

TEST(UpdateTest, OneFailingSourceDoesNotBlockTheOthers) {
  UpdateFixture fx;
  fx.server.set_file(
      "/pypi/all.zip",
      testing::make_zip({{"PYSEC-1.json", osv_record("PYSEC-1", "2024-01-01T00:00:00Z", "a")},
                         {"PYSEC-2.json", osv_record("PYSEC-2", "2024-01-01T00:00:00Z", "b")},
                         {"LICENSE", "text"}}),
      "\"p1\"");
  fx.server.set_file("/broken/feed.json", "x", "\"b1\"");
  fx.server.fail_next("/broken/feed.json", 100, 502);
  const std::vector<FeedSource> sources = {
      {"osv-pypi", fx.server.url("/pypi/all.zip"), "auto"},
      {"osv-broken", fx.server.url("/broken/feed.json"), "osv"}};

  const auto report = fx.update(sources);
  ASSERT_EQ(report.sources.size(), 2U);
  EXPECT_EQ(report.sources[0].outcome, SourceOutcome::kFetched);
  EXPECT_EQ(report.sources[0].records, 2U);
  EXPECT_EQ(report.sources[1].outcome, SourceOutcome::kFailed);
  EXPECT_NE(report.sources[1].error.find("HTTP 502"), std::string::npos) << report.sources[1].error;
  EXPECT_TRUE(report.any_failed());
  ASSERT_TRUE(report.import.has_value());
  EXPECT_EQ(report.import->added, 2U);
  EXPECT_EQ(report.import->files_ignored, 1U);  // the LICENSE
  EXPECT_EQ(fx.lookup_count("PYSEC-2"), 1U);
  EXPECT_TRUE(fs::exists(fx.db_dir / "cache" / "osv-pypi" / "all.zip"));

  // Second run: the good source is current (304), the broken one recovered.
  fx.server.set_file("/broken/feed.json", osv_record("PYSEC-3", "2024-01-01T00:00:00Z", "c"),
                     "\"b2\"");
  fx.server.fail_next("/broken/feed.json", 0);
  const auto second = fx.update(sources);
  EXPECT_EQ(second.sources[0].outcome, SourceOutcome::kNotModified);
  EXPECT_EQ(second.sources[1].outcome, SourceOutcome::kFetched);
  EXPECT_FALSE(second.any_failed());
  ASSERT_TRUE(second.import.has_value());
  EXPECT_EQ(second.import->added, 1U);
  EXPECT_EQ(fx.server.seen("/pypi/all.zip").back().if_none_match, "\"p1\"");

  // Third run: nothing changed anywhere, so no import at all.
  const auto third = fx.update(sources);
  EXPECT_EQ(third.sources[1].outcome, SourceOutcome::kNotModified);
  EXPECT_FALSE(third.import.has_value());
  EXPECT_EQ(fx.db->status().value().db_version, 2);
}

TEST(UpdateTest, AFeedThatDoesNotParseIsFailedAndRefetchedNextTime) {
  UpdateFixture fx;
  fx.server.set_file("/good.json", osv_record("GO-1", "2024-01-01T00:00:00Z", "g"), "\"g1\"");
  fx.server.set_file("/bad.json", R"({"id":"X-1","modified":"2024-01-01T00:00:00Z",)", "\"x1\"");
  const std::vector<FeedSource> sources = {{"good", fx.server.url("/good.json"), "auto"},
                                           {"bad", fx.server.url("/bad.json"), "auto"}};
  const auto report = fx.update(sources);
  EXPECT_EQ(report.sources[0].outcome, SourceOutcome::kFetched);
  EXPECT_EQ(report.sources[1].outcome, SourceOutcome::kFailed);
  EXPECT_NE(report.sources[1].error.find("import:"), std::string::npos) << report.sources[1].error;
  EXPECT_EQ(fx.lookup_count("GO-1"), 1U);

  // No state was saved for the bad feed, so it is downloaded unconditionally again.
  fx.server.set_file("/bad.json", osv_record("X-1", "2024-01-01T00:00:00Z", "x"), "\"x1\"");
  const auto second = fx.update(sources);
  EXPECT_EQ(second.sources[1].outcome, SourceOutcome::kFetched);
  EXPECT_EQ(fx.server.seen("/bad.json").back().if_none_match, "");
  EXPECT_EQ(fx.lookup_count("X-1"), 1U);
}

TEST(UpdateTest, LargeFeedsAreCheckedInFullBeforeAnyRecordIsImported) {
  UpdateFixture fx;
  std::vector<std::pair<std::string, std::string>> files;
  for (int idx = 0; idx < 30; ++idx) {
    const auto id = "PYSEC-" + std::to_string(idx);
    files.emplace_back(id + ".json",
                       osv_record(id, "2024-01-01T00:00:00Z", "p" + std::to_string(idx)));
  }
  auto with_bad_tail = files;
  with_bad_tail.emplace_back("zz.json", R"({"id":"X-9","modified":"2024-)");
  fx.server.set_file("/big.zip", testing::make_zip(with_bad_tail), "\"1\"");
  fx.server.set_file("/ok.zip", testing::make_zip(files), "\"2\"");
  UpdateOptions options;
  options.max_buffered_bytes = 4096;  // forces the two-pass path
  const auto report = fx.update({{"big", fx.server.url("/big.zip"), "auto"}}, options);
  EXPECT_EQ(report.sources[0].outcome, SourceOutcome::kFailed);
  EXPECT_FALSE(report.import.has_value());
  EXPECT_EQ(fx.lookup_count("PYSEC-0"), 0U) << "no half feed may reach the database";

  const auto ok = fx.update({{"ok", fx.server.url("/ok.zip"), "auto"}}, options);
  EXPECT_EQ(ok.sources[0].outcome, SourceOutcome::kFetched);
  EXPECT_EQ(ok.sources[0].records, 30U);
  ASSERT_TRUE(ok.import.has_value());
  EXPECT_EQ(ok.import->added, 30U);
}

TEST(UpdateTest, OfflineMirrorRewrittenWithSameBytesIsUnchanged) {
  UpdateFixture fx;
  const auto mirror =
      fx.dir.write("mirror/feed.json", osv_record("RUSTSEC-1", "2024-01-01T00:00:00Z", "r"));
  const std::vector<FeedSource> sources = {{"mirror", "file://" + mirror.string(), "osv"}};
  EXPECT_EQ(fx.update(sources).sources[0].outcome, SourceOutcome::kFetched);
  EXPECT_EQ(fx.update(sources).sources[0].outcome, SourceOutcome::kNotModified);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  fx.dir.write("mirror/feed.json", osv_record("RUSTSEC-1", "2024-01-01T00:00:00Z", "r"));
  const auto touched = fx.update(sources);
  EXPECT_EQ(touched.sources[0].outcome, SourceOutcome::kUnchanged);
  EXPECT_FALSE(touched.import.has_value());
}

TEST(UpdateTest, KindRestrictsWhichFilesAreImported) {
  UpdateFixture fx;
  const auto mirror =
      fx.dir.write("mirror/feed.json", osv_record("PYSEC-9", "2024-01-01T00:00:00Z", "k"));
  const auto report = fx.update({{"kev", mirror.string(), "kev"}});
  EXPECT_EQ(report.sources[0].outcome, SourceOutcome::kFetched);
  EXPECT_EQ(report.sources[0].records, 0U);
  ASSERT_TRUE(report.import.has_value());
  EXPECT_EQ(report.import->files_ignored, 1U);
  EXPECT_EQ(fx.lookup_count("PYSEC-9"), 0U);
}

TEST(UpdateTest, LoadsSourcesAndRejectsBadConfigurations) {
  TempDir dir;
  const auto good = dir.write("sources.json", R"([
    {"name": "osv-pypi", "url": "https://mirror.invalid/pypi/all.zip", "kind": "auto"},
    {"name": "kev", "url": "file:///srv/feeds/kev.json"}])");
  const auto sources = load_feed_sources(good);
  ASSERT_TRUE(sources.has_value()) << sources.error().message;
  ASSERT_EQ(sources->size(), 2U);
  EXPECT_EQ((*sources)[1].kind, "auto");
  EXPECT_EQ((*sources)[1].url, "file:///srv/feeds/kev.json");
  const auto wrapped =
      load_feed_sources(dir.write("wrapped.json", R"({"sources":[{"name":"a","url":"/x"}]})"));
  ASSERT_TRUE(wrapped.has_value());
  EXPECT_EQ(wrapped->size(), 1U);

  struct Case {
    const char* content;
    const char* message;
  };
  const Case cases[] = {
      {"[", "invalid JSON"},
      {R"({"name":"a"})", "expected a JSON array"},
      {R"([1])", "not an object"},
      {R"([{"name":"../etc","url":"/x"}])", "name '../etc'"},
      {R"([{"name":"","url":"/x"}])", "name ''"},
      {R"([{"name":"a","url":"/x"},{"name":"a","url":"/y"}])", "duplicate name 'a'"},
      {R"([{"name":"a"}])", "missing \"url\""},
      {R"([{"name":"a","url":"/x","kind":"yaml"}])", "unknown kind 'yaml'"},
  };
  for (const auto& c : cases) {
    const auto result = load_feed_sources(dir.write("bad.json", c.content));
    ASSERT_FALSE(result.has_value()) << c.content;
    EXPECT_EQ(result.error().code, ErrorCode::kParse) << c.content;
    EXPECT_NE(result.error().message.find(c.message), std::string::npos)
        << c.content << " -> " << result.error().message;
  }
  const auto missing = load_feed_sources(dir.path() / "none.json");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vigil::vulndb
