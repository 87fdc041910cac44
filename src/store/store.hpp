// The service's durable state behind one interface: organisation and accounts, resources and
// their inventories, findings with their lifecycle, coverage, suppression filters, the scan
// queue, access keys and report/export jobs. SqliteStore (sqlite_store.hpp) is the embedded
// default; a PostgreSQL backend implements the same interface. Every mutating call is one
// transaction: it either happens entirely or not at all, and once it returns it survives kill -9.
//
// Field names in criteria, sort keys and aggregation keys are Inspector2's own (FilterCriteria
// members such as "severity", "vulnerablePackages", "resourceTags"), so the API layer maps its
// JSON onto these types without a translation table of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/finding.hpp"
#include "model/inventory.hpp"

namespace vigil::store {

// Milliseconds since the Unix epoch, UTC. 0 means "never".
using Timestamp = std::int64_t;

// ---------------------------------------------------------------------------------------------
// Organisation

enum class AccountRole { kStandalone, kManagement, kDelegatedAdmin, kMember };

// Per-account enablement of each scan type (Inspector's resourceState).
struct ScanTypes {
  bool ec2 = false;
  bool ecr = false;
  bool lambda = false;
  bool lambda_code = false;
  friend bool operator==(const ScanTypes&, const ScanTypes&) = default;
};

struct Account {
  std::string id;  // 12 digits
  AccountRole role = AccountRole::kMember;
  ScanTypes enabled;
  // Inspector's RelationshipStatus for members: "ENABLED", "CREATED", "DISABLED",
  // "DISASSOCIATED", "REMOVED", ... ; "" for the administrator itself.
  std::string relationship_status;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  friend bool operator==(const Account&, const Account&) = default;
};

struct OrganizationConfig {
  std::string organization_id;  // "o-..." ; empty when no organisation is configured
  ScanTypes auto_enable;        // applied to a member the moment it joins
  std::string ecr_rescan_duration = "LIFETIME";  // DAYS_30, DAYS_180, LIFETIME, ...
  std::string ecr_pull_date_rescan_duration;     // optional, newer model
  std::int64_t stale_inventory_after_ms = 7LL * 24 * 3600 * 1000;
  friend bool operator==(const OrganizationConfig&, const OrganizationConfig&) = default;
};

// ---------------------------------------------------------------------------------------------
// Resources, inventories, coverage

// Inspector resource types: "AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER_IMAGE", "AWS_ECR_REPOSITORY",
// "AWS_LAMBDA_FUNCTION".
struct ResourceRecord {
  std::string id;  // i-..., image ARN, repository ARN, function ARN
  std::string account_id;
  std::string region;
  std::string type;
  std::string name;  // hostname, repo:tag, function name
  std::map<std::string, std::string> tags;
  std::string details_json;  // Inspector's ResourceDetails member for this type, as JSON
  std::string state;         // "running", "stopped", "terminated", "" (not applicable)
  std::string scan_mode;     // "EC2_SSM_AGENT_BASED", "EC2_AGENTLESS", ""
  std::string inventory_hash;       // content hash of the latest stored inventory ("" = none)
  Timestamp inventory_reported_at = 0;  // when that inventory arrived
  Timestamp last_scanned_at = 0;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  friend bool operator==(const ResourceRecord&, const ResourceRecord&) = default;
};

// One coverage row per (resource, scan type) as Inspector lists them.
struct CoverageRecord {
  std::string resource_id;
  std::string account_id;
  std::string resource_type;
  std::string scan_type;    // "PACKAGE", "NETWORK", "CODE"
  std::string status_code;  // "ACTIVE", "INACTIVE"
  std::string reason;       // "SUCCESSFUL", "PENDING_INITIAL_SCAN", "STALE_INVENTORY", ...
  Timestamp last_scanned_at = 0;
  Timestamp updated_at = 0;
  friend bool operator==(const CoverageRecord&, const CoverageRecord&) = default;
};

// ---------------------------------------------------------------------------------------------
// Criteria over findings / coverage (Inspector's FilterCriteria, field by field)

enum class StringOp { kEquals, kPrefix, kNotEquals };

struct StringFilter {
  StringOp op = StringOp::kEquals;
  std::string value;
};
struct DateFilter {  // inclusive; 0 = open end
  Timestamp start = 0;
  Timestamp end = 0;
};
struct NumberFilter {  // inclusive; nullopt = open end
  std::optional<double> lower;
  std::optional<double> upper;
};
struct MapFilter {  // resourceTags etc.; only EQUALS exists in the model
  std::string key;
  std::string value;
};
struct PortRangeFilter {
  std::optional<int> begin_inclusive;
  std::optional<int> end_inclusive;
};
// vulnerablePackages: every present member must match the same package.
struct PackageFilter {
  std::optional<StringFilter> name, version, epoch_number, release, architecture, source_layer_hash,
      source_lambda_layer_arn, file_path;
  std::optional<NumberFilter> epoch;
};

// Per Inspector: filters of one field are OR-ed, different fields are AND-ed, except that
// several NOT_EQUALS filters of one field are AND-ed ("none of these").
struct Criteria {
  std::map<std::string, std::vector<StringFilter>> strings;  // "severity", "awsAccountId", ...
  std::map<std::string, std::vector<DateFilter>> dates;      // "firstObservedAt", ...
  std::map<std::string, std::vector<NumberFilter>> numbers;  // "inspectorScore", "epssScore"
  std::map<std::string, std::vector<MapFilter>> maps;        // "resourceTags", ...
  std::map<std::string, std::vector<PortRangeFilter>> ports;  // "portRange"
  std::vector<PackageFilter> packages;                       // "vulnerablePackages"
  bool empty() const {
    return strings.empty() && dates.empty() && numbers.empty() && maps.empty() && ports.empty() &&
           packages.empty();
  }
};

// Returns the criteria field names the store can evaluate for findings (every FilterCriteria
// member except the code-scanning ones); anything else is rejected by the store with
// kInvalidArgument naming the field.
const std::vector<std::string>& finding_criteria_fields();

// ---------------------------------------------------------------------------------------------
// Findings

// A finding as stored: the model finding plus the Inspector fields the service maintains.
struct StoredFinding {
  model::Finding finding;  // finding.id is the ARN; finding.status the lifecycle status
  std::string type = "PACKAGE_VULNERABILITY";  // or "NETWORK_REACHABILITY"
  std::string resource_type;                  // Inspector resource type
  std::string region;
  std::map<std::string, std::string> resource_tags;
  std::string resource_details_json;  // copied from the resource at observation time
  std::string network_json;           // NetworkReachabilityDetails for network findings
  Timestamp first_observed_at = 0;
  Timestamp last_observed_at = 0;
  Timestamp updated_at = 0;
  Timestamp closed_at = 0;  // 0 unless CLOSED
  bool stale = false;       // the resource's inventory is stale; finding kept, marked
  friend bool operator==(const StoredFinding&, const StoredFinding&) = default;
};

// What a partial re-scan re-evaluated (see Store::reconcile_package_findings).
struct PackageScope {
  std::set<std::string> package_names;  // every instance of each name was matched again
  // When given, the vulnerability ids (advisory ids and their aliases) whose data changed: an
  // observed finding that is open in the store and names none of them (neither as its
  // vulnerability id nor as an alias) is known to be unchanged and is not rewritten.
  std::optional<std::set<std::string>> changed_vulnerabilities;
  // Finding ids observed again without being rebuilt (open, and no changed id touches them):
  // they stay as stored, and are not closed.
  std::vector<std::string> unchanged;
  // When given, the ids of the resource's open findings of this type on `package_names` as the
  // caller read them (open_finding_ids) while holding the resource's scan lock, so that nothing
  // changed them since: reconcile uses them instead of reading them again inside the writer.
  std::optional<std::set<std::string>> open_ids = std::nullopt;
};

struct ReconcileSummary {
  std::size_t created = 0;
  std::size_t reopened = 0;
  std::size_t updated = 0;    // score, severity, fix, suppression or KEV/EPSS data changed
  std::size_t unchanged = 0;  // lastObservedAt refreshed only
  std::size_t closed = 0;
  std::vector<std::string> changed_ids;  // created + reopened + updated + closed, for events
};

// One scan's observed findings, checked, with every stored column and document derived ahead
// of the write (Store::prepare_reconcile): the CPU-heavy half of a reconcile, made outside the
// writer so that scans preparing on other threads overlap with the one writing.
class PreparedReconcile {
 public:
  struct State;  // the store's own
  PreparedReconcile();
  explicit PreparedReconcile(std::unique_ptr<State> state);
  PreparedReconcile(PreparedReconcile&&) noexcept;
  PreparedReconcile& operator=(PreparedReconcile&&) noexcept;
  ~PreparedReconcile();
  State* state() const { return state_.get(); }

