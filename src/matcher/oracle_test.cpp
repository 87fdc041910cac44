// Self-consistency oracle on real data: OSV records that carry both `ranges` and an explicit
// `versions` list must agree — every listed version lies in the ranges, every boundary version
// that is not listed lies outside them. Disagreements are reported per ecosystem.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "matcher/matcher.hpp"
#include "support/temp_dir.hpp"
#include "version/range.hpp"
#include "vulndb/database.hpp"

namespace vigil::matcher {
namespace {

struct Tally {
  size_t entries = 0;
  size_t checked = 0;
  size_t disagreements = 0;
  size_t unparsable = 0;
  size_t excluded = 0;  // entries of kInconsistentRecords  // listed versions invalid under the scheme (legacy releases)
  std::vector<std::string> examples;
};

// Checks one affected entry: every listed version parses and lies inside the ranges; every
// introduced and last_affected boundary lies inside; every fixed boundary lies outside and is not
// a listed version. Listed versions that are not valid under the ecosystem's scheme (PyPI's
// pre-PEP 440 "legacy" releases such as 0.7.10p1) cannot be ordered by anyone: counted apart.
// Records whose own `versions` list contradicts their `ranges`, whoever evaluates them.
const std::map<std::string, std::string> kInconsistentRecords = {
    // Ranges say introduced "3.2" / "4.2"; PEP 440 orders 3.2a1 < 3.2 (packaging agrees), yet
    // the list includes 3.2a1, 3.2b1, 3.2rc1 and 4.2a1, 4.2b1, 4.2rc1.
    {"PYSEC-2023-61", "pre-releases listed below the introduced version"},
    // One events list mixes two overlapping intervals (introduced 0 .. fixed 2.11.6 and
    // introduced 2.11 .. fixed 2.11.7). The OSV evaluation sorts the events, so 2.11.6 is
    // fixed; the list was computed pairwise and says it is affected.
    {"PYSEC-2021-114", "overlapping intervals in one events list"},
};

void check_entry(const model::Advisory& advisory, const model::AffectedPackage& package,
                 Tally& tally) {
  if (package.versions.empty()) {
    return;
  }
  if (kInconsistentRecords.contains(advisory.id)) {
    ++tally.excluded;
    return;
  }
  const model::Ecosystem ecosystem = package.ecosystem.ecosystem;
  std::vector<version::Range> ranges;
  std::vector<std::pair<model::EventKind, std::string>> boundaries;
  for (const auto& range : package.ranges) {
    if (range.type == model::RangeType::kGit) {
      return;  // versions derived from commit history: not comparable with version ranges
    }
    const auto scheme = range.type == model::RangeType::kSemver && ecosystem != model::Ecosystem::kGo
                            ? version::Scheme::kSemver
                            : version::scheme_for(ecosystem);
    auto parsed = version::Range::from_events(scheme, range.events);
    if (!parsed) {
      ++tally.disagreements;
      tally.examples.push_back(advisory.id + ": " + parsed.error().message);
      return;
    }
    ranges.push_back(std::move(parsed).value());
    for (const auto& event : range.events) {
      if (event.version != "0" && event.kind != model::EventKind::kLimit) {
        boundaries.emplace_back(event.kind, event.version);
      }
    }
  }
  if (ranges.empty()) {
    return;
  }
  ++tally.entries;
  const auto evaluate = [&ranges](const std::string& text) -> std::optional<bool> {
    bool inside = false;
    bool parsed_any = false;
    for (const auto& range : ranges) {
      if (auto parsed = version::parse(range.scheme(), text)) {
        parsed_any = true;
        inside = inside || range.contains(*parsed);
      }
    }
    return parsed_any ? std::optional<bool>(inside) : std::nullopt;
  };
  const auto disagree = [&](const std::string& text, const char* why) {
    ++tally.disagreements;
    if (tally.examples.size() < 20) {
      tally.examples.push_back(advisory.id + " " + package.name + " " + text + ": " + why);
    }
  };
  std::vector<version::Version> listed;
  for (const auto& text : package.versions) {
    const auto inside = evaluate(text);
    if (!inside) {
      ++tally.unparsable;
      continue;
    }
    ++tally.checked;
    if (!*inside) {
      disagree(text, "listed but outside the ranges");
    }
    if (auto parsed = version::parse(ranges.front().scheme(), text)) {
      listed.push_back(std::move(parsed).value());
    }
  }
  // A fixed boundary inside the ranges is only consistent when another range re-introduces the
  // same version and the list says so (e.g. "fixed 3.1.1" and "introduced 3.1.1").
  for (const auto& [kind, text] : boundaries) {
    if (kind != model::EventKind::kFixed) {
      continue;  // introduced versions need not be releases; listed ones were checked above
    }
    const auto inside = evaluate(text);
    ++tally.checked;
    if (!inside) {
      disagree(text, "fixed boundary does not parse");
      continue;
    }
    const auto parsed = version::parse(ranges.front().scheme(), text);
    const bool is_listed =
        parsed && std::any_of(listed.begin(), listed.end(), [&](const version::Version& v) {
          return version::compare(v, *parsed) == 0;
        });
    if (*inside != is_listed) {
      disagree(text, *inside ? "fixed version inside the ranges but not listed"
                             : "fixed version listed as affected");
    }
  }
}

TEST(OsvSelfConsistencyTest, ListedVersionsAgreeWithRanges) {
  const std::string shared = VIGIL_SHARED_DIR;
  const std::vector<std::filesystem::path> sources = {
      shared + "/data/osv/pypa/pypi-osv-json-converted.zip",
      shared + "/data/osv/rustsec/rustsec-osv.zip", shared + "/data/osv/go/go-vulndb-osv.zip"};
  for (const auto& source : sources) {
    if (!std::filesystem::exists(source)) {
      GTEST_SKIP() << "shared data missing: " << source;
    }
  }
  testing::TempDir dir;
  auto db = vulndb::Database::open(dir.path(), true).value();
  ASSERT_TRUE(vulndb::import_paths(*db, sources).has_value());
  std::map<std::string, Tally> tallies;
  ASSERT_TRUE(db->for_each_affected([&](const vulndb::AffectedRow& row) {
                  check_entry(*row.advisory, *row.package,
                              tallies[std::string(model::ecosystem_name(
                                  row.package->ecosystem.ecosystem))]);
                }).has_value());
  size_t total_checked = 0;
  for (const auto& [ecosystem, tally] : tallies) {
    std::printf(
        "oracle %-10s entries %6zu versions checked %7zu disagreements %zu (not orderable: %zu, "
        "inconsistent records excluded: %zu)\n",
        ecosystem.c_str(), tally.entries, tally.checked, tally.disagreements, tally.unparsable,
        tally.excluded);
    total_checked += tally.checked;
    EXPECT_EQ(tally.disagreements, 0U) << ecosystem << ":\n  "
                                        << ::testing::PrintToString(tally.examples);
  }
  EXPECT_GT(total_checked, 10000U);
}

}  // namespace
}  // namespace vigil::matcher
