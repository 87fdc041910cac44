#include <fmt/format.h>

#include "matcher/internal/keys.hpp"
#include "matcher/matcher.hpp"

namespace vigil::matcher {
namespace {

// model::Advisory::status of a distro's "this package was never affected" (Alpine secdb "0").
constexpr std::string_view kNotAffectedStatus = "not-affected";

}  // namespace

void MatchIndex::add(const std::shared_ptr<const model::Advisory>& advisory,
                     const model::AffectedPackage& package) {
  const model::Ecosystem ecosystem = package.ecosystem.ecosystem;
  IndexEntry entry;
  entry.advisory = advisory;
  entry.release = package.ecosystem.release.empty()
                      ? std::string()
                      : normalize_release(ecosystem, package.ecosystem.release);
  if (advisory->status == kNotAffectedStatus) {
    // A statement of non-exposure: never matchable, whatever ranges it carries.
    not_affected_.entries(internal::index_key(ecosystem, normalize_name(ecosystem, package.name)))
        .push_back(std::move(entry));
    not_affected_.recount();
    return;
  }
  entry.versions = package.versions;
  entry.severity = package.severity;
  bool any_version_range = false;
  for (const auto& range : package.ranges) {
    if (range.type == model::RangeType::kGit) {
      continue;  // kept in the database, not matchable by version
    }
    // SEMVER ranges use SemVer whatever the ecosystem, except Go's own flavour.
    const version::Scheme scheme =
        range.type == model::RangeType::kSemver && ecosystem != model::Ecosystem::kGo
            ? version::Scheme::kSemver
            : version::scheme_for(ecosystem);
    auto parsed = version::Range::from_events(scheme, range.events);
    if (!parsed) {
      diagnostics_.push_back({model::DiagnosticLevel::kWarning,
                              fmt::format("{} {}", advisory->id, package.name),
                              parsed.error().message + "; range not used for matching"});
      continue;
    }
    for (const auto& event : range.events) {
      if (event.kind == model::EventKind::kFixed) {
        entry.fixed.push_back(event.version);
      }
    }
    entry.ranges.push_back(std::move(parsed).value());
    any_version_range = true;
  }
  entry.has_git_only = !any_version_range;
  if (entry.ranges.empty() && entry.versions.empty()) {
    return;  // nothing matchable (GIT-only without versions, or only unparsable ranges)
  }
  index_.entries(internal::index_key(ecosystem, normalize_name(ecosystem, package.name)))
      .push_back(std::move(entry));
  index_.recount();
  ++entries_;
}

const std::vector<IndexEntry>* MatchIndex::Layered::find(const std::string& key) const {
  if (const auto it = overlay.find(key); it != overlay.end()) {
    return it->second.empty() ? nullptr : &it->second;
  }
  if (base) {
    if (const auto it = base->find(key); it != base->end()) {
      return &it->second;
    }
  }
  return nullptr;
}

std::vector<IndexEntry>& MatchIndex::Layered::entries(const std::string& key) {
  auto [it, inserted] = overlay.try_emplace(key);
  if (inserted && base) {
    if (const auto found = base->find(key); found != base->end()) {
      it->second = found->second;
    }
  }
  return it->second;
}

void MatchIndex::Layered::recount() {
  if (!base) {
    return;
  }
  keys = base->size();
  for (const auto& [key, list] : overlay) {
    const bool in_base = base->contains(key);
    if (!in_base && !list.empty()) {
      ++keys;
    } else if (in_base && list.empty()) {
      --keys;
    }
  }
}

void MatchIndex::Layered::freeze() {
  if (base) {
    return;  // only a fully loaded index is frozen
  }
  base = std::make_shared<const Map>(std::move(overlay));
  overlay = Map();
  keys = base->size();
}

const std::vector<IndexEntry>* MatchIndex::find(model::Ecosystem ecosystem,
                                                std::string_view name) const {
  return index_.find(internal::index_key(ecosystem, normalize_name(ecosystem, name)));
}

const std::vector<IndexEntry>* MatchIndex::find_not_affected(model::Ecosystem ecosystem,
                                                             std::string_view name) const {
  return not_affected_.find(internal::index_key(ecosystem, normalize_name(ecosystem, name)));
}

Result<MatchIndex> MatchIndex::load(vulndb::Database& database) {
  MatchIndex index;
  std::unordered_map<const model::Advisory*, std::shared_ptr<const model::Advisory>> shared;
  VIGIL_TRY(database.for_each_affected([&](const vulndb::AffectedRow& row) {
    auto& advisory = shared[row.advisory];
    if (!advisory) {
      advisory = std::make_shared<const model::Advisory>(*row.advisory);
    }
    index.add(advisory, *row.package);
  }));
  index.index_.freeze();
  index.not_affected_.freeze();
  return index;
}

}  // namespace vigil::matcher
