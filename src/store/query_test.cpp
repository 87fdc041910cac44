// Sorting and keyset pagination of findings, account scoping, aggregation and coverage.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "store/sqlite_store.hpp"
#include "store/store.hpp"
#include "store/store_test_support.hpp"

namespace vigil::store {
namespace {

using testing::package_finding;
using testing::TestStore;

const std::vector<std::string> kAccounts = {"111111111111", "222222222222", "333333333333"};

// 150 findings over 3 accounts and 30 resources with many ties in every sort key.
void populate(Store& store) {
  int produced = 0;
  auto loaded = bulk_insert_findings(store, [&](StoredFinding& next) -> Result<bool> {
    if (produced == 150) {
      return false;
    }
    const int index = produced++;
    const std::string account = kAccounts[static_cast<std::size_t>(index % 3)];
    const bool image = index % 5 == 0;
    next = package_finding(fmt::format("f{:03}", index), fmt::format("res-{}", index % 30), account,
                           static_cast<model::Severity>(index % 6), static_cast<double>(index % 7));
    next.finding.vulnerability_id = fmt::format("CVE-2024-{}", index % 11);
    if (index % 4 != 0) {
      next.finding.epss = (index % 9) / 10.0;
    }
    if (image) {
      next.resource_type = "AWS_ECR_CONTAINER_IMAGE";
      next.resource_details_json =
          fmt::format(R"({{"repositoryName":"repo-{}","registry":"{}","pushedAt":{}}})", index % 3,
                      account, 1700000000 + index % 4);
      next.finding.package.layer_digest = fmt::format("sha256:{:064}", index % 2);
    }
    next.finding.status =
        index % 10 == 9 ? model::FindingStatus::kSuppressed : model::FindingStatus::kActive;
    next.first_observed_at = 1000 + index % 13;
    next.last_observed_at = 2000 + index % 5;
    next.updated_at = next.last_observed_at;
    return true;
  });
  ASSERT_TRUE(loaded) << loaded.error().message;
}

// Pages through `query` and returns every finding id in page order.
std::vector<std::string> page_through(Store& store, FindingQuery query, std::size_t* pages) {
  std::vector<std::string> ids;
  *pages = 0;
  while (true) {
    auto page = store.list_findings(query);
    EXPECT_TRUE(page) << page.error().message;
    if (!page) {
      break;
    }
    ++*pages;
    for (const auto& stored : page->items) {
      ids.push_back(stored.finding.id);
    }
    if (page->next_cursor.empty() || *pages > 1000) {
      break;
    }
    query.cursor = page->next_cursor;
  }
  return ids;
}

TEST(FindingQueryTest, EverySortCoversAllRowsExactlyOnceInOrder) {
  TestStore store;
  populate(*store.store);
  const std::vector<std::string> sorts = {"",
                                          "SEVERITY",
                                          "LAST_OBSERVED_AT",
                                          "FIRST_OBSERVED_AT",
                                          "INSPECTOR_SCORE",
                                          "EPSS_SCORE",
                                          "VULNERABILITY_ID",
                                          "AWS_ACCOUNT_ID",
                                          "RESOURCE_TYPE",
                                          "COMPONENT_TYPE",
                                          "NETWORK_PROTOCOL",
                                          "ECR_IMAGE_PUSHED_AT",
                                          "ECR_IMAGE_REPOSITORY_NAME",
                                          "ECR_IMAGE_REGISTRY",
                                          "VENDOR_SEVERITY",
                                          "FINDING_TYPE",
                                          "FINDING_STATUS",
                                          "VULNERABILITY_SOURCE"};
  for (const auto& sort : sorts) {
    for (const auto order : {SortOrder::kAscending, SortOrder::kDescending}) {
      FindingQuery query;
      query.sort_field = sort;
      query.sort_order = order;
      query.limit = 7;
      std::size_t pages = 0;
      const auto ids = page_through(*store.store, query, &pages);
      EXPECT_EQ(ids.size(), 150U) << sort;
      EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 150U) << sort;
      EXPECT_EQ(pages, 22U) << sort;  // 21 full pages and one of 3

      // The same order as one big page.
      query.limit = 1000;
      auto whole = store->list_findings(query);
      ASSERT_TRUE(whole);
      std::vector<std::string> expected;
      for (const auto& stored : whole->items) {
        expected.push_back(stored.finding.id);
      }
      EXPECT_EQ(ids, expected) << sort;
      EXPECT_TRUE(whole->next_cursor.empty());
    }
  }
}

TEST(FindingQueryTest, SeveritySortIsByRankThenLastObserved) {
  TestStore store;
  populate(*store.store);
  FindingQuery query;
  query.limit = 1000;
  auto page = store->list_findings(query);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 150U);
  for (std::size_t index = 1; index < page->items.size(); ++index) {
    const auto& before = page->items[index - 1];
    const auto& after = page->items[index];
    const auto rank_before = static_cast<int>(before.finding.severity);
    const auto rank_after = static_cast<int>(after.finding.severity);
    ASSERT_GE(rank_before, rank_after);
    if (rank_before == rank_after) {
      ASSERT_GE(before.last_observed_at, after.last_observed_at);
      if (before.last_observed_at == after.last_observed_at) {
        ASSERT_GT(before.finding.id, after.finding.id);
      }
    }
  }
  EXPECT_EQ(page->items.front().finding.severity, model::Severity::kCritical);
  query.sort_field = "INSPECTOR_SCORE";
  query.sort_order = SortOrder::kAscending;
  page = store->list_findings(query);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.front().finding.inspector_score, 0.0);
  EXPECT_EQ(page->items.back().finding.inspector_score, 6.0);
}

