// Differential test of the PEP 440 ordering against packaging.version.Version from Debian's
// python3-packaging: seeded-random pairs of real PyPI versions and mutations of them go to ONE
// /usr/bin/python3 process, which reports validity, order and the normalised form of each pair.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "differential_support.hpp"
#include "version/pep440.hpp"

namespace vigil::version {
namespace {

using testing::below;
using testing::Rng;

constexpr size_t kPairs = 6000;
constexpr std::uint64_t kSeed = 0x5eed440;

// Reads "HEXA HEXB" lines; writes "VALID_A VALID_B CMP NORM_A NORM_B" lines ("-" if invalid).
// No single quotes: the script travels inside a single-quoted shell argument.
constexpr const char* kScript = R"(
import sys
from packaging.version import Version, InvalidVersion
def parse(h):
    try:
        return Version(bytes.fromhex(h).decode("ascii"))
    except InvalidVersion:
        return None
out = []
for line in sys.stdin.buffer.read().decode("ascii").split("\n"):
    if not line:
        continue
    a, b = line.split(" ")
    va, vb = parse(a), parse(b)
    c = 0 if va is None or vb is None else (va > vb) - (va < vb)
    out.append("%d %d %d %s %s" % (va is not None, vb is not None, c,
                                   "-" if va is None else va, "-" if vb is None else vb))
sys.stdout.write("\n".join(out) + "\n")
)";

// Spellings the shared PyPI tables lack.
constexpr const char* kExtraVersions[] = {
    "2.0.0b1.post1.dev3",
    "1!2.0",
    "1.0+ubuntu.1",
    "2.2.0+cu118",
    "0.0.1.dev20230101",
    "3.12.0rc1",
    "1.0.0-beta.2",
    "v1.0",
    "1.0c1",
    "1.0-preview-2",
    "1.0_r3",
    "1.0.post0",
    "2013.10.1",
    "1.0a1-1",
    "1.0.DEV4",
    "1.0+local.0.1",
    "0!0.0",
    "1.0.0.0.0.0.0.0.1",
    "22.3.post1",
    "1.0rev2",
    "4.0.0a1.dev0+g1234",
    "1.2.3-4",
    "1.0-alpha_2",
    "6.0.0b3",
    "  1.0  ",
};

constexpr const char* kSuffixes[] = {
    "a1",   "b2",  "rc1",     "alpha", ".post1", "-1",   ".dev0", "+local.1",   "+ubuntu-1",
    "c",    "pre", "preview", "rev",   "r",      "!",    "1!",    "-",          ".",
    "..",   "+",   "_post_2", ".dev",  "-dev",   "post", "a",     ".a.1",       "+A_b-C",
    ".0.0", "-r3", "beta-4",  "+1.02", "x",      ".x",   "+a..b", "dev1.post1", "1",
};
constexpr const char* kSpaces[] = {" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f"};
constexpr testing::TextAlphabet kAlphabet = {
    kSuffixes, "0123456789.-_+!abcdeprvlostuwxABCDEPRVLOSTUWX ", kSpaces};

// Each '.', '-' or '_' replaced, one time in three, by one of them.
std::string with_separators_swapped(std::string v, Rng& rng, const testing::TextAlphabet&) {
  for (char& c : v) {
    if ((c == '.' || c == '-' || c == '_') && below(rng, 3) == 0) {
      c = "-_."[below(rng, 3)];
    }
  }
  return v;
}

// Leading zeros, or a digit run far beyond 64 bits.
std::string with_digits_inserted(std::string v, Rng& rng, const testing::TextAlphabet&) {
  const size_t digit = v.find_first_of("0123456789", below(rng, v.size() + 1));
  if (digit != std::string::npos) {
    v.insert(digit, below(rng, 2) == 0 ? "00" : "1234567890123456789012345");
  }
  return v;
}

std::string with_prefix(std::string v, Rng& rng, const testing::TextAlphabet&) {
  return std::string(below(rng, 2) == 0 ? "v" : (below(rng, 2) == 0 ? "V" : "2!")) + v;
}

constexpr testing::TextEdit kEdits[] = {testing::unchanged,
                                        testing::with_case_flipped,
                                        with_separators_swapped,
                                        testing::with_suffix,
                                        testing::with_char_inserted,
                                        testing::with_char_erased,
                                        testing::with_spaces_around,
                                        with_digits_inserted,
                                        with_digits_inserted,
                                        with_prefix,
                                        testing::with_suffix_before_build,
                                        testing::with_suffix_before_build};

// One to three random edits of `v`, valid or not.
std::string mutate(std::string v, Rng& rng) {
  return testing::mutate_text(std::move(v), rng, 3, kEdits, kAlphabet);
}

TEST(Pep440DifferentialTest, MatchesPythonPackaging) {
  const bool available =
      testing::command_succeeds("/usr/bin/python3 -c 'import packaging.version'");
  VIGIL_REQUIRE_TOOL(available, "/usr/bin/python3 with python3-packaging");
  // Real versions: every version of the shared PyPI tables (legacy ones included, which both
  // sides must reject) plus spellings the tables lack.
  const auto pool = testing::version_pool({std::begin(kExtraVersions), std::end(kExtraVersions)},
                                          {"pypi-versions.txt", "pypi-versions-generated.txt"});
  ASSERT_GT(pool.size(), 1000U) << "shared PyPI tables missing";

  Rng rng(kSeed);
  std::vector<testing::VersionPair> pairs;
  // Every real version once, unmutated, so the tables' own strings are all covered.
  for (size_t idx = 0; idx + 1 < pool.size(); idx += 2) {
    pairs.push_back({pool[idx], pool[idx + 1]});
  }
  testing::add_mutated_pairs(pairs, pairs.size() + kPairs, pool, rng, mutate);
  const auto verdicts =
      testing::run_verdicts(std::string("/usr/bin/python3 -c '") + kScript + "'", pairs);
  ASSERT_TRUE(verdicts.has_value()) << "python3 failed or answered too few lines";

  const auto tally =
      testing::expect_verdicts("packaging", pairs, *verdicts, parse_pep440, compare_pep440,
                               [](const Pep440Version& v) { return v.text; });
  // The mix must exercise both orderings and rejections.
  EXPECT_GT(tally.both_valid, pairs.size() / 3);
  EXPECT_GT(tally.both_invalid, 100U);
}

}  // namespace
}  // namespace vigil::version
