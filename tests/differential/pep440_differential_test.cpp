// Differential test of the PEP 440 ordering against packaging.version.Version from Debian's
// python3-packaging: seeded-random pairs of real PyPI versions and mutations of them go to ONE
// /usr/bin/python3 process, which reports validity, order and the normalised form of each pair.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "differential_support.hpp"
#include "support/ordering_table.hpp"
#include "version/pep440.hpp"

namespace vigil::version {
namespace {

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

std::string to_hex(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

// Real versions: every version of the shared PyPI tables (legacy ones included, which both
// sides must reject) plus spellings the tables lack.
std::vector<std::string> version_pool() {
  std::set<std::string> pool = {
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
  for (const char* file : {"pypi-versions.txt", "pypi-versions-generated.txt"}) {
    if (const auto rows = vigil::testing::load_ordering_table(file)) {
      for (const auto& row : *rows) {
        pool.insert(row.lhs);
        pool.insert(row.rhs);
      }
    }
  }
  return {pool.begin(), pool.end()};
}

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  size_t below(size_t bound) { return static_cast<size_t>(rng_() % bound); }

  std::string mutate(std::string v) {
    static constexpr const char* kSuffixes[] = {
        "a1",   "b2",  "rc1",     "alpha", ".post1", "-1",   ".dev0", "+local.1",   "+ubuntu-1",
        "c",    "pre", "preview", "rev",   "r",      "!",    "1!",    "-",          ".",
        "..",   "+",   "_post_2", ".dev",  "-dev",   "post", "a",     ".a.1",       "+A_b-C",
        ".0.0", "-r3", "beta-4",  "+1.02", "x",      ".x",   "+a..b", "dev1.post1", "1",
    };
    static constexpr std::string_view kChars = "0123456789.-_+!abcdeprvlostuwxABCDEPRVLOSTUWX ";
    static constexpr const char* kSpaces[] = {" ",    "\t",   "\n",   "\r",
                                              "\x0b", "\x0c", "\x1c", "\x1f"};
    const size_t rounds = 1 + below(3);
    for (size_t round = 0; round < rounds; ++round) {
      switch (below(12)) {
        case 0:
          break;
        case 1:
          if (!v.empty()) {
            char& c = v[below(v.size())];
            c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32
                                                       : (c >= 'A' && c <= 'Z' ? c + 32 : c));
          }
          break;
        case 2:
          for (char& c : v) {
            if ((c == '.' || c == '-' || c == '_') && below(3) == 0) {
              c = "-_."[below(3)];
            }
          }
          break;
        case 3:
          v += kSuffixes[below(std::size(kSuffixes))];
          break;
        case 4:
          v.insert(below(v.size() + 1), 1, kChars[below(kChars.size())]);
          break;
        case 5:
          if (!v.empty()) {
            v.erase(below(v.size()), 1);
          }
          break;
        case 6:
          v = kSpaces[below(std::size(kSpaces))] + v + kSpaces[below(std::size(kSpaces))];
          break;
        case 7:
        case 8: {
          // Leading zeros, or a digit run far beyond 64 bits.
          const size_t digit = v.find_first_of("0123456789", below(v.size() + 1));
          if (digit != std::string::npos) {
            v.insert(digit, below(2) == 0 ? "00" : "1234567890123456789012345");
          }
          break;
        }
        case 9:
          v = std::string(below(2) == 0 ? "v" : (below(2) == 0 ? "V" : "2!")) + v;
          break;
        default: {
          const size_t plus = v.find('+');
          v.insert(plus == std::string::npos ? v.size() : plus,
                   kSuffixes[below(std::size(kSuffixes))]);
          break;
        }
      }
    }
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(Pep440DifferentialTest, MatchesPythonPackaging) {
  const bool available =
      vigil::testing::command_succeeds("/usr/bin/python3 -c 'import packaging.version'");
  VIGIL_REQUIRE_TOOL(available, "/usr/bin/python3 with python3-packaging");
  const auto pool = version_pool();
  ASSERT_GT(pool.size(), 1000U) << "shared PyPI tables missing";

  Mutator mutator(kSeed);
  std::vector<std::pair<std::string, std::string>> pairs;
  // Every real version once, unmutated, so the tables' own strings are all covered.
  for (size_t idx = 0; idx + 1 < pool.size(); idx += 2) {
    pairs.emplace_back(pool[idx], pool[idx + 1]);
  }
  for (size_t idx = 0; idx < kPairs; ++idx) {
    std::string lhs = mutator.mutate(pool[mutator.below(pool.size())]);
    std::string rhs = mutator.below(3) == 0 ? mutator.mutate(lhs)
                                            : mutator.mutate(pool[mutator.below(pool.size())]);
    pairs.emplace_back(std::move(lhs), std::move(rhs));
  }
  std::string input;
  for (const auto& [lhs, rhs] : pairs) {
    input += to_hex(lhs) + " " + to_hex(rhs) + "\n";
  }
  const auto output =
      vigil::testing::run_with_input(std::string("/usr/bin/python3 -c '") + kScript + "'", input);
  ASSERT_TRUE(output.has_value()) << "python3 failed";

  std::istringstream lines(*output);
  std::vector<std::string> disagreements;
  size_t both_valid = 0;
  size_t both_invalid = 0;
  for (const auto& [lhs, rhs] : pairs) {
    int valid_lhs = 0;
    int valid_rhs = 0;
    int want = 0;
    std::string norm_lhs;
    std::string norm_rhs;
    ASSERT_TRUE(lines >> valid_lhs >> valid_rhs >> want >> norm_lhs >> norm_rhs)
        << "short python output";
    const auto left = parse_pep440(lhs);
    const auto right = parse_pep440(rhs);
    std::string problem;
    if (left.has_value() != (valid_lhs == 1) || right.has_value() != (valid_rhs == 1)) {
      problem = "validity: packaging " + std::to_string(valid_lhs) + std::to_string(valid_rhs) +
                ", vigil " + std::to_string(int{left.has_value()}) +
                std::to_string(int{right.has_value()});
    } else if (left && right) {
      ++both_valid;
      const int got = compare_pep440(*left, *right);
      if (got != want) {
        problem = "order: packaging " + std::to_string(want) + ", vigil " + std::to_string(got);
      } else if (left->text != norm_lhs || right->text != norm_rhs) {
        problem = "normal form: packaging " + norm_lhs + " " + norm_rhs + ", vigil " + left->text +
                  " " + right->text;
      }
    } else if (!left && !right) {
      ++both_invalid;
    }
    if (!problem.empty()) {
      disagreements.push_back(printable(lhs) + " vs " + printable(rhs) + ": " + problem);
    }
  }
  std::printf("%zu pairs: %zu both valid, %zu both invalid, %zu disagreements\n", pairs.size(),
              both_valid, both_invalid, disagreements.size());
  std::string report;
  for (size_t idx = 0; idx < disagreements.size() && idx < 20; ++idx) {
    report += disagreements[idx] + "\n";
  }
  EXPECT_TRUE(disagreements.empty())
      << disagreements.size() << " of " << pairs.size() << " pairs disagree:\n"
      << report;
  // The mix must exercise both orderings and rejections.
  EXPECT_GT(both_valid, pairs.size() / 3);
  EXPECT_GT(both_invalid, 100U);
}

}  // namespace
}  // namespace vigil::version
