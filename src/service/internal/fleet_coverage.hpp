// Coverage decisions: the scan status and reason of each (resource, scan type) row from what
// the service knows about the resource, its account and its repository. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace vigil::service::internal {

struct CoverageInputs {
  store::ResourceRecord resource;
  std::optional<store::Account> account;            // nullopt: account unknown (never enabled)
  std::optional<store::ResourceRecord> repository;  // images: their repository
  std::string scan_outcome;  // the last scan's problem reason ("" = none): UNSUPPORTED_OS, ...
  std::string ecr_rescan_duration = "LIFETIME";  // organisation setting
  bool network_analyzed = false;  // EC2: the account's network bundle was analysed
  store::Timestamp stale_after_ms = 0;
  store::Timestamp now = 0;
};

// The coverage rows of the resource (PACKAGE; plus NETWORK for EC2), status and reason decided
// in this order: scan type disabled for the account (INACTIVE PENDING_DISABLE), terminated
// (RESOURCE_TERMINATED), excluded by tag, stopped, repository MANUAL, eligibility expired,
// no agent (UNMANAGED_EC2_INSTANCE), stale inventory, unsupported runtime, the last scan's
// problem (UNSUPPORTED_OS, ACCESS_DENIED, INTERNAL_ERROR), never scanned (ACTIVE
// PENDING_INITIAL_SCAN), else ACTIVE SUCCESSFUL. The NETWORK row follows enablement,
// termination, exclusion and state, then is ACTIVE SUCCESSFUL once `network_analyzed`, else
// ACTIVE PENDING_INITIAL_SCAN.
std::vector<store::CoverageRecord> decide_coverage(const CoverageInputs& inputs);

// True when the resource's package scan is ACTIVE (it may be matched / re-matched).
bool package_scan_active(const std::vector<store::CoverageRecord>& rows);

// True when the resource may be scanned: ACTIVE, or INACTIVE only because its last scan failed
// (INTERNAL_ERROR, ACCESS_DENIED, UNSUPPORTED_OS), which a new scan retries.
bool scan_allowed(const std::vector<store::CoverageRecord>& rows);

// The repository's scan frequency from its details ("" when unknown).
std::string repository_scan_frequency(const store::ResourceRecord& repository);

// Lambda runtimes Inspector's standard scanning supports ("python3.12", "provided.al2023", ...).
bool supported_lambda_runtime(const std::string& runtime);

// Operating systems the matcher has data for (os-release ID); "" (no OS) is supported.
bool supported_os(const std::string& os_id);

}  // namespace vigil::service::internal
