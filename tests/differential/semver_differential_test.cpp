// Differential test of the SemVer ordering against the npm `semver` package (loose: false):
// seeded-random pairs of real versions and mutations of them go to ONE node process, which
// reports validity, order and the formatted version of each pair.
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
#include "version/semver.hpp"

namespace vigil::version {
namespace {

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

// Real versions: the shared SemVer and NuGet tables plus npm and crates.io releases.
std::vector<std::string> version_pool() {
  std::set<std::string> pool = {
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
  for (const char* file : {"semver-versions.txt", "nuget-versions.txt"}) {
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
        "-alpha",   "-alpha.1", "-0",   "-rc.1", "+build.1", "-beta+exp.sha.5114f85",
        "-01",      "-",        "+",    "-a..b", ".0",       "-x.7.z.92",
        "-alpha-1", ".4",       "+001", "-00a",  "-A",       "-1.a",
        "+b.",      "-a.",      "-a_b", "alpha", "-0.0",
    };
    static constexpr std::string_view kChars = "0123456789.-+vVxXaAzZ_= ";
    static constexpr const char* kPrefixes[] = {"v", "=", "V", "vv", " v", "v=", "=v", "~"};
    static constexpr const char* kSpaces[] = {" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c"};
    const size_t rounds = 1 + below(2);
    for (size_t round = 0; round < rounds; ++round) {
      switch (below(14)) {
        case 0:
        case 11:
          break;
        case 1:
          if (!v.empty()) {
            char& c = v[below(v.size())];
            c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32
                                                       : (c >= 'A' && c <= 'Z' ? c + 32 : c));
          }
          break;
        case 2:
          v += kSuffixes[below(std::size(kSuffixes))];
          break;
        case 3:
          v.insert(below(v.size() + 1), 1, kChars[below(kChars.size())]);
          break;
        case 4:
          if (!v.empty()) {
            v.erase(below(v.size()), 1);
          }
          break;
        case 5:
          v = kSpaces[below(std::size(kSpaces))] + v + kSpaces[below(std::size(kSpaces))];
          break;
        case 6: {
          // Leading zeros, or a bigger number (up to the 15 digits npm represents exactly).
          const size_t digit = v.find_first_of("0123456789", below(v.size() + 1));
          if (digit != std::string::npos) {
            v.insert(digit, below(2) == 0 ? "0" : std::to_string(below(1000000000)));
          }
          break;
        }
        case 7:
          v = kPrefixes[below(std::size(kPrefixes))] + v;
          break;
        case 8:
        case 12:
        case 13: {
          // Bump one number, keeping the version valid: pairs that differ in one place.
          const size_t digit = v.find_first_of("123456789", below(v.size() + 1));
          if (digit != std::string::npos) {
            v[digit] = static_cast<char>('1' + below(9));
          }
          break;
        }
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

TEST(SemverDifferentialTest, MatchesNpmSemver) {
  const std::string modules = kModules;
  const bool available = vigil::testing::command_succeeds("test -f " + modules +
                                                          "/semver/package.json && node --version");
  VIGIL_REQUIRE_TOOL(available, "node with the npm semver package in " + modules);
  std::vector<std::string> pool;
  for (auto& version : version_pool()) {
    if (within_npm_limits(version)) {
      pool.push_back(std::move(version));
    }
  }
  ASSERT_GT(pool.size(), 80U) << "shared tables missing";

  Mutator mutator(kSeed);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t idx = 0; idx + 1 < pool.size(); ++idx) {
    pairs.emplace_back(pool[idx], pool[idx + 1]);
  }
  while (pairs.size() < kPairs + pool.size()) {
    std::string lhs = mutator.mutate(pool[mutator.below(pool.size())]);
    std::string rhs = mutator.below(3) == 0 ? mutator.mutate(lhs)
                                            : mutator.mutate(pool[mutator.below(pool.size())]);
    if (within_npm_limits(lhs) && within_npm_limits(rhs)) {
      pairs.emplace_back(std::move(lhs), std::move(rhs));
    }
  }
  std::string input;
  for (const auto& [lhs, rhs] : pairs) {
    input += to_hex(lhs) + " " + to_hex(rhs) + "\n";
  }
  const auto output = vigil::testing::run_with_input(
      "NODE_PATH='" + modules + "' node -e '" + kScript + "'", input);
  ASSERT_TRUE(output.has_value()) << "node failed";

  std::istringstream lines(*output);
  std::vector<std::string> disagreements;
  size_t both_valid = 0;
  size_t both_invalid = 0;
  for (const auto& [lhs, rhs] : pairs) {
    int valid_lhs = 0;
    int valid_rhs = 0;
    int want = 0;
    std::string format_lhs;
    std::string format_rhs;
    ASSERT_TRUE(lines >> valid_lhs >> valid_rhs >> want >> format_lhs >> format_rhs)
        << "short node output";
    const auto left = parse_semver(lhs);
    const auto right = parse_semver(rhs);
    const auto formatted = [](const SemverVersion& v) {
      return v.text.substr(0, v.prerelease_end);
    };
    std::string problem;
    if (left.has_value() != (valid_lhs == 1) || right.has_value() != (valid_rhs == 1)) {
      problem = "validity: npm " + std::to_string(valid_lhs) + std::to_string(valid_rhs) +
                ", vigil " + std::to_string(int{left.has_value()}) +
                std::to_string(int{right.has_value()});
    } else if (left && right) {
      ++both_valid;
      const int got = compare_semver(*left, *right);
      if (got != want) {
        problem = "order: npm " + std::to_string(want) + ", vigil " + std::to_string(got);
      } else if (formatted(*left) != format_lhs || formatted(*right) != format_rhs) {
        problem = "format: npm " + format_lhs + " " + format_rhs + ", vigil " + formatted(*left) +
                  " " + formatted(*right);
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
  EXPECT_GT(both_valid, pairs.size() / 4);
  EXPECT_GT(both_invalid, 100U);
}

}  // namespace
}  // namespace vigil::version