 private:
  std::unique_ptr<State> state_;
};

// One stored package's identity, as Store::inventory's selector sees it (views into the stored
// document, valid during the call).
struct PackageHead {
  model::Ecosystem ecosystem = model::Ecosystem::kGeneric;
  std::string_view name;
  std::string_view source_name;
};
using PackageSelector =
    std::function<std::optional<std::set<std::string>>(const std::vector<PackageHead>&)>;

enum class SortOrder { kAscending, kDescending };

struct FindingQuery {
  Criteria criteria;
  std::vector<std::string> account_scope;  // empty = every account (delegated administrator)
  // Inspector SortField names: "SEVERITY", "LAST_OBSERVED_AT", "FIRST_OBSERVED_AT",
  // "INSPECTOR_SCORE", "EPSS_SCORE", "VULNERABILITY_ID", "AWS_ACCOUNT_ID", ... ; default
  // SEVERITY desc then LAST_OBSERVED_AT desc. Ties always break on the finding id.
  std::string sort_field;
  SortOrder sort_order = SortOrder::kDescending;
  std::size_t limit = 100;
  std::string cursor;  // opaque; "" = first page
};

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // "" = no more
};

// ListFindingAggregations: group findings of the query by one key and count by severity.
struct AggregationQuery {
  Criteria criteria;  // the aggregation's own filters, already mapped onto finding fields
  std::vector<std::string> account_scope;
  // "ACCOUNT", "AMI", "AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER", "IMAGE_LAYER", "PACKAGE",
  // "REPOSITORY", "TITLE", "AWS_LAMBDA_FUNCTION", "LAMBDA_LAYER", "FINDING_TYPE", ...
  std::string aggregation_type;
  std::string sort_by = "CRITICAL";  // CRITICAL, HIGH, ALL, ...
  SortOrder sort_order = SortOrder::kDescending;
  std::size_t limit = 100;
  std::string cursor;
};

