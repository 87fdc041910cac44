// The host agent's inventory document: what `vigil agent collect` writes, `vigil agent push`
// sends to the service (POST /vigil/v1/agent/inventory) and `vigil simulate fleet` generates.
// JSON, versioned by "schemaVersion"; see docs/agent.md for the field list.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "model/inventory.hpp"

namespace vigil::inventory {

inline constexpr int kAgentDocumentSchema = 1;

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
  int schema_version = kAgentDocumentSchema;
  HostIdentity host;
  model::Inventory inventory;  // os (with kernel_release), packages with evidence locations
  std::string collected_at;    // RFC 3339 UTC, e.g. "2026-11-24T20:15:00Z"
  std::string agent_version;
  // sha256 hex over the canonical serialisation of host + inventory (not collected_at), so an
  // unchanged host pushes an identical hash and the service can skip re-processing it.
  std::string content_hash;

  friend bool operator==(const AgentDocument&, const AgentDocument&) = default;
};

// Serialises to the JSON document (content_hash recomputed and filled in).
std::string write_agent_document(const AgentDocument& document);

// Parses and validates a document; kParse / kInvalidArgument name the offending field
// (e.g. "host.accountId: expected 12 digits"). A stated content hash that does not match the
// content is kInvalidArgument.
[[nodiscard]] Result<AgentDocument> parse_agent_document(std::string_view json);

// The content hash `write_agent_document` would store.
std::string agent_content_hash(const AgentDocument& document);

}  // namespace vigil::inventory
