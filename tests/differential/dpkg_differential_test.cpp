// Differential test of the dpkg ordering against its reference implementation: thousands of
// seeded version pairs (real Debian versions from the shared tables and random mutations of them)
// checked with `dpkg --compare-versions`, plus parse validity against dpkg's own syntax checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "differential_support.hpp"
#include "support/ordering_table.hpp"
#include "version/dpkg.hpp"

namespace vigil::version {
namespace {

using Rng = std::mt19937_64;

constexpr std::size_t kPairs = 3000;
constexpr std::size_t kValidityProbes = 300;
constexpr std::size_t kMaxReported = 20;

// Real versions used when the shared tables are absent, and always mixed into the pool.
constexpr std::array<const char*, 16> kBuiltinVersions = {
    "2.36-9+deb12u7",   "7.88.1-10+deb12u8",
    "3.0.11-1~deb12u2", "1:1.2.13.dfsg-1",
    "2.38-4ubuntu2.1",  "1:9.18.24-0ubuntu0.22.04.1",
    "6.1.90-1",         "2.2.2-1+b1",
    "1.18.0-6+deb11u3", "2:2.6.2+samba4.17.12+dfsg-0+deb12u1",
    "1.0~rc1",          "0.9.8c-4etch3+m68k1",
    "5.4.0-1.2",        "20230311.1",
    "1:2.39.2-1.1",     "252.22-1~deb12u1",
};

std::size_t pick(Rng& rng, std::size_t size) {
  return std::uniform_int_distribution<std::size_t>(0, size - 1)(rng);
}

template <std::size_t N>
const char* pick_from(Rng& rng, const std::array<const char*, N>& items) {
  return items[pick(rng, N)];
}

std::string random_digits(Rng& rng, std::size_t min_len, std::size_t max_len) {
  const std::size_t len = std::uniform_int_distribution<std::size_t>(min_len, max_len)(rng);
  std::string digits;
  for (std::size_t idx = 0; idx < len; ++idx) {
    digits.push_back(static_cast<char>('0' + pick(rng, 10)));
  }
  return digits;
}

// Positions [begin, end) of every digit run in `text`.
std::vector<std::pair<std::size_t, std::size_t>> digit_runs(const std::string& text) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t pos = 0; pos < text.size();) {
    if (text[pos] >= '0' && text[pos] <= '9') {
      std::size_t end = pos;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
        ++end;
      }
      runs.emplace_back(pos, end);
      pos = end;
    } else {
      ++pos;
    }
  }
  return runs;
}

// One random edit of the kinds that matter to verrevcmp; the result may be invalid.
std::string mutate_once(std::string text, Rng& rng) {
  static constexpr std::array<const char*, 10> kEpochs = {
      "", "0:", "1:", "2:", "00:", "01:", "10:", "2147483647:", "2147483646:", "0000000003:"};
  static constexpr std::array<const char*, 18> kSuffixes = {
      "a",          "+dfsg", ".1", "+b1", "~rc1", "~~", "+really1.0", "-1",  "-0",
      "-1~bpo11+1", ".0",    "z",  "A",   "+",    ".",  "~",          "-00", "ubuntu0.1"};
  static constexpr std::array<const char*, 6> kTildeTokens = {"", "rc1", "~", "a", "1", "~b"};
  static constexpr std::array<char, 6> kSeparators = {'.', '+', '~', '-', ':', 'a'};
  const auto runs = digit_runs(text);
  const std::size_t at = text.empty() ? 0 : 1 + pick(rng, text.size());
  switch (pick(rng, 10)) {
    case 0: {  // replace the epoch
      const std::size_t colon = text.find(':');
      if (colon != std::string::npos) {
        text.erase(0, colon + 1);
      }
      return pick_from(rng, kEpochs) + text;
    }
    case 1:
      return text.insert(std::min(at, text.size()),
                         std::string("~") + pick_from(rng, kTildeTokens));
    case 2:
      return text + pick_from(rng, kSuffixes);
    case 3:  // a digit run far beyond 64 bits
      if (!runs.empty()) {
        const auto [begin, end] = runs[pick(rng, runs.size())];
        return text.replace(begin, end - begin, "1" + random_digits(rng, 20, 40));
      }
      return text + "." + random_digits(rng, 20, 40);
    case 4:  // leading zeros
      if (!runs.empty()) {
        return text.insert(runs[pick(rng, runs.size())].first, std::string(1 + pick(rng, 3), '0'));
      }
      return text;
    case 5: {  // change a separator
      const std::size_t pos = text.find_first_of(".+~-", pick(rng, text.size() + 1));
      if (pos != std::string::npos) {
        text[pos] = kSeparators[pick(rng, kSeparators.size())];
      }
      return text;
    }
    case 6:  // bump one digit
      if (!runs.empty()) {
        const auto [begin, end] = runs[pick(rng, runs.size())];
        text[begin + pick(rng, end - begin)] = static_cast<char>('0' + pick(rng, 10));
      }
      return text;
    case 7:  // change or add a letter
      return text.insert(std::min(at, text.size()), 1, static_cast<char>('a' + pick(rng, 26)));
    case 8:  // drop one character
      if (text.size() > 1) {
        text.erase(1 + pick(rng, text.size() - 1), 1);
      }
      return text;
    default:  // a shorter prefix
      return text.substr(0, std::min(text.size(), at));
  }
}

