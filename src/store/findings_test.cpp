// The finding lifecycle: reconcile (create, refresh, update, close, reopen), history, closing a
// resource, staleness and suppression.
#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"
#include "store/store.hpp"
#include "store/store_test_support.hpp"

namespace vigil::store {
namespace {

using testing::arn_for;
using testing::package_finding;
using testing::TestStore;

constexpr const char* kPackage = "PACKAGE_VULNERABILITY";

std::vector<std::string> events(Store& store, const std::string& arn) {
  std::vector<std::string> out;
  auto history = store.finding_history(arn);
  EXPECT_TRUE(history) << history.error().message;
  for (const auto& [at, event] : *history) {
    out.push_back(fmt::format("{} {}", at, event));
  }
  return out;
}

TEST(FindingLifecycleTest, CreateRefreshUpdateCloseReopen) {
  TestStore store;
  auto a = package_finding("a", "i-1");
  auto b = package_finding("b", "i-1");
  a.resource_tags = {{"env", "prod"}};

  auto created = store->reconcile_findings("i-1", kPackage, {a, b}, 1000);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->created, 2U);
  EXPECT_EQ(created->changed_ids, (std::vector<std::string>{a.finding.id, b.finding.id}));
  auto stored = store->finding(a.finding.id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->first_observed_at, 1000);
  EXPECT_EQ((*stored)->last_observed_at, 1000);
  EXPECT_EQ((*stored)->updated_at, 1000);
  EXPECT_EQ((*stored)->closed_at, 0);
  EXPECT_EQ((*stored)->finding, a.finding);
  EXPECT_EQ((*stored)->resource_tags, a.resource_tags);
  EXPECT_EQ((*stored)->resource_details_json, a.resource_details_json);

  // Seen again unchanged: nothing is written (Inspector: lastObservedAt "remains unchanged
  // until a finding is updated").
  auto refreshed = store->reconcile_findings("i-1", kPackage, {a, b}, 2000);
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->unchanged, 2U);
  EXPECT_TRUE(refreshed->changed_ids.empty());
  stored = store->finding(a.finding.id);
  EXPECT_EQ((*stored)->last_observed_at, 1000);
  EXPECT_EQ((*stored)->updated_at, 1000);

  // A score change is an update with a history line naming it; b disappears and closes.
  a.finding.inspector_score = 9.8;
  a.finding.severity = model::Severity::kCritical;
  auto updated = store->reconcile_findings("i-1", kPackage, {a}, 3000);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->updated, 1U);
  EXPECT_EQ(updated->closed, 1U);
  EXPECT_EQ(updated->changed_ids, (std::vector<std::string>{a.finding.id, b.finding.id}));
  stored = store->finding(a.finding.id);
  EXPECT_EQ((*stored)->updated_at, 3000);
  EXPECT_EQ((*stored)->finding.severity, model::Severity::kCritical);
  auto closed = store->finding(b.finding.id);
  EXPECT_EQ((*closed)->finding.status, model::FindingStatus::kClosed);
  EXPECT_EQ((*closed)->closed_at, 3000);
  EXPECT_EQ((*closed)->updated_at, 3000);
  EXPECT_EQ((*closed)->last_observed_at, 1000);

  // b comes back: reopened, first observation kept.
  auto reopened = store->reconcile_findings("i-1", kPackage, {a, b}, 4000);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->reopened, 1U);
  EXPECT_EQ(reopened->unchanged, 1U);
  auto back = store->finding(b.finding.id);
  EXPECT_EQ((*back)->finding.status, model::FindingStatus::kActive);
  EXPECT_EQ((*back)->closed_at, 0);
  EXPECT_EQ((*back)->first_observed_at, 1000);
  EXPECT_EQ((*back)->last_observed_at, 4000);

  EXPECT_EQ(
      events(*store.store, a.finding.id),
      (std::vector<std::string>{
          "1000 CREATED", "3000 UPDATED: severity HIGH -> CRITICAL, inspectorScore 7.5 -> 9.8"}));
  EXPECT_EQ(events(*store.store, b.finding.id),
            (std::vector<std::string>{"1000 CREATED", "3000 CLOSED", "4000 REOPENED"}));
}