TEST(FindingQueryTest, CursorIsStableUnderInserts) {
  TestStore store;
  populate(*store.store);
  FindingQuery query;
  query.sort_field = "VULNERABILITY_ID";
  query.sort_order = SortOrder::kAscending;
  query.limit = 50;
  auto first = store->list_findings(query);
  ASSERT_TRUE(first);
  // New findings sorting before and after the cursor position.
  auto early = package_finding("zz-early", "res-new");
  early.finding.vulnerability_id = "CVE-0000-0";
  auto late = package_finding("zz-late", "res-new");
  late.finding.vulnerability_id = "CVE-9999-9";
  ASSERT_TRUE(store->reconcile_findings("res-new", "PACKAGE_VULNERABILITY", {early, late}, 5));
  std::set<std::string> seen;
  for (const auto& stored : first->items) {
    seen.insert(stored.finding.id);
  }
  query.cursor = first->next_cursor;
  std::size_t pages = 0;
  for (const auto& id : page_through(*store.store, query, &pages)) {
    EXPECT_TRUE(seen.insert(id).second) << id << " seen twice";
  }
  EXPECT_EQ(seen.size(), 151U);  // every original row once, plus the later insert
  EXPECT_EQ(seen.count(early.finding.id), 0U);
  EXPECT_EQ(seen.count(late.finding.id), 1U);
}

TEST(FindingQueryTest, BadSortsAndCursorsAreRejected) {
  TestStore store;
  populate(*store.store);
  FindingQuery query;
  query.sort_field = "NOT_A_FIELD";
  auto bad_sort = store->list_findings(query);
  ASSERT_FALSE(bad_sort);
  EXPECT_EQ(bad_sort.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_sort.error().message.find("NOT_A_FIELD"), std::string::npos);

  query.sort_field = "SEVERITY";
  query.limit = 10;
  auto page = store->list_findings(query);
  ASSERT_TRUE(page);
  for (const char* cursor : {"!!!", "eyJ4Ijox", "WyJmaW5kaW5nczpTRVZFUklUWTpEIl0"}) {
    query.cursor = cursor;
    auto rejected = store->list_findings(query);
    ASSERT_FALSE(rejected) << cursor;
    EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidArgument);
  }
  // A cursor of another sort is not accepted.
  query.cursor = page->next_cursor;
  query.sort_field = "LAST_OBSERVED_AT";
  EXPECT_FALSE(store->list_findings(query));
}

