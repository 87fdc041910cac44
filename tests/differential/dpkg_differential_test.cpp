// Differential test of the dpkg ordering against its reference implementation: thousands of
// seeded version pairs (real Debian versions from the shared tables and random mutations of them)
// checked with `dpkg --compare-versions`, plus parse validity against dpkg's own syntax checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "differential_support.hpp"
#include "version/dpkg.hpp"

namespace vigil::version {
namespace {

using testing::pick;
using testing::pick_from;
using testing::Rng;

constexpr std::size_t kPairs = 3000;
constexpr std::size_t kValidityProbes = 300;

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

bool valid(const std::string& text) { return parse_dpkg(text).has_value(); }

// One random edit of the kinds that matter to verrevcmp; the result may be invalid.
std::string mutate_once(std::string text, Rng& rng) {
  static constexpr std::array<const char*, 10> kEpochs = {
      "", "0:", "1:", "2:", "00:", "01:", "10:", "2147483647:", "2147483646:", "0000000003:"};
  static constexpr std::array<const char*, 18> kSuffixes = {
      "a",          "+dfsg", ".1", "+b1", "~rc1", "~~", "+really1.0", "-1",  "-0",
      "-1~bpo11+1", ".0",    "z",  "A",   "+",    ".",  "~",          "-00", "ubuntu0.1"};
  static constexpr std::array<const char*, 6> kTildeTokens = {"", "rc1", "~", "a", "1", "~b"};
  static constexpr std::array<char, 6> kSeparators = {'.', '+', '~', '-', ':', 'a'};
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
      return testing::with_long_number(std::move(text), rng);
    case 4:
      return testing::with_leading_zeros(std::move(text), rng);
    case 5: {  // change a separator
      const std::size_t pos = text.find_first_of(".+~-", pick(rng, text.size() + 1));
      if (pos != std::string::npos) {
        text[pos] = kSeparators[pick(rng, kSeparators.size())];
      }
      return text;
    }
    case 6:
      return testing::with_digit_changed(std::move(text), rng);
    case 7:  // change or add a letter
      return text.insert(std::min(at, text.size()), 1, static_cast<char>('a' + pick(rng, 26)));
    case 8:
      return testing::without_one_character(std::move(text), rng);
    default:  // a shorter prefix
      return text.substr(0, std::min(text.size(), at));
  }
}

// A valid mutation of `base` (1-3 edits), or `base` itself if no valid one turns up.
std::string mutate(const std::string& base, Rng& rng) {
  return testing::mutate_until(base, rng, mutate_once, [](const std::string& text) {
    return valid(text) && text.size() < 200;
  });
}

// A rewrite of `text` that verrevcmp should order equal: leading zeros, an explicit zero epoch or
// revision, or no change at all (the reference decides whether it really is equal).
std::string equivalent(std::string text, Rng& rng) {
  switch (pick(rng, 4)) {
    case 0:
      return testing::with_leading_zeros(std::move(text), rng);
    case 1:
      return text.find(':') == std::string::npos ? "0:" + text : text;
    case 2:
      return text.find('-') == std::string::npos ? text + "-0" : text;
    default:
      return text;
  }
}

std::vector<std::string> version_pool() {
  return testing::version_pool({kBuiltinVersions.begin(), kBuiltinVersions.end()},
                               {"debian-versions.txt", "debian-versions-generated.txt"}, valid);
}

int ours(const testing::VersionPair& pair) {
  return compare_dpkg(parse_dpkg(pair.lhs).value(), parse_dpkg(pair.rhs).value());
}

const char* relation(int cmp) { return cmp < 0 ? "lt" : (cmp > 0 ? "gt" : "eq"); }

bool dpkg_available() { return testing::command_succeeds("dpkg --compare-versions 1 lt 2"); }

// dpkg's answer for one input line: whether it confirmed (exited 0), and the messages (bad-syntax
// warnings) it printed first.
struct DpkgAnswer {
  bool confirmed = false;
  std::string messages;
};

// Runs `loop` (a sh `while read` loop printing one "=1"/"=0" line per input line, after any
// messages of dpkg's) over `lines` in ONE /bin/sh script. The script works through the two
// halves of the input concurrently (one per core; every pair still costs a dpkg fork) and prints
// the first half's results, then the second's, so the output keeps the input order. Returns one
// answer per "=1"/"=0" line, or nullopt if the script failed.
std::optional<std::vector<DpkgAnswer>> run_dpkg_loop(const std::string& loop,
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
  const auto output = testing::run_with_input("/bin/sh -c '" + script + "'", input);
  if (!output) {
    return std::nullopt;
  }
  std::istringstream stream(*output);
  std::vector<DpkgAnswer> answers;
  std::string messages;
  for (std::string line; std::getline(stream, line);) {
    if (line != "=1" && line != "=0") {
      messages += line + "; ";
      continue;
    }
    answers.push_back({line == "=1", messages});
    messages.clear();
  }
  return answers;
}

// Asks dpkg for the full relation of `pair` (only used to describe a disagreement).
std::string dpkg_relation(const testing::VersionPair& pair) {
  const auto output = testing::run_with_input(
      "/bin/sh -c 'while read -r a b; do r=\"?\"; for op in lt eq gt; do "
      "if dpkg --compare-versions \"$a\" $op \"$b\" 2>/dev/null; then r=$op; fi; done; "
      "echo \"$r\"; done'",
      pair.lhs + " " + pair.rhs + "\n");
  const std::string text = output.value_or("?");
  return text.substr(0, text.find('\n'));
}

TEST(DpkgDifferentialTest, OrderingMatchesDpkgCompareVersions) {
  VIGIL_REQUIRE_TOOL(dpkg_available(), "dpkg --compare-versions");
  const auto pairs = testing::mixed_pairs(
      version_pool(), kPairs,
      {.seed = 0x5eed'd9c6, .mutate = mutate, .equivalent = equivalent, .valid = valid});
  std::vector<int> orders;
  std::vector<std::string> input;
  for (const auto& pair : pairs) {
    orders.push_back(ours(pair));
    // dpkg confirms (exit 0) exactly when its relation is the one we computed.
    input.push_back(pair.lhs + " " + pair.rhs + " " + relation(orders.back()));
  }
  testing::expect_relation_mix(orders);

  // dpkg's own messages (bad-syntax warnings) land before the pair's "=1"/"=0" line and count as
  // a disagreement.
  const auto answers = run_dpkg_loop(
      "while read -r a b op; do if dpkg --compare-versions \"$a\" \"$op\" \"$b\" 2>&1; "
      "then echo =1; else echo =0; fi; done",
      input);
  ASSERT_TRUE(answers.has_value()) << "dpkg loop failed to run";
  ASSERT_EQ(answers->size(), pairs.size())
      << "dpkg answered " << answers->size() << " of " << pairs.size();
  testing::Disagreements disagreements("dpkg");
  for (std::size_t idx = 0; idx < pairs.size(); ++idx) {
    const auto& [confirmed, messages] = (*answers)[idx];
    if (!confirmed || !messages.empty()) {
      const auto& [lhs, rhs] = pairs[idx];
      disagreements.add(!disagreements.wants_detail()
                            ? std::string()
                            : lhs + " vs " + rhs + ": vigil " + relation(orders[idx]) + ", dpkg " +
                                  dpkg_relation(pairs[idx]) + " " + messages);
    }
  }
  EXPECT_EQ(disagreements.count(), 0U) << disagreements.summary(pairs.size(), "pairs");
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
  const auto answers = run_dpkg_loop(
      "while IFS= read -r v; do if dpkg --compare-versions \"$v\" eq \"$v\" 2>&1; "
      "then echo =1; else echo =0; fi; done",
      probes);
  ASSERT_TRUE(answers.has_value()) << "dpkg loop failed to run";
  ASSERT_EQ(answers->size(), probes.size());
  std::size_t accepted = 0;
  testing::Disagreements mismatches("dpkg");
  for (std::size_t idx = 0; idx < probes.size(); ++idx) {
    const auto& [confirmed, messages] = (*answers)[idx];
    const bool dpkg_valid = confirmed && messages.empty();
    const auto ours = parse_dpkg(probes[idx]);
    if (ours.has_value()) {
      ++accepted;
    }
    if (ours.has_value() != dpkg_valid) {
      mismatches.add("'" + probes[idx] + "': vigil " +
                     (ours ? std::string("accepts") : "rejects (" + ours.error().message + ")") +
                     ", dpkg " + (dpkg_valid ? "accepts" : "rejects: " + messages));
    }
  }
  EXPECT_EQ(mismatches.count(), 0U) << mismatches.summary(probes.size(), "probes");
  // Both outcomes must be exercised.
  EXPECT_GE(accepted, kValidityProbes / 10);
  EXPECT_LE(accepted, kValidityProbes - kValidityProbes / 10);
}

}  // namespace
}  // namespace vigil::version
