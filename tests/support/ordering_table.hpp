// Test support: reads the shared osv-scalibr version-ordering tables ("A <op> B" per line) and
// checks a comparator against them, plus antisymmetry and transitivity over the rows.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace vigil::testing {

// How many failures a check describes one by one (it counts all of them).
inline constexpr std::size_t kMaxReported = 20;

struct OrderingRow {
  std::string lhs;
  std::string rhs;
  int want = 0;  // -1, 0, 1
  int line = 0;
};

inline std::string shared_path(const std::string& relative) {
  return std::string(VIGIL_SHARED_DIR) + "/" + relative;
}

// Returns the rows of `file` under data/version-ordering/osv-scalibr-semantic/, or nullopt if the
// shared data is absent. Lines starting with "# " or "// " and blank lines are skipped.
inline std::optional<std::vector<OrderingRow>> load_ordering_table(const std::string& file) {
  std::ifstream in(shared_path("data/version-ordering/osv-scalibr-semantic/" + file));
  if (!in) {
    return std::nullopt;
  }
  std::vector<OrderingRow> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.rfind("# ", 0) == 0 || line.rfind("// ", 0) == 0) {
      continue;
    }
    const size_t first = line.find(' ');
    const size_t second = first == std::string::npos ? first : line.find(' ', first + 1);
    if (second == std::string::npos) {
      continue;
    }
    const std::string op = line.substr(first + 1, second - first - 1);
    OrderingRow row{line.substr(0, first), line.substr(second + 1), 0, number};
    if (op == "<") {
      row.want = -1;
    } else if (op == ">") {
      row.want = 1;
    } else if (op != "=") {
      continue;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The version type a parse function (`Result<V> parse(std::string_view)`) produces.
template <class Parse>
using ParsedVersion = typename std::invoke_result_t<Parse, std::string_view>::value_type;

// Distinct versions with the text each was parsed from.
template <class Version>
using VersionList = std::vector<std::pair<std::string, Version>>;

// A hand-written ordering case: comparing `lhs` with `rhs` must give `want` (-1, 0 or 1).
struct OrderCase {
  const char* lhs;
  const char* rhs;
  int want;
};

// Returns `parse(text)`. If `text` is refused, records a test failure with the error message and
// returns a default-constructed version, so the caller can go on.
template <class Parse>
ParsedVersion<Parse> must_parse(Parse parse, std::string_view text) {
  auto parsed = parse(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << (parsed ? "" : parsed.error().message);
  return parsed ? std::move(*parsed) : ParsedVersion<Parse>{};
}

// Returns `compare` of `lhs` and `rhs` as parsed by `parse`. If either is refused, records a test
// failure with the error message and returns 2, which no comparison returns.
template <class Parse, class Compare>
int parse_and_compare(Parse parse, Compare compare, std::string_view lhs, std::string_view rhs) {
  const auto left = parse(lhs);
  const auto right = parse(rhs);
  EXPECT_TRUE(left.has_value()) << lhs << ": " << (left ? "" : left.error().message);
  EXPECT_TRUE(right.has_value()) << rhs << ": " << (right ? "" : right.error().message);
  if (!left || !right) {
    return 2;
  }
  return compare(*left, *right);
}

// Checks every case in both directions: `lhs` vs `rhs` gives `want`, `rhs` vs `lhs` gives -`want`.
template <class Parse, class Compare>
void expect_cases(const std::vector<OrderCase>& cases, Parse parse, Compare compare) {
  for (const auto& c : cases) {
    EXPECT_EQ(parse_and_compare(parse, compare, c.lhs, c.rhs), c.want) << c.lhs << " vs " << c.rhs;
    EXPECT_EQ(parse_and_compare(parse, compare, c.rhs, c.lhs), -c.want) << c.rhs << " vs " << c.lhs;
  }
}

// A text `parse` must refuse, and a fragment its error message must contain.
struct RejectCase {
  std::string text;
  std::string message;
};

// Checks that `parse` refuses every case with a kParse error whose message starts with `prefix`
// (the scheme's name, "dpkg: ") and contains the case's fragment.
template <class Parse>
void expect_rejected(Parse parse, std::string_view prefix, const std::vector<RejectCase>& cases) {
  for (const auto& [text, message] : cases) {
    const auto parsed = parse(text);
    ASSERT_FALSE(parsed.has_value()) << "accepted '" << text << "'";
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse) << text;
    EXPECT_EQ(parsed.error().message.rfind(prefix, 0), 0U) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(message), std::string::npos)
        << "'" << text << "': " << parsed.error().message;
  }
}

