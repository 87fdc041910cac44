// `vigil version compare|in-range`: the version-ordering module on the command line.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/strings.hpp"
#include "version/range.hpp"
#include "version/version.hpp"

namespace vigil::cli {
namespace {

struct VersionOptions {
  std::string scheme = "generic";
  std::vector<std::string> operands;
  bool from_stdin = false;
};

Result<version::Scheme> scheme_of(const VersionOptions& opts) {
  return version::parse_scheme(opts.scheme);
}

// Reads A<TAB>B pairs from stdin and prints one result per line; a bad line prints
// "error: ..." on stdout for that line alone, so output lines stay aligned with input lines.
int compare_stream(version::Scheme scheme) {
  std::string line;
  std::string out;
  out.reserve(1 << 16);
  size_t line_number = 0;
  bool any_error = false;
  while (std::getline(std::cin, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      out += fmt::format("error: line {}: expected two versions separated by a tab\n", line_number);
      any_error = true;
    } else {
      const auto result = version::compare(scheme, std::string_view(line).substr(0, tab),
                                           std::string_view(line).substr(tab + 1));
      if (result) {
        out += std::to_string(*result);
        out += '\n';
      } else {
        out += fmt::format("error: {}\n", result.error().message);
        any_error = true;
      }
    }
    if (out.size() > (1 << 15)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  (void)any_error;  // per-line errors are data; the stream as a whole succeeded
  return kExitOk;
}

int run_compare(const VersionOptions& opts) {
  const auto scheme = scheme_of(opts);
  if (!scheme) {
    std::cerr << "vigil: " << scheme.error().message << '\n';
    return kExitUsage;
  }
  if (opts.from_stdin) {
    if (!opts.operands.empty()) {
      std::cerr << "vigil: --stdin takes no version arguments\n";
      return kExitUsage;
    }
    return compare_stream(*scheme);
  }
  if (opts.operands.size() != 2) {
    std::cerr << "vigil: version compare needs exactly two versions (or --stdin)\n";
    return kExitUsage;
  }
  const auto result = version::compare(*scheme, opts.operands[0], opts.operands[1]);
  if (!result) {
    std::cerr << "vigil: " << result.error().message << '\n';
    return kExitUsage;
  }
  std::cout << *result << '\n';
  return kExitOk;
}

int run_in_range(const VersionOptions& opts) {
  const auto scheme = scheme_of(opts);
  if (!scheme) {
    std::cerr << "vigil: " << scheme.error().message << '\n';
    return kExitUsage;
  }
  if (opts.operands.size() != 2) {
    std::cerr << "vigil: version in-range needs VERSION and RANGE\n";
    return kExitUsage;
  }
  const auto result = version::in_range(*scheme, opts.operands[0], opts.operands[1]);
  if (!result) {
    std::cerr << "vigil: " << result.error().message << '\n';
    return kExitUsage;
  }
  std::cout << (*result ? "true" : "false") << '\n';
  return kExitOk;
}

}  // namespace

void add_version_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Compare versions and evaluate ranges per ecosystem");
  cmd->require_subcommand(1);
  const std::string schemes =
      "dpkg, rpm, apk, semver, go, pep440, maven, nuget, gem, composer, generic";

  auto compare_opts = std::make_shared<VersionOptions>();
  auto* compare = cmd->add_subcommand("compare", "Print -1, 0 or 1 as A orders before, equal to or after B");
  compare->add_option("--scheme", compare_opts->scheme, "Version scheme: " + schemes)->required();
  compare->add_flag("--stdin", compare_opts->from_stdin,
                    "Read A<TAB>B pairs, one per line, and print one result per line");
  compare->add_option("versions", compare_opts->operands, "A B");
  compare->callback([compare_opts] { throw ExitRequest{run_compare(*compare_opts)}; });

  auto range_opts = std::make_shared<VersionOptions>();
  auto* in_range = cmd->add_subcommand("in-range", "Print true or false as VERSION lies in RANGE");
  in_range->add_option("--scheme", range_opts->scheme, "Version scheme: " + schemes)->required();
  in_range->add_option("args", range_opts->operands,
                       "VERSION RANGE (e.g. '>=1.0, <2.0 || =3.1')");
  in_range->callback([range_opts] { throw ExitRequest{run_in_range(*range_opts)}; });
}

}  // namespace vigil::cli
