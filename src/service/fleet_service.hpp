// The fleet service behind `vigil serve`: one organisation's accounts, the resources they report
// (agent inventories, EC2 instance lists, container images, functions), a persistent scan queue
// worked by N threads, continuous re-matching of stored inventories when vulnerability data
// changes, the finding lifecycle, coverage for every known resource, org-wide suppression rules
// and SLA reporting. Everything durable goes through store::Store; the HTTP API calls these
// methods and maps their values onto Inspector2's wire shapes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "service/fleet_config.hpp"
#include "service/fleet_events.hpp"
#include "scoring/risk.hpp"
#include "sources/image.hpp"
#include "store/store.hpp"

namespace vigil::inventory {
struct AgentDocument;
}  // namespace vigil::inventory

namespace vigil::service {

class Pipeline;
class FunctionScanner;
struct ResourceContext;
namespace internal {
struct RematchScope;
}  // namespace internal

// Scan-type and coverage vocabulary (Inspector's spellings).
inline constexpr std::string_view kEc2Instance = "AWS_EC2_INSTANCE";
inline constexpr std::string_view kEcrImage = "AWS_ECR_CONTAINER_IMAGE";
inline constexpr std::string_view kEcrRepository = "AWS_ECR_REPOSITORY";
inline constexpr std::string_view kLambdaFunction = "AWS_LAMBDA_FUNCTION";
inline constexpr std::string_view kPackageFinding = "PACKAGE_VULNERABILITY";
inline constexpr std::string_view kNetworkFinding = "NETWORK_REACHABILITY";

struct FleetOptions {
  std::unique_ptr<store::Store> store;      // null: open_sqlite_store(config.data_dir)
  std::function<store::Timestamp()> clock;  // null: store::now_ms
  std::shared_ptr<EventSink> events;        // null: config.events_file's sink, or none
  // The periodic thread checking the vulndb version, running the scheduled update and the
  // stale/eligibility sweep. Off in tests, which call on_vulndb_updated() and sweep().
  bool scheduler = true;
  // Image pulls: registry transport/credentials/insecure and the layer cache ("" cache_dir =
  // <data_dir>/layers).
  sources::ImageOptions image_options;
};

// One account's outcome in Enable/Disable/BatchGetAccountStatus.
struct AccountOutcome {
  std::string account_id;
  std::optional<store::Account> account;  // set on success
  std::string error_code;                 // Inspector ErrorCode on failure
  std::string error_message;
};

struct IngestResult {
  std::string resource_id;
  std::string account_id;
  bool changed = false;     // new content: stored and a scan was queued
  std::int64_t job_id = 0;  // 0 when nothing was queued
};

struct Ec2ImportResult {
  std::size_t instances = 0;
  std::size_t created = 0;  // instances not known before
  std::vector<std::string> resource_ids;
};

// What ingesting one account's network bundle did (ingest_network_bundle).
struct NetworkIngestResult {
  std::string account_id;
  std::size_t files = 0;      // bundle files stored
  std::size_t instances = 0;  // instances analysed (terminated ones are skipped)
  // Instances by summary class (reachability::InstanceReachability::reachability).
  std::size_t internet = 0, vpc = 0, none = 0, unknown = 0;
  std::size_t open_findings = 0;  // NETWORK_REACHABILITY findings the bundle yields
  std::size_t created = 0, reopened = 0, closed = 0;  // finding changes it caused
  std::size_t rematches = 0;       // re-match jobs queued (instances whose class changed)
  std::size_t diagnostics = 0;     // the analysis' diagnostics (warnings, dangling ids, ...)
  std::vector<std::string> diagnostic_messages;  // the first 20, "level where: message"
  double analysis_ms = 0.0;        // load_bundle + analyze
};

struct RepositorySettings {
  std::string account_id;
  std::string name;                             // repository name ("team/app")
  std::string scan_frequency = "SCAN_ON_PUSH";  // MANUAL, SCAN_ON_PUSH, CONTINUOUS_SCAN
  std::map<std::string, std::string> tags;
};

struct ImageRegistration {
  std::string account_id;
  std::string repository;  // must be registered with put_repository
  // What to pull: "oci:DIR[:TAG]", "oci-archive:FILE", "docker-archive:FILE[:REPO:TAG]" or
  // "registry:HOST[:PORT]/REPO@DIGEST" (sources::parse_image_target).
  std::string source;
  std::string digest;  // "sha256:<64 hex>"; "" = learned from the pull (resource id pending)
  std::vector<std::string> tags;
  store::Timestamp pushed_at = 0;  // 0 = now
};

struct FunctionRegistration {
  std::string account_id;
  std::string config_json;  // `aws lambda get-function-configuration` output
  std::filesystem::path code_zip;
  std::vector<std::filesystem::path> layer_zips;  // in the configuration's Layers order
  std::map<std::string, std::string> tags;
};

struct RematchSummary {
  std::int64_t from_version = 0;
  std::int64_t to_version = 0;
  bool full = false;  // every eligible resource, not only the affected ones
  std::size_t changed_advisories = 0;
  std::size_t changed_keys = 0;
  std::size_t kev_added = 0;
  std::size_t kev_removed = 0;  // CVEs a complete KEV catalogue no longer lists
  std::size_t resources_affected = 0;  // resources whose inventory or findings the change touches
  std::size_t jobs_enqueued = 0;       // of those, the ones eligible for scanning
};

struct SweepSummary {
  std::size_t resources = 0;
  std::size_t coverage_changed = 0;
  std::size_t marked_stale = 0;
  std::size_t unmarked_stale = 0;
  std::size_t expired = 0;  // images whose findings were closed for SCAN_ELIGIBILITY_EXPIRED
};

// Due date and overdue state of one finding under a policy (due_at 0 = no SLA for its severity).
struct SlaState {
  store::Timestamp due_at = 0;
  bool overdue = false;  // open past due, or closed after due
};
SlaState sla_state(const store::StoredFinding& finding, const SlaPolicy& policy,
                   store::Timestamp now);

// One cell of the SLA report.
struct SlaRow {
  std::string account_id;
  std::string severity;       // CRITICAL, HIGH, MEDIUM, LOW
  std::string resource_type;  // AWS_EC2_INSTANCE, ...
  std::int64_t open = 0;      // ACTIVE (suppressed findings are excluded from the SLA)
  std::int64_t overdue = 0;   // open past their due date
  std::int64_t closed_within_sla = 0;
  std::int64_t closed_late = 0;
  double mean_time_to_remediate_days = 0.0;  // over closed findings; 0 when none
  friend bool operator==(const SlaRow&, const SlaRow&) = default;
};

class FleetService {
 public:
  // Opens the store, creates the configured organisation's accounts, requeues jobs a crash left
  // claimed, loads the vulnerability database (kNotFound when none exists in the vulndb dir) and
  // starts `config.workers` worker threads (and the scheduler unless disabled).
  [[nodiscard]] static Result<std::unique_ptr<FleetService>> open(FleetConfig config,
                                                                  FleetOptions options = {});
  // Stops gracefully (see stop()).
  ~FleetService();
  FleetService(const FleetService&) = delete;
  FleetService& operator=(const FleetService&) = delete;

