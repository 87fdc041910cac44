// Opening, migrating and round-tripping every non-finding entity of the SQLite store.
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <tuple>

#include "core/sqlite.hpp"
#include "store/internal/codec.hpp"
#include "store/internal/db.hpp"
#include "store/store_test_support.hpp"

namespace vigil::store {
namespace {

using testing::TestStore;

TEST(SqliteStoreTest, CreatesSchemaInEmptyDirectory) {
  vigil::testing::TempDir dir;
  const auto path = dir.path() / "nested" / "state";
  auto store = open_sqlite_store(path.string());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), 2);
  EXPECT_TRUE(std::filesystem::exists(path / "store.db"));
  store->reset();
  // Reopening an existing store keeps its version and data.
  auto again = open_sqlite_store(path.string());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->schema_version(), 2);
}

TEST(SqliteStoreTest, RejectsFileThatIsNotSqlite) {
  vigil::testing::TempDir dir;
  dir.write("store.db", std::string(4096, 'x'));
  auto store = open_sqlite_store(dir.path().string());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("store.db"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos)
      << store.error().message;
}

TEST(SqliteStoreTest, MigratesVersionOneFindingsForward) {
  vigil::testing::TempDir dir;
  auto openssl = testing::package_finding("a", "i-1");
  auto curl = testing::package_finding("b", "i-1");
  curl.finding.package.name = "curl";
  {
    auto store = open_sqlite_store(dir.path().string());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->reconcile_findings("i-1", "PACKAGE_VULNERABILITY", {openssl, curl}, 1000));
  }
  {
    // Back to the v1 shape: no package_name column, no v2 row.
    auto connection = sql::Connection::open(dir.path() / "store.db", false);
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->exec("DROP INDEX findings_resource_package; "
                                 "ALTER TABLE findings DROP COLUMN package_name; "
                                 "DELETE FROM schema_version WHERE version = 2"));
  }
  auto store = open_sqlite_store(dir.path().string());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), 2);
  // The backfilled column scopes a partial reconcile: only curl's finding closes.
  auto partial =
      (*store)->reconcile_package_findings("i-1", "PACKAGE_VULNERABILITY", {}, PackageScope{{"curl"}, std::nullopt, {}}, 2000);
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->changed_ids, std::vector<std::string>{curl.finding.id});
}

TEST(SqliteStoreTest, RejectsNewerSchema) {
  vigil::testing::TempDir dir;
  {
    auto store = open_sqlite_store(dir.path().string());
    ASSERT_TRUE(store);
  }
  {
    auto connection = sql::Connection::open(dir.path() / "store.db", false);
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->exec("INSERT INTO schema_version VALUES (99, 0)"));
  }
  auto store = open_sqlite_store(dir.path().string());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(store.error().message.find("99"), std::string::npos);
}

TEST(SqliteStoreTest, RejectsEmptyDirectoryName) {
  auto store = open_sqlite_store("");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

TEST(SqliteStoreTest, OrganizationRoundTrip) {
  TestStore store;
  auto initial = store->organization();
  ASSERT_TRUE(initial);
  EXPECT_EQ(*initial, OrganizationConfig{});
  OrganizationConfig config;
  config.organization_id = "o-abc123";
  config.auto_enable = {true, false, true, false};
  config.ecr_rescan_duration = "DAYS_30";
  config.ecr_pull_date_rescan_duration = "DAYS_14";
  config.stale_inventory_after_ms = 1234;
  ASSERT_TRUE(store->put_organization(config));
  auto read = store->organization();
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, config);
}