struct AggregationRow {
  std::string key;                          // the group value (account id, package name, ...)
  std::map<std::string, std::string> attrs;  // extra columns (resource type, repository, ...)
  std::int64_t all = 0, critical = 0, high = 0, medium = 0, low = 0;
};

// ---------------------------------------------------------------------------------------------
// Suppression filters, queue, keys, jobs

struct FilterRecord {
  std::string arn;
  std::string owner_id;  // account or organisation id
  std::string name;
  std::string action;    // "SUPPRESS" or "NONE"
  Criteria criteria;
  std::string criteria_json;  // as given, for display
  std::string description, reason;
  std::map<std::string, std::string> tags;
  Timestamp created_at = 0, updated_at = 0;
};

struct Job {
  std::int64_t id = 0;
  std::string kind;        // "scan_inventory", "scan_image", "scan_function", "rematch", ...
  std::string resource_id;
  std::string payload;     // JSON
  int attempts = 0;
  Timestamp enqueued_at = 0;
};

struct AccessKey {
  std::string access_key_id;  // "AKIA..." style, 20 chars
  std::string secret;         // stored as the backend's at-rest form decides; see docs/api.md
  std::string account_id;
  std::string role;  // "admin", "member", "readonly"
  Timestamp created_at = 0;
  bool disabled = false;
};

// CreateFindingsReport / CreateSbomExport jobs.
struct ReportRecord {
  std::string id;    // UUID
  std::string kind;  // "findings" or "sbom"
  std::string account_id;  // requester
  std::string format;      // CSV, JSON, CYCLONEDX_1_4/1_6, SPDX_2_3
  std::string status;      // IN_PROGRESS, SUCCEEDED, FAILED, CANCELLED
  std::string error_code, error_message;
  std::string request_json;  // filter criteria and destination as requested
  std::string destination;   // path written
  Timestamp created_at = 0, updated_at = 0;
};

