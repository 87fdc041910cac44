// Shared helpers for differential tests: run a reference implementation over a batch of inputs,
// draw and mutate seeded version pairs, and report where vigil and the reference disagree.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/ordering_table.hpp"

namespace vigil::testing {

// True when the environment demands the reference tools (CI sets VIGIL_REQUIRE_REFERENCE=1):
// a missing tool is then a failure rather than a skip.
bool reference_required();

// Runs `command` through /bin/sh with `input` on its standard input and returns its standard
// output, or nullopt if it could not be started or exited non-zero.
std::optional<std::string> run_with_input(const std::string& command, const std::string& input);

// True if `command` (a shell snippet such as "/usr/bin/python3 -c 'import rpm'") exits 0.
bool command_succeeds(const std::string& command);

// Counts the inputs on which vigil and a reference disagree and keeps the first kMaxReported
// descriptions. Not thread-safe.
class Disagreements {
 public:
  // `reference` names the reference in the summary ("dpkg", "rpm.labelCompare").
  explicit Disagreements(std::string reference) : reference_(std::move(reference)) {}

  // Whether add() would keep a description: callers may skip building an expensive one.
  bool wants_detail() const { return described_.size() < kMaxReported; }

  // Counts one disagreement, keeping `description` if wants_detail().
  void add(std::string description);

  std::size_t count() const { return count_; }

  // "N of `total` `what` disagree with <reference>; first K:" and one line per kept description.
  std::string summary(std::size_t total, std::string_view what) const;