TEST(FindingQueryTest, AccountScopeIsolatesAccounts) {
  TestStore store;
  populate(*store.store);
  FindingQuery query;
  query.account_scope = {"222222222222"};
  query.limit = 1000;
  auto page = store->list_findings(query);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 50U);
  for (const auto& stored : page->items) {
    EXPECT_EQ(stored.finding.account_id, "222222222222");
  }
  // Criteria naming another account cannot widen the scope.
  query.criteria.strings["awsAccountId"] = {{StringOp::kEquals, "111111111111"}};
  page = store->list_findings(query);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(*store->count_findings({}, {"111111111111", "333333333333"}), 100);

  AggregationQuery aggregation;
  aggregation.aggregation_type = "ACCOUNT";
  aggregation.account_scope = {"333333333333"};
  auto rows = store->aggregate_findings(aggregation);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->items.size(), 1U);
  EXPECT_EQ(rows->items[0].key, "333333333333");
}

// Counts by (group key) computed from a full listing, to check aggregation against.
struct Expected {
  std::int64_t all = 0, critical = 0, high = 0, medium = 0, low = 0;
};

TEST(FindingAggregationTest, AccountCountsMatchListing) {
  TestStore store;
  populate(*store.store);
  std::map<std::string, Expected> expected;
  FindingQuery everything;
  everything.limit = 1000;
  everything.criteria.strings["findingStatus"] = {{StringOp::kEquals, "ACTIVE"}};
  auto listing = store->list_findings(everything);
  ASSERT_TRUE(listing);
  for (const auto& stored : listing->items) {
    auto& counts = expected[stored.finding.account_id];
    ++counts.all;
    counts.critical += stored.finding.severity == model::Severity::kCritical;
    counts.high += stored.finding.severity == model::Severity::kHigh;
    counts.medium += stored.finding.severity == model::Severity::kMedium;
    counts.low += stored.finding.severity == model::Severity::kLow;
  }
  AggregationQuery query;
  query.aggregation_type = "ACCOUNT";
  query.sort_by = "ALL";
  auto rows = store->aggregate_findings(query);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->items.size(), 3U);
  for (const auto& row : rows->items) {
    const auto& want = expected.at(row.key);
    EXPECT_EQ(row.all, want.all) << row.key;
    EXPECT_EQ(row.critical, want.critical) << row.key;
    EXPECT_EQ(row.high, want.high) << row.key;
    EXPECT_EQ(row.medium, want.medium) << row.key;
    EXPECT_EQ(row.low, want.low) << row.key;
    EXPECT_TRUE(row.attrs.count("exploitAvailableCount")) << row.key;
  }
  for (std::size_t index = 1; index < rows->items.size(); ++index) {
    EXPECT_GE(rows->items[index - 1].all, rows->items[index].all);
  }
}

