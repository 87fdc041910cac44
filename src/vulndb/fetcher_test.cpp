#include "vulndb/fetcher.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "support/feed_server.hpp"
#include "support/temp_dir.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;
using testing::FeedServer;
using testing::TempDir;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A feed body big enough that a cut in the middle leaves a real partial file.
std::string feed_bytes(size_t size, char seed) {
  std::string out;
  out.reserve(size);
  for (size_t idx = 0; idx < size; ++idx) {
    out += static_cast<char>(seed + static_cast<char>(idx % 23));
  }
  return out;
}

FetchOptions fast_options() {
  FetchOptions options;
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.stall_timeout = std::chrono::milliseconds(5000);
  options.initial_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::chrono::milliseconds(4);
  options.max_attempts = 3;
  return options;
}

TEST(FetcherTest, ConditionalFetchGets200Then304) {
  FeedServer server;
  TempDir dir;
  const std::string body = feed_bytes(5000, 'a');
  server.set_file("/all.zip", body, "\"v1\"");
  auto fetcher = make_fetcher(fast_options());
  const auto dest = dir.path() / "cache" / "all.zip";

  const auto first = fetcher->fetch(server.url("/all.zip"), {}, dest);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->status, FetchStatus::kFetched);
  EXPECT_EQ(first->etag, "\"v1\"");
  EXPECT_EQ(first->last_modified, "Tue, 01 Apr 2025 10:00:00 GMT");
  EXPECT_EQ(first->bytes, body.size());
  EXPECT_EQ(read_file(dest), body);
  EXPECT_FALSE(fs::exists(dest.string() + ".partial"));

  const auto second =
      fetcher->fetch(server.url("/all.zip"), {first->etag, first->last_modified}, dest);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->status, FetchStatus::kNotModified);
  EXPECT_EQ(second->etag, "\"v1\"");
  EXPECT_EQ(read_file(dest), body);
  const auto seen = server.seen("/all.zip");
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].if_none_match, "");
  EXPECT_EQ(seen[1].if_none_match, "\"v1\"");
  EXPECT_EQ(seen[1].if_modified_since, "Tue, 01 Apr 2025 10:00:00 GMT");

  // A new version on the server replaces the cached copy.
  server.set_file("/all.zip", "new body", "\"v2\"");
  const auto third =
      fetcher->fetch(server.url("/all.zip"), {second->etag, second->last_modified}, dest);
  ASSERT_TRUE(third.has_value()) << third.error().message;
  EXPECT_EQ(third->status, FetchStatus::kFetched);
  EXPECT_EQ(third->etag, "\"v2\"");
  EXPECT_EQ(read_file(dest), "new body");
}

TEST(FetcherTest, LastModifiedAloneMakesTheRequestConditional) {
  FeedServer server;
  TempDir dir;
  server.set_file("/kev.json", "{}", "", "Wed, 02 Apr 2025 00:00:00 GMT");
  auto fetcher = make_fetcher(fast_options());
  const auto result = fetcher->fetch(server.url("/kev.json"), {"", "Wed, 02 Apr 2025 00:00:00 GMT"},
                                     dir.path() / "kev.json");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->status, FetchStatus::kNotModified);
}

TEST(FetcherTest, ResumesAfterADroppedConnection) {
  FeedServer server;
  TempDir dir;
  const std::string body = feed_bytes(200'000, 'A');
  server.set_file("/big.tar.gz", body, "\"strong-1\"");
  server.drop_next_after("/big.tar.gz", 70'000);
  auto fetcher = make_fetcher(fast_options());
  const auto dest = dir.path() / "big.tar.gz";

  const auto result = fetcher->fetch(server.url("/big.tar.gz"), {}, dest);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->status, FetchStatus::kFetched);
  EXPECT_EQ(result->bytes, body.size());
  EXPECT_EQ(read_file(dest), body);
  const auto seen = server.seen("/big.tar.gz");
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].range, "");
  EXPECT_EQ(seen[1].range, "bytes=70000-");
  EXPECT_EQ(seen[1].if_range, "\"strong-1\"");
  EXPECT_FALSE(fs::exists(dest.string() + ".partial"));
  EXPECT_FALSE(fs::exists(dest.string() + ".partial.state"));
}