TEST(SqliteStoreTest, AccountsRoundTrip) {
  TestStore store;
  Account admin{"222222222222", AccountRole::kDelegatedAdmin, {true, true, true, false}, "", 1, 2};
  Account member{
      "111111111111", AccountRole::kMember, {true, false, false, false}, "ENABLED", 3, 4};
  ASSERT_TRUE(store->put_account(admin));
  ASSERT_TRUE(store->put_account(member));
  auto one = store->account("222222222222");
  ASSERT_TRUE(one);
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ(**one, admin);
  auto missing = store->account("333333333333");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  member.relationship_status = "DISABLED";
  ASSERT_TRUE(store->put_account(member));  // replace
  auto all = store->accounts();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2U);
  EXPECT_EQ((*all)[0], member);  // ordered by id
  EXPECT_EQ((*all)[1], admin);
  EXPECT_FALSE(store->put_account(Account{}));
}

ResourceRecord ec2(const std::string& id, const std::string& account) {
  ResourceRecord resource;
  resource.id = id;
  resource.account_id = account;
  resource.region = "us-east-1";
  resource.type = "AWS_EC2_INSTANCE";
  resource.name = "host-" + id;
  resource.tags = {{"env", "prod"}, {"team", "core"}};
  resource.details_json = R"({"awsEc2Instance":{"imageId":"ami-1","platform":"DEBIAN_12"}})";
  resource.state = "running";
  resource.scan_mode = "EC2_SSM_AGENT_BASED";
  resource.last_scanned_at = 5;
  resource.created_at = 1;
  resource.updated_at = 2;
  return resource;
}

TEST(SqliteStoreTest, ResourcesRoundTripAndScope) {
  TestStore store;
  const auto first = ec2("i-1", "111111111111");
  auto second = ec2("i-2", "222222222222");
  second.type = "AWS_LAMBDA_FUNCTION";
  second.details_json = "";
  ASSERT_TRUE(store->put_resource(first));
  ASSERT_TRUE(store->put_resource(second));
  auto read = store->resource("i-1");
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, first);
  auto scoped = store->resources({"222222222222"});
  ASSERT_TRUE(scoped);
  ASSERT_EQ(scoped->size(), 1U);
  EXPECT_EQ((*scoped)[0], second);
  auto typed = store->resources({}, "AWS_EC2_INSTANCE");
  ASSERT_TRUE(typed);
  ASSERT_EQ(typed->size(), 1U);
  EXPECT_EQ((*typed)[0].id, "i-1");
  auto all = store->resources({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2U);

  auto bad = ec2("i-3", "111111111111");
  bad.details_json = "[1, 2";
  auto rejected = store->put_resource(bad);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(rejected.error().message.find("i-3"), std::string::npos);
}