// A table row a scheme deliberately answers differently, with the answer it gives (-1, 0, 1).
struct RowException {
  std::string lhs;
  std::string rhs;
  int ours = 0;
};

// Where a scheme may depart from a shared table. Every entry needs a comment, at the place it is
// written, that says why.
struct TableExclusions {
  // Versions the scheme must refuse; rows naming one are not ordered.
  std::set<std::string> invalid{};
  // How many other distinct versions of the table the scheme refuses, unnamed (rows naming them
  // are not ordered either). The count is exact, so a newly refused valid version cannot hide.
  std::size_t unlisted_invalid = 0;
  // Rows answered differently from the table. Each must match a row, and differ from it.
  std::vector<RowException> rows{};
};

// What check_table ordered: the distinct versions of those rows, and how many rows there were.
template <class Version>
struct TableCheck {
  VersionList<Version> versions;
  std::size_t ordered_rows = 0;
};

// Checks `compare` against every row of the shared table `file` in both directions, honouring
// `exclusions`. Records a test failure per disagreement (the first kMaxReported), per version
// refused or accepted against `exclusions`, and per unused row exception. Returns nullopt if the
// shared data is absent (the caller skips), else the versions and count of the rows it ordered.
template <class Parse, class Compare>
std::optional<TableCheck<ParsedVersion<Parse>>> check_table(
    const std::string& file, Parse parse, Compare compare, const TableExclusions& exclusions = {}) {
  const auto rows = load_ordering_table(file);
  if (!rows) {
    return std::nullopt;
  }
  EXPECT_FALSE(rows->empty()) << file;
  std::map<std::string, ParsedVersion<Parse>> versions;
  std::map<std::string, std::string> refused;  // unlisted refused version -> where and why
  std::vector<bool> exception_used(exclusions.rows.size(), false);
  std::size_t ordered_rows = 0;
  std::size_t disagreements = 0;
  for (const auto& row : *rows) {
    const auto lhs = parse(row.lhs);
    const auto rhs = parse(row.rhs);
    bool skip = false;
    for (const auto& [text, parsed] : {std::pair{&row.lhs, &lhs}, std::pair{&row.rhs, &rhs}}) {
      if (exclusions.invalid.count(*text) != 0) {
        skip = true;
      } else if (!parsed->has_value()) {
        skip = true;
        refused.try_emplace(*text,
                            "line " + std::to_string(row.line) + ": " + parsed->error().message);
      }
    }
    if (skip) {
      continue;
    }
    int want = row.want;
    std::string note;
    for (std::size_t idx = 0; idx < exclusions.rows.size(); ++idx) {
      const auto& exception = exclusions.rows[idx];
      if (exception.lhs == row.lhs && exception.rhs == row.rhs) {
        exception_used[idx] = true;
        EXPECT_NE(row.want, exception.ours) << "stale exception " << row.lhs << " " << row.rhs;
        want = exception.ours;
        note = " (an exception: the table says " + std::to_string(row.want) + ")";
      }
    }
    const int got = compare(*lhs, *rhs);
    const int back = compare(*rhs, *lhs);
    if ((got != want || back != -want) && ++disagreements <= kMaxReported) {
      ADD_FAILURE() << file << ":" << row.line << ": " << row.lhs << " vs " << row.rhs << " want "
                    << want << " got " << got << " / reverse " << back << note;
    }
    versions.try_emplace(row.lhs, *lhs);
    versions.try_emplace(row.rhs, *rhs);
    ++ordered_rows;
  }
  EXPECT_EQ(disagreements, 0U) << file << " (" << rows->size() << " rows)";
  if (refused.size() != exclusions.unlisted_invalid) {
    std::string list;
    for (const auto& [text, why] : refused) {
      list += "\n  '" + text + "' (" + why + ")";
    }
    ADD_FAILURE() << file << ": refused " << refused.size() << " unlisted versions, expected "
                  << exclusions.unlisted_invalid << ":" << list;
  }
  for (const auto& text : exclusions.invalid) {
    EXPECT_FALSE(parse(text).has_value()) << "'" << text << "' is listed as invalid but parses";
  }
  for (std::size_t idx = 0; idx < exclusions.rows.size(); ++idx) {
    EXPECT_TRUE(exception_used[idx]) << "exception " << exclusions.rows[idx].lhs << " vs "
                                     << exclusions.rows[idx].rhs << " matches no row of " << file;
  }
  return TableCheck<ParsedVersion<Parse>>{{versions.begin(), versions.end()}, ordered_rows};
}