  // Stops the scheduler and workers: running scans finish, queued jobs stay queued for the next
  // start. Idempotent.
  void stop();

  const FleetConfig& config() const { return config_; }
  store::Store& store() { return *store_; }

  // ---- Organisation (Inspector2 Enable/Disable/BatchGetAccountStatus, DelegatedAdmin*,
  // OrganizationConfiguration, Members, Get/UpdateConfiguration). Thread-safe.

  // Enables `types` for each account (unknown accounts are created as members). Newly enabled
  // types queue scans of the account's resources of those types. Invalid ids and LAMBDA_CODE
  // without LAMBDA become failed outcomes, not errors; errors are the store's.
  [[nodiscard]] Result<std::vector<AccountOutcome>> enable(const std::vector<std::string>& ids,
                                                           const store::ScanTypes& types);
  // Disables `types` (nullopt = all): history is kept, scans stop, coverage turns INACTIVE
  // with PENDING_DISABLE. The delegated administrator cannot disable everything while it has
  // associated members (error DISASSOCIATE_ALL_MEMBERS).
  [[nodiscard]] Result<std::vector<AccountOutcome>> disable(
      const std::vector<std::string>& ids, const std::optional<store::ScanTypes>& types);
  // Current state of each account; unknown ids fail with RESOURCE_NOT_FOUND.
  [[nodiscard]] Result<std::vector<AccountOutcome>> account_status(
      const std::vector<std::string>& ids);