TEST(FindingLifecycleTest, EveryTrackedFieldIsNamedInHistory) {
  TestStore store;
  auto a = package_finding("a", "i-1");
  ASSERT_TRUE(store->reconcile_findings("i-1", kPackage, {a}, 1));
  a.finding.vigil_risk = 6.5;
  a.finding.epss = 0.25;
  a.finding.exploit_available = true;
  a.finding.fix_available = model::FixAvailable::kYes;
  a.finding.fixed_in = "3.0.13-1~deb12u1";
  a.finding.status = model::FindingStatus::kSuppressed;
  a.finding.suppression_reason = "vex: not_affected";
  auto updated = store->reconcile_findings("i-1", kPackage, {a}, 2);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->updated, 1U);
  const auto lines = events(*store.store, a.finding.id);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1],
            "2 UPDATED: status ACTIVE -> SUPPRESSED, vigilRisk 0 -> 6.5, epssScore none -> 0.25, "
            "exploitAvailable NO -> YES, fixAvailable NO -> YES, fixedInVersion none -> "
            "3.0.13-1~deb12u1, suppressionReason none -> vex: not_affected");
  auto stored = store->finding(a.finding.id);
  EXPECT_EQ((*stored)->finding.status, model::FindingStatus::kSuppressed);
  EXPECT_EQ((*stored)->finding.suppression_reason, "vex: not_affected");
}

TEST(FindingLifecycleTest, UntrackedContentChangesAreStoredWithoutHistory) {
  TestStore store;
  auto a = package_finding("a", "i-1");
  ASSERT_TRUE(store->reconcile_findings("i-1", kPackage, {a}, 1));
  ASSERT_TRUE(store->set_stale("i-1", true));
  a.finding.description = "better text from the feed";
  a.resource_tags = {{"env", "dev"}};
  auto refreshed = store->reconcile_findings("i-1", kPackage, {a}, 2);
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->unchanged, 1U);
  EXPECT_TRUE(refreshed->changed_ids.empty());
  auto stored = store->finding(a.finding.id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->finding.description, "better text from the feed");
  EXPECT_EQ((*stored)->resource_tags, a.resource_tags);
  EXPECT_FALSE((*stored)->stale);  // a fresh observation is not stale
  EXPECT_EQ((*stored)->updated_at, 1);
  EXPECT_EQ((*stored)->last_observed_at, 2);
  Criteria dev;
  dev.maps["resourceTags"] = {{"env", "dev"}};
  EXPECT_EQ(*store->count_findings(dev, {}), 1);
  // Identical content again: the quick path writes nothing, the observation time stays.
  ASSERT_TRUE(store->reconcile_findings("i-1", kPackage, {a}, 3));
  EXPECT_EQ((*store->finding(a.finding.id))->last_observed_at, 2);
  EXPECT_EQ(events(*store.store, a.finding.id), std::vector<std::string>{"1 CREATED"});
}

TEST(FindingLifecycleTest, ClosingIsPerResourceAndFindingType) {
  TestStore store;
  auto on_one = package_finding("a", "i-1");
  auto on_two = package_finding("b", "i-2");
  auto network = package_finding("n", "i-1");
  network.type = "NETWORK_REACHABILITY";
  network.network_json =
      R"({"openPortRange":{"begin":22,"end":22},"protocol":"TCP","networkPath":{"steps":[]}})";
  ASSERT_TRUE(store->reconcile_findings("i-1", kPackage, {on_one}, 1));
  ASSERT_TRUE(store->reconcile_findings("i-2", kPackage, {on_two}, 1));
  ASSERT_TRUE(store->reconcile_findings("i-1", "NETWORK_REACHABILITY", {network}, 1));
  auto empty_scan = store->reconcile_findings("i-1", kPackage, {}, 2);
  ASSERT_TRUE(empty_scan);
  EXPECT_EQ(empty_scan->closed, 1U);
  EXPECT_EQ((*store->finding(on_two.finding.id))->finding.status, model::FindingStatus::kActive);
  EXPECT_EQ((*store->finding(network.finding.id))->finding.status, model::FindingStatus::kActive);

  auto terminated = store->close_findings("i-1", 3);
  ASSERT_TRUE(terminated);
  EXPECT_EQ(terminated->closed, 1U);  // the network finding; the package one was closed already
  EXPECT_EQ(terminated->changed_ids, std::vector<std::string>{network.finding.id});
  EXPECT_EQ((*store->finding(network.finding.id))->closed_at, 3);
}

