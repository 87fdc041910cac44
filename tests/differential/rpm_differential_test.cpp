// Differential test of the rpm ordering against its reference implementation: thousands of
// seeded EVR pairs (real versions from the shared tables and random mutations of them) compared
// with python3-rpm's rpm.labelCompare, each EVR split by rpm's own parser (rpm.ver).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "differential_support.hpp"
#include "support/ordering_table.hpp"
#include "version/rpm.hpp"

namespace vigil::version {
namespace {

using Rng = std::mt19937_64;

constexpr std::size_t kPairs = 10000;
constexpr std::size_t kMaxReported = 20;

constexpr std::array<const char*, 20> kBuiltinVersions = {
    "0:3.10.0-229.el7",
    "2.17-326.el7_9.3",
    "1:1.0.2k-25.el7_9",
    "1:3.0.7-24.el9",
    "4.18.0-513.5.1.el8_9",
    "5.14.0-362.8.1.el9_3",
    "7.61.1-34.el8_10.2",
    "1:1.0.2k-24.amzn2.0.7",
    "2.34-83.el9_3.12",
    "1.0~rc1-1.fc39",
    "0.3^20230101git1a2b3c-1.fc39",
    "2:8.2.2637-20.el9_1",
    "1:2.9.13-5.el9_2",
    "252-18.el9",
    "3.6.8-51.el8_8.1",
    "2.0.20240306.2-1.amzn2023",
    "1.1.1k-12.el8_9",
    "1:26.3-2.fc39",
    "0.9.3-0.1.beta2.el9",
    "4.4.20-4.el8_6",
};

// Reads "lhs<TAB>rhs" lines; prints "cmp<TAB>e1<TAB>v1<TAB>r1<TAB>e2<TAB>v2<TAB>r2" where a None
// epoch or release prints as "-" and a present one is prefixed with "=".
constexpr const char* kPythonScript =
    "import sys, rpm\n"
    "def part(x):\n"
    "    return \"-\" if x is None else \"=\" + x\n"
    "out = []\n"
    "for raw in sys.stdin.buffer:\n"
    "    a, b = raw.rstrip(b\"\\n\").decode(\"utf-8\").split(\"\\t\")\n"
    "    va, vb = rpm.ver(a), rpm.ver(b)\n"
    "    ta, tb = (va.e, va.v, va.r), (vb.e, vb.v, vb.r)\n"
    "    r = rpm.labelCompare(ta, tb)\n"
    "    out.append(\"\\t\".join([str(r), part(ta[0]), ta[1], part(ta[2]),\n"
    "                            part(tb[0]), tb[1], part(tb[2])]))\n"
    "sys.stdout.buffer.write((\"\\n\".join(out) + \"\\n\").encode(\"utf-8\"))\n";

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

// One random edit of the kinds that matter to rpmvercmp and to the EVR split.
std::string mutate_once(std::string text, Rng& rng) {
  static constexpr std::array<const char*, 11> kEpochs = {"",
                                                          "0:",
                                                          "1:",
                                                          "2:",
                                                          "00:",
                                                          "01:",
                                                          ":",
                                                          "10:",
                                                          "007:",
                                                          "99999999999999999999:",
                                                          "100000000000000000000:"};
  static constexpr std::array<const char*, 22> kSuffixes = {
      "a",  ".1", "^",        "^git1", "~rc1",  "~",    "-1", "-",   "-0", ".el9", "_1",
      "+1", "..", "\xce\xb1", "A",     ".fc39", "^1~a", "~~", "-1.", ".0", "p1",   "-1^x"};
  static constexpr std::array<const char*, 6> kMarkTokens = {"",  "rc1", "git1",
                                                             "a", "1",   "20240101"};
  static constexpr std::array<const char*, 9> kSeparators = {".", "+", "_", "-", "..",
                                                             "^", "~", "",  ":"};
  const auto runs = digit_runs(text);
  const std::size_t at = text.empty() ? 0 : 1 + pick(rng, text.size());
  const std::size_t pos = std::min(at, text.size());
  switch (pick(rng, 11)) {
    case 0: {  // replace the epoch
      const std::size_t colon = text.find(':');
      if (colon != std::string::npos && text.find_first_not_of("0123456789") == colon) {
        text.erase(0, colon + 1);
      }
      return pick_from(rng, kEpochs) + text;
    }
    case 1:
      return text.insert(pos, std::string("~") + pick_from(rng, kMarkTokens));
    case 2:
      return text.insert(pos, std::string("^") + pick_from(rng, kMarkTokens));
    case 3:
      return text + pick_from(rng, kSuffixes);
    case 4:  // a digit run far beyond 64 bits
      if (!runs.empty()) {
        const auto [begin, end] = runs[pick(rng, runs.size())];
        return text.replace(begin, end - begin, "1" + random_digits(rng, 20, 40));
      }
      return text + "." + random_digits(rng, 20, 40);
    case 5:  // leading zeros
      if (!runs.empty()) {
        return text.insert(runs[pick(rng, runs.size())].first, std::string(1 + pick(rng, 3), '0'));
      }
      return text;
    case 6: {  // change a separator
      const std::size_t sep = text.find_first_of(".+_-~^", pick(rng, text.size() + 1));
      if (sep != std::string::npos) {
        text.replace(sep, 1, pick_from(rng, kSeparators));
      }
      return text;
    }
    case 7:  // bump one digit
      if (!runs.empty()) {
        const auto [begin, end] = runs[pick(rng, runs.size())];
        text[begin + pick(rng, end - begin)] = static_cast<char>('0' + pick(rng, 10));
      }
      return text;
    case 8: {  // add a letter (either case)
      const char base = pick(rng, 4) == 0 ? 'A' : 'a';
      return text.insert(pos, 1, static_cast<char>(base + static_cast<char>(pick(rng, 26))));
    }
    case 9: {  // drop the release
      const std::size_t hyphen = text.rfind('-');
      return hyphen == std::string::npos ? text : text.substr(0, hyphen);
    }
    default:  // drop one character
      if (text.size() > 1) {
        text.erase(1 + pick(rng, text.size() - 1), 1);
      }
      return text;
  }
}

std::string mutate(const std::string& base, Rng& rng) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::string text = base;
    const std::size_t edits = 1 + pick(rng, 3);
    for (std::size_t edit = 0; edit < edits; ++edit) {
      text = mutate_once(std::move(text), rng);
    }
    // Multi-byte characters must stay whole: python reads the pairs as UTF-8.
    bool whole = true;
    for (std::size_t idx = 0; idx < text.size(); ++idx) {
      const auto byte = static_cast<unsigned char>(text[idx]);
      if (byte == 0xce) {
        whole = whole && idx + 1 < text.size() &&
                (static_cast<unsigned char>(text[idx + 1]) & 0xc0) == 0x80;
        ++idx;
      } else if (byte >= 0x80) {
        whole = false;
      }
    }
    if (whole && text.size() < 200 && parse_rpm(text).has_value()) {
      return text;
    }
  }
  return base;
}

