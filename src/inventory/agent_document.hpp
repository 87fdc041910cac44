// The host agent's inventory document: what `vigil agent collect` writes, `vigil agent push`
// sends to the service (POST /vigil/v1/agent/inventory) and `vigil simulate fleet` generates.
// JSON, versioned by "schemaVersion"; see docs/agent.md for the field list.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/inventory.hpp"

namespace vigil::inventory {

// Schema 1: host, os, packages, diagnostics. Schema 2 adds `listeningSockets`; the writer emits
// 2 exactly when the document carries listening sockets, so documents without them are still
// schema 1 byte for byte (same content hash) and older services keep accepting them.
inline constexpr int kAgentDocumentSchema = 1;
inline constexpr int kAgentDocumentSocketsSchema = 2;

// At most this many listening sockets in one document.
inline constexpr size_t kMaxListeningSockets = 65536;

// One listening socket the agent found in /proc/net/{tcp,tcp6,udp,udp6}: a TCP socket in state
// LISTEN or a bound, unconnected UDP socket, with the process holding it (the lowest pid when
// several share it), that process's executable and the OS package owning the executable.
struct ListeningSocket {
  std::string protocol;       // "tcp" or "udp"
  std::string local_address;  // canonical IPv4 or IPv6 text: "0.0.0.0", "::", "127.0.0.1"
  uint16_t port = 0;          // 1-65535
  int64_t pid = 0;            // 0 when no readable process holds it
  std::string process_name;   // /proc/<pid>/comm
  std::string executable;     // /proc/<pid>/exe target ("" when unreadable)
  std::string package;        // the owning OS package ("nginx-core"); "" when none is known

  friend bool operator==(const ListeningSocket&, const ListeningSocket&) = default;
};

struct HostIdentity {
  std::string hostname;
  std::string machine_id;   // /etc/machine-id
  std::string instance_id;  // "i-..." when known (flag or environment); else derived
  std::string account_id;   // 12 digits, when known
  std::string region;
  std::string instance_state = "running";  // "running", "stopped"
  std::string ami_id;
  std::map<std::string, std::string> tags;

  friend bool operator==(const HostIdentity&, const HostIdentity&) = default;
};

struct AgentDocument {
  // As read (1 or 2); the writer derives it from `listening_sockets`.
  int schema_version = kAgentDocumentSchema;
  HostIdentity host;
  model::Inventory inventory;  // os (with kernel_release), packages with evidence locations
  std::string collected_at;    // RFC 3339 UTC, e.g. "2026-11-24T20:15:00Z"
  std::string agent_version;
  // Present (schema 2) when the agent looked at the host's sockets, even if none listens;
  // absent (schema 1) when it did not. Sorted by protocol, address, port.
  std::optional<std::vector<ListeningSocket>> listening_sockets;
  // sha256 hex over the canonical serialisation of host + inventory + sockets (not collected_at,
  // not socket pids), so an unchanged host pushes an identical hash and the service can skip
  // re-processing it.
  std::string content_hash;

  friend bool operator==(const AgentDocument&, const AgentDocument&) = default;
};

// Serialises to the JSON document (content_hash recomputed and filled in). schemaVersion is
// 2 when `listening_sockets` is present, else 1 (`schema_version` itself is not consulted).
std::string write_agent_document(const AgentDocument& document);

// Parses and validates a document; kParse / kInvalidArgument name the offending field
// (e.g. "host.accountId: expected 12 digits"). A stated content hash that does not match the
// content is kInvalidArgument.
[[nodiscard]] Result<AgentDocument> parse_agent_document(std::string_view json);

// The content hash `write_agent_document` would store.
std::string agent_content_hash(const AgentDocument& document);

// The `listeningSockets` array alone, compact (what the service stores per instance).
std::string write_listening_sockets(const std::vector<ListeningSocket>& sockets);

// Parses what write_listening_sockets wrote, with the document's rules; errors name the entry
// ("listeningSockets[2].port: expected 1 to 65535").
[[nodiscard]] Result<std::vector<ListeningSocket>> parse_listening_sockets(std::string_view json);

}  // namespace vigil::inventory