  // Designates `id` the delegated administrator (kConflict when another one is designated,
  // kInvalidArgument for a bad id). The previous role of the account is replaced.
  [[nodiscard]] Result<void> enable_delegated_admin(const std::string& id);
  // Removes the designation; members stay enabled. kNotFound when `id` is not the administrator.
  [[nodiscard]] Result<void> disable_delegated_admin(const std::string& id);
  [[nodiscard]] Result<std::optional<store::Account>> delegated_admin();

  [[nodiscard]] Result<store::OrganizationConfig> organization_configuration();
  // Sets the scan types new members are enrolled with.
  [[nodiscard]] Result<store::OrganizationConfig> update_organization_configuration(
      const store::ScanTypes& auto_enable);

  // Associates a member (relationship ENABLED, auto-enable types applied when it is new).
  [[nodiscard]] Result<store::Account> associate_member(const std::string& id);
  // Disassociates (relationship REMOVED): its scan types are disabled, history kept.
  [[nodiscard]] Result<store::Account> disassociate_member(const std::string& id);
  [[nodiscard]] Result<std::optional<store::Account>> member(const std::string& id);
  // Members (role kMember); `only_associated` keeps relationship ENABLED ones.
  [[nodiscard]] Result<std::vector<store::Account>> members(bool only_associated);

  // ECR rescan durations (Get/UpdateConfiguration). kInvalidArgument for an unknown duration.
  [[nodiscard]] Result<store::OrganizationConfig> configuration();
  [[nodiscard]] Result<void> update_configuration(const std::string& ecr_rescan_duration,
                                                  const std::string& pull_date_rescan_duration);

  // Returns the account, enrolling an unknown 12-digit id as a member with the auto-enable
  // types (its first report or registration). kInvalidArgument for a bad id.
  [[nodiscard]] Result<store::Account> ensure_account(const std::string& id);

  // ---- Ingest. Thread-safe.

  // An agent inventory document (inventory/agent_document.hpp). The account is the document's
  // or, when it has none, `caller_account`; they must agree when both are given. The same
  // content hash as stored only refreshes the report time (and clears staleness); new content
  // is stored and a match of it queued. kParse / kInvalidArgument for a bad document.
  [[nodiscard]] Result<IngestResult> ingest_agent_document(std::string_view json,
                                                           const std::string& caller_account = "");
  // `aws ec2 describe-instances` output: every instance becomes (or updates) an
  // AWS_EC2_INSTANCE resource of its reservation's OwnerId (or `caller_account`), with state,
  // tags and details, so instances without an agent are covered (UNMANAGED_EC2_INSTANCE,
  // EC2_INSTANCE_STOPPED). kParse for malformed JSON.
  [[nodiscard]] Result<Ec2ImportResult> import_ec2_instances(std::string_view json,
                                                             const std::string& caller_account = "");
  // One account's network description as the AWS CLI prints it (`files`: bundle file name, e.g.
  // "describe-security-groups.json", -> that command's JSON output; see reachability::
  // load_bundle for the names read; other names are ignored). `account_id` "" = the OwnerId of
  // the bundle's instances (which must then be one account). The bundle replaces the account's
  // previous one durably (store meta), its describe-instances is imported as with
  // import_ec2_instances, the reachability analysis runs, each instance's internet-reachable
  // port ranges are reconciled as NETWORK_REACHABILITY findings (a range no longer reachable
  // closes its finding), NETWORK coverage turns SUCCESSFUL and instances whose reachability
  // class changed are queued for a re-match (their package findings are re-scored).
  // kInvalidArgument when no bundle file is given, the account is ambiguous or the bundle's
  // instances belong to another account; kParse for a describe-instances that is not JSON.
  [[nodiscard]] Result<NetworkIngestResult> ingest_network_bundle(
      const std::map<std::string, std::string>& files, const std::string& account_id = "");
  // The same for a bundle directory: its top-level describe-*.json and
  // get-managed-prefix-list-entries.*.json files. kNotFound when `dir` holds none.
  [[nodiscard]] Result<NetworkIngestResult> ingest_network_directory(
      const std::filesystem::path& dir, const std::string& account_id = "");
  // The reachability class of an instance from its account's latest analysed bundle (kUnknown
  // when none was ingested or the instance is not in it). Loads and analyses a stored bundle
  // after a restart on first use. Thread-safe.
  [[nodiscard]] Result<scoring::Reachability> instance_reachability(const std::string& account_id,
                                                                    const std::string& instance_id);

