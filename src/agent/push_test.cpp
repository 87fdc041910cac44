// push_document and run_agent against a small in-test HTTP server (cpp-httplib) that checks the
// SigV4 headers and records the bodies it accepted.
#include "agent/push.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "agent/runner.hpp"
#include "support/temp_dir.hpp"

namespace vigil::agent {
namespace {

class InventoryServer {
 public:
  // Listens on `port` (0: any free port) on 127.0.0.1.
  explicit InventoryServer(int port = 0) {
    server_.Post(std::string(kInventoryPath),
                 [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    port_ = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                      : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
    if (port_ <= 0) {
      std::abort();
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~InventoryServer() {
    server_.stop();
    thread_.join();
  }
  InventoryServer(const InventoryServer&) = delete;
  InventoryServer& operator=(const InventoryServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // The next requests get these statuses (then 200), with `body` as the answer.
  void script(std::vector<int> statuses, std::string body) {
    const std::lock_guard lock(mutex_);
    statuses_.assign(statuses.begin(), statuses.end());
    scripted_body_ = std::move(body);
  }
  std::vector<std::string> bodies() const {
    const std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> authorizations() const {
    const std::lock_guard lock(mutex_);
    return authorizations_;
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    const std::lock_guard lock(mutex_);
    const std::string authorization = req.get_header_value("Authorization");
    authorizations_.push_back(authorization);
    if (!authorization.starts_with("AWS4-HMAC-SHA256 Credential=") ||
        req.get_header_value("X-Amz-Date").empty()) {
      res.status = 403;
      res.set_content(R"({"message":"missing SigV4 signature"})", "application/json");
      return;
    }
    if (!statuses_.empty()) {
      res.status = statuses_.front();
      statuses_.pop_front();
      res.set_content(scripted_body_, "application/json");
      return;
    }
    bodies_.push_back(req.body);
    res.status = 200;
    res.set_content(R"({"accepted":true})", "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::deque<int> statuses_;
  std::string scripted_body_;
  std::vector<std::string> bodies_;
  std::vector<std::string> authorizations_;
};

// A port nothing listens on (a server bound it, then went away).
int closed_port() {
  InventoryServer server;
  return server.port();
}

PushConfig config_for(const std::string& url) {
  PushConfig config;
  config.server = url;
  config.region = "eu-west-1";
  config.access_key_id = "AKIDEXAMPLE";
  config.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  config.timeout_seconds = 10;
  return config;
}

inventory::AgentDocument numbered_document(int number) {
  inventory::AgentDocument document;
  document.host.hostname = "web-1";
  document.host.instance_id = "i-0123456789abcdef0";
  document.host.tags = {{"seq", std::to_string(number)}};
  document.inventory.os.id = "debian";
  document.collected_at = "2026-11-24T20:15:00Z";
  document.agent_version = "test";
  return document;
}

int sequence_of(const std::string& body) {
  return std::stoi(nlohmann::json::parse(body)["host"]["tags"]["seq"].get<std::string>());
}

TEST(AgentPushTest, PostsTheDocumentSignedWithSigV4) {
  InventoryServer server;
  const std::string document = inventory::write_agent_document(numbered_document(1));
  const auto receipt = push_document(config_for(server.url() + "/"), document);
  ASSERT_TRUE(receipt) << receipt.error().message;
  EXPECT_EQ(receipt->status, 200);
  ASSERT_EQ(server.bodies().size(), 1U);
  EXPECT_EQ(server.bodies()[0], document);
  const std::string authorization = server.authorizations().at(0);
  EXPECT_NE(authorization.find("Credential=AKIDEXAMPLE/"), std::string::npos) << authorization;
  EXPECT_NE(authorization.find("/eu-west-1/inspector2/aws4_request"), std::string::npos)
      << authorization;
  EXPECT_NE(authorization.find("SignedHeaders="), std::string::npos);
  EXPECT_NE(authorization.find("Signature="), std::string::npos);
}

TEST(AgentPushTest, ReportsServerMessagesAndClassifiesFailures) {
  InventoryServer server;
  server.script({400}, R"({"message":"host.accountId: expected 12 digits"})");
  auto result = push_document(config_for(server.url()), "{}");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_NE(result.error().message.find("(400): host.accountId: expected 12 digits"),
            std::string::npos)
      << result.error().message;

  server.script({503}, "overloaded, come back later");
  result = push_document(config_for(server.url()), "{}");
  ASSERT_FALSE(result);
  EXPECT_TRUE(is_retryable(result.error()));
  EXPECT_NE(result.error().message.find("503: overloaded"), std::string::npos)
      << result.error().message;

  server.script({429}, "{}");
  result = push_document(config_for(server.url()), "{}");
  ASSERT_FALSE(result);
  EXPECT_TRUE(is_retryable(result.error()));
}

TEST(AgentPushTest, ConnectionFailuresAndMissingCredentials) {
  auto result =
      push_document(config_for("http://127.0.0.1:" + std::to_string(closed_port())), "{}");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("cannot reach"), std::string::npos);

  PushConfig config = config_for("http://127.0.0.1:1");
  config.secret_access_key.clear();
  result = push_document(config, "{}");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);

  result = push_document(config_for("ftp://example.com"), "{}");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

struct Counter {
  std::atomic<int> next{1};
  RunHooks hooks() {
    RunHooks result;
    result.collect = [this]() -> Result<inventory::AgentDocument> {
      return numbered_document(next.fetch_add(1));
    };
    result.log = [](std::string_view) {};
    return result;
  }
};

TEST(AgentRunTest, OnceSpoolsWhileTheServerIsDownAndDrainsInOrderLater) {
  testing::TempDir dir;
  const int port = closed_port();
  RunOptions options;
  options.push = config_for("http://127.0.0.1:" + std::to_string(port));
  options.spool_dir = dir.path() / "spool";
  options.once = true;
  Counter counter;
  const RunHooks hooks = counter.hooks();
  const std::atomic<bool> stop{false};

  for (int round = 0; round < 2; ++round) {
    const auto report = run_agent(options, stop, hooks);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, ErrorCode::kUnavailable) << report.error().message;
  }
  InventoryServer server(port);
  const auto report = run_agent(options, stop, hooks);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->pushed, 3U);
  EXPECT_EQ(report->left, 0U);
  std::vector<int> received;
  for (const auto& body : server.bodies()) {
    received.push_back(sequence_of(body));
  }
  EXPECT_EQ(received, (std::vector<int>{1, 2, 3}));
}

TEST(AgentRunTest, RefusedDocumentsAreSetAsideAndTheQueueMovesOn) {
  InventoryServer server;
  testing::TempDir dir;
  RunOptions options;
  options.push = config_for(server.url());
  options.spool_dir = dir.path();
  options.once = true;
  Counter counter;
  const std::atomic<bool> stop{false};
  server.script({422}, R"({"message":"bad document"})");
  const auto report = run_agent(options, stop, counter.hooks());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->rejected, 1U);
  EXPECT_EQ(report->left, 0U);
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "rejected"));
}

TEST(AgentRunTest, FullSpoolDropsTheOldestWithAWarning) {
  testing::TempDir dir;
  RunOptions options;
  options.push = config_for("http://127.0.0.1:" + std::to_string(closed_port()));
  options.spool_dir = dir.path();
  options.max_spool = 2;
  options.once = true;
  Counter counter;
  RunHooks hooks = counter.hooks();
  std::vector<std::string> logs;
  hooks.log = [&](std::string_view line) { logs.emplace_back(line); };
  const std::atomic<bool> stop{false};
  for (int round = 0; round < 4; ++round) {
    EXPECT_FALSE(run_agent(options, stop, hooks));
  }
  const auto spool = Spool::open(dir.path(), 2).value();
  const auto names = spool.list().value();
  ASSERT_EQ(names.size(), 2U);
  EXPECT_EQ(sequence_of(spool.read(names[0]).value()), 3);
  EXPECT_EQ(sequence_of(spool.read(names[1]).value()), 4);
  size_t warnings = 0;
  for (const auto& line : logs) {
    warnings += line.find("dropped the oldest") != std::string::npos ? 1U : 0U;
  }
  EXPECT_EQ(warnings, 2U);
}

TEST(AgentRunTest, LoopBacksOffWhileDownThenDeliversEveryCollectionInOrder) {
  testing::TempDir dir;
  const int port = closed_port();
  RunOptions options;
  options.push = config_for("http://127.0.0.1:" + std::to_string(port));
  options.spool_dir = dir.path();
  options.interval = std::chrono::milliseconds(150);
  options.initial_backoff = std::chrono::milliseconds(20);
  Counter counter;
  const RunHooks hooks = counter.hooks();
  std::atomic<bool> stop{false};
  Result<RunReport> report = fail(Error::internal("not run"));
  std::thread agent([&] { report = run_agent(options, stop, hooks); });

  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // several collections spooled
  const int spooled_while_down = counter.next.load() - 1;
  {
    InventoryServer server(port);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (server.bodies().size() < static_cast<size_t>(spooled_while_down) + 2 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop = true;
    agent.join();
    ASSERT_TRUE(report) << report.error().message;
    std::vector<int> received;
    for (const auto& body : server.bodies()) {
      received.push_back(sequence_of(body));
    }
    ASSERT_GE(received.size(), static_cast<size_t>(spooled_while_down) + 2);
    for (size_t index = 0; index < received.size(); ++index) {
      EXPECT_EQ(received[index], static_cast<int>(index) + 1);  // none lost, none reordered
    }
    EXPECT_EQ(report->collected, report->pushed + report->left);
  }
  EXPECT_GE(spooled_while_down, 2);
}

}  // namespace
}  // namespace vigil::agent
