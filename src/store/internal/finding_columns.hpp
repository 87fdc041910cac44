// The indexed columns derived from a StoredFinding: what criteria, sorting and aggregation read
// without parsing the JSON document. Internal to the store module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace vigil::store::internal {

// One vulnerablePackages[] element as Inspector reports it (finding_packages row).
struct PackageRow {
  std::string name;
  std::string version;
  std::optional<std::int64_t> epoch;  // nullopt when the epoch does not fit 64 bits
  std::string release;
  std::string architecture;
  std::string source_layer_hash;
  std::string source_lambda_layer_arn;
  std::string file_path;
};

struct FindingColumns {
  std::string severity;
  int severity_rank = 0;
  std::string vulnerability_source;
  std::string title;
  std::string exploit_available;  // "YES" / "NO"
  std::string fix_available;      // "YES" / "NO" / "PARTIAL"
  std::string ec2_image_id;
  std::string ecr_repository;
  std::string ecr_registry;
  std::optional<std::int64_t> ecr_pushed_at;
  std::optional<std::int64_t> ecr_last_in_use_at;
  std::optional<double> ecr_in_use_count;
  std::string lambda_function_name;
  std::string lambda_runtime;
  std::optional<std::int64_t> lambda_last_modified_at;
  std::string layer;  // image layer digest or Lambda layer ARN that introduced the package
  std::string network_protocol;
  std::string component_type;  // first network path step's componentType
  std::optional<std::int64_t> port_begin;
  std::optional<std::int64_t> port_end;
  std::string details;  // the resource-type details object itself ("{}" when none)
  std::string network;  // NetworkReachabilityDetails ("{}" when none)
  std::string related;  // JSON array of related vulnerability ids
  std::vector<PackageRow> packages;
};

// Derives the columns of `finding`. Returns kInvalidArgument naming the finding when its
// resource details or network JSON is not a JSON object, or a score is not a finite number.
[[nodiscard]] Result<FindingColumns> derive_columns(const StoredFinding& finding);

// Inspector's packageVulnerabilityDetails.source for the finding's advisory sources.
std::string vulnerability_source(const model::Finding& finding);

// Parses an Inspector timestamp: a number of epoch seconds (fractions allowed) or an ISO-8601
// date-time ("2024-05-20T16:23:20Z", "...-07:00"); returns milliseconds, nullopt otherwise.
std::optional<std::int64_t> parse_timestamp_ms(std::string_view text);

}  // namespace vigil::store::internal

namespace vigil::store::internal {

// The columns derived from a resource's details JSON (coverage criteria read them).
struct ResourceDetailColumns {
  std::string details = "{}";  // the details object itself, unwrapped
  std::optional<std::int64_t> image_pulled_at;
  std::optional<std::int64_t> last_in_use_at;
  std::optional<double> in_use_count;
};

// Returns kInvalidArgument when `details_json` is neither empty nor a JSON object.
[[nodiscard]] Result<ResourceDetailColumns> resource_detail_columns(std::string_view details_json);

}  // namespace vigil::store::internal