  // Creates or updates a repository (AWS_ECR_REPOSITORY); returns its ARN.
  [[nodiscard]] Result<std::string> put_repository(const RepositorySettings& settings);
  // Registers an image and, unless its repository is MANUAL, queues its pull and scan.
  // kNotFound for an unknown repository, kInvalidArgument for a bad source or digest.
  [[nodiscard]] Result<IngestResult> register_image(const ImageRegistration& image);
  // A CNCF Distribution registry notification envelope: each "push" event of a manifest whose
  // repository is registered (any account's, by name; `account_id` first) is registered as an
  // image "registry:<request.host>/<repository>@<digest>". Other events are ignored.
  [[nodiscard]] Result<std::vector<IngestResult>> ingest_registry_notification(
      std::string_view json, const std::string& account_id);
  // Registers a function ($LATEST) with its configuration and bundle; queues its scan.
  // kParse for a bad configuration.
  [[nodiscard]] Result<IngestResult> register_function(const FunctionRegistration& function);

  // ---- Queue and scanning.

  // Runs up to `max_jobs` queued jobs in the calling thread (for workers = 0 and tests).
  // Returns how many ran. Job failures are recorded on the job and in coverage, not returned.
  [[nodiscard]] Result<std::size_t> run_pending(std::size_t max_jobs = SIZE_MAX);
  // Waits until the queue is empty and no worker is busy, or `timeout` passes; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout);

  // Applies the vulndb change feed since the last applied version: reloads the match index,
  // queues a re-match of the resources whose stored inventory holds a changed package key and
  // of those with findings of a CVE newly in KEV (every scanned resource when EPSS changed).
  // Nothing is re-collected. Records the applied version.
  [[nodiscard]] Result<RematchSummary> on_vulndb_updated();
  // Reloads the index and queues a re-match of every eligible resource.
  [[nodiscard]] Result<RematchSummary> rematch_all();

  // Recomputes coverage of every resource at the current time: stale agents (findings marked
  // stale), images past their rescan duration (findings closed), and back.
  [[nodiscard]] Result<SweepSummary> sweep();
  // Recomputes and stores the coverage rows of one resource; returns them.
  [[nodiscard]] Result<std::vector<store::CoverageRecord>> refresh_coverage(
      const std::string& resource_id);

  // ---- Suppression rules (Create/Update/DeleteFilter). Thread-safe.

  // Stores a filter owned by the organisation (caller = delegated administrator) or the
  // standalone caller, with a new ARN; a SUPPRESS rule suppresses matching open findings now
  // and later ones as they appear. kInvalidArgument for a member caller, a bad name or action,
  // or an unknown criteria field.
  [[nodiscard]] Result<store::FilterRecord> create_filter(store::FilterRecord filter,
                                                          const std::string& caller_account);
  // Replaces the filter `filter.arn` (criteria, action, name, reason, description, tags) and
  // re-applies every rule. kNotFound for an unknown ARN.
  [[nodiscard]] Result<store::FilterRecord> update_filter(store::FilterRecord filter,
                                                          const std::string& caller_account);
  // Deletes a filter; findings it alone suppressed return to ACTIVE. kNotFound when unknown.
  [[nodiscard]] Result<void> delete_filter(const std::string& arn,
                                           const std::string& caller_account);

  // ---- SLA.

  // Findings of `account_scope` (empty = all) grouped by account x severity x resource type.
  [[nodiscard]] Result<std::vector<SlaRow>> sla_report(
      const std::vector<std::string>& account_scope);

  store::Timestamp now() const { return clock_(); }

 private:
  struct Job;
  FleetService(FleetConfig config, FleetOptions options);

