// `vigil simulate fleet`: generates a whole organisation as real artefacts that the rest of Vigil
// consumes unchanged — organization.json, agent inventory documents per host, function
// configurations with code and shared layer zips, OCI image layouts sharing base layers,
// repositories.json and the AWS CLI network JSON per account. Deterministic by seed: the same
// options give a byte-identical tree. See docs/simulate.md for the layout.
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/result.hpp"

namespace vigil::simulate {

struct FleetOptions {
  uint64_t accounts = 3;
  uint64_t hosts = 400;
  uint64_t functions = 1800;
  uint64_t images = 200;
  uint64_t repos = 35;
  uint64_t seed = 1;
  bool force = false;  // replace an existing non-empty OUT
};

// Limits on the options (beyond them a run is a mistake, not a fleet).
inline constexpr uint64_t kMaxAccounts = 1000;
inline constexpr uint64_t kMaxResources = 100000;  // hosts, functions, images, repos each

struct FleetSummary {
  uint64_t accounts = 0;
  uint64_t hosts = 0;
  uint64_t host_documents = 0;  // managed hosts (unmanaged ones have none)
  uint64_t hosts_stopped = 0;
  uint64_t hosts_unmanaged = 0;
  uint64_t hosts_excluded = 0;  // tagged InspectorEc2Exclusion
  uint64_t host_packages = 0;   // summed over documents
  uint64_t functions = 0;
  uint64_t function_layers = 0;  // distinct layer zips
  uint64_t images = 0;
  uint64_t repositories = 0;
  uint64_t base_layers = 0;  // distinct base-image layers shared by the images
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// Checks `options` against the limits. kInvalidArgument naming the option.
[[nodiscard]] Result<void> validate_options(const FleetOptions& options);

// Generates the fleet into `out`. The tree is written to "<out>.tmp" and renamed into place at
// the end, so a failure leaves nothing behind. Errors: kInvalidArgument for bad options;
// kConflict when `out` exists and is not an empty directory (and `force` is off), or is not a
// directory, or "<out>.tmp" exists and is not a previous run's leftover; kIo when a file
// cannot be written (naming it).
[[nodiscard]] Result<FleetSummary> simulate_fleet(const FleetOptions& options,
                                                  const std::filesystem::path& out);

}  // namespace vigil::simulate
