// CVSS v4.0 MacroVector data, transcribed from FIRST's CVSS v4.0 reference calculator
// (cvss_lookup.js, max_composed.js, max_severity.js), which the specification §8.2 points to.
#include "scoring/internal/cvss4_tables.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace vigil::scoring::internal {
namespace {

struct MacroScore {
  std::string_view key;  // EQ1..EQ6 levels as digits
  double score;
};

// clang-format off
constexpr MacroScore kMacroScores[] = {
    {"000000", 10.0}, {"000001", 9.9}, {"000010", 9.8}, {"000011", 9.5}, {"000020", 9.5},
    {"000021", 9.2}, {"000100", 10.0}, {"000101", 9.6}, {"000110", 9.3}, {"000111", 8.7},
    {"000120", 9.1}, {"000121", 8.1}, {"000200", 9.3}, {"000201", 9.0}, {"000210", 8.9},
    {"000211", 8.0}, {"000220", 8.1}, {"000221", 6.8}, {"001000", 9.8}, {"001001", 9.5},
    {"001010", 9.5}, {"001011", 9.2}, {"001020", 9.0}, {"001021", 8.4}, {"001100", 9.3},
    {"001101", 9.2}, {"001110", 8.9}, {"001111", 8.1}, {"001120", 8.1}, {"001121", 6.5},
    {"001200", 8.8}, {"001201", 8.0}, {"001210", 7.8}, {"001211", 7.0}, {"001220", 6.9},
    {"001221", 4.8}, {"002001", 9.2}, {"002011", 8.2}, {"002021", 7.2}, {"002101", 7.9},
    {"002111", 6.9}, {"002121", 5.0}, {"002201", 6.9}, {"002211", 5.5}, {"002221", 2.7},
    {"010000", 9.9}, {"010001", 9.7}, {"010010", 9.5}, {"010011", 9.2}, {"010020", 9.2},
    {"010021", 8.5}, {"010100", 9.5}, {"010101", 9.1}, {"010110", 9.0}, {"010111", 8.3},
    {"010120", 8.4}, {"010121", 7.1}, {"010200", 9.2}, {"010201", 8.1}, {"010210", 8.2},
    {"010211", 7.1}, {"010220", 7.2}, {"010221", 5.3}, {"011000", 9.5}, {"011001", 9.3},
    {"011010", 9.2}, {"011011", 8.5}, {"011020", 8.5}, {"011021", 7.3}, {"011100", 9.2},
    {"011101", 8.2}, {"011110", 8.0}, {"011111", 7.2}, {"011120", 7.0}, {"011121", 5.9},
    {"011200", 8.4}, {"011201", 7.0}, {"011210", 7.1}, {"011211", 5.2}, {"011220", 5.0},
    {"011221", 3.0}, {"012001", 8.6}, {"012011", 7.5}, {"012021", 5.2}, {"012101", 7.1},
    {"012111", 5.2}, {"012121", 2.9}, {"012201", 6.3}, {"012211", 2.9}, {"012221", 1.7},
    {"100000", 9.8}, {"100001", 9.5}, {"100010", 9.4}, {"100011", 8.7}, {"100020", 9.1},
    {"100021", 8.1}, {"100100", 9.4}, {"100101", 8.9}, {"100110", 8.6}, {"100111", 7.4},
    {"100120", 7.7}, {"100121", 6.4}, {"100200", 8.7}, {"100201", 7.5}, {"100210", 7.4},
    {"100211", 6.3}, {"100220", 6.3}, {"100221", 4.9}, {"101000", 9.4}, {"101001", 8.9},
    {"101010", 8.8}, {"101011", 7.7}, {"101020", 7.6}, {"101021", 6.7}, {"101100", 8.6},
    {"101101", 7.6}, {"101110", 7.4}, {"101111", 5.8}, {"101120", 5.9}, {"101121", 5.0},
    {"101200", 7.2}, {"101201", 5.7}, {"101210", 5.7}, {"101211", 5.2}, {"101220", 5.2},
    {"101221", 2.5}, {"102001", 8.3}, {"102011", 7.0}, {"102021", 5.4}, {"102101", 6.5},
    {"102111", 5.8}, {"102121", 2.6}, {"102201", 5.3}, {"102211", 2.1}, {"102221", 1.3},
    {"110000", 9.5}, {"110001", 9.0}, {"110010", 8.8}, {"110011", 7.6}, {"110020", 7.6},
    {"110021", 7.0}, {"110100", 9.0}, {"110101", 7.7}, {"110110", 7.5}, {"110111", 6.2},
    {"110120", 6.1}, {"110121", 5.3}, {"110200", 7.7}, {"110201", 6.6}, {"110210", 6.8},
    {"110211", 5.9}, {"110220", 5.2}, {"110221", 3.0}, {"111000", 8.9}, {"111001", 7.8},
    {"111010", 7.6}, {"111011", 6.7}, {"111020", 6.2}, {"111021", 5.8}, {"111100", 7.4},
    {"111101", 5.9}, {"111110", 5.7}, {"111111", 5.7}, {"111120", 4.7}, {"111121", 2.3},
    {"111200", 6.1}, {"111201", 5.2}, {"111210", 5.7}, {"111211", 2.9}, {"111220", 2.4},
    {"111221", 1.6}, {"112001", 7.1}, {"112011", 5.9}, {"112021", 3.0}, {"112101", 5.8},
    {"112111", 2.6}, {"112121", 1.5}, {"112201", 2.3}, {"112211", 1.3}, {"112221", 0.6},
    {"200000", 9.3}, {"200001", 8.7}, {"200010", 8.6}, {"200011", 7.2}, {"200020", 7.5},
    {"200021", 5.8}, {"200100", 8.6}, {"200101", 7.4}, {"200110", 7.4}, {"200111", 6.1},
    {"200120", 5.6}, {"200121", 3.4}, {"200200", 7.0}, {"200201", 5.4}, {"200210", 5.2},
    {"200211", 4.0}, {"200220", 4.0}, {"200221", 2.2}, {"201000", 8.5}, {"201001", 7.5},
    {"201010", 7.4}, {"201011", 5.5}, {"201020", 6.2}, {"201021", 5.1}, {"201100", 7.2},
    {"201101", 5.7}, {"201110", 5.5}, {"201111", 4.1}, {"201120", 4.6}, {"201121", 1.9},
    {"201200", 5.3}, {"201201", 3.6}, {"201210", 3.4}, {"201211", 1.9}, {"201220", 1.9},
    {"201221", 0.8}, {"202001", 6.4}, {"202011", 5.1}, {"202021", 2.0}, {"202101", 4.7},
    {"202111", 2.1}, {"202121", 1.1}, {"202201", 2.4}, {"202211", 0.9}, {"202221", 0.4},
    {"210000", 8.8}, {"210001", 7.5}, {"210010", 7.3}, {"210011", 5.3}, {"210020", 6.0},
    {"210021", 5.0}, {"210100", 7.3}, {"210101", 5.5}, {"210110", 5.9}, {"210111", 4.0},
    {"210120", 4.1}, {"210121", 2.0}, {"210200", 5.4}, {"210201", 4.3}, {"210210", 4.5},
    {"210211", 2.2}, {"210220", 2.0}, {"210221", 1.1}, {"211000", 7.5}, {"211001", 5.5},
    {"211010", 5.8}, {"211011", 4.5}, {"211020", 4.0}, {"211021", 2.1}, {"211100", 6.1},
    {"211101", 5.1}, {"211110", 4.8}, {"211111", 1.8}, {"211120", 2.0}, {"211121", 0.9},
    {"211200", 4.6}, {"211201", 1.8}, {"211210", 1.7}, {"211211", 0.7}, {"211220", 0.8},
    {"211221", 0.2}, {"212001", 5.3}, {"212011", 2.4}, {"212021", 1.4}, {"212101", 2.4},
    {"212111", 1.2}, {"212121", 0.5}, {"212201", 1.0}, {"212211", 0.3}, {"212221", 0.1},
};
// clang-format on
static_assert(std::size(kMacroScores) == 270, "3 x 2 x 5 (EQ3,EQ6) x 3 x 3 MacroVectors");

constexpr std::array<int, 6> kLevels = {3, 2, 3, 3, 3, 2};
constexpr size_t kCells = 3 * 2 * 3 * 3 * 3 * 2;

constexpr bool in_range(const MacroVector& macro) {
  for (size_t eq = 0; eq < macro.size(); ++eq) {
    if (macro[eq] < 0 || macro[eq] >= kLevels[eq]) {
      return false;
    }
  }
  return true;
}

constexpr size_t cell_of(const MacroVector& macro) {
  size_t cell = 0;
  for (size_t eq = 0; eq < macro.size(); ++eq) {
    cell = cell * static_cast<size_t>(kLevels[eq]) + static_cast<size_t>(macro[eq]);
  }
  return cell;
}

// Dense table indexed by cell_of(); -1 marks MacroVectors that do not exist.
constexpr std::array<double, kCells> kScoreTable = [] {
  std::array<double, kCells> table{};
  std::fill(table.begin(), table.end(), -1.0);
  for (const MacroScore& entry : kMacroScores) {
    MacroVector macro{};
    for (size_t eq = 0; eq < macro.size(); ++eq) {
      macro[eq] = entry.key[eq] - '0';
    }
    table[cell_of(macro)] = entry.score;
  }
  return table;
}();

constexpr Eq1Max kEq1Level0[] = {{'N', 'N', 'N'}};
constexpr Eq1Max kEq1Level1[] = {{'A', 'N', 'N'}, {'N', 'L', 'N'}, {'N', 'N', 'P'}};
constexpr Eq1Max kEq1Level2[] = {{'P', 'N', 'N'}, {'A', 'L', 'P'}};

constexpr Eq2Max kEq2Level0[] = {{'L', 'N'}};
constexpr Eq2Max kEq2Level1[] = {{'H', 'N'}, {'L', 'P'}};

constexpr Eq3Eq6Max kEq3Eq6Level00[] = {{'H', 'H', 'H', 'H', 'H', 'H'}};
constexpr Eq3Eq6Max kEq3Eq6Level01[] = {{'H', 'H', 'L', 'M', 'M', 'H'},
                                        {'H', 'H', 'H', 'M', 'M', 'M'}};
constexpr Eq3Eq6Max kEq3Eq6Level10[] = {{'L', 'H', 'H', 'H', 'H', 'H'},
                                        {'H', 'L', 'H', 'H', 'H', 'H'}};
constexpr Eq3Eq6Max kEq3Eq6Level11[] = {{'L', 'H', 'L', 'H', 'M', 'H'},
                                        {'L', 'H', 'H', 'H', 'M', 'M'},
                                        {'H', 'L', 'H', 'M', 'H', 'M'},
                                        {'H', 'L', 'L', 'M', 'H', 'H'},
                                        {'L', 'L', 'H', 'H', 'H', 'M'}};
constexpr Eq3Eq6Max kEq3Eq6Level21[] = {{'L', 'L', 'L', 'H', 'H', 'H'}};

constexpr Eq4Max kEq4Level0[] = {{'H', 'S', 'S'}};
constexpr Eq4Max kEq4Level1[] = {{'H', 'H', 'H'}};
constexpr Eq4Max kEq4Level2[] = {{'L', 'L', 'L'}};

}  // namespace

