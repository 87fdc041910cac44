// SqliteStore: reconciling a scan's observed findings with the stored ones (created, reopened,
// updated, closed), in two halves: prepare (validation, derived columns and documents, no store
// access) and the write (one transaction on the writer).
#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "store/internal/codec.hpp"
#include "store/internal/finding_columns.hpp"
#include "store/internal/finding_lifecycle.hpp"
#include "store/internal/finding_rows.hpp"
#include "store/internal/sqlite_store.hpp"

namespace vigil::store {

// What prepare_reconcile derived, for reconcile to write.
struct PreparedReconcile::State {
  std::string resource_id;
  std::string finding_type;
  std::vector<StoredFinding> observed;
  std::optional<PackageScope> scope;
  std::unordered_set<std::string> ids;  // every id observed (and kept open, for a scope)
  std::vector<std::optional<internal::FindingColumns>> columns;
  std::vector<std::string> documents;
};

PreparedReconcile::PreparedReconcile() = default;
PreparedReconcile::PreparedReconcile(std::unique_ptr<State> state) : state_(std::move(state)) {}
PreparedReconcile::PreparedReconcile(PreparedReconcile&&) noexcept = default;
PreparedReconcile& PreparedReconcile::operator=(PreparedReconcile&&) noexcept = default;
PreparedReconcile::~PreparedReconcile() = default;

}  // namespace vigil::store

namespace vigil::store::internal {

namespace {

// What reconcile needs to know about a finding already stored.
struct Previous {
  std::int64_t id = 0;
  std::string status;
  std::string suppression_reason;
  std::string severity;
  double inspector_score = 0;
  double vigil_risk = 0;
  std::optional<double> epss;
  std::string exploit_available;
  std::string fix_available;
  std::string fixed_in;
  Timestamp first_observed_at = 0;
  Timestamp updated_at = 0;
  bool stale = false;
  std::string document;
};

std::string number_text(const std::optional<double>& value) {
  return value ? fmt::format("{}", *value) : std::string("none");
}

// The change list of an open finding observed again ("inspectorScore 7.5 -> 9.8"); empty when
// nothing the lifecycle tracks changed.
std::string describe_changes(const Previous& before, const StoredFinding& after,
                             const FindingColumns& columns) {
  std::vector<std::string> changes;
  const auto text_change = [&](std::string_view name, const std::string& from,
                               std::string_view to) {
    if (from != to) {
      changes.push_back(
          fmt::format("{} {} -> {}", name, from.empty() ? "none" : from, to.empty() ? "none" : to));
    }
  };
  const auto number_change = [&](std::string_view name, const std::optional<double>& from,
                                 const std::optional<double>& to) {
    if (from != to) {
      changes.push_back(fmt::format("{} {} -> {}", name, number_text(from), number_text(to)));
    }
  };
  const model::Finding& finding = after.finding;
  text_change("status", before.status, model::finding_status_name(finding.status));
  text_change("severity", before.severity, columns.severity);
  number_change("inspectorScore", before.inspector_score, finding.inspector_score);
  number_change("vigilRisk", before.vigil_risk, finding.vigil_risk);
  number_change("epssScore", before.epss, finding.epss);
  text_change("exploitAvailable", before.exploit_available, columns.exploit_available);
  text_change("fixAvailable", before.fix_available, columns.fix_available);
  text_change("fixedInVersion", before.fixed_in, finding.fixed_in);
  text_change("suppressionReason", before.suppression_reason, finding.suppression_reason);
  std::string out;
  for (const auto& change : changes) {
    out += out.empty() ? change : ", " + change;
  }
  return out;
}

#define VIGIL_PREVIOUS_COLUMNS                                                         \
  "id, status, suppression_reason, severity, inspector_score, vigil_risk, epss, "      \
  "exploit_available, fix_available, fixed_in, first_observed_at, updated_at, stale, " \
  "json, arn"

Previous read_previous(const sql::Statement& row);

Result<std::optional<Previous>> load_previous(Conn& conn, const std::string& arn) {
  VIGIL_ASSIGN_OR_RETURN(
      auto query, conn.statement("SELECT " VIGIL_PREVIOUS_COLUMNS " FROM findings WHERE arn = ?"));
  query->bind(1, arn);
  VIGIL_ASSIGN_OR_RETURN(const bool found, query->step());
  if (!found) {
    return std::optional<Previous>();
  }
  return std::optional<Previous>(read_previous(*query));
}

// Every finding of the resource and type, open or closed, by ARN: one range scan instead of a
// lookup per observed finding.
Result<std::unordered_map<std::string, Previous>> load_resource_findings(
    Conn& conn, const std::string& resource_id, const std::string& finding_type) {
  VIGIL_ASSIGN_OR_RETURN(auto query,
                         conn.statement("SELECT " VIGIL_PREVIOUS_COLUMNS " FROM findings WHERE "
                                        "resource_id = ? AND finding_type = ?"));
  query->bind(1, resource_id).bind(2, finding_type);
  std::unordered_map<std::string, Previous> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, query->step());
    if (!row) {
      break;
    }
    out.emplace(std::string(query->column_text(14)), read_previous(*query));
  }
  return out;
}