TEST(FindingAggregationTest, EveryTypeAggregatesAndPages) {
  TestStore store;
  populate(*store.store);
  const std::vector<std::pair<std::string, std::string>> types = {
      {"ACCOUNT", "CRITICAL"},           {"AMI", "AFFECTED_INSTANCES"},
      {"AWS_EC2_INSTANCE", "HIGH"},      {"AWS_ECR_CONTAINER", "ALL"},
      {"IMAGE_LAYER", "CRITICAL"},       {"PACKAGE", "ALL"},
      {"REPOSITORY", "AFFECTED_IMAGES"}, {"TITLE", "HIGH"},
      {"AWS_LAMBDA_FUNCTION", "ALL"},    {"LAMBDA_LAYER", "ALL"},
      {"FINDING_TYPE", "CRITICAL"},      {"AWS_EC2_INSTANCE", "NETWORK_FINDINGS"}};
  for (const auto& [type, sort_by] : types) {
    AggregationQuery query;
    query.aggregation_type = type;
    query.sort_by = sort_by;
    query.limit = 1000;
    auto whole = store->aggregate_findings(query);
    ASSERT_TRUE(whole) << type << ": " << whole.error().message;
    // Paging two rows at a time visits the same rows in the same order.
    query.limit = 2;
    std::vector<std::string> paged;
    for (int guard = 0; guard < 1000; ++guard) {
      auto page = store->aggregate_findings(query);
      ASSERT_TRUE(page) << type;
      for (const auto& row : page->items) {
        paged.push_back(
            row.key + "|" +
            (row.attrs.count("resourceId") ? row.attrs.at("resourceId") : std::string()));
      }
      if (page->next_cursor.empty()) {
        break;
      }
      query.cursor = page->next_cursor;
    }
    std::vector<std::string> expected;
    std::int64_t total = 0;
    for (const auto& row : whole->items) {
      expected.push_back(
          row.key + "|" +
          (row.attrs.count("resourceId") ? row.attrs.at("resourceId") : std::string()));
      total += row.all;
    }
    EXPECT_EQ(paged, expected) << type;
    if (type == "ACCOUNT" || type == "FINDING_TYPE" || type == "TITLE" || type == "PACKAGE") {
      EXPECT_EQ(total, 135) << type;  // every ACTIVE finding lands in exactly one group
    }
  }
  AggregationQuery repository;
  repository.aggregation_type = "REPOSITORY";
  repository.sort_by = "AFFECTED_IMAGES";
  auto rows = store->aggregate_findings(repository);
  ASSERT_TRUE(rows);
  ASSERT_FALSE(rows->items.empty());
  EXPECT_TRUE(rows->items[0].attrs.count("affectedImages"));
  EXPECT_EQ(rows->items[0].key.rfind("repo-", 0), 0U);

  AggregationQuery instances;
  instances.aggregation_type = "AWS_EC2_INSTANCE";
  auto hosts = store->aggregate_findings(instances);
  ASSERT_TRUE(hosts);
  ASSERT_FALSE(hosts->items.empty());
  for (const auto& row : hosts->items) {
    EXPECT_EQ(row.attrs.at("ami"), "ami-1") << row.key;
    EXPECT_EQ(row.attrs.at("accountId").size(), 12U) << row.key;
    EXPECT_EQ(row.attrs.at("networkFindings"), "0") << row.key;
  }
  AggregationQuery images;
  images.aggregation_type = "AWS_ECR_CONTAINER";
  auto containers = store->aggregate_findings(images);
  ASSERT_TRUE(containers);
  ASSERT_FALSE(containers->items.empty());
  for (const auto& row : containers->items) {
    EXPECT_EQ(row.attrs.at("repository").rfind("repo-", 0), 0U) << row.key;
  }

  AggregationQuery bad;
  bad.aggregation_type = "CODE_REPOSITORY";
  EXPECT_FALSE(store->aggregate_findings(bad));
  bad.aggregation_type = "ACCOUNT";
  bad.sort_by = "AFFECTED_IMAGES";
  EXPECT_FALSE(store->aggregate_findings(bad));
}

TEST(FindingAggregationTest, CriteriaRestrictAggregation) {
  TestStore store;
  populate(*store.store);
  AggregationQuery query;
  query.aggregation_type = "FINDING_TYPE";
  query.criteria.strings["severity"] = {{StringOp::kEquals, "CRITICAL"}};
  auto rows = store->aggregate_findings(query);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->items.size(), 1U);
  EXPECT_EQ(rows->items[0].all, rows->items[0].critical);
  EXPECT_EQ(rows->items[0].high, 0);
  EXPECT_EQ(rows->items[0].all,
            *store->count_findings(
                [] {
                  Criteria criteria;
                  criteria.strings["severity"] = {{StringOp::kEquals, "CRITICAL"}};
                  criteria.strings["findingStatus"] = {{StringOp::kEquals, "ACTIVE"}};
                  return criteria;
                }(),
                {}));
}

CoverageRecord coverage(const std::string& resource, const std::string& account,
                        const std::string& type, const std::string& scan_type,
                        const std::string& reason) {
  return {resource, account, type, scan_type, reason == "SUCCESSFUL" ? "ACTIVE" : "INACTIVE",
          reason,   10,      20};
}

