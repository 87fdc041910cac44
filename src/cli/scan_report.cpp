// Machine-readable scan reports: SARIF, CycloneDX VEX and Inspector JSON through the exporter.
#include "cli/scan_report.hpp"

#include "cli/findings_output.hpp"
#include "export/findings.hpp"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

namespace vigil::cli {

std::string tool_version() { return VIGIL_VERSION; }

bool is_scan_format(std::string_view format) {
  return format == "table" || format == "json" || format == "sarif" || format == "cyclonedx";
}

exporter::SbomSubject sbom_subject(std::string_view kind, const std::string& target,
                                   const service::ResourceContext& context) {
  exporter::SbomSubject subject;
  subject.name = target;
  subject.id = context.resource_id.empty() ? target : context.resource_id;
  if (kind == "image") {
    subject.kind = exporter::SubjectKind::kImage;
    if (context.resource_id.rfind("sha256:", 0) == 0) {
      subject.digest = context.resource_id;
    }
  } else if (kind == "function") {
    subject.kind = exporter::SubjectKind::kFunction;
  } else if (kind == "rootfs" && target == "/") {
    subject.kind = exporter::SubjectKind::kHost;
  } else {
    subject.kind = exporter::SubjectKind::kDirectory;
  }
  return subject;
}

namespace {

model::ResourceType resource_type_of(std::string_view kind) {
  if (kind == "image") {
    return model::ResourceType::kImage;
  }
  if (kind == "function") {
    return model::ResourceType::kFunction;
  }
  return model::ResourceType::kHost;
}

}  // namespace

Result<void> write_machine_report(std::ostream& out, std::string_view format,
                                  std::string_view kind, const std::string& target,
                                  const model::Inventory& inventory,
                                  const std::vector<model::Finding>& findings,
                                  const service::ResourceContext& context,
                                  const std::vector<matcher::NonFinding>* not_affected) {
  if (format == "json") {
    write_findings_json(out, inventory, findings, not_affected);
    return {};
  }
  if (format == "sarif") {
    exporter::FindingsContext ctx;
    ctx.resource.type = resource_type_of(kind);
    ctx.resource.id = context.resource_id.empty() ? target : context.resource_id;
    ctx.resource.account_id = context.account_id;
    ctx.resource.region = context.region;
    ctx.resource.name = target;
    ctx.os = inventory.os;
    ctx.tool_version = tool_version();
    out << exporter::write_sarif(findings, ctx) << '\n';
    return {};
  }
  if (format == "cyclonedx") {
    exporter::SbomDocument document;
    document.subject = sbom_subject(kind, target, context);
    document.inventory = inventory;
    document.tool_version = tool_version();
    VIGIL_ASSIGN_OR_RETURN(std::string text, exporter::write_cyclonedx_vex(document, findings));
    out << text << '\n';
    return {};
  }
  return fail(Error::invalid_argument("unknown --format '{}' ({})", format, kScanFormats));
}

}  // namespace vigil::cli