// A valid mutation of `base` (1-3 edits), or `base` itself if no valid one turns up.
std::string mutate(const std::string& base, Rng& rng) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::string text = base;
    const std::size_t edits = 1 + pick(rng, 3);
    for (std::size_t edit = 0; edit < edits; ++edit) {
      text = mutate_once(std::move(text), rng);
    }
    if (parse_dpkg(text).has_value() && text.size() < 200) {
      return text;
    }
  }
  return base;
}

// A rewrite of `text` that verrevcmp should order equal: leading zeros, an explicit zero epoch or
// revision, or no change at all (the reference decides whether it really is equal).
std::string equivalent(std::string text, Rng& rng) {
  const auto runs = digit_runs(text);
  switch (pick(rng, 4)) {
    case 0:
      if (!runs.empty()) {
        text.insert(runs[pick(rng, runs.size())].first, std::string(1 + pick(rng, 3), '0'));
      }
      return text;
    case 1:
      return text.find(':') == std::string::npos ? "0:" + text : text;
    case 2:
      return text.find('-') == std::string::npos ? text + "-0" : text;
    default:
      return text;
  }
}

std::vector<std::string> version_pool() {
  std::set<std::string> pool(kBuiltinVersions.begin(), kBuiltinVersions.end());
  for (const char* file : {"debian-versions.txt", "debian-versions-generated.txt"}) {
    if (const auto rows = vigil::testing::load_ordering_table(file)) {
      for (const auto& row : *rows) {
        pool.insert(row.lhs);
        pool.insert(row.rhs);
      }
    }
  }
  std::vector<std::string> valid;
  for (const auto& text : pool) {
    if (parse_dpkg(text).has_value()) {
      valid.push_back(text);
    }
  }
  return valid;
}

struct Pair {
  std::string lhs;
  std::string rhs;
  int ours = 0;
};