TEST(FindingLifecycleTest, PackageScopedReconcileClosesOnlyThoseFindings) {
  TestStore store;
  auto openssl_a = package_finding("a", "i-1");
  auto openssl_b = package_finding("b", "i-1");
  auto curl = package_finding("c", "i-1");
  curl.finding.package.name = "curl";
  auto other_resource = package_finding("d", "i-2");
  ASSERT_TRUE(store->reconcile_findings("i-1", kPackage, {openssl_a, openssl_b, curl}, 1000));
  ASSERT_TRUE(store->reconcile_findings("i-2", kPackage, {other_resource}, 1000));

  // A partial re-scan of openssl observes only `a`, updated: `b` closes, curl is out of scope.
  openssl_a.finding.inspector_score = 9.8;
  auto partial = store->reconcile_package_findings("i-1", kPackage, {openssl_a}, PackageScope{{"openssl"}, std::nullopt, {}}, 2000);
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->updated, 1U);
  EXPECT_EQ(partial->closed, 1U);
  EXPECT_EQ(partial->changed_ids, (std::vector<std::string>{openssl_a.finding.id,
                                                            openssl_b.finding.id}));
  const auto status = [&](const std::string& arn) {
    auto stored = store->finding(arn);
    EXPECT_TRUE(stored && stored->has_value());
    return (stored && *stored) ? (*stored)->finding.status : model::FindingStatus::kActive;
  };
  EXPECT_EQ(status(openssl_b.finding.id), model::FindingStatus::kClosed);
  EXPECT_EQ(status(curl.finding.id), model::FindingStatus::kActive);
  EXPECT_EQ(status(other_resource.finding.id), model::FindingStatus::kActive);

  // An empty observation of an out-of-scope name closes nothing; of curl, closes curl only.
  auto nothing = store->reconcile_package_findings("i-1", kPackage, {}, PackageScope{{"zlib"}, std::nullopt, {}}, 3000);
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->closed, 0U);
  auto curl_gone = store->reconcile_package_findings("i-1", kPackage, {}, PackageScope{{"curl"}, std::nullopt, {}}, 3000);
  ASSERT_TRUE(curl_gone);
  EXPECT_EQ(curl_gone->changed_ids, std::vector<std::string>{curl.finding.id});
  EXPECT_EQ(status(openssl_a.finding.id), model::FindingStatus::kActive);
  // A closed finding observed again by a partial re-scan reopens with its history.
  auto back = store->reconcile_package_findings("i-1", kPackage, {openssl_b}, PackageScope{{"openssl"}, std::nullopt, {}}, 4000);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->reopened, 1U);
  EXPECT_EQ(back->closed, 1U);  // `a` was not observed this time
  EXPECT_EQ(status(openssl_b.finding.id), model::FindingStatus::kActive);
}

