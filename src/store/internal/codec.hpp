// JSON (de)serialisation of what the store keeps as documents: findings, inventories, criteria,
// tag maps and the organisation configuration. The formats are the store's own (stable across
// versions; unknown members are ignored, missing ones take their defaults). Internal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "model/finding.hpp"
#include "model/inventory.hpp"
#include "store/store.hpp"

namespace vigil::store::internal {

// The finding's content document. Lifecycle state (status, suppression reason, the StoredFinding
// timestamps, stale) is left out: it lives in columns, so the document of an unchanged finding is
// byte-identical from scan to scan.
std::string finding_to_json(const StoredFinding& finding);
// Returns kParse naming the problem when `text` is not a stored finding document.
[[nodiscard]] Result<StoredFinding> finding_from_json(std::string_view text);

std::string inventory_to_json(const model::Inventory& inventory);
[[nodiscard]] Result<model::Inventory> inventory_from_json(std::string_view text);
// Decodes only the packages `select` picks (see Store::inventory); null `select` = all.
[[nodiscard]] Result<model::Inventory> inventory_from_json(std::string_view text,
                                                           const PackageSelector* select);

std::string criteria_to_json(const Criteria& criteria);
[[nodiscard]] Result<Criteria> criteria_from_json(std::string_view text);

std::string tags_to_json(const std::map<std::string, std::string>& tags);
[[nodiscard]] Result<std::map<std::string, std::string>> tags_from_json(std::string_view text);

std::string organization_to_json(const OrganizationConfig& config);
[[nodiscard]] Result<OrganizationConfig> organization_from_json(std::string_view text);

// Inspector's severity names and their sort rank (UNTRIAGED 0 ... CRITICAL 5).
std::optional<model::Severity> parse_severity(std::string_view name);
int severity_rank(model::Severity severity);
std::optional<model::FindingStatus> parse_finding_status(std::string_view name);

}  // namespace vigil::store::internal
