// Test support: reads the shared osv-scalibr version-ordering tables ("A <op> B" per line) and
// checks a comparator against them, plus antisymmetry and transitivity over the rows.
#pragma once

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::testing {

struct OrderingRow {
  std::string lhs;
  std::string rhs;
  int want = 0;  // -1, 0, 1
  int line = 0;
};

inline std::string shared_path(const std::string& relative) {
  return std::string(VIGIL_SHARED_DIR) + "/" + relative;
}

// Returns the rows of `file` under data/version-ordering/osv-scalibr-semantic/, or nullopt if the
// shared data is absent. Lines starting with "# " or "// " and blank lines are skipped.
inline std::optional<std::vector<OrderingRow>> load_ordering_table(const std::string& file) {
  std::ifstream in(shared_path("data/version-ordering/osv-scalibr-semantic/" + file));
  if (!in) {
    return std::nullopt;
  }
  std::vector<OrderingRow> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.rfind("# ", 0) == 0 || line.rfind("// ", 0) == 0) {
      continue;
    }
    const size_t first = line.find(' ');
    const size_t second = first == std::string::npos ? first : line.find(' ', first + 1);
    if (second == std::string::npos) {
      continue;
    }
    const std::string op = line.substr(first + 1, second - first - 1);
    OrderingRow row{line.substr(0, first), line.substr(second + 1), 0, number};
    if (op == "<") {
      row.want = -1;
    } else if (op == ">") {
      row.want = 1;
    } else if (op != "=") {
      continue;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace vigil::testing