TEST(SqliteStoreTest, InventoryRoundTripAndPackageIndex) {
  TestStore store;
  ASSERT_TRUE(store->put_resource(ec2("i-1", "111111111111")));
  model::Inventory inventory;
  inventory.target = "/";
  inventory.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12", "6.1.0", false};
  model::Package libssl;
  libssl.ecosystem = model::Ecosystem::kDebian;
  libssl.name = "libssl3";
  libssl.version = "3.0.11-1~deb12u1";
  libssl.source_name = "openssl";
  libssl.locations = {"/var/lib/dpkg/status"};
  model::Package django;
  django.ecosystem = model::Ecosystem::kPyPI;
  django.name = "Django_REST.framework";
  django.version = "3.14";
  django.locations = {"/usr/lib/python3/dist-packages/Django_REST.framework-3.14.dist-info", "\"q\"\n"};
  django.owner_purl = "pkg:deb/debian/python3-djangorestframework@3.14-1";
  django.cpes = {"cpe:2.3:a:encode:django-rest-framework:3.14:*:*:*:*:*:*:*"};
  inventory.packages = {libssl, django};
  inventory.diagnostics = {{model::DiagnosticLevel::kError, "x.json", "bad"}};
  inventory.complete = false;
  ASSERT_TRUE(store->put_inventory("i-1", "hash-1", inventory));
  auto read = store->inventory("i-1");
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, inventory);
  // A damaged stored document is a typed error naming what it is.
  for (const char* bad : {"", "[]", R"({"packages": [{"name": 7}]})",
                          R"({"packages": [{"ecosystem": "Nope"}]})", R"({"os": "x"})"}) {
    auto decoded = internal::inventory_from_json(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_NE(decoded.error().message.find("stored inventory"), std::string::npos) << bad;
  }
  // A selector sees every package's head and has only the packages it names decoded; nullopt
  // decodes them all, and a damaged head is the same typed error.
  std::vector<std::tuple<model::Ecosystem, std::string, std::string>> seen;
  auto picked = store->inventory("i-1", [&](const std::vector<PackageHead>& heads) {
    for (const auto& head : heads) {
      seen.emplace_back(head.ecosystem, head.name, head.source_name);
    }
    return std::optional<std::set<std::string>>(std::set<std::string>{"Django_REST.framework"});
  });
  ASSERT_TRUE(picked && picked->has_value()) << (picked ? "" : picked.error().message);
  EXPECT_EQ(seen, (std::vector<std::tuple<model::Ecosystem, std::string, std::string>>{
                      {model::Ecosystem::kDebian, "libssl3", "openssl"},
                      {model::Ecosystem::kPyPI, "Django_REST.framework", ""}}));
  EXPECT_EQ((*picked)->packages, std::vector<model::Package>{django});
  EXPECT_EQ((*picked)->os, inventory.os);
  EXPECT_EQ((*picked)->diagnostics, inventory.diagnostics);
  auto all = store->inventory("i-1", [](const std::vector<PackageHead>&) {
    return std::optional<std::set<std::string>>();
  });
  ASSERT_TRUE(all && all->has_value());
  EXPECT_EQ(**all, inventory);
  const PackageSelector none = [](const std::vector<PackageHead>&) {
    return std::optional<std::set<std::string>>(std::set<std::string>{});
  };
  EXPECT_TRUE((*store->inventory("i-1", none))->packages.empty());
  EXPECT_FALSE(internal::inventory_from_json(R"({"packages": [{"ecosystem": "Nope"}]})", &none));
  EXPECT_FALSE(internal::inventory_from_json(R"({"packages": [{"name": 7}]})", &none));

  auto resource = store->resource("i-1");
  ASSERT_TRUE(resource && resource->has_value());
  EXPECT_EQ((*resource)->inventory_hash, "hash-1");

  auto hits = store->resources_with_packages(
      {{"Debian", "openssl"}, {"PyPI", "django-rest-framework"}, {"npm", "left-pad"}});
  ASSERT_TRUE(hits);
  EXPECT_EQ(*hits, std::vector<std::string>{"i-1"});
  auto by_binary = store->resources_with_packages({{"Debian", "libssl3"}});
  ASSERT_TRUE(by_binary);
  EXPECT_EQ(by_binary->size(), 1U);

  // A new inventory replaces the old one and its index.
  model::Inventory next;
  next.packages = {django};
  ASSERT_TRUE(store->put_inventory("i-1", "hash-2", next));
  auto gone = store->resources_with_packages({{"Debian", "openssl"}});
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->empty());
  auto missing = store->inventory("i-9");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST(SqliteStoreTest, FiltersRoundTrip) {
  TestStore store;
  FilterRecord filter;
  filter.arn = "arn:aws:inspector2:us-east-1:111111111111:owner/111111111111/filter/abc";
  filter.owner_id = "111111111111";
  filter.name = "ignore-dev";
  filter.action = "SUPPRESS";
  filter.criteria.strings["resourceId"] = {{StringOp::kPrefix, "i-dev"}};
  filter.criteria.numbers["inspectorScore"] = {{std::nullopt, 4.0}};
  filter.criteria.dates["firstObservedAt"] = {{10, 20}};
  filter.criteria.maps["resourceTags"] = {{"env", "dev"}};
  filter.criteria.ports["portRange"] = {{22, 22}};
  PackageFilter package;
  package.name = StringFilter{StringOp::kEquals, "openssl"};
  package.epoch = NumberFilter{0.0, 1.0};
  filter.criteria.packages = {package};
  filter.criteria_json = R"({"resourceId":[{"comparison":"PREFIX","value":"i-dev"}]})";
  filter.description = "dev boxes";
  filter.reason = "accepted";
  filter.tags = {{"k", "v"}};
  filter.created_at = 5;
  filter.updated_at = 6;
  ASSERT_TRUE(store->put_filter(filter));
  auto read = store->filter(filter.arn);
  ASSERT_TRUE(read && read->has_value());
  const FilterRecord& got = **read;
  EXPECT_EQ(got.name, filter.name);
  EXPECT_EQ(got.criteria_json, filter.criteria_json);
  EXPECT_EQ(got.tags, filter.tags);
  ASSERT_EQ(got.criteria.strings.at("resourceId").size(), 1U);
  EXPECT_EQ(got.criteria.strings.at("resourceId")[0].op, StringOp::kPrefix);
  EXPECT_EQ(got.criteria.numbers.at("inspectorScore")[0].upper, 4.0);
  EXPECT_FALSE(got.criteria.numbers.at("inspectorScore")[0].lower.has_value());
  EXPECT_EQ(got.criteria.dates.at("firstObservedAt")[0].end, 20);
  EXPECT_EQ(got.criteria.maps.at("resourceTags")[0].value, "dev");
  EXPECT_EQ(got.criteria.ports.at("portRange")[0].begin_inclusive, 22);
  ASSERT_EQ(got.criteria.packages.size(), 1U);
  EXPECT_EQ(got.criteria.packages[0].name->value, "openssl");
  EXPECT_EQ(got.criteria.packages[0].epoch->upper, 1.0);

  auto other = filter;
  other.arn += "2";
  other.owner_id = "222222222222";
  ASSERT_TRUE(store->put_filter(other));
  auto owned = store->filters("111111111111");
  ASSERT_TRUE(owned);
  EXPECT_EQ(owned->size(), 1U);
  auto all = store->filters();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2U);
  auto removed = store->delete_filter(filter.arn);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  auto again = store->delete_filter(filter.arn);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);

  FilterRecord unknown = filter;
  unknown.criteria.strings["codeVulnerabilityDetectorName"] = {{StringOp::kEquals, "x"}};
  auto rejected = store->put_filter(unknown);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(rejected.error().message.find("codeVulnerabilityDetectorName"), std::string::npos);
}