TEST(FindingLifecycleTest, ChangedVulnerabilitiesScopeWhatAPartialReconcileRewrites) {
  TestStore store;
  auto a = package_finding("a", "i-1");
  auto b = package_finding("b", "i-1");
  auto c = package_finding("c", "i-1");
  ASSERT_TRUE(store->reconcile_findings("i-1", kPackage, {a, b, c}, 1000));

  // GHSA-b (an alias of b's CVE) and a new advisory changed. `a` is observed with a new score
  // that no changed id explains: it is known unchanged and not rewritten. `b` is touched through
  // its alias and updates; `c`, not observed, closes whatever the changed ids; `n` is new.
  a.finding.inspector_score = 1.0;
  b.finding.aliases = {"GHSA-b"};
  b.finding.inspector_score = 9.1;
  auto n = package_finding("n", "i-1");
  PackageScope scope{{"openssl"}, std::set<std::string>{"GHSA-b", "CVE-2024-n"}, {}};
  auto partial = store->reconcile_package_findings("i-1", kPackage, {a, b, n}, scope, 2000);
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->unchanged, 1U);
  EXPECT_EQ(partial->updated, 1U);
  EXPECT_EQ(partial->created, 1U);
  EXPECT_EQ(partial->closed, 1U);
  EXPECT_EQ(partial->changed_ids,
            (std::vector<std::string>{b.finding.id, n.finding.id, c.finding.id}));
  EXPECT_EQ((*store->finding(a.finding.id))->finding.inspector_score, 7.5);
  EXPECT_EQ((*store->finding(b.finding.id))->finding.inspector_score, 9.1);
  EXPECT_EQ((*store->finding(c.finding.id))->finding.status, model::FindingStatus::kClosed);

  // A closed finding observed again reopens even when no changed id names it: only open
  // findings are assumed unchanged.
  auto again = store->reconcile_package_findings(
      "i-1", kPackage, {a, b, n, c}, PackageScope{{"openssl"}, std::set<std::string>{}, {}}, 3000);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->reopened, 1U);
  EXPECT_EQ(again->unchanged, 3U);
  EXPECT_EQ(again->changed_ids, std::vector<std::string>{c.finding.id});
  EXPECT_EQ((*store->finding(c.finding.id))->finding.status, model::FindingStatus::kActive);

  // Ids observed without being rebuilt stay open; the rest of the scope closes.
  auto open = store->open_finding_ids("i-1", kPackage, {"openssl"});
  ASSERT_TRUE(open) << open.error().message;
  EXPECT_EQ(*open, (std::set<std::string>{a.finding.id, b.finding.id, c.finding.id, n.finding.id}));
  auto kept = store->reconcile_package_findings(
      "i-1", kPackage, {b},
      PackageScope{{"openssl"}, std::set<std::string>{}, {a.finding.id, c.finding.id}}, 4000);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->changed_ids, std::vector<std::string>{n.finding.id});
  EXPECT_EQ(*store->open_finding_ids("i-1", kPackage, {"openssl"}),
            (std::set<std::string>{a.finding.id, b.finding.id, c.finding.id}));
  EXPECT_TRUE(store->open_finding_ids("i-1", kPackage, {"curl"})->empty());

  // With the caller's reading of the open ids the store does not read them again: what the
  // reading leaves out is not closed (c), what it names and is not observed is (b, looked up by
  // ARN), and an id it names that is closed already is not closed twice (n).
  PackageScope known{{"openssl"}, std::set<std::string>{}, {}};
  known.open_ids = std::set<std::string>{a.finding.id, b.finding.id, n.finding.id};
  auto reused = store->reconcile_package_findings("i-1", kPackage, {a}, known, 5000);
  ASSERT_TRUE(reused) << reused.error().message;
  EXPECT_EQ(reused->closed, 1U);
  EXPECT_EQ(reused->changed_ids, std::vector<std::string>{b.finding.id});
  EXPECT_EQ(*store->open_finding_ids("i-1", kPackage, {"openssl"}),
            (std::set<std::string>{a.finding.id, c.finding.id}));
  EXPECT_EQ((*store->finding(b.finding.id))->closed_at, 5000);
}

TEST(FindingLifecycleTest, RejectsInconsistentObservations) {
  TestStore store;
  auto a = package_finding("a", "i-1");
  auto duplicate = store->reconcile_findings("i-1", kPackage, {a, a}, 1);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(duplicate.error().message.find("twice"), std::string::npos);

  auto elsewhere = package_finding("b", "i-2");
  auto wrong_resource = store->reconcile_findings("i-1", kPackage, {elsewhere}, 1);
  ASSERT_FALSE(wrong_resource);
  EXPECT_EQ(wrong_resource.error().code, ErrorCode::kInvalidArgument);

  auto wrong_type = store->reconcile_findings("i-1", "NETWORK_REACHABILITY", {a}, 1);
  ASSERT_FALSE(wrong_type);

  auto closed = a;
  closed.finding.status = model::FindingStatus::kClosed;
  EXPECT_FALSE(store->reconcile_findings("i-1", kPackage, {closed}, 1));

  auto nan = a;
  nan.finding.inspector_score = std::nan("");
  auto rejected = store->reconcile_findings("i-1", kPackage, {nan}, 1);
  ASSERT_FALSE(rejected);
  EXPECT_NE(rejected.error().message.find(a.finding.id), std::string::npos);

  auto bad_details = a;
  bad_details.resource_details_json = "not json";
  EXPECT_FALSE(store->reconcile_findings("i-1", kPackage, {bad_details}, 1));

  // Nothing of the failed calls was stored.
  auto count = store->count_findings({}, {});
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0);
}

