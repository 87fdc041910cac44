#include "agent/spool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agent/runner.hpp"
#include "support/temp_dir.hpp"

namespace vigil::agent {
namespace {

TEST(AgentSpoolTest, KeepsArrivalOrderAndDropsTheOldestWhenFull) {
  testing::TempDir dir;
  auto spool = Spool::open(dir.path() / "spool", 3);
  ASSERT_TRUE(spool) << spool.error().message;
  for (int index = 1; index <= 3; ++index) {
    const auto dropped = spool->add("doc" + std::to_string(index));
    ASSERT_TRUE(dropped);
    EXPECT_TRUE(dropped->empty());
  }
  const auto dropped = spool->add("doc4");
  ASSERT_TRUE(dropped);
  ASSERT_EQ(dropped->size(), 1U);
  EXPECT_EQ((*dropped)[0], "00000000000000000001.json");
  const auto names = spool->list();
  ASSERT_TRUE(names);
  ASSERT_EQ(names->size(), 3U);
  std::vector<std::string> contents;
  for (const auto& name : *names) {
    contents.push_back(spool->read(name).value());
  }
  EXPECT_EQ(contents, (std::vector<std::string>{"doc2", "doc3", "doc4"}));
}

TEST(AgentSpoolTest, SurvivesReopeningAndSetsRejectedAside) {
  testing::TempDir dir;
  {
    auto spool = Spool::open(dir.path(), 10);
    ASSERT_TRUE(spool);
    ASSERT_TRUE(spool->add("a"));
    ASSERT_TRUE(spool->add("b"));
  }
  dir.write("notes.txt", "ignored");
  dir.write(".00000000000000000009.json.tmp", "ignored temporary");
  auto spool = Spool::open(dir.path(), 10);
  ASSERT_TRUE(spool);
  ASSERT_TRUE(spool->add("c"));
  auto names = spool->list().value();
  ASSERT_EQ(names.size(), 3U);
  EXPECT_EQ(names.back(), "00000000000000000003.json");
  ASSERT_TRUE(spool->reject(names.front()));
  ASSERT_TRUE(spool->remove(names[1]));
  names = spool->list().value();
  ASSERT_EQ(names.size(), 1U);
  EXPECT_EQ(spool->read(names[0]).value(), "c");
  size_t rejected = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(dir.path() / "rejected")) {
    ++rejected;
  }
  EXPECT_EQ(rejected, 1U);
}

TEST(AgentSpoolTest, OpenFailsOnAFile) {
  testing::TempDir dir;
  const auto file = dir.write("file", "x");
  const auto spool = Spool::open(file, 3);
  ASSERT_FALSE(spool);
  EXPECT_EQ(spool.error().code, ErrorCode::kIo);
}

TEST(AgentIntervalTest, ParsesDurations) {
  struct Row {
    const char* text;
    long long seconds;  // -1: invalid
  };
  const std::vector<Row> rows = {
      {"30m", 1800}, {"90s", 90},   {"1h30m", 5400},     {"2d", 172800}, {"1s", 1},
      {"", -1},      {"30", -1},    {"m", -1},           {"0s", -1},     {"5w", -1},
      {"366d", -1},  {"-5m", -1},   {"9999999999s", -1}, {"1h 5m", -1},
  };
  for (const Row& row : rows) {
    const auto parsed = parse_interval(row.text);
    if (row.seconds < 0) {
      EXPECT_FALSE(parsed) << row.text;
    } else {
      ASSERT_TRUE(parsed) << row.text << ": " << parsed.error().message;
      EXPECT_EQ(parsed->count(), row.seconds) << row.text;
    }
  }
}

TEST(AgentIntervalTest, JitterStaysWithinHalfAndFullBackoff) {
  for (int round = 0; round < 200; ++round) {
    const auto wait = jittered(std::chrono::milliseconds(1000));
    EXPECT_GE(wait.count(), 500);
    EXPECT_LE(wait.count(), 1000);
  }
}

}  // namespace
}  // namespace vigil::agent