TEST(FetcherTest, ResumesAPartialDownloadLeftByAnEarlierRun) {
  FeedServer server;
  TempDir dir;
  const std::string body = feed_bytes(100'000, 'k');
  server.set_file("/feed.json", body, "\"e1\"");
  server.drop_next_after("/feed.json", 40'000);
  auto options = fast_options();
  options.max_attempts = 1;
  const auto dest = dir.path() / "feed.json";

  const auto failed = make_fetcher(options)->fetch(server.url("/feed.json"), {}, dest);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(fs::exists(dest)) << "a truncated download must never appear at dest";
  EXPECT_EQ(fs::file_size(dest.string() + ".partial"), 40'000U);

  const auto resumed = make_fetcher(options)->fetch(server.url("/feed.json"), {}, dest);
  ASSERT_TRUE(resumed.has_value()) << resumed.error().message;
  EXPECT_EQ(read_file(dest), body);
  EXPECT_EQ(server.seen("/feed.json").back().range, "bytes=40000-");
}

TEST(FetcherTest, StaleIfRangeRestartsFromTheBeginning) {
  FeedServer server;
  TempDir dir;
  server.set_file("/feed.json", feed_bytes(50'000, 'a'), "\"old\"");
  server.drop_next_after("/feed.json", 20'000);
  auto options = fast_options();
  options.max_attempts = 1;
  const auto dest = dir.path() / "feed.json";
  ASSERT_FALSE(make_fetcher(options)->fetch(server.url("/feed.json"), {}, dest).has_value());

  // The feed was republished between the two runs: the partial bytes belong to "old".
  const std::string fresh = feed_bytes(30'000, 'q');
  server.set_file("/feed.json", fresh, "\"new\"");
  const auto result = make_fetcher(options)->fetch(server.url("/feed.json"), {}, dest);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->etag, "\"new\"");
  EXPECT_EQ(read_file(dest), fresh);
  EXPECT_EQ(server.seen("/feed.json").back().if_range, "\"old\"");
}

TEST(FetcherTest, RetriesAfterAServerError) {
  FeedServer server;
  TempDir dir;
  server.set_file("/epss.csv.gz", "scores", "\"s\"");
  server.fail_next("/epss.csv.gz", 1, 500);
  const auto result = make_fetcher(fast_options())
                          ->fetch(server.url("/epss.csv.gz"), {}, dir.path() / "epss.csv.gz");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(read_file(dir.path() / "epss.csv.gz"), "scores");
  EXPECT_EQ(server.seen("/epss.csv.gz").size(), 2U);
}

TEST(FetcherTest, GivesUpAfterMaxAttempts) {
  FeedServer server;
  TempDir dir;
  server.set_file("/down", "x", "\"x\"");
  server.fail_next("/down", 10, 503);
  const auto result =
      make_fetcher(fast_options())->fetch(server.url("/down"), {}, dir.path() / "down");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("HTTP 503"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("3 attempts"), std::string::npos);
  EXPECT_EQ(server.seen("/down").size(), 3U);
  EXPECT_FALSE(fs::exists(dir.path() / "down"));
}

TEST(FetcherTest, ClientErrorsAreNotRetried) {
  FeedServer server;
  TempDir dir;
  const auto missing =
      make_fetcher(fast_options())->fetch(server.url("/nothing"), {}, dir.path() / "nothing");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("HTTP 404"), std::string::npos);

  server.set_file("/forbidden", "x", "\"x\"");
  server.fail_next("/forbidden", 5, 403);
  const auto forbidden =
      make_fetcher(fast_options())->fetch(server.url("/forbidden"), {}, dir.path() / "forbidden");
  ASSERT_FALSE(forbidden.has_value());
  EXPECT_EQ(server.seen("/forbidden").size(), 1U);
}

TEST(FetcherTest, RefusesABodyOverTheSizeCap) {
  FeedServer server;
  TempDir dir;
  server.set_file("/huge", feed_bytes(100'000, 'h'), "\"h\"");
  auto options = fast_options();
  options.max_bytes = 10'000;
  const auto dest = dir.path() / "huge";
  const auto result = make_fetcher(options)->fetch(server.url("/huge"), {}, dest);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_FALSE(fs::exists(dest.string() + ".partial"));
}

TEST(FetcherTest, ConnectionRefusedIsRetriedThenReported) {
  int port = 0;
  {
    FeedServer closed;
    port = closed.port();
  }
  TempDir dir;
  const auto result =
      make_fetcher(fast_options())
          ->fetch("http://127.0.0.1:" + std::to_string(port) + "/feed", {}, dir.path() / "feed");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("3 attempts"), std::string::npos) << result.error().message;
}

TEST(FetcherTest, FileUrlsAndPathsServeOfflineMirrors) {
  TempDir dir;
  const auto mirror = dir.write("mirror/all.zip", "mirror content v1");
  auto fetcher = make_fetcher(fast_options());
  const auto dest = dir.path() / "cache" / "all.zip";

  const auto first = fetcher->fetch("file://" + mirror.string(), {}, dest);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->status, FetchStatus::kFetched);
  EXPECT_EQ(read_file(dest), "mirror content v1");
  EXPECT_TRUE(first->last_modified.ends_with(" GMT")) << first->last_modified;

  const auto again = fetcher->fetch(mirror.string(), {first->etag, first->last_modified}, dest);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->status, FetchStatus::kNotModified);
  const auto by_date = fetcher->fetch(mirror.string(), {"", first->last_modified}, dest);
  ASSERT_TRUE(by_date.has_value());
  EXPECT_EQ(by_date->status, FetchStatus::kNotModified);

  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  dir.write("mirror/all.zip", "mirror content v2, longer");
  const auto changed = fetcher->fetch("file://localhost" + mirror.string(),
                                      {first->etag, first->last_modified}, dest);
  ASSERT_TRUE(changed.has_value()) << changed.error().message;
  EXPECT_EQ(changed->status, FetchStatus::kFetched);
  EXPECT_EQ(read_file(dest), "mirror content v2, longer");
}

TEST(FetcherTest, RejectsBadUrls) {
  TempDir dir;
  auto fetcher = make_fetcher(fast_options());
  struct Case {
    std::string url;
    ErrorCode code;
  };
  const Case cases[] = {
      {"ftp://127.0.0.1/feed", ErrorCode::kInvalidArgument},
      {"file://relative/path", ErrorCode::kInvalidArgument},
      {"file:///bad%zzescape", ErrorCode::kInvalidArgument},
      {"file:///nul%00byte", ErrorCode::kInvalidArgument},
      {"", ErrorCode::kInvalidArgument},
      {(dir.path() / "missing.json").string(), ErrorCode::kIo},
      {dir.path().string(), ErrorCode::kIo},  // a directory is not a feed file
  };
  for (const auto& c : cases) {
    const auto result = fetcher->fetch(c.url, {}, dir.path() / "out");
    ASSERT_FALSE(result.has_value()) << c.url;
    EXPECT_EQ(result.error().code, c.code) << c.url << ": " << result.error().message;
  }
}

TEST(FetcherTest, HttpDateIsImfFixdate) {
  // RFC 9110 §5.6.7's own example.
  EXPECT_EQ(http_date(std::chrono::system_clock::from_time_t(784111777)),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http_date(std::chrono::system_clock::from_time_t(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
}

}  // namespace
}  // namespace vigil::vulndb