 private:
  std::string reference_;
  std::vector<std::string> described_;
  std::size_t count_ = 0;
};

// The generator behind every seeded choice: a fixed seed gives the same inputs on every run.
using Rng = std::mt19937_64;

// A uniformly random index below `size` (which must be positive).
std::size_t pick(Rng& rng, std::size_t size);

// One of `items`, chosen with pick().
template <std::size_t N>
const char* pick_from(Rng& rng, const std::array<const char*, N>& items) {
  return items[pick(rng, N)];
}

// `rng() % bound` (`bound` must be positive): the cheaper draw the mutators of the PEP 440 and
// SemVer tests were seeded with.
std::size_t below(Rng& rng, std::size_t bound);

// From `min_len` to `max_len` random decimal digits.
std::string random_digits(Rng& rng, std::size_t min_len, std::size_t max_len);

// Positions [begin, end) of every run of ASCII digits in `text`.
std::vector<std::pair<std::size_t, std::size_t>> digit_runs(const std::string& text);

// Edits drawn with pick(): each returns `text` changed in one place, or unchanged when it has
// nothing to change. The result may be an invalid version.
// A random digit run replaced by a 21 to 41 digit number (or one appended after a '.').
std::string with_long_number(std::string text, Rng& rng);
// One to three '0's before a random digit run.
std::string with_leading_zeros(std::string text, Rng& rng);
// One random digit replaced by a random digit.
std::string with_digit_changed(std::string text, Rng& rng);
// One random character dropped, never the first.
std::string without_one_character(std::string text, Rng& rng);

// The strings the text edits below draw from; none may be empty.
struct TextAlphabet {
  std::span<const char* const> suffixes;  // appended, or inserted before the build metadata
  std::string_view chars;                 // inserted one at a time
  std::span<const char* const> spaces;    // put around a version
};

// An edit drawn with below() from `alphabet`, as the edits above.
using TextEdit = std::string (*)(std::string text, Rng& rng, const TextAlphabet& alphabet);

// `text` as it is.
std::string unchanged(std::string text, Rng& rng, const TextAlphabet& alphabet);
// The case of one random ASCII letter flipped.
std::string with_case_flipped(std::string text, Rng& rng, const TextAlphabet& alphabet);
// A random suffix appended.
std::string with_suffix(std::string text, Rng& rng, const TextAlphabet& alphabet);
// A random suffix inserted before the build metadata ('+'), or appended if there is none.
std::string with_suffix_before_build(std::string text, Rng& rng, const TextAlphabet& alphabet);
// One random character inserted anywhere.
std::string with_char_inserted(std::string text, Rng& rng, const TextAlphabet& alphabet);
// One random character erased.
std::string with_char_erased(std::string text, Rng& rng, const TextAlphabet& alphabet);
// Put between two random entries of the alphabet's spaces.
std::string with_spaces_around(std::string text, Rng& rng, const TextAlphabet& alphabet);

// Applies 1 + below(rng, `max_rounds`) edits to `text`, each one drawn from `edits` (listing an
// edit more than once makes it likelier).
std::string mutate_text(std::string text, Rng& rng, std::size_t max_rounds,
                        std::span<const TextEdit> edits, const TextAlphabet& alphabet);

// An edit of a version: takes it and returns a changed copy.
using Edit = std::function<std::string(std::string, Rng&)>;
// Whether a version (or a pair of them) is to be kept.
using Accept = std::function<bool(const std::string&)>;

// Applies one to three `edit`s to `base` until `accept` takes the result; after 20 refused tries,
// returns `base` itself.
std::string mutate_until(const std::string& base, Rng& rng, const Edit& edit, const Accept& accept);

// The distinct versions of `extra` and of the shared ordering tables `files` that are present, in
// text order, keeping those `keep` accepts (all of them if `keep` is empty).
std::vector<std::string> version_pool(std::set<std::string> extra,
                                      std::initializer_list<const char*> files,
                                      const Accept& keep = {});

struct VersionPair {
  std::string lhs;
  std::string rhs;
};

// How an ordering differential test draws pairs from its pool of valid versions.
struct PairMix {
  std::uint64_t seed = 0;
  Edit mutate;      // returns a valid variant of a version, or the version itself
  Edit equivalent;  // returns a rewrite the version should equal; it may be invalid
  Accept valid;     // whether vigil accepts a version
};

// `count` pairs drawn from `pool` (not empty) with `mix`: a version (mutated one time in four)
// against a mutation of it, two mutations of it, a valid equivalent rewrite of it, or a random
// version; or neighbours in the pool (usually the same package).
std::vector<VersionPair> mixed_pairs(const std::vector<std::string>& pool, std::size_t count,
                                     const PairMix& mix);

// Appends pairs to `pairs` until it holds `total`: `mutate` of a random version of `pool` (not
// empty) against `mutate` of another or, one time in three, of the first one's mutation. Pairs
// with a side `keep` refuses are dropped (none if `keep` is empty).
void add_mutated_pairs(std::vector<VersionPair>& pairs, std::size_t total,
                       const std::vector<std::string>& pool, Rng& rng, const Edit& mutate,
                       const Accept& keep = {});

// Checks that each of less, equal and greater is at least 1/20 of `orders` (-1, 0 or 1 each):
// otherwise the test proves little.
void expect_relation_mix(const std::vector<int>& orders);

// `text` in lower-case hex, two digits a byte.
std::string to_hex(std::string_view text);

// `text` in double quotes, with control and non-ASCII bytes as "\xNN".
std::string printable(std::string_view text);

// What a reference says about one pair: whether each side is valid (1) or not (0), their order
// (-1, 0, 1; 0 unless both are valid), and each side's normal form ("-" when invalid).
struct Verdict {
  int lhs_valid = 0;
  int rhs_valid = 0;
  int order = 0;
  std::string lhs_form;
  std::string rhs_form;
};

// Sends `pairs` to `command` as "HEXA HEXB" lines and reads back one "VALID_A VALID_B CMP FORM_A
// FORM_B" line per pair. Returns nullopt if the command fails or answers fewer lines.
std::optional<std::vector<Verdict>> run_verdicts(const std::string& command,
                                                 const std::vector<VersionPair>& pairs);

// How many pairs had both sides valid, and both invalid.
struct VerdictTally {
  std::size_t both_valid = 0;
  std::size_t both_invalid = 0;
};

// Checks vigil against the `verdicts` of `reference` ("packaging", "npm") on `pairs`: the same
// validity of each side, and when both are valid, the same order (`compare`) and the same normal
// forms (`form`). Prints a one-line summary, records one test failure describing the first
// kMaxReported disagreements, and returns the tally so the caller can check the mix.
template <class Parse, class Compare, class Form>
VerdictTally expect_verdicts(const std::string& reference, const std::vector<VersionPair>& pairs,
                             const std::vector<Verdict>& verdicts, Parse parse, Compare compare,
                             Form form) {
  VerdictTally tally;
  Disagreements disagreements(reference);
  for (std::size_t idx = 0; idx < pairs.size() && idx < verdicts.size(); ++idx) {
    const auto& [lhs, rhs] = pairs[idx];
    const Verdict& verdict = verdicts[idx];
    const auto left = parse(lhs);
    const auto right = parse(rhs);
    std::string problem;
    if (left.has_value() != (verdict.lhs_valid == 1) ||
        right.has_value() != (verdict.rhs_valid == 1)) {
      problem = "validity: " + reference + " " + std::to_string(verdict.lhs_valid) +
                std::to_string(verdict.rhs_valid) + ", vigil " +
                std::to_string(int{left.has_value()}) + std::to_string(int{right.has_value()});
    } else if (left && right) {
      ++tally.both_valid;
      const int got = compare(*left, *right);
      if (got != verdict.order) {
        problem = "order: " + reference + " " + std::to_string(verdict.order) + ", vigil " +
                  std::to_string(got);
      } else if (form(*left) != verdict.lhs_form || form(*right) != verdict.rhs_form) {
        problem = "normal form: " + reference + " " + verdict.lhs_form + " " + verdict.rhs_form +
                  ", vigil " + form(*left) + " " + form(*right);
      }
    } else if (!left && !right) {
      ++tally.both_invalid;
    }
    if (!problem.empty()) {
      disagreements.add(printable(lhs) + " vs " + printable(rhs) + ": " + problem);
    }
  }
  std::printf("%zu pairs: %zu both valid, %zu both invalid, %zu disagreements\n", pairs.size(),
              tally.both_valid, tally.both_invalid, disagreements.count());
  EXPECT_EQ(verdicts.size(), pairs.size());
  EXPECT_EQ(disagreements.count(), 0U) << disagreements.summary(pairs.size(), "pairs");
  return tally;
}

}  // namespace vigil::testing

// Skips the current test when a reference tool is missing, unless reference_required().
#define VIGIL_REQUIRE_TOOL(available, what)                           \
  do {                                                                \
    if (!(available)) {                                               \
      if (::vigil::testing::reference_required()) {                   \
        FAIL() << "reference implementation missing: " << (what);     \
      }                                                               \
      GTEST_SKIP() << "reference implementation missing: " << (what); \
    }                                                                 \
  } while (false)