// A rewrite of `text` that rpmvercmp should order equal: leading zeros, other separators, an
// explicit zero epoch, or no change at all (the reference decides whether it really is equal).
std::string equivalent(std::string text, Rng& rng) {
  static constexpr std::array<const char*, 5> kSeparators = {".", "_", "+", "..", "%"};
  const auto runs = digit_runs(text);
  switch (pick(rng, 4)) {
    case 0:
      if (!runs.empty()) {
        text.insert(runs[pick(rng, runs.size())].first, std::string(1 + pick(rng, 3), '0'));
      }
      return text;
    case 1: {
      const std::size_t sep = text.find_first_of("._+", pick(rng, text.size() + 1));
      if (sep != std::string::npos) {
        text.replace(sep, 1, pick_from(rng, kSeparators));
      }
      return text;
    }
    case 2:
      return text.find(':') == std::string::npos ? "0:" + text : text;
    default:
      return text;
  }
}

std::vector<std::string> version_pool() {
  std::set<std::string> pool(kBuiltinVersions.begin(), kBuiltinVersions.end());
  // The Red Hat table, plus Debian versions as more real-world shapes (rpm accepts them too).
  for (const char* file : {"redhat-versions.txt", "debian-versions-generated.txt"}) {
    if (const auto rows = vigil::testing::load_ordering_table(file)) {
      for (const auto& row : *rows) {
        pool.insert(row.lhs);
        pool.insert(row.rhs);
      }
    }
  }
  std::vector<std::string> valid;
  for (const auto& text : pool) {
    if (parse_rpm(text).has_value()) {
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
  Rng rng(0x5eed'3b11);
  std::vector<Pair> pairs;
  while (pairs.size() < count) {
    std::string base = pool[pick(rng, pool.size())];
    if (pick(rng, 4) == 0) {
      base = mutate(base, rng);
    }
    Pair pair;
    switch (pick(rng, 6)) {
      case 0:
      case 1:
        pair = {base, mutate(base, rng)};
        break;
      case 5: {
        std::string other = equivalent(base, rng);
        pair = {base, parse_rpm(other).has_value() ? other : base};
        break;
      }
      case 2:
        pair = {mutate(base, rng), mutate(base, rng)};
        break;
      case 3: {
        const std::size_t idx = pick(rng, pool.size());
        pair = {pool[idx], pool[std::min(idx + 1 + pick(rng, 3), pool.size() - 1)]};
        break;
      }
      default:
        pair = {base, pool[pick(rng, pool.size())]};
        break;
    }
    pair.ours = compare_rpm(parse_rpm(pair.lhs).value(), parse_rpm(pair.rhs).value());
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
    if (tab == std::string::npos) {
      return fields;
    }
    start = tab + 1;
  }
}

std::string strip_zeros(std::string digits) {
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  return digits;
}

// Our split of `version` in the script's notation, for comparison with rpm.ver's.
std::string our_split(const RpmVersion& version) {
  return "=" + std::string(version.epoch()) + "\t" + std::string(version.version()) + "\t" +
         (version.has_release() ? "=" + std::string(version.release()) : std::string("-"));
}

std::string their_split(const std::vector<std::string>& fields, std::size_t first) {
  // rpm.ver keeps the epoch's leading zeros and reports a missing one as None ("-"); both mean
  // the same number as our zero-stripped digits.
  const std::string epoch =
      fields[first] == "-" ? std::string("=") : "=" + strip_zeros(fields[first].substr(1));
  return epoch + "\t" + fields[first + 1] + "\t" + fields[first + 2];
}

TEST(RpmDifferentialTest, OrderingMatchesRpmLabelCompare) {
  VIGIL_REQUIRE_TOOL(vigil::testing::command_succeeds("/usr/bin/python3 -c 'import rpm'"),
                     "/usr/bin/python3 with python3-rpm");
  const auto pairs = generate_pairs(kPairs);
  std::array<std::size_t, 3> by_relation{};
  std::string input;
  for (const auto& pair : pairs) {
    ++by_relation[static_cast<std::size_t>(pair.ours + 1)];
    input += pair.lhs + "\t" + pair.rhs + "\n";
  }
  for (const std::size_t count : by_relation) {
    EXPECT_GE(count, kPairs / 20) << "lt/eq/gt mix: " << by_relation[0] << "/" << by_relation[1]
                                  << "/" << by_relation[2];
  }

  const auto output = vigil::testing::run_with_input(
      std::string("/usr/bin/python3 -c '") + kPythonScript + "'", input);
  ASSERT_TRUE(output.has_value()) << "python3-rpm script failed";
  std::istringstream lines(*output);
  std::size_t index = 0;
  std::size_t disagreements = 0;
  std::ostringstream report;
  for (std::string line; std::getline(lines, line); ++index) {
    ASSERT_LT(index, pairs.size()) << "more results than pairs";
    const auto fields = split_tabs(line);
    ASSERT_EQ(fields.size(), 7U) << line;
    const auto& pair = pairs[index];
    const int theirs = std::stoi(fields[0]);
    const auto lhs = parse_rpm(pair.lhs).value();
    const auto rhs = parse_rpm(pair.rhs).value();
    const bool same_split =
        our_split(lhs) == their_split(fields, 1) && our_split(rhs) == their_split(fields, 4);
    if (theirs != pair.ours || !same_split) {
      if (++disagreements <= kMaxReported) {
        report << "  " << pair.lhs << " vs " << pair.rhs << ": vigil " << pair.ours
               << ", labelCompare " << theirs
               << (same_split ? "" : " (EVR split differs: rpm says " + line + ")") << "\n";
      }
    }
  }
  ASSERT_EQ(index, pairs.size()) << "python answered " << index << " of " << pairs.size();
  EXPECT_EQ(disagreements, 0U) << disagreements << " of " << pairs.size()
                               << " pairs disagree with rpm.labelCompare; first ones:\n"
                               << report.str();
}

}  // namespace
}  // namespace vigil::version
