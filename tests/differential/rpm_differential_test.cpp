// Differential test of the rpm ordering against its reference implementation: thousands of
// seeded EVR pairs (real versions from the shared tables and random mutations of them) compared
// with python3-rpm's rpm.labelCompare, each EVR split by rpm's own parser (rpm.ver).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "differential_support.hpp"
#include "version/rpm.hpp"

namespace vigil::version {
namespace {

using testing::pick;
using testing::pick_from;
using testing::Rng;

constexpr std::size_t kPairs = 10000;

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

bool valid(const std::string& text) { return parse_rpm(text).has_value(); }

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
      return testing::with_long_number(std::move(text), rng);
    case 5:
      return testing::with_leading_zeros(std::move(text), rng);
    case 6: {  // change a separator
      const std::size_t sep = text.find_first_of(".+_-~^", pick(rng, text.size() + 1));
      if (sep != std::string::npos) {
        text.replace(sep, 1, pick_from(rng, kSeparators));
      }
      return text;
    }
    case 7:
      return testing::with_digit_changed(std::move(text), rng);
    case 8: {  // add a letter (either case)
      const char base = pick(rng, 4) == 0 ? 'A' : 'a';
      return text.insert(pos, 1, static_cast<char>(base + static_cast<char>(pick(rng, 26))));
    }
    case 9: {  // drop the release
      const std::size_t hyphen = text.rfind('-');
      return hyphen == std::string::npos ? text : text.substr(0, hyphen);
    }
    default:
      return testing::without_one_character(std::move(text), rng);
  }
}

// Multi-byte characters must stay whole: python reads the pairs as UTF-8.
bool whole_utf8(const std::string& text) {
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
  return whole;
}

// A valid mutation of `base` (1-3 edits), or `base` itself if no valid one turns up.
std::string mutate(const std::string& base, Rng& rng) {
  return testing::mutate_until(base, rng, mutate_once, [](const std::string& text) {
    return whole_utf8(text) && text.size() < 200 && valid(text);
  });
}

// A rewrite of `text` that rpmvercmp should order equal: leading zeros, other separators, an
// explicit zero epoch, or no change at all (the reference decides whether it really is equal).
std::string equivalent(std::string text, Rng& rng) {
  static constexpr std::array<const char*, 5> kSeparators = {".", "_", "+", "..", "%"};
  switch (pick(rng, 4)) {
    case 0:
      return testing::with_leading_zeros(std::move(text), rng);
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
  // The Red Hat table, plus Debian versions as more real-world shapes (rpm accepts them too).
  return testing::version_pool({kBuiltinVersions.begin(), kBuiltinVersions.end()},
                               {"redhat-versions.txt", "debian-versions-generated.txt"}, valid);
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
  VIGIL_REQUIRE_TOOL(testing::command_succeeds("/usr/bin/python3 -c 'import rpm'"),
                     "/usr/bin/python3 with python3-rpm");
  const auto pairs = testing::mixed_pairs(
      version_pool(), kPairs,
      {.seed = 0x5eed'3b11, .mutate = mutate, .equivalent = equivalent, .valid = valid});
  std::vector<int> orders;
  std::string input;
  for (const auto& pair : pairs) {
    orders.push_back(compare_rpm(parse_rpm(pair.lhs).value(), parse_rpm(pair.rhs).value()));
    input += pair.lhs + "\t" + pair.rhs + "\n";
  }
  testing::expect_relation_mix(orders);

  const auto output =
      testing::run_with_input(std::string("/usr/bin/python3 -c '") + kPythonScript + "'", input);
  ASSERT_TRUE(output.has_value()) << "python3-rpm script failed";
  std::istringstream lines(*output);
  std::size_t index = 0;
  testing::Disagreements disagreements("rpm.labelCompare");
  for (std::string line; std::getline(lines, line); ++index) {
    ASSERT_LT(index, pairs.size()) << "more results than pairs";
    const auto fields = split_tabs(line);
    ASSERT_EQ(fields.size(), 7U) << line;
    const auto& pair = pairs[index];
    const int theirs = std::stoi(fields[0]);
    const bool same_split = our_split(parse_rpm(pair.lhs).value()) == their_split(fields, 1) &&
                            our_split(parse_rpm(pair.rhs).value()) == their_split(fields, 4);
    if (theirs != orders[index] || !same_split) {
      disagreements.add(pair.lhs + " vs " + pair.rhs + ": vigil " + std::to_string(orders[index]) +
                        ", labelCompare " + std::to_string(theirs) +
                        (same_split ? "" : " (EVR split differs: rpm says " + line + ")"));
    }
  }
  ASSERT_EQ(index, pairs.size()) << "python answered " << index << " of " << pairs.size();
  EXPECT_EQ(disagreements.count(), 0U) << disagreements.summary(pairs.size(), "pairs");
}

}  // namespace
}  // namespace vigil::version
