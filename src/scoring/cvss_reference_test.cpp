// Scores every vector of the shared reference sets (RedHatProductSecurity/cvss test vectors and
// NVD's Primary scores) and requires zero mismatches.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "scoring/cvss.hpp"

namespace vigil::scoring {
namespace {

std::string shared_path(const std::string& relative) {
  return std::string(VIGIL_SHARED_DIR) + "/data/cvss/" + relative;
}

// One line "VECTOR - (base, temporal, environmental)", "VECTOR - score" or "VECTOR - (score,)";
// "None" marks an absent score.
struct ReferenceLine {
  std::string vector;
  std::vector<std::optional<double>> scores;
  int number = 0;
};

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r");
  const size_t last = text.find_last_not_of(" \t\r");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

std::optional<std::vector<ReferenceLine>> load_reference(const std::string& file) {
  std::ifstream in(shared_path("redhat-cvss-vectors/" + file));
  if (!in) {
    return std::nullopt;
  }
  std::vector<ReferenceLine> lines;
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    const size_t separator = text.find(" - ");
    if (trimmed(text).empty() || separator == std::string::npos) {
      continue;
    }
    ReferenceLine line{text.substr(0, separator), {}, number};
    std::string scores = text.substr(separator + 3);
    for (char& c : scores) {
      if (c == '(' || c == ')') {
        c = ' ';
      }
    }
    std::istringstream fields(scores);
    std::string field;
    while (std::getline(fields, field, ',')) {
      field = trimmed(field);
      if (field.empty()) {
        continue;
      }
      line.scores.push_back(field == "None" ? std::nullopt : std::optional(std::stod(field)));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

bool same_score(std::optional<double> got, std::optional<double> want) {
  if (!got || !want) {
    return !got && !want;
  }
  return std::lround(*got * 10.0) == std::lround(*want * 10.0);
}

std::string show(std::optional<double> score) {
  if (!score) {
    return "None";
  }
  std::ostringstream out;
  out.precision(2);
  out << std::fixed << *score;
  return out.str();
}

// Collects mismatch descriptions; the test prints the first 20.
struct Mismatches {
  std::vector<std::string> lines;
  size_t checked = 0;

  void add(const std::string& what) { lines.push_back(what); }

  [[nodiscard]] std::string first_20() const {
    std::string joined;
    for (size_t idx = 0; idx < lines.size() && idx < 20; ++idx) {
      joined += lines[idx] + "\n";
    }
    return joined;
  }
};

// v3 always computes the Temporal and Environmental equations; we report them only when the vector
// defines a metric of their group. A temporal score without temporal metrics is Roundup(base) =
// base. For the environmental one, restate AV as MAV (which leaves the equation's inputs unchanged)
// to make the group defined.
std::optional<double> v3_environmental(const std::string& vector, const CvssScore& score) {
  if (score.environmental_score) {
    return score.environmental_score;
  }
  const size_t av = vector.find("/AV:");
  if (av == std::string::npos || vector.find("MAV:") != std::string::npos) {
    return std::nullopt;
  }
  const auto restated = score_vector(vector + "/MAV:" + vector.substr(av + 4, 1));
  return restated ? restated->environmental_score : std::nullopt;
}

void check_file(const std::string& file, size_t expected_lines, Mismatches& mismatches) {
  const auto lines = load_reference(file);
  if (!lines) {
    ADD_FAILURE() << "cannot read " << shared_path("redhat-cvss-vectors/" + file);
    return;
  }
  EXPECT_EQ(lines->size(), expected_lines) << file;
  for (const ReferenceLine& line : *lines) {
    ++mismatches.checked;
    const std::string where = file + ":" + std::to_string(line.number) + ": " + line.vector;
    const auto result = score_vector(line.vector);
    if (!result) {
      mismatches.add(where + ": rejected: " + result.error().message);
      continue;
    }
    std::vector<std::optional<double>> got;
    switch (result->version) {
      case CvssVersion::kV2:
        got = {result->base_score, result->temporal_score, result->environmental_score};
        break;
      case CvssVersion::kV30:
      case CvssVersion::kV31:
        got = {result->base_score, result->temporal_score.value_or(result->base_score),
               v3_environmental(line.vector, *result)};
        break;
      case CvssVersion::kV40:
        got = {result->overall_score};
        break;
    }
    bool same = got.size() == line.scores.size();
    for (size_t idx = 0; same && idx < got.size(); ++idx) {
      same = same_score(got[idx], line.scores[idx]);
    }
    if (!same) {
      std::string got_text;
      for (const auto& score : got) {
        got_text += show(score) + " ";
      }
      std::string want_text;
      for (const auto& score : line.scores) {
        want_text += show(score) + " ";
      }
      mismatches.add(where + ": got " + got_text + "want " + want_text);
    }
  }
}

struct ReferenceFile {
  const char* name;
  size_t lines;
};

constexpr ReferenceFile kReferenceFiles[] = {
    {"vectors_simple2", 729},  {"vectors_simple3", 2592},      {"vectors_simple31", 2592},
    {"vectors_simple4", 1058}, {"vectors_supplemental4", 576}, {"vectors_security4", 54},
    {"vectors_threat4", 6},    {"vectors_calculator2", 5},     {"vectors_calculator3", 2},
    {"vectors_cvsslib2", 24},  {"vectors_cvsslib3", 29},
};

TEST(CvssReferenceTest, MatchesRedHatReferenceVectors) {
  if (!std::ifstream(shared_path("redhat-cvss-vectors/vectors_simple2"))) {
    GTEST_SKIP() << "shared data missing under " << shared_path("");
  }
  Mismatches mismatches;
  for (const ReferenceFile& file : kReferenceFiles) {
    check_file(file.name, file.lines, mismatches);
  }
  EXPECT_EQ(mismatches.checked, 7667U);
  EXPECT_TRUE(mismatches.lines.empty()) << mismatches.lines.size() << " mismatches, first 20:\n"
                                        << mismatches.first_20();
}

// NVD's Primary (nvd@nist.gov) base scores and severities are authoritative; CNA-supplied
// Secondary rows are only required to parse.
TEST(CvssReferenceTest, MatchesNvdPrimaryBaseScores) {
  std::ifstream in(shared_path("nvd-derived-vector-scores.jsonl"));
  if (!in) {
    GTEST_SKIP() << "shared data missing";
  }
  Mismatches mismatches;
  size_t primary = 0;
  std::string text;
  while (std::getline(in, text)) {
    const auto row = nlohmann::json::parse(text);
    const std::string vector = row.at("vector").get<std::string>();
    const auto result = score_vector(vector);
    ++mismatches.checked;
    if (!result) {
      mismatches.add(vector + ": rejected: " + result.error().message);
      continue;
    }
    if (row.at("type").get<std::string>() != "Primary") {
      continue;
    }
    ++primary;
    const double want = row.at("baseScore").get<double>();
    std::string want_severity = row.at("baseSeverity").get<std::string>();
    std::string got_severity(severity_name(severity_of(result->version, result->base_score)));
    for (char& c : got_severity) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (!same_score(result->base_score, want) || got_severity != want_severity) {
      mismatches.add(row.at("cve").get<std::string>() + " " + vector + ": got " +
                     show(result->base_score) + " " + got_severity + ", want " + show(want) + " " +
                     want_severity);
    }
  }
  EXPECT_EQ(mismatches.checked, 604U);
  EXPECT_EQ(primary, 436U);
  EXPECT_TRUE(mismatches.lines.empty()) << mismatches.lines.size() << " mismatches, first 20:\n"
                                        << mismatches.first_20();
}

}  // namespace
}  // namespace vigil::scoring
