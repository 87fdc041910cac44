// `vigil scan rootfs|sbom TARGET`: inventory a target, match it against the local database and
// print findings as a table (humans) or JSON (machines), with CI gates.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/findings_output.hpp"
#include "cli/output.hpp"
#include "cli/status_line.hpp"
#include "cli/scan_report.hpp"
#include "cli/surface_command.hpp"
#include "scoring/risk.hpp"
#include "service/pipeline.hpp"
#include "export/sbom_reader.hpp"
#include "service/suppression.hpp"
#include "service/surface_scan.hpp"
#include "sources/file_tree.hpp"
#include "sources/snapshot.hpp"

namespace vigil::cli {
namespace {

struct ScanOptions {
  std::string kind;  // rootfs | sbom
  std::string target;
  std::string db_dir;
  std::string format = "table";
  std::string output;
  std::vector<std::string> severities;
  bool ignore_unfixed = false;
  std::string fail_on;
  std::string account = "000000000000";
  std::string reachability = "unknown";
  std::string ignore_file;
  std::vector<std::string> vex_files;
  SurfaceOptions surface;  // image | function
};

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Applies --ignore-file and --vex to `findings`; prints notes (expired entries) on stderr.
int apply_scan_suppressions(const ScanOptions& opts, std::vector<model::Finding>& findings) {
  std::vector<service::IgnoreEntry> ignores;
  if (!opts.ignore_file.empty()) {
    const auto text = read_text_file(opts.ignore_file);
    if (!text) {
      return usage_error("cannot read ignore file " + opts.ignore_file);
    }
    auto parsed = service::parse_ignore_file(*text, opts.ignore_file);
    if (!parsed) {
      return report_error(parsed.error());
    }
    ignores = std::move(parsed).value();
  }
  std::vector<service::VexStatement> vex;
  for (const auto& path : opts.vex_files) {
    const auto text = read_text_file(path);
    if (!text) {
      return usage_error("cannot read VEX file " + path);
    }
    auto parsed = service::parse_vex(*text, path);
    if (!parsed) {
      return report_error(parsed.error());
    }
    vex.insert(vex.end(), parsed->begin(), parsed->end());
  }
  const auto report = service::apply_suppressions(findings, ignores, vex, service::today_utc());
  for (const auto& note : report.notes) {
    std::cerr << "note: " << note << '\n';
  }
  return kExitOk;
}

// Reads a CycloneDX or SPDX JSON SBOM into an inventory; reader problems become warnings.
Result<model::Inventory> read_sbom_inventory(const std::string& path) {
  const auto text = read_text_file(path);
  if (!text) {
    return fail(Error::io("cannot read SBOM {}", path));
  }
  auto sbom = exporter::read_sbom(*text);
  if (!sbom) {
    return fail(sbom.error().with_context(path));
  }
  model::Inventory inventory = std::move(sbom->inventory);
  for (auto& diagnostic : sbom->diagnostics) {
    inventory.diagnostics.push_back(std::move(diagnostic));
  }
  if (inventory.target.empty()) {
    inventory.target = path;
  }
  return inventory;
}

Result<model::Severity> parse_severity(std::string_view text) {
  const auto severity = scoring::severity_from_label(text);
  if (severity == model::Severity::kUntriaged && to_lower_copy(text) != "untriaged") {
    return fail(Error::invalid_argument(
        "unknown severity '{}' (choose critical, high, medium, low, informational, untriaged)",
        text));
  }
  return severity;
}

Result<scoring::Reachability> parse_reachability(std::string_view text) {
  const std::string lowered = to_lower_copy(text);
  if (lowered == "internet") {
    return scoring::Reachability::kInternet;
  }
  if (lowered == "vpc") {
    return scoring::Reachability::kVpc;
  }
  if (lowered == "none") {
    return scoring::Reachability::kNone;
  }
  if (lowered == "unknown") {
    return scoring::Reachability::kUnknown;
  }
  return fail(Error::invalid_argument("unknown reachability '{}' (internet, vpc, none, unknown)",
                                      text));
}

int run_scan(const ScanOptions& opts) {
  if (!is_scan_format(opts.format)) {
    return usage_error("unknown --format '" + opts.format + "' (" + std::string(kScanFormats) + ")");
  }
  std::set<model::Severity> wanted;
  for (const auto& text : opts.severities) {
    for (const auto& part : split_list(text)) {
      auto severity = parse_severity(part);
      if (!severity) {
        return report_error(severity.error());
      }
      wanted.insert(*severity);
    }
  }
  std::optional<model::Severity> fail_on;
  if (!opts.fail_on.empty()) {
    auto severity = parse_severity(opts.fail_on);
    if (!severity) {
      return report_error(severity.error());
    }
    fail_on = *severity;
  }
  auto reachability = parse_reachability(opts.reachability);
  if (!reachability) {
    return report_error(reachability.error());
  }
  // Progress on stderr only when it is a terminal and the report does not go there too.
  StatusLine status(StatusLine::stderr_is_terminal());
  status.phase("loading the vulnerability database");
  auto pipeline = service::Pipeline::open(opts.db_dir);
  if (!pipeline) {
    status.finish();
    return report_error(pipeline.error());
  }
  service::ResourceContext context;
  context.account_id = opts.account;
  context.reachability = *reachability;
  Result<service::ScanResult> result = fail(Error::internal("no scan ran"));
  if (opts.kind == "rootfs") {
    // A directory, or a snapshot of one: a tar (any compression) or a raw ext4 image.
    const service::Catalogers catalogers = inventory::default_catalogers();
    sources::SnapshotOptions snapshot;
    snapshot.wanted = service::wanted_files(catalogers).wanted;
    status.phase("opening " + opts.target);
    auto tree = sources::open_root_filesystem(opts.target, snapshot);
    if (!tree) {
      status.finish();
      return report_error(tree.error());
    }
    status.phase("cataloging " + opts.target);
    model::Inventory inventory = inventory::catalog(**tree, catalogers);
    inventory.target = opts.target;
    status.phase(fmt::format("matching {} packages", inventory.packages.size()));
    result = (*pipeline)->scan_inventory(std::move(inventory), context);
  } else if (opts.kind == "image" || opts.kind == "function") {
    status.phase(fmt::format("collecting {} {}", opts.kind, opts.target));
    auto inventory = collect_surface_inventory(opts.kind, opts.target, opts.surface, context);
    if (!inventory) {
      status.finish();
      return report_error(inventory.error());
    }
    status.phase(fmt::format("matching {} packages", inventory->packages.size()));
    result = (*pipeline)->scan_inventory(std::move(*inventory), context);
  } else if (opts.kind == "sbom") {
    auto inventory = read_sbom_inventory(opts.target);
    if (!inventory) {
      status.finish();
      return report_error(inventory.error());
    }
    result = (*pipeline)->scan_inventory(std::move(*inventory), context);
  } else {
    status.finish();
    return usage_error("scan " + opts.kind + " is not available yet");
  }
  status.finish();
  if (!result) {
    return report_error(result.error());
  }
  if (const int rc = apply_scan_suppressions(opts, result->findings); rc != kExitOk) {
    return rc;
  }
  std::vector<model::Finding> shown;
  for (auto& finding : result->findings) {
    if (opts.format == "table" && finding.status == model::FindingStatus::kSuppressed) {
      continue;  // JSON keeps suppressed findings, marked, with the reason
    }
    if (!wanted.empty() && !wanted.contains(finding.severity)) {
      continue;
    }
    if (opts.ignore_unfixed && finding.fix_available == model::FixAvailable::kNo) {
      continue;
    }
    shown.push_back(std::move(finding));
  }
  for (const auto& diagnostic : result->diagnostics) {
    if (diagnostic.level != model::DiagnosticLevel::kInfo) {
      std::cerr << "warning: " << diagnostic.where << ": " << diagnostic.message << '\n';
    }
  }
  std::ofstream file;
  if (!opts.output.empty()) {
    file.open(opts.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      return usage_error("cannot write " + opts.output);
    }
  }
  std::ostream& out = opts.output.empty() ? std::cout : file;
  const auto not_affected = matcher::explain_not_affected(result->inventory, (*pipeline)->index());
  if (opts.format != "table") {
    if (auto written = write_machine_report(out, opts.format, opts.kind, opts.target,
                                            result->inventory, shown, context, &not_affected);
        !written) {
      return report_error(written.error());
    }
  } else {
    const bool colour = opts.output.empty() && isatty(STDOUT_FILENO) != 0;
    write_findings_table(out, result->inventory, shown, colour, &not_affected);
  }
  if (fail_on) {
    for (const auto& finding : shown) {
      if (finding.severity >= *fail_on && finding.status == model::FindingStatus::kActive) {
        return kExitFindings;
      }
    }
  }
  return kExitOk;
}

}  // namespace

void add_scan_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("scan", "Inventory a target and match it against the local database");
  cmd->require_subcommand(1);
  const auto add_common = [](CLI::App* sub, const std::shared_ptr<ScanOptions>& opts) {
    sub->add_option("target", opts->target, "What to scan")->required();
    sub->add_option("--db", opts->db_dir, "Database directory (default: $VIGIL_DB or ~/.local/share/vigil/db)");
    sub->add_option("--format,-f", opts->format, std::string(kScanFormats));
    sub->add_option("--output,-o", opts->output, "Write the report to FILE");
    sub->add_option("--severity", opts->severities,
                    "Only these severities (comma-separated: critical,high,...)");
    sub->add_flag("--ignore-unfixed", opts->ignore_unfixed, "Hide findings without a fix");
    sub->add_option("--fail-on", opts->fail_on,
                    "Exit 1 when a finding at or above this severity remains");
    sub->add_option("--account", opts->account, "Account id recorded on findings");
    sub->add_option("--reachability", opts->reachability,
                    "Network reachability of the target: internet, vpc, none, unknown");
    sub->add_option("--ignore-file", opts->ignore_file,
                    "Ids to suppress, one per line: ID [exp:YYYY-MM-DD] [# reason]");
    sub->add_option("--vex", opts->vex_files,
                    "OpenVEX or CycloneDX VEX document; not_affected statements suppress");
  };
  for (const char* kind : {"rootfs", "sbom"}) {
    auto opts = std::make_shared<ScanOptions>();
    opts->kind = kind;
    auto* sub = cmd->add_subcommand(kind, std::string(kind) == "rootfs"
                                              ? "Scan a root filesystem: a directory ('/' for this host), a tar or an ext4 image"
                                              : "Scan a CycloneDX or SPDX JSON SBOM");
    add_common(sub, opts);
    sub->callback([opts] { throw ExitRequest{run_scan(with_default_db(*opts))}; });
  }
  for (const char* kind : {"image", "function"}) {
    auto opts = std::make_shared<ScanOptions>();
    opts->kind = kind;
    auto* sub = cmd->add_subcommand(kind, surface_description(kind));
    add_common(sub, opts);
    add_surface_options(sub, kind, opts->surface);
    sub->callback([opts] { throw ExitRequest{run_scan(with_default_db(*opts))}; });
  }
}

}  // namespace vigil::cli
