// MatchIndex::updated: the index after a database change, rebuilt only for the changed keys.
#include <set>
#include <utility>

#include "matcher/internal/keys.hpp"
#include "matcher/matcher.hpp"

namespace vigil::matcher {
namespace {

// What a full load keeps of an advisory (for_each_affected's heads: no raw, details or
// references), so an updated index holds the same entries a fresh load would.
std::shared_ptr<const model::Advisory> index_copy(const model::Advisory& record) {
  auto advisory = std::make_shared<model::Advisory>();
  advisory->source = record.source;
  advisory->id = record.id;
  advisory->summary = record.summary;
  advisory->published = record.published;
  advisory->modified = record.modified;
  advisory->severity_label = record.severity_label;
  advisory->status = record.status;
  advisory->aliases = record.aliases;
  advisory->severities = record.severities;
  return advisory;
}

}  // namespace

Result<MatchIndex> MatchIndex::updated(vulndb::Database& database,
                                       const vulndb::ChangeSet& changes) const {
  std::set<std::pair<std::string, std::string>> changed;
  for (const auto& advisory : changes.advisories) {
    changed.emplace(advisory.source, advisory.id);
  }
  // The changed advisories' current entries, indexed on their own.
  MatchIndex fresh;
  for (const auto& [source, id] : changed) {
    VIGIL_ASSIGN_OR_RETURN(const auto record, database.advisory(source, id));
    if (!record || !record->withdrawn.empty()) {
      continue;  // withdrawn (or gone): its old entries just leave
    }
    const auto advisory = index_copy(*record);
    for (const auto& package : record->affected) {
      fresh.add(advisory, package);
    }
  }
  // Every key a change touched: the change feed names old and new package keys alike.
  std::set<std::string> keys;
  for (const auto& key : changes.keys) {
    if (const auto ecosystem = model::parse_ecosystem(key.ecosystem)) {
      keys.insert(internal::index_key(ecosystem->ecosystem,
                                      normalize_name(ecosystem->ecosystem, key.name)));
    }
  }
  for (const auto* layer : {&fresh.index_, &fresh.not_affected_}) {
    for (const auto& [key, entries] : layer->overlay) {
      keys.insert(key);
    }
  }

  MatchIndex out;
  out.index_.base = index_.base;
  out.index_.overlay = index_.overlay;
  out.not_affected_.base = not_affected_.base;
  out.not_affected_.overlay = not_affected_.overlay;
  out.diagnostics_ = diagnostics_;
  out.diagnostics_.insert(out.diagnostics_.end(), fresh.diagnostics_.begin(),
                          fresh.diagnostics_.end());
  out.entries_ = entries_;
  const auto rebuild = [&](Layered& target, const Layered& previous, const Layered& added,
                           bool counted) {
    for (const auto& key : keys) {
      std::vector<IndexEntry> entries;
      if (const auto* old = previous.find(key)) {
        for (const auto& entry : *old) {
          if (changed.contains({entry.advisory->source, entry.advisory->id})) {
            out.entries_ -= counted ? 1 : 0;
          } else {
            entries.push_back(entry);
          }
        }
      }
      // A re-imported record is a new row: a full load meets it after the others.
      if (const auto* now = added.find(key)) {
        entries.insert(entries.end(), now->begin(), now->end());
        out.entries_ += counted ? now->size() : 0;
      }
      if (entries.empty() && (previous.find(key) == nullptr || !target.base)) {
        target.overlay.erase(key);  // no entries now (a base's key is shadowed by an empty list)
        continue;
      }
      target.overlay[key] = std::move(entries);
    }
    target.recount();
  };
  rebuild(out.index_, index_, fresh.index_, true);
  rebuild(out.not_affected_, not_affected_, fresh.not_affected_, false);
  return out;
}

}  // namespace vigil::matcher