std::optional<double> macro_vector_score(const MacroVector& macro) {
  if (!in_range(macro)) {
    return std::nullopt;
  }
  const double score = kScoreTable[cell_of(macro)];
  if (score < 0.0) {
    return std::nullopt;
  }
  return score;
}

std::span<const Eq1Max> eq1_maxes(int eq1) {
  switch (eq1) {
    case 0:
      return kEq1Level0;
    case 1:
      return kEq1Level1;
    default:
      return kEq1Level2;
  }
}

std::span<const Eq2Max> eq2_maxes(int eq2) {
  return eq2 == 0 ? std::span<const Eq2Max>(kEq2Level0) : std::span<const Eq2Max>(kEq2Level1);
}

std::span<const Eq3Eq6Max> eq3_eq6_maxes(int eq3, int eq6) {
  if (eq3 == 0) {
    return eq6 == 0 ? std::span<const Eq3Eq6Max>(kEq3Eq6Level00)
                    : std::span<const Eq3Eq6Max>(kEq3Eq6Level01);
  }
  if (eq3 == 1) {
    return eq6 == 0 ? std::span<const Eq3Eq6Max>(kEq3Eq6Level10)
                    : std::span<const Eq3Eq6Max>(kEq3Eq6Level11);
  }
  return kEq3Eq6Level21;  // EQ3=2 implies EQ6=1
}

std::span<const Eq4Max> eq4_maxes(int eq4) {
  switch (eq4) {
    case 0:
      return kEq4Level0;
    case 1:
      return kEq4Level1;
    default:
      return kEq4Level2;
  }
}

int eq1_depth(int eq1) {
  constexpr int kDepth[] = {1, 4, 5};
  return kDepth[std::clamp(eq1, 0, 2)];
}

int eq2_depth(int eq2) { return eq2 == 0 ? 1 : 2; }

int eq3_eq6_depth(int eq3, int eq6) {
  if (eq3 == 0) {
    return eq6 == 0 ? 7 : 6;
  }
  return eq3 == 1 ? 8 : 10;
}

int eq4_depth(int eq4) {
  constexpr int kDepth[] = {6, 5, 4};
  return kDepth[std::clamp(eq4, 0, 2)];
}

}  // namespace vigil::scoring::internal