TEST(FindingLifecycleTest, StaleFlagAndMissingFinding) {
  TestStore store;
  auto a = package_finding("a", "i-1");
  ASSERT_TRUE(store->reconcile_findings("i-1", kPackage, {a}, 1));
  ASSERT_TRUE(store->set_stale("i-1", true));
  EXPECT_TRUE((*store->finding(a.finding.id))->stale);
  ASSERT_TRUE(store->set_stale("i-1", false));
  EXPECT_FALSE((*store->finding(a.finding.id))->stale);
  auto missing = store->finding(arn_for("none"));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  auto no_history = store->finding_history(arn_for("none"));
  ASSERT_TRUE(no_history);
  EXPECT_TRUE(no_history->empty());
}

TEST(FindingLifecycleTest, SetSuppressedChangesOnlyMatchingOpenFindings) {
  TestStore store;
  auto dev = package_finding("dev", "i-dev-1");
  auto prod = package_finding("prod", "i-prod-1");
  auto gone = package_finding("gone", "i-dev-2");
  ASSERT_TRUE(store->reconcile_findings("i-dev-1", kPackage, {dev}, 1));
  ASSERT_TRUE(store->reconcile_findings("i-prod-1", kPackage, {prod}, 1));
  ASSERT_TRUE(store->reconcile_findings("i-dev-2", kPackage, {gone}, 1));
  ASSERT_TRUE(store->close_findings("i-dev-2", 2));

  Criteria criteria;
  criteria.strings["resourceId"] = {{StringOp::kPrefix, "i-dev"}};
  auto suppressed = store->set_suppressed(criteria, true, "dev boxes", 5);
  ASSERT_TRUE(suppressed) << suppressed.error().message;
  EXPECT_EQ(*suppressed, std::vector<std::string>{dev.finding.id});
  auto stored = store->finding(dev.finding.id);
  EXPECT_EQ((*stored)->finding.status, model::FindingStatus::kSuppressed);
  EXPECT_EQ((*stored)->finding.suppression_reason, "dev boxes");
  EXPECT_EQ((*stored)->updated_at, 5);
  EXPECT_EQ((*store->finding(gone.finding.id))->finding.status, model::FindingStatus::kClosed);
  // Again: nothing changes.
  EXPECT_TRUE(store->set_suppressed(criteria, true, "dev boxes", 6)->empty());

  auto restored = store->set_suppressed(criteria, false, "", 7);
  ASSERT_TRUE(restored);
  EXPECT_EQ(*restored, std::vector<std::string>{dev.finding.id});
  stored = store->finding(dev.finding.id);
  EXPECT_EQ((*stored)->finding.status, model::FindingStatus::kActive);
  EXPECT_EQ((*stored)->finding.suppression_reason, "");
  EXPECT_EQ(events(*store.store, dev.finding.id),
            (std::vector<std::string>{"1 CREATED", "5 SUPPRESSED: dev boxes", "7 UNSUPPRESSED"}));
}

TEST(FindingLifecycleTest, ReconcilesFiveThousandFindingsInOneCall) {
  TestStore store;
  std::vector<StoredFinding> observed;
  for (int index = 0; index < 5000; ++index) {
    observed.push_back(package_finding(fmt::format("{:05}", index), "i-big"));
  }
  auto created = store->reconcile_findings("i-big", kPackage, observed, 1);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->created, 5000U);
  observed.resize(4000);
  auto again = store->reconcile_findings("i-big", kPackage, observed, 2);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 4000U);
  EXPECT_EQ(again->closed, 1000U);
}

TEST(FindingLifecycleTest, BulkInsertStoresFindingsAsGiven) {
  TestStore store;
  int produced = 0;
  auto loaded = bulk_insert_findings(*store.store, [&](StoredFinding& next) -> Result<bool> {
    if (produced == 3) {
      return false;
    }
    next = package_finding(fmt::format("bulk{}", produced), "i-1");
    next.first_observed_at = 10 + produced;
    next.last_observed_at = 20;
    next.updated_at = 30;
    ++produced;
    return true;
  });
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto stored = store->finding(arn_for("bulk1"));
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->first_observed_at, 11);
  EXPECT_EQ(*store->count_findings({}, {}), 3);
}

}  // namespace
}  // namespace vigil::store