TEST(SqliteStoreTest, QueueClaimCompleteAndFailure) {
  TestStore store;
  auto first = store->enqueue({0, "scan_inventory", "i-1", R"({"a":1})", 0, 100});
  auto second = store->enqueue({0, "scan_image", "img", "{}", 0, 0});
  ASSERT_TRUE(first && second);
  EXPECT_LT(*first, *second);
  auto pending = store->pending_jobs();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, 2U);

  auto claimed = store->claim_next();
  ASSERT_TRUE(claimed && claimed->has_value());
  EXPECT_EQ((*claimed)->id, *first);
  EXPECT_EQ((*claimed)->kind, "scan_inventory");
  EXPECT_EQ((*claimed)->payload, R"({"a":1})");
  EXPECT_EQ((*claimed)->attempts, 1);
  EXPECT_EQ((*claimed)->enqueued_at, 100);
  EXPECT_EQ(*store->pending_jobs(), 1U);

  ASSERT_TRUE(store->complete(*first, true, ""));
  auto next = store->claim_next();
  ASSERT_TRUE(next && next->has_value());
  EXPECT_EQ((*next)->id, *second);
  EXPECT_GT((*next)->enqueued_at, 0);
  ASSERT_TRUE(store->complete(*second, false, "image unreadable"));
  auto empty = store->claim_next();
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());  // failed jobs stay for inspection but are not handed out

  auto missing = store->complete(*first, true, "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(SqliteStoreTest, ClaimsJobsOfOneKindInBatches) {
  TestStore store;
  std::vector<std::int64_t> rematch;
  for (int index = 0; index < 5; ++index) {
    auto id = store->enqueue({0, index == 2 ? "scan_image" : "rematch", "r" + std::to_string(index),
                              "{}", 0, index});
    ASSERT_TRUE(id);
    if (index != 2) {
      rematch.push_back(*id);
    }
  }
  auto first = store->claim_jobs("rematch", 3);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->size(), 3U);
  EXPECT_EQ((*first)[0].id, rematch[0]);
  EXPECT_EQ((*first)[2].id, rematch[2]);  // the image job in between is not taken
  EXPECT_EQ((*first)[1].attempts, 1);
  auto rest = store->claim_jobs("rematch", 3);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1U);
  EXPECT_EQ(rest->front().id, rematch[3]);
  EXPECT_EQ(*store->pending_jobs(), 1U);  // the image job
  EXPECT_TRUE(store->claim_jobs("rematch", 3)->empty());
}

