// Matching: an inventory against the vulnerability database's in-memory index. Indexed, not
// scanned: a hash lookup per (ecosystem, normalised name), then range checks on pre-parsed
// versions. Distro packages match their distro's data for their release, by source package where
// the data is keyed that way; language packages match OSV ranges of their ecosystem.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "model/advisory.hpp"
#include "model/diagnostic.hpp"
#include "model/inventory.hpp"
#include "version/range.hpp"
#include "vulndb/database.hpp"

namespace vigil::matcher {

// The name under which `ecosystem` indexes package `name`: PEP 503 for PyPI (lower case, runs of
// "-_." as "-"), lower case for NuGet and Packagist, unchanged elsewhere.
std::string normalize_name(model::Ecosystem ecosystem, std::string_view name);

// The release key a distro release matches under: Alpine "v3.18"/"3.18.4" -> "3.18",
// Ubuntu "22.04:LTS" -> "22.04", Debian "12.4" -> "12", Amazon Linux "2023.x" -> "2023".
std::string normalize_release(model::Ecosystem ecosystem, std::string_view release);

// One affected entry of one advisory, with its ranges parsed under the ecosystem's scheme.
struct IndexEntry {
  std::shared_ptr<const model::Advisory> advisory;  // without raw and details
  std::string release;                              // normalised; "" = every release
  std::vector<version::Range> ranges;
  std::vector<std::string> versions;  // explicit affected versions (exact strings)
  std::vector<std::string> fixed;     // fixed versions named by the ranges, in event order
  std::string severity;               // affected-level severity label
  bool has_git_only = false;          // only GIT ranges: not matchable by version
};

class MatchIndex {
 public:
  // Loads every non-withdrawn advisory's affected entries from `database`. Entries whose
  // versions do not parse under their scheme are kept out and reported in `diagnostics()`.
  [[nodiscard]] static Result<MatchIndex> load(vulndb::Database& database);

  // This index after the database changes `changes` (read from `database`, which holds them):
  // the entries of every changed package key are rebuilt — the changed advisories' current
  // records replace their old entries (withdrawn ones just leave), other advisories' entries
  // stay — and every other key is shared with this index, not copied. For a few hundred changed
  // advisories this costs milliseconds where load() reads the whole database.
  [[nodiscard]] Result<MatchIndex> updated(vulndb::Database& database,
                                           const vulndb::ChangeSet& changes) const;

  // Adds one affected entry (used by load and by tests).
  void add(const std::shared_ptr<const model::Advisory>& advisory,
           const model::AffectedPackage& package);

  const std::vector<IndexEntry>* find(model::Ecosystem ecosystem, std::string_view name) const;

  // The distro statements that `name` in `ecosystem` was never affected (advisories with status
  // "not-affected", e.g. Alpine secdb's fixed version "0"). Such entries are kept here and never
  // in find(): whatever ranges they carry, they cannot produce a finding.
  const std::vector<IndexEntry>* find_not_affected(model::Ecosystem ecosystem,
                                                   std::string_view name) const;

  size_t entry_count() const { return entries_; }
  size_t not_affected_key_count() const { return not_affected_.size(); }
  size_t key_count() const { return index_.size(); }
  // Keys rebuilt by updated() since the last full load (a long chain of updates grows it).
  size_t updated_key_count() const { return index_.overlay.size() + not_affected_.overlay.size(); }
  const std::vector<model::Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  using Map = std::unordered_map<std::string, std::vector<IndexEntry>>;
  // Entries by key: keys rebuilt since the full load shadow the shared, immutable rest (an
  // empty vector shadows a key that no longer has entries).
  struct Layered {
    std::shared_ptr<const Map> base;
    Map overlay;
    size_t keys = 0;  // keys with entries, once there is a base (see recount)
    const std::vector<IndexEntry>* find(const std::string& key) const;
    // The entries of `key` to modify: the base's copied into the overlay on first use.
    std::vector<IndexEntry>& entries(const std::string& key);
    size_t size() const { return base ? keys : overlay.size(); }
    void recount();
    void freeze();  // moves the overlay into a new shared base
  };