  // org.cpp
  Result<void> seed_organization();
  Result<void> queue_account_scans(const std::string& account_id, const store::ScanTypes& types);
  bool scan_type_enabled(const store::Account& account, std::string_view resource_type) const;
  // ingest.cpp
  Result<std::int64_t> enqueue(const std::string& kind, const std::string& resource_id,
                               const std::string& payload);
  // queue_worker.cpp
  void worker_loop(std::stop_token stop);
  void scheduler_loop(std::stop_token stop);
  Result<void> run_job(const store::Job& job);
  Result<void> collect_image(const store::Job& job, const store::ResourceRecord& resource);
  Result<void> collect_function(const store::Job& job, const store::ResourceRecord& resource);
  // match.cpp: `scope` limits the re-match to the packages and findings a database change
  // touched (nullptr = everything). match_resource = prepare_match + write_match +
  // publish_match under the resource's lock; a batch of re-matches prepares each, writes them
  // all in one store transaction, then publishes.
  struct PreparedMatch {
    store::ResourceRecord resource;
    std::string region;
    store::Timestamp time = 0;
    store::PreparedReconcile findings;  // observed, derived outside the writer
    bool partial = false;               // a partial re-match (a PackageScope)
    std::map<std::string, std::int64_t> counts;
    store::ReconcileSummary summary;  // filled by write_match
    bool initial = false;
  };
  Result<void> match_resource(const std::string& resource_id,
                              const internal::RematchScope* scope = nullptr);
  Result<std::optional<PreparedMatch>> prepare_match(const std::string& resource_id,
                                                     const internal::RematchScope* scope);
  Result<void> write_match(PreparedMatch& prepared);
  void publish_match(const PreparedMatch& prepared);
  // queue.cpp: runs claimed "rematch" jobs as one batch and completes them.
  void run_rematch_batch(std::vector<store::Job> jobs);
  void record_scan_error(const std::string& resource_id, const std::string& reason);
  std::mutex& resource_lock(const std::string& resource_id);
  // rescan.cpp
  Result<void> reload_pipeline();
  // Queues a re-match of each resource: of what `scope` touches for `partial` ones (when
  // `scope` is given), of everything for `full` ones.
  Result<RematchSummary> queue_rematch(std::vector<std::string> partial,
                                       std::vector<std::string> full,
                                       const internal::RematchScope* scope,
                                       RematchSummary summary);
  // network.cpp
  struct NetworkState;
  Result<std::shared_ptr<const NetworkState>> network_state(const std::string& account_id);
  Result<NetworkIngestResult> apply_network_bundle(std::map<std::string, std::string> files,
                                                   std::string account_id);
  // The agent's listening sockets, kept per instance for resolve_reachability (none: cleared).
  Result<void> store_listening_sockets(const inventory::AgentDocument& document);
  // context.reachability from the instance's class and, when its agent reported listening
  // sockets and a bundle knows it, per-package classes from the ports the packages listen on.
  Result<void> resolve_reachability(const std::string& account_id, const std::string& instance_id,
                                    const model::Inventory& inventory, ResourceContext& context);
  // coverage.cpp
  Result<std::vector<store::CoverageRecord>> refresh_coverage_locked(
      const store::ResourceRecord& resource, SweepSummary* summary);
  // suppression_rules.cpp
  Result<std::vector<store::FilterRecord>> suppression_rules();
  Result<void> reapply_rules(const std::vector<std::string>& previously_suppressed);
  // events
  void publish(FleetEvent event);
  void publish_finding_changes(const std::string& resource_id,
                               const std::vector<std::string>& ids, store::Timestamp now);

  FleetConfig config_;
  std::unique_ptr<store::Store> store_;
  std::function<store::Timestamp()> clock_;
  std::shared_ptr<EventSink> events_;
  sources::ImageOptions image_options_;
  bool run_scheduler_ = true;

  std::mutex pipeline_mutex_;  // guards swapping pipeline_ on reload; scans share a snapshot
  std::shared_ptr<Pipeline> pipeline_;
  std::mutex collect_mutex_;  // FunctionScanner is not thread-safe
  std::unique_ptr<FunctionScanner> function_scanner_;
  std::mutex rematch_mutex_;  // one change-feed application at a time
  std::mutex rules_mutex_;    // filter changes
  std::mutex network_ingest_mutex_;  // one network bundle at a time
  std::mutex network_mutex_;  // guards network_ (never held while taking a resource lock)
  // Per account: the analysis of its latest bundle (null: none stored), loaded lazily.
  std::map<std::string, std::shared_ptr<const NetworkState>> network_;

  // One scan of a resource at a time: a mutex per resource id, made on first use and kept for
  // the life of the service (tens of bytes per resource). Striped locks made two workers' batches
  // of re-matches wait for each other whenever any two of their resources shared a stripe.
  std::mutex resource_locks_mutex_;
  std::unordered_map<std::string, std::unique_ptr<std::mutex>> resource_locks_;

  std::mutex queue_mutex_;
  std::condition_variable_any queue_cv_;
  std::size_t busy_workers_ = 0;
  // Bumped (under queue_mutex_) whenever jobs are enqueued: an idle worker wakes on a change,
  // not at its next poll.
  std::uint64_t queue_signal_ = 0;
  void signal_queue();
  std::vector<std::jthread> workers_;
  std::jthread scheduler_;
  bool stopped_ = false;
};

}  // namespace vigil::service