// ---------------------------------------------------------------------------------------------

class Store {
 public:
  virtual ~Store() = default;

  // Schema version the store is at (migrated forward on open).
  virtual int schema_version() const = 0;

  // Organisation.
  virtual Result<OrganizationConfig> organization() = 0;
  virtual Result<void> put_organization(const OrganizationConfig& config) = 0;
  virtual Result<std::optional<Account>> account(const std::string& id) = 0;
  virtual Result<std::vector<Account>> accounts() = 0;
  virtual Result<void> put_account(const Account& account) = 0;  // insert or replace

  // Resources and inventories.
  virtual Result<std::optional<ResourceRecord>> resource(const std::string& id) = 0;
  virtual Result<std::vector<ResourceRecord>> resources(const std::vector<std::string>& account_scope,
                                                        const std::string& type = "") = 0;
  virtual Result<void> put_resource(const ResourceRecord& resource) = 0;
  // Stores `inventory` as the resource's current one (replacing the previous) and indexes its
  // package keys for incremental re-matching. Idempotent for an identical hash.
  virtual Result<void> put_inventory(const std::string& resource_id, const std::string& hash,
                                     const model::Inventory& inventory) = 0;
  virtual Result<std::optional<model::Inventory>> inventory(const std::string& resource_id) = 0;
  // The same, decoding only the packages `select` picks: it sees every package's head (in
  // inventory order) and returns the names whose packages to decode, or nullopt for all. A
  // partial re-match needs a handful of a host's hundreds of packages.
  virtual Result<std::optional<model::Inventory>> inventory(const std::string& resource_id,
                                                            const PackageSelector& select) = 0;
  // Resources whose current inventory holds a package with one of these (ecosystem name,
  // normalised package name) keys — those a vulnerability-data change can affect.
  virtual Result<std::vector<std::string>> resources_with_packages(
      const std::vector<std::pair<std::string, std::string>>& keys) = 0;

  // Coverage.
  virtual Result<void> put_coverage(const CoverageRecord& row) = 0;
  virtual Result<Page<CoverageRecord>> list_coverage(const Criteria& criteria,
                                                     const std::vector<std::string>& account_scope,
                                                     std::size_t limit, const std::string& cursor) = 0;
  // Counts rows matching `criteria` grouped by "SCAN_STATUS_CODE", "SCAN_STATUS_REASON",
  // "ACCOUNT_ID", "RESOURCE_TYPE", "ECR_REPOSITORY_NAME" ("" = total only).
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> coverage_statistics(
      const Criteria& criteria, const std::vector<std::string>& account_scope,
      const std::string& group_by) = 0;

