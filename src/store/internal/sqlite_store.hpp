// SqliteStore: the embedded Store backend. Declared here, implemented across the store's
// focused source files (sqlite_store.cpp: organisation, resources, inventories; findings.cpp:
// the finding lifecycle; finding_query.cpp: listing, counting, aggregation; coverage.cpp;
// jobs.cpp: filters, queue, keys, reports, meta). Internal to the store module.
//
// Concurrency: every mutating call takes the single writer connection under a mutex and runs
// as one BEGIN IMMEDIATE transaction; read-only calls use pooled reader connections that see the
// last committed state (WAL), so HTTP reads proceed while a worker writes.
#pragma once

#include <functional>
#include <memory>

#include "store/internal/db.hpp"
#include "store/store.hpp"

namespace vigil::store::internal {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Database> database, int version)
      : database_(std::move(database)), version_(version) {}

  int schema_version() const override { return version_; }

  Result<OrganizationConfig> organization() override;
  Result<void> put_organization(const OrganizationConfig& config) override;
  Result<std::optional<Account>> account(const std::string& id) override;
  Result<std::vector<Account>> accounts() override;
  Result<void> put_account(const Account& account) override;

  Result<std::optional<ResourceRecord>> resource(const std::string& id) override;
  Result<std::vector<ResourceRecord>> resources(const std::vector<std::string>& account_scope,
                                                const std::string& type) override;
  Result<void> put_resource(const ResourceRecord& resource) override;
  Result<void> put_inventory(const std::string& resource_id, const std::string& hash,
                             const model::Inventory& inventory) override;
  Result<std::optional<model::Inventory>> inventory(const std::string& resource_id) override;
  Result<std::optional<model::Inventory>> inventory(const std::string& resource_id,
                                                    const PackageSelector& select) override;
  Result<std::vector<std::string>> resources_with_packages(
      const std::vector<std::pair<std::string, std::string>>& keys) override;

  Result<void> put_coverage(const CoverageRecord& row) override;
  Result<Page<CoverageRecord>> list_coverage(const Criteria& criteria,
                                             const std::vector<std::string>& account_scope,
                                             std::size_t limit, const std::string& cursor) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> coverage_statistics(
      const Criteria& criteria, const std::vector<std::string>& account_scope,
      const std::string& group_by) override;

  Result<ReconcileSummary> reconcile_findings(const std::string& resource_id,
                                              const std::string& finding_type,
                                              std::vector<StoredFinding> observed,
                                              Timestamp now) override;
  Result<ReconcileSummary> reconcile_package_findings(const std::string& resource_id,
                                                      const std::string& finding_type,
                                                      std::vector<StoredFinding> observed,
                                                      const PackageScope& scope,
                                                      Timestamp now) override;
  Result<PreparedReconcile> prepare_reconcile(const std::string& resource_id,
                                             const std::string& finding_type,
                                             std::vector<StoredFinding> observed,
                                             std::optional<PackageScope> scope) override;
  Result<ReconcileSummary> reconcile(PreparedReconcile prepared, Timestamp now) override;
  Result<void> write_batch(const std::function<Result<void>()>& body) override;
  Result<std::set<std::string>> open_finding_ids(const std::string& resource_id,
                                                 const std::string& finding_type,
                                                 const std::set<std::string>& package_names) override;
  Result<ReconcileSummary> close_findings(const std::string& resource_id, Timestamp now) override;
  Result<void> set_stale(const std::string& resource_id, bool stale) override;
  Result<Page<StoredFinding>> list_findings(const FindingQuery& query) override;
  Result<std::optional<StoredFinding>> finding(const std::string& arn) override;
  Result<std::int64_t> count_findings(const Criteria& criteria,
                                      const std::vector<std::string>& account_scope) override;
  Result<Page<AggregationRow>> aggregate_findings(const AggregationQuery& query) override;
  Result<std::vector<std::string>> set_suppressed(const Criteria& criteria, bool suppressed,
                                                  const std::string& reason,
                                                  Timestamp now) override;
  Result<std::vector<std::pair<Timestamp, std::string>>> finding_history(
      const std::string& arn) override;

  Result<void> put_filter(const FilterRecord& filter) override;
  Result<std::optional<FilterRecord>> filter(const std::string& arn) override;
  Result<std::vector<FilterRecord>> filters(const std::string& owner_id) override;
  Result<bool> delete_filter(const std::string& arn) override;

  Result<std::int64_t> enqueue(const Job& job) override;
  Result<void> enqueue_all(const std::vector<Job>& jobs) override;
  Result<std::optional<Job>> claim_next() override;
  Result<std::vector<Job>> claim_jobs(const std::string& kind, std::size_t max) override;
  Result<void> complete(std::int64_t job_id, bool ok, const std::string& error) override;
  Result<std::size_t> requeue_running() override;
  Result<std::size_t> pending_jobs() override;

  Result<void> put_key(const AccessKey& key) override;
  Result<std::optional<AccessKey>> key(const std::string& access_key_id) override;

  Result<void> put_report(const ReportRecord& report) override;
  Result<std::optional<ReportRecord>> report(const std::string& id) override;

  Result<std::optional<std::string>> meta(const std::string& key) override;
  Result<void> put_meta(const std::string& key, const std::string& value) override;

  // The bulk loader behind store::bulk_insert_findings() (sqlite_store.hpp).
  Result<void> insert_findings(const std::function<Result<bool>(StoredFinding&)>& next);

 private:
  Result<std::optional<model::Inventory>> stored_inventory(const std::string& resource_id,
                                                           const PackageSelector* select);
  std::unique_ptr<Database> database_;
  int version_;
};

}  // namespace vigil::store::internal