// Checks that `compare` is a total preorder on `versions` (antisymmetric, and transitive for both
// < and =): sorts them with `compare`, numbers the classes of equal versions along the sorted
// order, and checks that pairs compare both ways as their classes do. That is every pair when
// there are at most `sample_size` of them, else `sample_size` pairs drawn with a fixed seed.
// Records a test failure per mismatch (the first kMaxReported).
template <class Version, class Compare>
void check_order_consistency(VersionList<Version> versions, Compare compare,
                             std::size_t sample_size) {
  EXPECT_GT(versions.size(), 10U) << "too few versions for the check to mean much";
  if (versions.empty()) {
    return;
  }
  std::stable_sort(versions.begin(), versions.end(), [&](const auto& lhs, const auto& rhs) {
    return compare(lhs.second, rhs.second) < 0;
  });
  const std::size_t count = versions.size();
  std::vector<std::size_t> cls(count, 0);
  for (std::size_t idx = 1; idx < count; ++idx) {
    const int step = compare(versions[idx - 1].second, versions[idx].second);
    ASSERT_LE(step, 0) << "sorted order broken at " << versions[idx - 1].first << " vs "
                       << versions[idx].first;
    cls[idx] = cls[idx - 1] + (step < 0 ? 1U : 0U);
  }
  std::size_t mismatches = 0;
  const auto check = [&](std::size_t left, std::size_t right) {
    const int want = cls[left] < cls[right] ? -1 : (cls[left] > cls[right] ? 1 : 0);
    const int got = compare(versions[left].second, versions[right].second);
    const int back = compare(versions[right].second, versions[left].second);
    if ((got != want || back != -want) && ++mismatches <= kMaxReported) {
      ADD_FAILURE() << versions[left].first << " vs " << versions[right].first << ": got " << got
                    << " / reverse " << back << ", sorted order says " << want;
    }
  };
  if (count <= sample_size / count) {
    for (std::size_t left = 0; left < count; ++left) {
      for (std::size_t right = left; right < count; ++right) {
        check(left, right);
      }
    }
  } else {
    std::mt19937_64 rng(20240611);
    std::uniform_int_distribution<std::size_t> pick(0, count - 1);
    for (std::size_t sample = 0; sample < sample_size; ++sample) {
      const std::size_t left = pick(rng);
      check(left, pick(rng));
    }
  }
  EXPECT_EQ(mismatches, 0U) << "over " << count << " distinct versions";
}

// Runs check_table on `file`, then check_order_consistency over the versions it ordered. Skips the
// current test if the shared data is absent.
template <class Parse, class Compare>
void check_table_and_order(const std::string& file, Parse parse, Compare compare,
                           std::size_t sample_size, const TableExclusions& exclusions = {}) {
  const auto table = check_table(file, parse, compare, exclusions);
  if (!table) {
    GTEST_SKIP() << "shared data missing: " << file;
  }
  check_order_consistency(table->versions, compare, sample_size);
}

}  // namespace vigil::testing