Previous read_previous(const sql::Statement& row) {
  const sql::Statement* query = &row;
  Previous previous;
  previous.id = query->column_int(0);
  previous.status = std::string(query->column_text(1));
  previous.suppression_reason = std::string(query->column_text(2));
  previous.severity = std::string(query->column_text(3));
  previous.inspector_score = query->column_double(4);
  previous.vigil_risk = query->column_double(5);
  if (!query->column_is_null(6)) {
    previous.epss = query->column_double(6);
  }
  previous.exploit_available = std::string(query->column_text(7));
  previous.fix_available = std::string(query->column_text(8));
  previous.fixed_in = std::string(query->column_text(9));
  previous.first_observed_at = query->column_int(10);
  previous.updated_at = query->column_int(11);
  previous.stale = query->column_int(12) != 0;
  previous.document = std::string(query->column_text(13));
  return previous;
}

// Whether `finding` names one of `ids`, as its vulnerability id or as an alias (the ids of every
// advisory that matched).
bool touched_by(const model::Finding& finding, const std::set<std::string>& ids) {
  if (ids.contains(finding.vulnerability_id)) {
    return true;
  }
  return std::any_of(finding.aliases.begin(), finding.aliases.end(),
                     [&](const std::string& alias) { return ids.contains(alias); });
}

}  // namespace

using PreparedState = PreparedReconcile::State;

