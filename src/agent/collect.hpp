// The host agent (the SSM Agent + Inventory analogue): collecting an inventory document from a
// root filesystem, pushing it to the service, and spooling it while the service is away.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "inventory/agent_document.hpp"

namespace vigil::agent {

// Identity the operator states (flags or VIGIL_* environment); empty fields are left to
// collect(): hostname and machine id come from the root, the instance id is derived.
struct IdentityOverrides {
  std::string instance_id;
  std::string account_id;
  std::string region;
  std::map<std::string, std::string> tags;
};

struct CollectOptions {
  std::filesystem::path root = "/";
  // Listening sockets (agent/sockets.hpp) from `proc_root`, default ROOT/proc; a root without
  // a proc file system yields a schema 1 document without sockets.
  bool collect_sockets = true;
  std::optional<std::filesystem::path> proc_root;
  size_t max_sockets = 4096;
  size_t max_processes = 65536;
  IdentityOverrides identity;
  std::string agent_version;
};

// Fills empty `overrides` fields from VIGIL_INSTANCE_ID, VIGIL_ACCOUNT_ID and VIGIL_REGION.
void apply_identity_environment(IdentityOverrides& overrides);

// Catalogs `options.root` with the default catalogers and builds the document: hostname from
// ROOT/etc/hostname (else the host's name when ROOT is "/", else "localhost"), machine id from
// ROOT/etc/machine-id (ignored with a diagnostic unless 32 hex digits), instance id from the
// overrides or derived as "i-" + 17 hex digits of SHA-256(machine id, or hostname), the running
// kernel only for the live root (inventory::catalog decides), the listening sockets when the
// proc file system has socket tables (permission problems become warnings), `collected_at` =
// `now`, and the content hash. Returns kNotFound/kIo when the root cannot be opened and kInvalidArgument when
// the identity fails the document's validation (e.g. a 5-digit account). Thread-safe.
[[nodiscard]] Result<inventory::AgentDocument> collect(
    const CollectOptions& options, std::chrono::system_clock::time_point now);

// "i-" + the first 17 hex digits of SHA-256(`seed`): a stable instance id for hosts that were
// not given one.
std::string derive_instance_id(std::string_view seed);

// Formats `time` as RFC 3339 UTC with second precision ("2026-11-24T20:15:00Z").
std::string format_utc(std::chrono::system_clock::time_point time);

// Writes `content` to `path` atomically: a temporary file in the same directory, fsync, then
// rename over `path`, so readers see the old file or the whole new one, never a torn write.
// Returns kIo naming `path` on failure (the temporary file is removed). An existing `path` that
// is neither a regular file nor a directory (/dev/null, a FIFO, a terminal) is written through,
// never replaced.
[[nodiscard]] Result<void> write_file_atomic(const std::filesystem::path& path,
                                             std::string_view content);

}  // namespace vigil::agent
