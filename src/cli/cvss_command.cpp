// `vigil cvss score`: the scoring module's CVSS calculator on the command line.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "core/strings.hpp"
#include "scoring/cvss.hpp"

namespace vigil::cli {
namespace {

constexpr size_t kFlushBytes = 1 << 16;
constexpr size_t kMaxLineBytes = 1 << 16;  // CVSS vectors are under 200 bytes

struct CvssOptions {
  std::vector<std::string> vectors;
  bool from_stdin = false;
};

// Appends `score` (a multiple of 0.1 in [0, 10]) with one decimal.
void append_score(std::string& out, double score) {
  const auto tenths = static_cast<int64_t>(std::llround(score * 10.0));
  out += std::to_string(tenths / 10);
  out += '.';
  out += static_cast<char>('0' + tenths % 10);
}

// Appends "BASE<TAB>OVERALL\n" for `vector`, or "error: ...\n". Returns false for an error.
bool append_result(std::string& out, std::string_view vector) {
  const auto result = scoring::score_vector(trim(vector));
  if (!result) {
    out += "error: ";
    out += result.error().message;
    out += '\n';
    return false;
  }
  append_score(out, result->base_score);
  out += '\t';
  append_score(out, result->overall_score);
  out += '\n';
  return true;
}

void flush(std::string& out) {
  std::fwrite(out.data(), 1, out.size(), stdout);
  out.clear();
}

// Scores one vector per stdin line; output lines stay aligned with input lines, a malformed
// vector printing "error: ..." on its own line. Per-line errors are data: the exit code is 0
// unless stdin cannot be read.
int score_stream() {
  std::string out;
  out.reserve(kFlushBytes * 2);
  std::string pending;
  bool overlong = false;  // inside a line longer than kMaxLineBytes, skipping to its end
  std::vector<char> chunk(kFlushBytes);
  size_t read = 0;
  while ((read = std::fread(chunk.data(), 1, chunk.size(), stdin)) > 0) {
    pending.append(chunk.data(), read);
    size_t start = 0;
    size_t newline = 0;
    while ((newline = pending.find('\n', start)) != std::string::npos) {
      if (overlong) {
        out += "error: line longer than 65536 bytes\n";
        overlong = false;
      } else {
        append_result(out, std::string_view(pending).substr(start, newline - start));
      }
      start = newline + 1;
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLineBytes) {
      overlong = true;
      pending.clear();
    }
    if (out.size() >= kFlushBytes) {
      flush(out);
    }
  }
  if (overlong) {
    out += "error: line longer than 65536 bytes\n";
  } else if (!pending.empty()) {
    append_result(out, pending);
  }
  flush(out);
  std::fflush(stdout);
  if (std::ferror(stdin)) {
    std::cerr << "vigil: cannot read standard input\n";
    return kExitUsage;
  }
  return kExitOk;
}

int run_score(const CvssOptions& opts) {
  if (opts.from_stdin) {
    if (!opts.vectors.empty()) {
      std::cerr << "vigil: cvss score --stdin takes no vector arguments\n";
      return kExitUsage;
    }
    return score_stream();
  }
  if (opts.vectors.empty()) {
    std::cerr << "vigil: cvss score needs at least one VECTOR (or --stdin)\n";
    return kExitUsage;
  }
  std::string out;
  bool all_valid = true;
  for (const std::string& vector : opts.vectors) {
    all_valid = append_result(out, vector) && all_valid;
  }
  flush(out);
  std::fflush(stdout);
  return all_valid ? kExitOk : kExitUsage;
}

}  // namespace

void add_cvss_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("cvss", "Score CVSS v2, v3.0, v3.1 and v4.0 vectors");
  cmd->require_subcommand(1);

  auto opts = std::make_shared<CvssOptions>();
  auto* score = cmd->add_subcommand(
      "score",
      "Print BASE<TAB>OVERALL (one decimal) per vector; OVERALL is the environmental score if "
      "set, else the temporal/threat score if set, else the base score");
  score->add_flag("--stdin", opts->from_stdin,
                  "Read one vector per line and print one result per line (exit 0 even if some "
                  "lines are malformed)");
  score->add_option("vectors", opts->vectors,
                    "e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; exits 2 if any is "
                    "malformed");
  score->callback([opts] { throw ExitRequest{run_score(*opts)}; });
}

}  // namespace vigil::cli