TEST(CoverageTest, ListFilterPageAndCount) {
  TestStore store;
  ResourceRecord image;
  image.id = "img-1";
  image.account_id = "111111111111";
  image.type = "AWS_ECR_CONTAINER_IMAGE";
  image.details_json = R"({"repositoryName":"web","imageTags":["v1"],"inUseCount":3})";
  ResourceRecord host;
  host.id = "i-1";
  host.account_id = "222222222222";
  host.type = "AWS_EC2_INSTANCE";
  host.tags = {{"env", "prod"}};
  host.scan_mode = "EC2_SSM_AGENT_BASED";
  ASSERT_TRUE(store->put_resource(image));
  ASSERT_TRUE(store->put_resource(host));
  const std::vector<CoverageRecord> rows = {
      coverage("img-1", "111111111111", "AWS_ECR_CONTAINER_IMAGE", "PACKAGE", "SUCCESSFUL"),
      coverage("i-1", "222222222222", "AWS_EC2_INSTANCE", "PACKAGE", "SUCCESSFUL"),
      coverage("i-1", "222222222222", "AWS_EC2_INSTANCE", "NETWORK", "STALE_INVENTORY"),
      coverage("i-2", "222222222222", "AWS_EC2_INSTANCE", "PACKAGE", "PENDING_INITIAL_SCAN"),
  };
  for (const auto& row : rows) {
    ASSERT_TRUE(store->put_coverage(row));
  }
  ASSERT_TRUE(store->put_coverage(rows[0]));  // replace, not duplicate

  std::vector<CoverageRecord> listed;
  std::string cursor;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store->list_coverage({}, {}, 3, cursor);
    ASSERT_TRUE(page) << page.error().message;
    listed.insert(listed.end(), page->items.begin(), page->items.end());
    cursor = page->next_cursor;
    if (cursor.empty()) {
      break;
    }
  }
  ASSERT_EQ(listed.size(), 4U);
  EXPECT_EQ(std::find(listed.begin(), listed.end(), rows[2]) != listed.end(), true);

  const auto count = [&](const Criteria& criteria, const std::vector<std::string>& scope = {}) {
    auto page = store->list_coverage(criteria, scope, 100, "");
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->items.size() : 0U;
  };
  Criteria by_repo;
  by_repo.strings["ecrRepositoryName"] = {{StringOp::kEquals, "web"}};
  EXPECT_EQ(count(by_repo), 1U);
  Criteria by_tags;
  by_tags.maps["ec2InstanceTags"] = {{"env", "prod"}};
  EXPECT_EQ(count(by_tags), 2U);
  Criteria by_reason;
  by_reason.strings["scanStatusReason"] = {{StringOp::kNotEquals, "SUCCESSFUL"}};
  EXPECT_EQ(count(by_reason), 2U);
  Criteria by_in_use;
  by_in_use.numbers["ecrImageInUseCount"] = {{1.0, 5.0}};
  EXPECT_EQ(count(by_in_use), 1U);
  Criteria by_mode;
  by_mode.strings["scanMode"] = {{StringOp::kEquals, "EC2_SSM_AGENT_BASED"}};
  EXPECT_EQ(count(by_mode), 2U);
  EXPECT_EQ(count({}, {"111111111111"}), 1U);
  Criteria finding_field;
  finding_field.strings["severity"] = {{StringOp::kEquals, "HIGH"}};
  EXPECT_FALSE(store->list_coverage(finding_field, {}, 10, ""));

  auto total = store->coverage_statistics({}, {}, "");
  ASSERT_TRUE(total);
  EXPECT_EQ(*total, (std::vector<std::pair<std::string, std::int64_t>>{{"", 4}}));
  auto by_code = store->coverage_statistics({}, {}, "SCAN_STATUS_CODE");
  ASSERT_TRUE(by_code);
  EXPECT_EQ(*by_code,
            (std::vector<std::pair<std::string, std::int64_t>>{{"ACTIVE", 2}, {"INACTIVE", 2}}));
  auto by_account = store->coverage_statistics({}, {}, "ACCOUNT_ID");
  ASSERT_TRUE(by_account);
  EXPECT_EQ(by_account->front(), (std::pair<std::string, std::int64_t>{"222222222222", 3}));
  auto by_repository = store->coverage_statistics({}, {}, "ECR_REPOSITORY_NAME");
  ASSERT_TRUE(by_repository);
  EXPECT_EQ(*by_repository, (std::vector<std::pair<std::string, std::int64_t>>{{"web", 1}}));
  EXPECT_FALSE(store->coverage_statistics({}, {}, "NOPE"));
}

}  // namespace
}  // namespace vigil::store
