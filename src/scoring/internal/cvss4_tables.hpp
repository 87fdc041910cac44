// Internal to scoring: the CVSS v4.0 MacroVector data published with the specification (§8.2 and
// FIRST's reference calculator): MacroVector scores, highest-severity vectors and depths.
#pragma once

#include <array>
#include <optional>
#include <span>

namespace vigil::scoring::internal {

// A MacroVector: the levels of equivalence sets EQ1..EQ6 (EQ1, EQ3, EQ4, EQ5 in 0..2; EQ2, EQ6 in
// 0..1).
using MacroVector = std::array<int, 6>;

// Returns the score of `macro`, or nullopt when no such MacroVector exists (a level out of range,
// or EQ3=2 with EQ6=0, which no vector can reach).
std::optional<double> macro_vector_score(const MacroVector& macro);

// Highest-severity partial vectors of an equivalence set, as effective metric values (one char
// each, 'S' for Safety), in the order the reference calculator tries them.
struct Eq1Max {
  char av, pr, ui;
};
struct Eq2Max {
  char ac, at;
};
struct Eq3Eq6Max {
  char vc, vi, va, cr, ir, ar;
};
struct Eq4Max {
  char sc, si, sa;
};

std::span<const Eq1Max> eq1_maxes(int eq1);
std::span<const Eq2Max> eq2_maxes(int eq2);
std::span<const Eq3Eq6Max> eq3_eq6_maxes(int eq3, int eq6);
std::span<const Eq4Max> eq4_maxes(int eq4);

// The depth of each MacroVector level: its largest severity distance plus one, in steps of 0.1.
int eq1_depth(int eq1);
int eq2_depth(int eq2);
int eq3_eq6_depth(int eq3, int eq6);
int eq4_depth(int eq4);

}  // namespace vigil::scoring::internal