  // Findings. `observed` is everything one scan of `resource_id` found (status ACTIVE or
  // SUPPRESSED already decided). Present ones are created, reopened or refreshed; the
  // resource's open findings of `finding_type` that are absent become CLOSED.
  virtual Result<ReconcileSummary> reconcile_findings(const std::string& resource_id,
                                                      const std::string& finding_type,
                                                      std::vector<StoredFinding> observed,
                                                      Timestamp now) = 0;
  // The same for a partial re-scan that re-evaluated only the packages named in
  // `scope.package_names` (every package instance of each name): only the resource's open
  // findings of `finding_type` on one of those packages can become CLOSED; the others are left
  // untouched. With `scope.changed_vulnerabilities`, open findings observed again that none of
  // the changed ids touch are skipped (a database update rewrites only what it changed).
  virtual Result<ReconcileSummary> reconcile_package_findings(
      const std::string& resource_id, const std::string& finding_type,
      std::vector<StoredFinding> observed, const PackageScope& scope, Timestamp now) = 0;
  // The two halves of either reconcile above: prepare_reconcile validates `observed` and
  // derives what will be written (no store access; any thread, no lock), reconcile writes it.
  // `scope` null = reconcile_findings, else reconcile_package_findings.
  virtual Result<PreparedReconcile> prepare_reconcile(const std::string& resource_id,
                                                     const std::string& finding_type,
                                                     std::vector<StoredFinding> observed,
                                                     std::optional<PackageScope> scope) = 0;
  virtual Result<ReconcileSummary> reconcile(PreparedReconcile prepared, Timestamp now) = 0;
  // The ids of the resource's open findings of `finding_type` on one of `package_names`.
  virtual Result<std::set<std::string>> open_finding_ids(
      const std::string& resource_id, const std::string& finding_type,
      const std::set<std::string>& package_names) = 0;
  // Runs `body`, whose store calls on this thread share one transaction: a group of small
  // writes (a round of re-matches) commits once instead of once per call, and atomically —
  // nothing of it is durable unless `body` succeeds. Reads through this interface in `body` may
  // not see its own uncommitted writes; `body` must not wait on other threads that write.
  virtual Result<void> write_batch(const std::function<Result<void>()>& body) = 0;
  // Closes every open finding of the resource (terminated, disabled, eligibility expired).
  virtual Result<ReconcileSummary> close_findings(const std::string& resource_id, Timestamp now) = 0;
  virtual Result<void> set_stale(const std::string& resource_id, bool stale) = 0;
  virtual Result<Page<StoredFinding>> list_findings(const FindingQuery& query) = 0;
  virtual Result<std::optional<StoredFinding>> finding(const std::string& arn) = 0;
  virtual Result<std::int64_t> count_findings(const Criteria& criteria,
                                              const std::vector<std::string>& account_scope) = 0;
  virtual Result<Page<AggregationRow>> aggregate_findings(const AggregationQuery& query) = 0;
  // Sets status SUPPRESSED (with reason) or back to ACTIVE for open findings matching
  // `criteria`; returns the ids whose status changed. Used when filters change.
  virtual Result<std::vector<std::string>> set_suppressed(const Criteria& criteria, bool suppressed,
                                                          const std::string& reason, Timestamp now) = 0;
  // The lifecycle events of one finding ("CREATED", "UPDATED: inspectorScore 7.5 -> 9.8", ...).
  virtual Result<std::vector<std::pair<Timestamp, std::string>>> finding_history(
      const std::string& arn) = 0;

  // Suppression filters.
  virtual Result<void> put_filter(const FilterRecord& filter) = 0;
  virtual Result<std::optional<FilterRecord>> filter(const std::string& arn) = 0;
  virtual Result<std::vector<FilterRecord>> filters(const std::string& owner_id = "") = 0;
  virtual Result<bool> delete_filter(const std::string& arn) = 0;

  // Persistent scan queue: jobs survive restarts; claimed jobs not completed before a crash are
  // handed out again by requeue_running() (called on start).
  virtual Result<std::int64_t> enqueue(const Job& job) = 0;
  // Enqueues every job in one transaction: all or none.
  virtual Result<void> enqueue_all(const std::vector<Job>& jobs) = 0;
  virtual Result<std::optional<Job>> claim_next() = 0;
  // Claims up to `max` queued jobs of `kind`, oldest first, as claim_next does one.
  virtual Result<std::vector<Job>> claim_jobs(const std::string& kind, std::size_t max) = 0;
  virtual Result<void> complete(std::int64_t job_id, bool ok, const std::string& error) = 0;
  virtual Result<std::size_t> requeue_running() = 0;
  virtual Result<std::size_t> pending_jobs() = 0;

  // Access keys.
  virtual Result<void> put_key(const AccessKey& key) = 0;
  virtual Result<std::optional<AccessKey>> key(const std::string& access_key_id) = 0;

  // Reports and SBOM exports.
  virtual Result<void> put_report(const ReportRecord& report) = 0;
  virtual Result<std::optional<ReportRecord>> report(const std::string& id) = 0;

  // Small key/value state ("vulndb.change_seq", "config.*").
  virtual Result<std::optional<std::string>> meta(const std::string& key) = 0;
  virtual Result<void> put_meta(const std::string& key, const std::string& value) = 0;
};

// Opens (creating and migrating) the embedded SQLite store in `dir` (store.db, WAL mode).
[[nodiscard]] Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& dir);

// Milliseconds since the epoch now.
Timestamp now_ms();

}  // namespace vigil::store