  Layered index_;
  Layered not_affected_;
  std::vector<model::Diagnostic> diagnostics_;
  size_t entries_ = 0;
};

// One vulnerability found on one package instance, before scoring.
struct Match {
  size_t package_index = 0;  // into Inventory::packages
  std::string vulnerability_id;  // the CVE alias when there is one, else the advisory id
  std::vector<std::shared_ptr<const model::Advisory>> advisories;  // every record that matched
  std::vector<std::string> aliases;  // all ids of those records except vulnerability_id
  std::vector<std::string> fixed_in;  // fixed versions above the installed one
  std::string severity;              // vendor severity label from the matching entry
  std::string matched_by;            // "source" for distro source-package keys, else "name"
};

// Why a kernel package was not matched against kernel advisories (see kernel_skips).
enum class KernelSkip { kNone, kNotImage, kNotRunning };

// "not a kernel image", "not the running kernel" ("" for kNone).
std::string_view kernel_skip_name(KernelSkip reason);

struct SkippedPackage {
  size_t package_index = 0;  // into Inventory::packages
  KernelSkip reason = KernelSkip::kNone;
};

// A vulnerability a distro states does not affect an installed package: explained, not reported.
struct NonFinding {
  size_t package_index = 0;      // into Inventory::packages
  std::string vulnerability_id;  // the CVE alias when there is one, else the advisory id
  std::string advisory_id;       // the statement ("ALPINE-3.18-openssl-CVE-2023-0001")
  std::string source;            // its importer ("alpine-secdb")
  std::string reason;            // "distro: not affected"
};

inline constexpr std::string_view kNotAffectedReason = "distro: not affected";

struct MatchResult {
  std::vector<Match> matches;
  std::vector<model::Diagnostic> diagnostics;  // packages whose versions did not parse, etc.
  // Language packages left to the OS package that installed them (deferred_to_os_package).
  size_t deferred = 0;
  // Kernel packages kept from kernel advisories (kernel_skips), in package order.
  std::vector<SkippedPackage> kernel_skipped;
  // Installed packages named by a not-affected statement for their distro release, in package
  // order; never also in `matches` for the same vulnerability.
  std::vector<NonFinding> not_affected;
};

// The Debian/Ubuntu (dpkg) and rpm packages built from a kernel source package that are not
// matched: every one that is not a kernel image or modules package (linux-libc-dev,
// linux-headers-*, linux-tools-*, kernel-headers, kernel-tools, ...: a kernel CVE is a flaw of the
// running kernel, not of its headers or tools), and, when `inventory.os.kernel_release` names the
// running kernel and some installed image is that kernel, every other image (a kernel that is
// not running is not exploitable until it is booted). With no running release, or none of the
// images matching it, every image is matched.
std::vector<SkippedPackage> kernel_skips(const model::Inventory& inventory);

// True for a language package installed by an OS package (Package::owner_purl set): it is not
// matched against its ecosystem's upstream ranges, since the distribution patches what it ships
// (backported fixes keep the upstream version) and the OS package's distro advisories cover it;
// matching both would report backport false positives and duplicate the OS package's findings.
bool deferred_to_os_package(const model::Package& package);

// Remembers the matches of a (ecosystem, name, version, release) so identical packages across
// many resources — a base image's 400 packages in 200 images — are matched once. One cache per
// index; not thread-safe (use one per thread).
class MatchCache {
 public:
  const std::vector<Match>* find(const std::string& key) const {
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  void store(std::string key, std::vector<Match> matches) {
    entries_.emplace(std::move(key), std::move(matches));
  }
  size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, std::vector<Match>> entries_;
};

// Matches every package of `inventory` against `index`, reusing and filling `cache` when given.
// Packages deferred_to_os_package() are counted in `deferred` and not matched; kernel_skips()
// are listed in `kernel_skipped` and not matched; a kernel image built from a signed source is
// matched under the unsigned one (Ubuntu linux-signed-aws -> linux-aws, Debian
// linux-signed-amd64 -> linux). Not-affected statements are listed in `not_affected`.
// Thread-safe for concurrent calls with distinct caches (the index is read-only).
MatchResult match(const model::Inventory& inventory, const MatchIndex& index,
                  MatchCache* cache = nullptr);

// The `not_affected` list of match(inventory, index) without matching every package: only the
// packages a not-affected statement names are matched (so a real range for the same
// vulnerability still wins). For reports built after matching, e.g. `vigil scan`.
std::vector<NonFinding> explain_not_affected(const model::Inventory& inventory,
                                             const MatchIndex& index);

}  // namespace vigil::matcher
