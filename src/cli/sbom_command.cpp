// `vigil sbom rootfs|image|function TARGET --format cyclonedx|spdx`: inventory a target and write
// its SBOM (no vulnerability database needed).
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "agent/collect.hpp"
#include "cli/output.hpp"
#include "cli/scan_report.hpp"
#include "cli/surface_command.hpp"
#include "export/sbom.hpp"
#include "inventory/cataloger.hpp"
#include "sources/file_tree.hpp"

namespace vigil::cli {
namespace {

struct SbomOptions {
  std::string kind;  // rootfs | image | function
  std::string target;
  std::string format = "cyclonedx";
  std::string output;
  SurfaceOptions surface;
};

Result<model::Inventory> collect(const SbomOptions& opts, service::ResourceContext& context) {
  if (opts.kind == "rootfs") {
    VIGIL_ASSIGN_OR_RETURN(auto tree, sources::open_directory(opts.target));
    return inventory::catalog(*tree, inventory::default_catalogers());
  }
  return collect_surface_inventory(opts.kind, opts.target, opts.surface, context);
}

int run_sbom(const SbomOptions& opts) {
  if (opts.format != "cyclonedx" && opts.format != "spdx") {
    return usage_error("unknown --format '" + opts.format + "' (cyclonedx or spdx)");
  }
  service::ResourceContext context;
  auto inventory = collect(opts, context);
  if (!inventory) {
    return report_error(inventory.error());
  }
  for (const auto& diagnostic : inventory->diagnostics) {
    if (diagnostic.level != model::DiagnosticLevel::kInfo) {
      std::cerr << "warning: " << diagnostic.where << ": " << diagnostic.message << '\n';
    }
  }
  exporter::SbomDocument document;
  document.subject = sbom_subject(opts.kind, opts.target, context);
  document.inventory = std::move(*inventory);
  document.tool_version = tool_version();
  auto text = opts.format == "spdx" ? exporter::write_spdx(document)
                                    : exporter::write_cyclonedx(document);
  if (!text) {
    return report_error(text.error());
  }
  if (opts.output.empty()) {
    std::cout << *text << '\n';
    return kExitOk;
  }
  // Written beside the destination, then renamed: a failed run never leaves a truncated SBOM
  // (and /dev/null or a pipe is written through, not replaced).
  if (auto written = agent::write_file_atomic(opts.output, *text + '\n'); !written) {
    return report_error(written.error());
  }
  return kExitOk;
}

}  // namespace

void add_sbom_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sbom", "Inventory a target and write its SBOM (CycloneDX 1.6 or SPDX 2.3)");
  cmd->require_subcommand(1);
  for (const char* kind : {"rootfs", "image", "function"}) {
    auto opts = std::make_shared<SbomOptions>();
    opts->kind = kind;
    auto* sub = cmd->add_subcommand(
        kind, std::string(kind) == "rootfs" ? "SBOM of a root filesystem directory ('/' for this host)"
                                            : surface_description(kind));
    sub->add_option("target", opts->target, "What to inventory")->required();
    sub->add_option("--format,-f", opts->format, "cyclonedx or spdx");
    sub->add_option("--output,-o", opts->output, "Write the SBOM to FILE (atomically)");
    if (std::string(kind) != "rootfs") {
      add_surface_options(sub, kind, opts->surface);
    }
    sub->callback([opts] { throw ExitRequest{run_sbom(*opts)}; });
  }
}

}  // namespace vigil::cli