std::vector<Pair> generate_pairs(std::size_t count) {
  const auto pool = version_pool();
  Rng rng(0x5eed'd9c6);
  std::vector<Pair> pairs;
  while (pairs.size() < count) {
    std::string base = pool[pick(rng, pool.size())];
    if (pick(rng, 4) == 0) {
      base = mutate(base, rng);  // e.g. give both sides the same long digit run or epoch
    }
    Pair pair;
    switch (pick(rng, 6)) {
      case 0:
      case 1:
        pair = {base, mutate(base, rng)};
        break;
      case 5: {
        std::string other = equivalent(base, rng);
        pair = {base, parse_dpkg(other).has_value() ? other : base};
        break;
      }
      case 2:
        pair = {mutate(base, rng), mutate(base, rng)};
        break;
      case 3: {  // a neighbour in the pool: usually the same package
        const std::size_t idx = pick(rng, pool.size());
        pair = {pool[idx], pool[std::min(idx + 1 + pick(rng, 3), pool.size() - 1)]};
        break;
      }
      default:
        pair = {base, pool[pick(rng, pool.size())]};
        break;
    }
    pair.ours = compare_dpkg(parse_dpkg(pair.lhs).value(), parse_dpkg(pair.rhs).value());
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

const char* relation(int cmp) { return cmp < 0 ? "lt" : (cmp > 0 ? "gt" : "eq"); }

bool dpkg_available() { return vigil::testing::command_succeeds("dpkg --compare-versions 1 lt 2"); }

// Runs `loop` (a sh `while read` loop printing one "=1"/"=0" line per input line, after any
// messages of dpkg's) over `lines` in ONE /bin/sh script. The script works through the two
// halves of the input concurrently (one per core; every pair still costs a dpkg fork) and prints
// the first half's results, then the second's, so the output keeps the input order.
std::optional<std::string> run_dpkg_loop(const std::string& loop,
                                         const std::vector<std::string>& lines) {
  std::string input;
  for (const auto& line : lines) {
    input += line + "\n";
  }
  const std::size_t half = lines.size() / 2;
  const std::string script = "t=$(mktemp -d) && cat > \"$t/in\" && run() { " + loop + "; }; " +
                             "head -n " + std::to_string(half) + " \"$t/in\" | run > \"$t/1\" & " +
                             "tail -n +" + std::to_string(half + 1) +
                             " \"$t/in\" | run > \"$t/2\"; wait; " +
                             "cat \"$t/1\" \"$t/2\"; rm -rf \"$t\"";
  return vigil::testing::run_with_input("/bin/sh -c '" + script + "'", input);
}

// Asks dpkg for the full relation of a few pairs (only used to report disagreements).
std::vector<std::string> dpkg_relations(const std::vector<Pair>& pairs) {
  std::string input;
  for (const auto& pair : pairs) {
    input += pair.lhs + " " + pair.rhs + "\n";
  }
  const auto output = vigil::testing::run_with_input(
      "/bin/sh -c 'while read -r a b; do r=\"?\"; for op in lt eq gt; do "
      "if dpkg --compare-versions \"$a\" $op \"$b\" 2>/dev/null; then r=$op; fi; done; "
      "echo \"$r\"; done'",
      input);
  std::vector<std::string> relations;
  std::istringstream lines(output.value_or(""));
  for (std::string line; std::getline(lines, line);) {
    relations.push_back(line);
  }
  return relations;
}

TEST(DpkgDifferentialTest, OrderingMatchesDpkgCompareVersions) {
  VIGIL_REQUIRE_TOOL(dpkg_available(), "dpkg --compare-versions");
  const auto pairs = generate_pairs(kPairs);
  std::array<std::size_t, 3> by_relation{};
  std::vector<std::string> input;
  for (const auto& pair : pairs) {
    ++by_relation[static_cast<std::size_t>(pair.ours + 1)];
    // dpkg confirms (exit 0) exactly when its relation is the one we computed.
    input.push_back(pair.lhs + " " + pair.rhs + " " + relation(pair.ours));
  }
  // Every relation must be well represented, or the test proves little.
  for (const std::size_t count : by_relation) {
    EXPECT_GE(count, kPairs / 20) << "lt/eq/gt mix: " << by_relation[0] << "/" << by_relation[1]
                                  << "/" << by_relation[2];
  }

  // dpkg's own messages (bad-syntax warnings) land before the pair's "=1"/"=0" line and count as
  // a disagreement.
  const auto output = run_dpkg_loop(
      "while read -r a b op; do if dpkg --compare-versions \"$a\" \"$op\" \"$b\" 2>&1; "
      "then echo =1; else echo =0; fi; done",
      input);
  ASSERT_TRUE(output.has_value()) << "dpkg loop failed to run";
  std::istringstream lines(*output);
  std::vector<Pair> disagreeing;
  std::vector<std::string> notes;
  std::string messages;
  std::size_t index = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line != "=1" && line != "=0") {
      messages += line + "; ";
      continue;
    }
    ASSERT_LT(index, pairs.size()) << "more results than pairs";
    if (line == "=0" || !messages.empty()) {
      disagreeing.push_back(pairs[index]);
      notes.push_back(messages);
    }
    messages.clear();
    ++index;
  }
  ASSERT_EQ(index, pairs.size()) << "dpkg answered " << index << " of " << pairs.size();

  if (!disagreeing.empty()) {
    std::vector<Pair> first(disagreeing.begin(),
                            disagreeing.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(kMaxReported, disagreeing.size())));
    const auto theirs = dpkg_relations(first);
    std::ostringstream report;
    for (std::size_t idx = 0; idx < first.size(); ++idx) {
      report << "  " << first[idx].lhs << " vs " << first[idx].rhs << ": vigil "
             << relation(first[idx].ours) << ", dpkg "
             << (idx < theirs.size() ? theirs[idx] : std::string("?")) << " " << notes[idx] << "\n";
    }
    ADD_FAILURE() << disagreeing.size() << " of " << pairs.size()
                  << " pairs disagree with dpkg; first " << first.size() << ":\n"
                  << report.str();
  }
}