namespace {

Result<void> derive_one(PreparedState& state, std::size_t index) {
  VIGIL_ASSIGN_OR_RETURN(auto derived, derive_columns(state.observed[index]));
  state.columns[index] = std::move(derived);
  // The document holds no lifecycle timestamps, so it is known before the transaction.
  state.documents[index] = finding_to_json(state.observed[index]);
  return {};
}

// Validates `observed` and derives every column and document outside the writer. Findings no
// changed id touches are derived only if the store turns out not to hold them open.
Result<std::unique_ptr<PreparedState>> prepare(const std::string& resource_id,
                                               const std::string& finding_type,
                                               std::vector<StoredFinding> observed,
                                               std::optional<PackageScope> scope) {
  if (resource_id.empty() || finding_type.empty()) {
    return fail(Error::invalid_argument("reconcile needs a resource id and a finding type"));
  }
  auto state = std::make_unique<PreparedState>();
  state->resource_id = resource_id;
  state->finding_type = finding_type;
  state->observed = std::move(observed);
  state->scope = std::move(scope);
  const std::set<std::string>* changed =
      state->scope && state->scope->changed_vulnerabilities
          ? &*state->scope->changed_vulnerabilities
          : nullptr;
  state->columns.resize(state->observed.size());
  state->documents.resize(state->observed.size());
  auto& ids = state->ids;
  for (std::size_t index = 0; index < state->observed.size(); ++index) {
    model::Finding& finding = state->observed[index].finding;
    if (finding.id.empty()) {
      return fail(Error::invalid_argument("reconcile {}: a finding has no id", resource_id));
    }
    if (!ids.insert(finding.id).second) {
      return fail(Error::invalid_argument("reconcile {}: finding {} observed twice", resource_id,
                                          finding.id));
    }
    if (finding.resource_id.empty()) {
      finding.resource_id = resource_id;
    } else if (finding.resource_id != resource_id) {
      return fail(Error::invalid_argument("reconcile {}: finding {} belongs to resource {}",
                                          resource_id, finding.id, finding.resource_id));
    }
    if (state->observed[index].type != finding_type) {
      return fail(Error::invalid_argument("reconcile {}: finding {} has type {}, not {}",
                                          resource_id, finding.id, state->observed[index].type,
                                          finding_type));
    }
    if (finding.status == model::FindingStatus::kClosed) {
      return fail(Error::invalid_argument("reconcile {}: observed finding {} is CLOSED",
                                          resource_id, finding.id));
    }
    if (changed == nullptr || touched_by(finding, *changed)) {
      VIGIL_TRY(derive_one(*state, index));
    }
  }
  if (state->scope) {
    ids.insert(state->scope->unchanged.begin(), state->scope->unchanged.end());  // kept open
  }
  return state;
}

// Writes a prepared reconcile in one transaction (or savepoint, inside a batch).
Result<ReconcileSummary> write_prepared(Database& database, PreparedState& state, Timestamp now) {
  const std::string& resource_id = state.resource_id;
  const std::string& finding_type = state.finding_type;
  const PackageScope* scope = state.scope ? &*state.scope : nullptr;
  const std::set<std::string>* changed =
      scope != nullptr && scope->changed_vulnerabilities ? &*scope->changed_vulnerabilities
                                                         : nullptr;
  auto& observed = state.observed;
  auto& columns = state.columns;
  auto& documents = state.documents;
  const auto& ids = state.ids;
  ReconcileSummary summary;
  auto conn = database.writer();
  VIGIL_ASSIGN_OR_RETURN(auto transaction, sql::Transaction::begin(conn->connection()));
  // A partial re-scan observes a few findings: look them up one by one instead of loading the
  // resource's every row.
  std::unordered_map<std::string, Previous> existing;
  if (scope == nullptr) {
    auto loaded = load_resource_findings(*conn, resource_id, finding_type);
    if (!loaded) {
      return fail(std::move(loaded).error());
    }
    existing.swap(*loaded);
  }
  std::vector<std::pair<std::int64_t, std::string>> open;
  if (scope != nullptr && scope->open_ids) {
    // The caller's reading under the resource's lock: row ids are looked up only to close.
    for (const auto& arn : *scope->open_ids) {
      open.emplace_back(0, arn);
    }
  } else {
    VIGIL_ASSIGN_OR_RETURN(open, open_findings(*conn, resource_id, finding_type,
                                               scope != nullptr ? &scope->package_names : nullptr));
  }
  std::unordered_set<std::string> open_ids;
  if (changed != nullptr) {
    for (const auto& row : open) {
      open_ids.insert(row.second);
    }
  }
  for (std::size_t index = 0; index < observed.size(); ++index) {
    StoredFinding& stored = observed[index];
    if (!columns[index]) {
      if (open_ids.contains(stored.finding.id)) {
        ++summary.unchanged;  // open, and no changed advisory touches it
        continue;
      }
      VIGIL_TRY(derive_one(state, index));
    }
    std::optional<Previous> previous;
    if (const auto it = existing.find(stored.finding.id); it != existing.end()) {
      previous = std::move(it->second);
      existing.erase(it);
    } else {
      // Not this resource's row of this type (or new): the ARN is unique across the store.
      VIGIL_ASSIGN_OR_RETURN(previous, load_previous(*conn, stored.finding.id));
    }
    stored.closed_at = 0;
    stored.last_observed_at = now;
    std::string event;
    if (!previous) {
      stored.first_observed_at = now;
      stored.updated_at = now;
      event = "CREATED";
      ++summary.created;
    } else if (previous->status == "CLOSED") {
      stored.first_observed_at = previous->first_observed_at;
      stored.updated_at = now;
      event = "REOPENED";
      ++summary.reopened;
    } else {
      stored.first_observed_at = previous->first_observed_at;
      const std::string changes = describe_changes(*previous, stored, *columns[index]);
      if (changes.empty()) {
        stored.updated_at = previous->updated_at;
        ++summary.unchanged;
      } else {
        stored.updated_at = now;
        event = "UPDATED: " + changes;
        ++summary.updated;
      }
    }
    const std::string& document = documents[index];
    if (previous && event.empty() && document == previous->document) {
      // The common re-scan case: same content. As Inspector documents, lastObservedAt "remains
      // unchanged until a finding is updated", so nothing is written unless the stale mark
      // moved (the resource's coverage row carries the scan time). Skipping the write keeps a
      // fleet-wide re-match from rewriting every row and its indexes.
      if (previous->stale != stored.stale) {
        VIGIL_TRY(set_stale_mark(*conn, previous->id, stored.stale));
      }
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(const std::int64_t id,
                           write_finding(*conn, stored, *columns[index], document));
    if (!event.empty()) {
      VIGIL_TRY(add_history(*conn, id, now, event));
      summary.changed_ids.push_back(stored.finding.id);
    }
  }
  VIGIL_TRY(close_missing(*conn, std::move(open), ids, now, summary));
  VIGIL_TRY(transaction.commit());
  return summary;
}

}  // namespace

Result<PreparedReconcile> SqliteStore::prepare_reconcile(const std::string& resource_id,
                                                         const std::string& finding_type,
                                                         std::vector<StoredFinding> observed,
                                                         std::optional<PackageScope> scope) {
  VIGIL_ASSIGN_OR_RETURN(auto state,
                         prepare(resource_id, finding_type, std::move(observed), std::move(scope)));
  return PreparedReconcile(std::move(state));
}

Result<ReconcileSummary> SqliteStore::reconcile(PreparedReconcile prepared, Timestamp now) {
  if (prepared.state() == nullptr) {
    return fail(Error::invalid_argument("reconcile of nothing prepared"));
  }
  return write_prepared(*database_, *prepared.state(), now);
}

Result<ReconcileSummary> SqliteStore::reconcile_findings(const std::string& resource_id,
                                                         const std::string& finding_type,
                                                         std::vector<StoredFinding> observed,
                                                         Timestamp now) {
  VIGIL_ASSIGN_OR_RETURN(auto state,
                         prepare(resource_id, finding_type, std::move(observed), std::nullopt));
  return write_prepared(*database_, *state, now);
}

Result<ReconcileSummary> SqliteStore::reconcile_package_findings(
    const std::string& resource_id, const std::string& finding_type,
    std::vector<StoredFinding> observed, const PackageScope& scope, Timestamp now) {
  VIGIL_ASSIGN_OR_RETURN(auto state, prepare(resource_id, finding_type, std::move(observed), scope));
  return write_prepared(*database_, *state, now);
}


}  // namespace vigil::store::internal
