// The one place the pipeline stages are wired: open a target, catalog it, match the inventory
// against the vulnerability database, and turn matches into scored, explained findings.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "matcher/matcher.hpp"
#include "model/finding.hpp"
#include "model/inventory.hpp"
#include "scoring/risk.hpp"
#include "sources/file_tree.hpp"
#include "vulndb/database.hpp"

namespace vigil::service {

// How far one package's listening port can be reached, and the rule that decided it (named in
// the score explanations); see service/package_reachability.hpp.
struct PackageReachability {
  scoring::Reachability reachability = scoring::Reachability::kUnknown;
  std::string rule;
};

// Where the scanned inventory lives, for finding ids and scores.
struct ResourceContext {
  std::string account_id = "000000000000";
  std::string region = "local";
  std::string resource_id;  // defaults to the inventory target
  std::string resource_type = "host";
  scoring::Reachability reachability = scoring::Reachability::kUnknown;
  scoring::Criticality criticality = scoring::Criticality::kNormal;
  // From the host agent's listening sockets: overrides of `reachability` per (ecosystem, package
  // name), and the rule stated for the other packages ("" = no sockets known, nothing stated).
  std::map<std::pair<model::Ecosystem, std::string>, PackageReachability> package_reachability;
  std::string reachability_rule;
};

struct ScanResult {
  model::Inventory inventory;
  std::vector<model::Finding> findings;  // sorted by vigil risk, highest first
  std::vector<std::string> unbuilt_ids;  // ids of matches scan_inventory's `build` declined
  std::vector<model::Diagnostic> diagnostics;  // inventory + matching problems
};

class Pipeline {
 public:
  // Opens the vulnerability database in `db_dir` and loads its match index. Returns kNotFound
  // when no database exists there.
  [[nodiscard]] static Result<std::unique_ptr<Pipeline>> open(const std::filesystem::path& db_dir);

  // This pipeline after the database in `db_dir` changed by `changes`: a new database handle
  // and the match index rebuilt for the changed keys only (MatchIndex::updated), the rest shared.
  [[nodiscard]] Result<std::unique_ptr<Pipeline>> updated(const std::filesystem::path& db_dir,
                                                          const vulndb::ChangeSet& changes) const;

  // Catalogs `tree` and matches it.
  [[nodiscard]] Result<ScanResult> scan_tree(const sources::FileTree& tree, std::string target,
                                             const ResourceContext& context);

  // Matches an inventory collected elsewhere (an agent report, an SBOM). scan_inventory and
  // scan_tree may run concurrently on one Pipeline (the index is read-only; database reads for
  // vulnerability intelligence are serialised and cached).
  // With `build`, a match becomes a finding only when build(finding id, match) is true; the ids
  // of the others are listed in ScanResult::unbuilt_ids (a re-match that knows them unchanged).
  using BuildFilter = std::function<bool(const std::string& finding_id, const matcher::Match&)>;
  [[nodiscard]] Result<ScanResult> scan_inventory(model::Inventory inventory,
                                                  const ResourceContext& context,
                                                  const BuildFilter& build = {});

  const matcher::MatchIndex& index() const { return index_; }

 private:
  Pipeline(std::unique_ptr<vulndb::Database> db, matcher::MatchIndex index)
      : db_(std::move(db)), index_(std::move(index)) {}

  // Builds the finding for one match (CVSS from every source, KEV, EPSS, both scores).
  Result<model::Finding> build_finding(const model::Inventory& inventory,
                                       const matcher::Match& match,
                                       const ResourceContext& context, std::string id);

  struct Intel {
    std::vector<model::CvssRecord> nvd_cvss;  // NVD metrics for a CVE
    std::string nvd_description;
    std::vector<std::string> nvd_references;
    std::optional<model::KevEntry> kev;
    std::optional<model::EpssScore> epss;
  };
  Result<const Intel*> intel_for(const std::string& vulnerability_id);

  std::unique_ptr<vulndb::Database> db_;
  matcher::MatchIndex index_;
  std::mutex intel_mutex_;  // guards db_ and intel_cache_ (entries are never erased)
  std::map<std::string, Intel> intel_cache_;
};

// A stable finding id: "arn:vigil:inspector2:<region>:<account>:finding/<32 hex>" derived from
// the account, resource, package (ecosystem, name, version, first location) and vulnerability.
std::string finding_arn(const ResourceContext& context, const std::string& resource_id,
                        const model::Package& package, const std::string& vulnerability_id);

}  // namespace vigil::service