// Random strings near real versions, valid and not: vigil must accept exactly those that dpkg
// accepts without an error or a bad-syntax warning.
TEST(DpkgDifferentialTest, ValidityMatchesDpkg) {
  VIGIL_REQUIRE_TOOL(dpkg_available(), "dpkg --compare-versions");
  static constexpr std::string_view kAlphabet = "0123456789abcXYZ.+~-:_ !,/^@";
  const auto pool = version_pool();
  Rng rng(0xba5e'7e57);
  std::vector<std::string> probes;
  while (probes.size() < kValidityProbes) {
    std::string text = pool[pick(rng, pool.size())];
    const std::size_t edits = 1 + pick(rng, 3);
    for (std::size_t edit = 0; edit < edits; ++edit) {
      if (pick(rng, 2) == 0) {
        text = mutate_once(std::move(text), rng);
      } else {
        text.insert(pick(rng, text.size() + 1), 1, kAlphabet[pick(rng, kAlphabet.size())]);
      }
    }
    // Known, deliberate differences: dpkg's CLI treats "" as a blank version, and its strtol
    // epoch parsing takes a sign ("+1:", "-0:"), which vigil refuses.
    const std::size_t colon = text.find(':');
    const std::size_t start = text.find_first_not_of(' ');
    if (start == std::string::npos ||
        (colon != std::string::npos && (text[start] == '+' || text[start] == '-'))) {
      continue;
    }
    probes.push_back(text);
  }
  const auto output = run_dpkg_loop(
      "while IFS= read -r v; do if dpkg --compare-versions \"$v\" eq \"$v\" 2>&1; "
      "then echo =1; else echo =0; fi; done",
      probes);
  ASSERT_TRUE(output.has_value()) << "dpkg loop failed to run";
  std::istringstream lines(*output);
  std::size_t index = 0;
  std::size_t accepted = 0;
  std::size_t mismatches = 0;
  std::string messages;
  for (std::string line; std::getline(lines, line);) {
    if (line != "=1" && line != "=0") {
      messages += line + "; ";
      continue;
    }
    ASSERT_LT(index, probes.size());
    const bool dpkg_valid = line == "=1" && messages.empty();
    const auto ours = parse_dpkg(probes[index]);
    if (ours.has_value()) {
      ++accepted;
    }
    if (ours.has_value() != dpkg_valid && ++mismatches <= kMaxReported) {
      ADD_FAILURE() << "'" << probes[index] << "': vigil "
                    << (ours ? std::string("accepts") : "rejects (" + ours.error().message + ")")
                    << ", dpkg " << (dpkg_valid ? "accepts" : "rejects: " + messages);
    }
    messages.clear();
    ++index;
  }
  EXPECT_EQ(index, probes.size());
  EXPECT_EQ(mismatches, 0U);
  // Both outcomes must be exercised.
  EXPECT_GE(accepted, kValidityProbes / 10);
  EXPECT_LE(accepted, kValidityProbes - kValidityProbes / 10);
}

}  // namespace
}  // namespace vigil::version