TEST(SqliteStoreTest, WriteBatchCommitsTogetherOrNotAtAll) {
  TestStore store;
  ASSERT_TRUE(store->write_batch([&]() -> Result<void> {
    VIGIL_TRY(store->put_meta("a", "1"));
    VIGIL_TRY(store->put_meta("b", "2"));
    // Readers see nothing of the batch before it commits.
    EXPECT_EQ(*store->meta("a"), std::nullopt);
    return {};
  }));
  EXPECT_EQ(*store->meta("a"), std::optional<std::string>("1"));
  EXPECT_EQ(*store->meta("b"), std::optional<std::string>("2"));

  // A failing body rolls back every write it made, even those whose own calls succeeded.
  auto failed = store->write_batch([&]() -> Result<void> {
    VIGIL_TRY(store->put_meta("a", "changed"));
    VIGIL_TRY(store->put_meta("c", "3"));
    return fail(Error::internal("later step failed"));
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "later step failed");
  EXPECT_EQ(*store->meta("a"), std::optional<std::string>("1"));
  EXPECT_EQ(*store->meta("c"), std::nullopt);

  // A call failing inside a batch undoes only its own writes; the batch can go on.
  ASSERT_TRUE(store->write_batch([&]() -> Result<void> {
    VIGIL_TRY(store->put_meta("d", "4"));
    EXPECT_FALSE(store->complete(424242, true, ""));  // no such job
    return store->write_batch([&] { return store->put_meta("e", "5"); });  // nested: same batch
  }));
  EXPECT_EQ(*store->meta("d"), std::optional<std::string>("4"));
  EXPECT_EQ(*store->meta("e"), std::optional<std::string>("5"));

  // Other threads' writes wait for the batch and then proceed.
  std::atomic<bool> written{false};
  std::thread other;
  ASSERT_TRUE(store->write_batch([&]() -> Result<void> {
    other = std::thread([&] { written = store->put_meta("f", "6").has_value(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(written.load());
    return {};
  }));
  other.join();
  EXPECT_TRUE(written.load());
}

TEST(SqliteStoreTest, QueueSurvivesReopenAndRequeuesRunningJobs) {
  vigil::testing::TempDir dir;
  std::int64_t running = 0;
  {
    auto store = open_sqlite_store(dir.path().string());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->enqueue({0, "scan_inventory", "i-1", "{}", 0, 1}));
    ASSERT_TRUE((*store)->enqueue({0, "rematch", "", "{}", 0, 2}));
    auto claimed = (*store)->claim_next();
    ASSERT_TRUE(claimed && claimed->has_value());
    running = (*claimed)->id;
    // The process "dies" here with the job still running.
  }
  auto store = open_sqlite_store(dir.path().string());
  ASSERT_TRUE(store);
  EXPECT_EQ(*(*store)->pending_jobs(), 1U);
  auto requeued = (*store)->requeue_running();
  ASSERT_TRUE(requeued);
  EXPECT_EQ(*requeued, 1U);
  auto again = (*store)->claim_next();
  ASSERT_TRUE(again && again->has_value());
  EXPECT_EQ((*again)->id, running);
  EXPECT_EQ((*again)->attempts, 2);
}

TEST(SqliteStoreTest, KeysReportsAndMetaRoundTrip) {
  TestStore store;
  AccessKey key{"AKIAEXAMPLE000000001", "hashed-secret", "111111111111", "admin", 7, false};
  ASSERT_TRUE(store->put_key(key));
  auto read_key = store->key(key.access_key_id);
  ASSERT_TRUE(read_key && read_key->has_value());
  EXPECT_EQ((*read_key)->secret, key.secret);
  EXPECT_EQ((*read_key)->role, "admin");
  key.disabled = true;
  ASSERT_TRUE(store->put_key(key));
  EXPECT_TRUE((*store->key(key.access_key_id))->disabled);
  EXPECT_FALSE(store->key("AKIAMISSING")->has_value());

  ReportRecord report{"1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                      "findings",
                      "111111111111",
                      "CSV",
                      "IN_PROGRESS",
                      "",
                      "",
                      R"({"filterCriteria":{}})",
                      "/tmp/r.csv",
                      1,
                      2};
  ASSERT_TRUE(store->put_report(report));
  report.status = "SUCCEEDED";
  report.updated_at = 3;
  ASSERT_TRUE(store->put_report(report));
  auto read_report = store->report(report.id);
  ASSERT_TRUE(read_report && read_report->has_value());
  EXPECT_EQ((*read_report)->status, "SUCCEEDED");
  EXPECT_EQ((*read_report)->request_json, report.request_json);
  EXPECT_EQ((*read_report)->updated_at, 3);
  EXPECT_FALSE(store->report("nope")->has_value());

  EXPECT_FALSE(store->meta("vulndb.change_seq")->has_value());
  ASSERT_TRUE(store->put_meta("vulndb.change_seq", "42"));
  ASSERT_TRUE(store->put_meta("vulndb.change_seq", "43"));
  EXPECT_EQ(*store->meta("vulndb.change_seq"), std::optional<std::string>("43"));
}

TEST(SqliteStoreTest, ConcurrentReadersAndWriters) {
  TestStore store;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int writer = 0; writer < 2; ++writer) {
    threads.emplace_back([&, writer] {
      for (int index = 0; index < 50; ++index) {
        if (!store->put_meta(fmt::format("k{}-{}", writer, index), "v") ||
            !store->enqueue({0, "rematch", "", "{}", 0, 1})) {
          failed = true;
        }
      }
    });
  }
  for (int reader = 0; reader < 3; ++reader) {
    threads.emplace_back([&] {
      for (int index = 0; index < 50; ++index) {
        if (!store->pending_jobs() || !store->meta("k0-0")) {
          failed = true;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_FALSE(failed);
  EXPECT_EQ(*store->pending_jobs(), 100U);
}

// A commit that grows the WAL past kCheckpointPages wakes the checkpointer thread, which copies
// the pages into the database file on its own connection (the writer's hook replaced SQLite's
// autocheckpoint, so nothing else would before the connections close).
TEST(StoreDatabaseTest, CheckpointerCopiesALargeWalIntoTheDatabase) {
  vigil::testing::TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  auto database = internal::Database::open(path);
  ASSERT_TRUE(database) << database.error().message;
  {
    auto writer = (*database)->writer();
    ASSERT_TRUE(writer->connection().exec("CREATE TABLE t(b BLOB)"));
    ASSERT_TRUE(writer->connection().exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000) "
        "INSERT INTO t SELECT randomblob(4000) FROM n"));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((std::filesystem::file_size(path) < 32U * 1024 * 1024 ||
          (*database)->background_checkpoints() == 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE((*database)->background_checkpoints(), 1U);
  EXPECT_GE(std::filesystem::file_size(path), 32U * 1024 * 1024);
  auto reader = (*database)->reader();
  ASSERT_TRUE(reader);
  auto count = (*reader)->connection().prepare("SELECT count(*) FROM t").value();
  ASSERT_TRUE(count.step().value());
  EXPECT_EQ(count.column_int(0), 9000);
}

}  // namespace
}  // namespace vigil::store
