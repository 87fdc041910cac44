// Differential test of the SemVer ordering against the npm `semver` package (loose: false):
// seeded-random pairs of real versions and mutations of them go to ONE node process, which
// reports validity, order and the formatted version of each pair.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "differential_support.hpp"
#include "version/semver.hpp"

namespace vigil::version {
namespace {

using testing::below;
using testing::Rng;

constexpr size_t kPairs = 6000;
constexpr std::uint64_t kSeed = 0x5e3e7;
constexpr const char* kModules = VIGIL_SOURCE_DIR "/.deps/npm/node_modules";

// Reads "HEXA HEXB" lines; writes "VALID_A VALID_B CMP FORMAT_A FORMAT_B" lines ("-" if invalid;
// FORMAT is npm's `version`: the version without "v", white space and build metadata).
// No single quotes: the script travels inside a single-quoted shell argument.
constexpr const char* kScript = R"(
const semver = require("semver");
const text = require("fs").readFileSync(0, "latin1");
const out = [];
for (const line of text.split("\n")) {
  if (!line) continue;
  const [a, b] = line.split(" ").map((h) => Buffer.from(h, "hex").toString("latin1"));
  const pa = semver.parse(a, { loose: false });
  const pb = semver.parse(b, { loose: false });
  const c = pa && pb ? semver.compare(pa, pb, false) : 0;
  out.push(`${pa ? 1 : 0} ${pb ? 1 : 0} ${c} ${pa ? pa.version : "-"} ${pb ? pb.version : "-"}`);
}
process.stdout.write(out.join("\n") + "\n");
)";

// Where vigil deliberately differs from npm (see parse_semver): npm rejects versions over 256
// characters and numbers above 2^53-1, and compares huge numeric prerelease identifiers as
// doubles. Such strings are kept out of the comparison; unit tests cover them.
bool within_npm_limits(std::string_view text) {
  if (text.size() > 256) {
    return false;
  }
  size_t run = 0;
  for (const char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run > 15) {
      return false;
    }
  }
  return true;
}

// npm and crates.io releases the shared tables lack.
constexpr const char* kExtraVersions[] = {
    "4.17.21",
    "1.0.0-rc.1",
    "7.0.0-beta.55",
    "0.0.0-experimental-1a2b3c4d",
    "18.3.0-canary-8a9f82ed5-20230905",
    "5.0.0-alpha.0",
    "2.0.0-next.3",
    "1.0.0+build.5",
    "14.0.0-rc.2+sha.abc123",
    "0.4.20",
    "1.0.0-alpha.beta.1",
    "3.0.0-x.7.z.92",
    "1.0.0-0.3.7",
    "2.6.9",
    "10.1.0-dev.20230101",
    "0.0.1-security",
    "1.0.0-beta.11",
    "v2.1.3",
    "1.2.3-4-foo",
    "0.0.0-20191109021931-daa7c04131f5",
    "1.15.0-nightly.2022.10.4",
    "6.0.0-alpha-1",
    "2.0.0-pre-release",
    "4.0.0-BETA.1",
    "1.0.0--",
};

constexpr const char* kSuffixes[] = {
    "-alpha",   "-alpha.1", "-0",   "-rc.1", "+build.1", "-beta+exp.sha.5114f85",
    "-01",      "-",        "+",    "-a..b", ".0",       "-x.7.z.92",
    "-alpha-1", ".4",       "+001", "-00a",  "-A",       "-1.a",
    "+b.",      "-a.",      "-a_b", "alpha", "-0.0",
};
constexpr const char* kSpaces[] = {" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c"};
constexpr testing::TextAlphabet kAlphabet = {kSuffixes, "0123456789.-+vVxXaAzZ_= ", kSpaces};

// Leading zeros, or a bigger number (up to the 15 digits npm represents exactly).
std::string with_digits_inserted(std::string v, Rng& rng, const testing::TextAlphabet&) {
  const size_t digit = v.find_first_of("0123456789", below(rng, v.size() + 1));
  if (digit != std::string::npos) {
    v.insert(digit, below(rng, 2) == 0 ? "0" : std::to_string(below(rng, 1000000000)));
  }
  return v;
}

std::string with_prefix(std::string v, Rng& rng, const testing::TextAlphabet&) {
  static constexpr const char* kPrefixes[] = {"v", "=", "V", "vv", " v", "v=", "=v", "~"};
  return kPrefixes[below(rng, std::size(kPrefixes))] + v;
}

// One number bumped, keeping the version valid: pairs that differ in one place.
std::string with_number_bumped(std::string v, Rng& rng, const testing::TextAlphabet&) {
  const size_t digit = v.find_first_of("123456789", below(rng, v.size() + 1));
  if (digit != std::string::npos) {
    v[digit] = static_cast<char>('1' + below(rng, 9));
  }
  return v;
}

constexpr testing::TextEdit kEdits[] = {testing::unchanged,
                                        testing::with_case_flipped,
                                        testing::with_suffix,
                                        testing::with_char_inserted,
                                        testing::with_char_erased,
                                        testing::with_spaces_around,
                                        with_digits_inserted,
                                        with_prefix,
                                        with_number_bumped,
                                        testing::with_suffix_before_build,
                                        testing::with_suffix_before_build,
                                        testing::unchanged,
                                        with_number_bumped,
                                        with_number_bumped};

// One or two random edits of `v`, valid or not.
std::string mutate(std::string v, Rng& rng) {
  return testing::mutate_text(std::move(v), rng, 2, kEdits, kAlphabet);
}

TEST(SemverDifferentialTest, MatchesNpmSemver) {
  const std::string modules = kModules;
  const bool available =
      testing::command_succeeds("test -f " + modules + "/semver/package.json && node --version");
  VIGIL_REQUIRE_TOOL(available, "node with the npm semver package in " + modules);
  // Real versions: the shared SemVer and NuGet tables plus npm and crates.io releases.
  const auto pool =
      testing::version_pool({std::begin(kExtraVersions), std::end(kExtraVersions)},
                            {"semver-versions.txt", "nuget-versions.txt"}, within_npm_limits);
  ASSERT_GT(pool.size(), 80U) << "shared tables missing";

  Rng rng(kSeed);
  std::vector<testing::VersionPair> pairs;
  for (size_t idx = 0; idx + 1 < pool.size(); ++idx) {
    pairs.push_back({pool[idx], pool[idx + 1]});
  }
  testing::add_mutated_pairs(pairs, kPairs + pool.size(), pool, rng, mutate, within_npm_limits);
  const auto verdicts =
      testing::run_verdicts("NODE_PATH='" + modules + "' node -e '" + kScript + "'", pairs);
  ASSERT_TRUE(verdicts.has_value()) << "node failed or answered too few lines";

  // npm's `version` is the version without "v", white space and build metadata.
  const auto formatted = [](const SemverVersion& v) { return v.text.substr(0, v.prerelease_end); };
  const auto tally =
      testing::expect_verdicts("npm", pairs, *verdicts, parse_semver, compare_semver, formatted);
  // The mix must exercise both orderings and rejections.
  EXPECT_GT(tally.both_valid, pairs.size() / 4);
  EXPECT_GT(tally.both_invalid, 100U);
}

}  // namespace
}  // namespace vigil::version
