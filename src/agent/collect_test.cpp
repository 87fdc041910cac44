#include "agent/collect.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "inventory/cataloger.hpp"
#include "sources/file_tree.hpp"
#include "support/temp_dir.hpp"

namespace vigil::agent {
namespace {

namespace fs = std::filesystem;

const fs::path kSampleRoot = fs::path(VIGIL_SOURCE_DIR) / "samples" / "rootfs";
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1795896900));

// A copy of samples/rootfs with identity files, so the sample itself stays untouched.
void make_root(const testing::TempDir& dir, const std::string& hostname,
               const std::string& machine_id) {
  fs::copy(kSampleRoot, dir.path(), fs::copy_options::recursive);
  if (!hostname.empty()) {
    dir.write("etc/hostname", hostname);
  }
  if (!machine_id.empty()) {
    dir.write("etc/machine-id", machine_id);
  }
}

TEST(AgentCollectTest, CollectsIdentityAndTheSameInventoryAsAScan) {
  testing::TempDir dir;
  make_root(dir, "# comment\nweb-1\n", "0123456789abcdef0123456789abcdef\n");
  CollectOptions options;
  options.root = dir.path();
  options.agent_version = "1.2.3";
  options.identity.account_id = "111122223333";
  options.identity.region = "eu-west-1";
  options.identity.tags = {{"env", "prod"}};
  const auto document = collect(options, kNow);
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->host.hostname, "web-1");
  EXPECT_EQ(document->host.machine_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(document->host.instance_id, derive_instance_id("0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(document->host.account_id, "111122223333");
  EXPECT_EQ(document->host.tags.at("env"), "prod");
  EXPECT_EQ(document->collected_at, "2026-11-28T20:15:00Z");
  EXPECT_EQ(document->agent_version, "1.2.3");
  EXPECT_EQ(document->content_hash, inventory::agent_content_hash(*document));
  // Not the live root: no running kernel.
  EXPECT_TRUE(document->inventory.os.kernel_release.empty());

  const auto tree = sources::open_directory(dir.path());
  ASSERT_TRUE(tree);
  const auto scanned = inventory::catalog(**tree, inventory::default_catalogers());
  EXPECT_EQ(document->inventory.packages, scanned.packages);
  EXPECT_EQ(document->inventory.os, scanned.os);
  EXPECT_GE(document->inventory.packages.size(), 3U);
}

TEST(AgentCollectTest, UnchangedHostGivesTheSameHash) {
  testing::TempDir dir;
  make_root(dir, "web-1", "");
  CollectOptions options;
  options.root = dir.path();
  const auto first = collect(options, kNow);
  const auto second = collect(options, kNow + std::chrono::hours(1));
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->collected_at, second->collected_at);
  EXPECT_EQ(first->content_hash, second->content_hash);
  // No machine id: the instance id derives from the hostname.
  EXPECT_EQ(first->host.instance_id, derive_instance_id("web-1"));
}

TEST(AgentCollectTest, GivenInstanceIdWinsAndBadMachineIdIsADiagnostic) {
  testing::TempDir dir;
  make_root(dir, "", "not-a-machine-id");
  CollectOptions options;
  options.root = dir.path();
  options.identity.instance_id = "i-0abc";
  const auto document = collect(options, kNow);
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->host.instance_id, "i-0abc");
  EXPECT_EQ(document->host.hostname, "localhost");
  EXPECT_TRUE(document->host.machine_id.empty());
  ASSERT_FALSE(document->inventory.diagnostics.empty());
  EXPECT_EQ(document->inventory.diagnostics.back().where, "/etc/machine-id");
}

TEST(AgentCollectTest, RejectsInvalidIdentityAndMissingRoot) {
  testing::TempDir dir;
  make_root(dir, "web-1", "");
  CollectOptions options;
  options.root = dir.path();
  options.identity.account_id = "12345";
  const auto document = collect(options, kNow);
  ASSERT_FALSE(document);
  EXPECT_NE(document.error().message.find("host.accountId"), std::string::npos);

  options.identity.account_id.clear();
  options.root = dir.path() / "missing";
  EXPECT_FALSE(collect(options, kNow));
}

TEST(AgentCollectTest, DerivedInstanceIdsLookLikeEc2Ids) {
  const std::string id = derive_instance_id("seed");
  ASSERT_EQ(id.size(), 19U);
  EXPECT_EQ(id.substr(0, 2), "i-");
  EXPECT_EQ(id, derive_instance_id("seed"));
  EXPECT_NE(id, derive_instance_id("other"));
}

TEST(AgentCollectTest, WritesFilesAtomically) {
  testing::TempDir dir;
  const fs::path target = dir.path() / "doc.json";
  ASSERT_TRUE(write_file_atomic(target, "first"));
  ASSERT_TRUE(write_file_atomic(target, "second"));
  std::ifstream in(target);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "second");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1U);  // no temporary left behind
  const auto failed = write_file_atomic(dir.path() / "no" / "such" / "dir.json", "x");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
}

TEST(AgentCollectTest, WritesThroughFifosAndDevicesInsteadOfReplacingThem) {
  testing::TempDir dir;
  const fs::path fifo = dir.path() / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo);
    received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  const auto written = write_file_atomic(fifo, "through the pipe");
  reader.join();
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(received, "through the pipe");
  EXPECT_TRUE(fs::is_fifo(fifo));  // not replaced by a regular file
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1U);
}

}  // namespace
}  // namespace vigil::agent
