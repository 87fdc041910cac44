// Golden cases in tests/data/export/<case>/: input.json (a target, its inventory and findings)
// is written in every export format and compared with expected/<format>.json;
// VIGIL_UPDATE_GOLDEN=1 rewrites them. Each written SBOM must also validate and read back to the
// input inventory. See tests/data/export/README.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "export/export_test_support.hpp"
#include "export/findings.hpp"
#include "export/sbom.hpp"
#include "export/sbom_reader.hpp"

namespace vigil::exporter {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string text_of(const json& object, const char* key) { return object.value(key, ""); }

SubjectKind subject_kind(const std::string& name) {
  for (const auto kind :
       {SubjectKind::kImage, SubjectKind::kFunction, SubjectKind::kHost, SubjectKind::kDirectory}) {
    if (subject_kind_name(kind) == name) {
      return kind;
    }
  }
  ADD_FAILURE() << "unknown subject kind " << name;
  return SubjectKind::kDirectory;
}

model::ResourceType resource_type(const std::string& name) {
  for (const auto type : {model::ResourceType::kHost, model::ResourceType::kFunction,
                          model::ResourceType::kLayer, model::ResourceType::kImage}) {
    if (model::resource_type_name(type) == name) {
      return type;
    }
  }
  ADD_FAILURE() << "unknown resource type " << name;
  return model::ResourceType::kHost;
}

template <class Enum>
Enum enum_named(const std::string& name, std::initializer_list<Enum> values,
                std::string_view (*name_of)(Enum)) {
  for (const auto value : values) {
    if (name_of(value) == name) {
      return value;
    }
  }
  ADD_FAILURE() << "unknown name " << name;
  return *values.begin();
}

model::Package package_from(const json& in) {
  model::Package package;
  const auto ecosystem = model::parse_ecosystem(text_of(in, "ecosystem"));
  EXPECT_TRUE(ecosystem.has_value()) << in.dump();
  package.ecosystem = ecosystem ? ecosystem->ecosystem : model::Ecosystem::kGeneric;
  package.distro_release = ecosystem ? ecosystem->release : "";
  package.name = text_of(in, "name");
  package.version = text_of(in, "version");
  package.arch = text_of(in, "arch");
  package.source_name = text_of(in, "source_name");
  package.source_version = text_of(in, "source_version");
  package.locations = in.value("locations", std::vector<std::string>{});
  package.purl = text_of(in, "purl");
  package.layer_digest = text_of(in, "layer_digest");
  return package;
}

std::vector<model::CvssRecord> cvss_from(const json& in) {
  std::vector<model::CvssRecord> out;
  for (const auto& record : in) {
    out.push_back({text_of(record, "version"), text_of(record, "vector"),
                   record.value("base_score", 0.0), text_of(record, "source")});
  }
  return out;
}

std::vector<model::ScoreAdjustment> steps_from(const json& in) {
  std::vector<model::ScoreAdjustment> out;
  for (const auto& step : in) {
    out.push_back({text_of(step, "factor"), text_of(step, "from"), text_of(step, "to"),
                   text_of(step, "reason")});
  }
  return out;
}

model::Finding finding_from(const json& in, const model::Inventory& inventory) {
  using model::Severity;
  model::Finding finding;
  finding.id = text_of(in, "id");
  finding.resource_id = text_of(in, "resource_id");
  finding.account_id = text_of(in, "account_id");
  // `package` is an index into the inventory, or a package object absent from it.
  finding.package = in.at("package").is_object()
                        ? package_from(in.at("package"))
                        : inventory.packages.at(in.at("package").get<size_t>());
  finding.vulnerability_id = text_of(in, "vulnerability_id");
  finding.aliases = in.value("aliases", std::vector<std::string>{});
  finding.sources = in.value("sources", std::vector<std::string>{});
  finding.title = text_of(in, "title");
  finding.description = text_of(in, "description");
  finding.references = in.value("references", std::vector<std::string>{});
  finding.fixed_in = text_of(in, "fixed_in");
  finding.remediation = text_of(in, "remediation");
  finding.fix_available = enum_named(
      in.value("fix_available", "NO"),
      {model::FixAvailable::kYes, model::FixAvailable::kNo, model::FixAvailable::kPartial},
      model::fix_available_name);
  finding.vendor_severity = text_of(in, "vendor_severity");
  finding.severity = enum_named(in.value("severity", "UNTRIAGED"),
                                {Severity::kUntriaged, Severity::kInformational, Severity::kLow,
                                 Severity::kMedium, Severity::kHigh, Severity::kCritical},
                                model::severity_name);
  finding.cvss = cvss_from(in.value("cvss", json::array()));
  finding.exploit_available = in.value("exploit_available", false);
  finding.exploit_last_seen = text_of(in, "exploit_last_seen");
  finding.ransomware = in.value("ransomware", false);
  if (in.contains("epss")) {
    finding.epss = in["epss"].get<double>();
  }
  if (in.contains("epss_percentile")) {
    finding.epss_percentile = in["epss_percentile"].get<double>();
  }
  finding.inspector_score = in.value("inspector_score", 0.0);
  finding.inspector_adjustments = steps_from(in.value("inspector_adjustments", json::array()));
  finding.vigil_risk = in.value("vigil_risk", 0.0);
  finding.risk_explanation = steps_from(in.value("risk_explanation", json::array()));
  finding.status = enum_named(in.value("status", "ACTIVE"),
                              {model::FindingStatus::kActive, model::FindingStatus::kSuppressed,
                               model::FindingStatus::kClosed},
                              model::finding_status_name);
  finding.suppression_reason = text_of(in, "suppression_reason");
  finding.first_observed_at = text_of(in, "first_observed_at");
  finding.last_observed_at = text_of(in, "last_observed_at");
  return finding;
}

struct GoldenCase {
  SbomDocument document;
  FindingsContext context;
  std::vector<model::Finding> findings;
};

GoldenCase case_from(const json& in) {
  GoldenCase out;
  const json& subject = in.at("subject");
  out.document.subject = {subject_kind(text_of(subject, "kind")), text_of(subject, "name"),
                          text_of(subject, "version"), text_of(subject, "digest"),
                          text_of(subject, "id")};
  for (const auto& layer : in.value("layers", json::array())) {
    out.document.layers.push_back({text_of(layer, "digest"), text_of(layer, "name")});
  }
  const json& inventory = in.at("inventory");
  out.document.inventory.target = text_of(inventory, "target");
  const json os = inventory.value("os", json::object());
  out.document.inventory.os = {
      text_of(os, "id"),          text_of(os, "version_id"),     text_of(os, "codename"),
      text_of(os, "pretty_name"), text_of(os, "kernel_release"), os.value("end_of_life", false)};
  out.document.inventory.complete = inventory.value("complete", true);
  for (const auto& package : inventory.at("packages")) {
    out.document.inventory.packages.push_back(package_from(package));
  }
  out.document.tool_version = text_of(in, "tool_version");
  out.document.timestamp = text_of(in, "timestamp");
  out.document.seed = in.at("seed").get<std::uint64_t>();

  const json& resource = in.at("resource");
  out.context.resource.type = resource_type(text_of(resource, "type"));
  out.context.resource.id = text_of(resource, "id");
  out.context.resource.account_id = text_of(resource, "account_id");
  out.context.resource.region = text_of(resource, "region");
  out.context.resource.name = text_of(resource, "name");
  out.context.resource.tags = resource.value("tags", std::map<std::string, std::string>{});
  out.context.os = out.document.inventory.os;
  out.context.tool_version = out.document.tool_version;
  out.context.timestamp = out.document.timestamp;
  for (const auto& finding : in.value("findings", json::array())) {
    out.findings.push_back(finding_from(finding, out.document.inventory));
  }
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(ExportGoldenTest, EveryCaseMatchesItsExpectedOutputs) {
  const fs::path cases = fs::path(VIGIL_SOURCE_DIR) / "tests/data/export";
  ASSERT_TRUE(fs::is_directory(cases)) << cases;
  const char* update_env = std::getenv("VIGIL_UPDATE_GOLDEN");
  const bool update = update_env != nullptr && std::string(update_env) == "1";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(cases)) {
    if (!fs::exists(entry.path() / "input.json")) {
      continue;
    }
    SCOPED_TRACE(entry.path().filename().string());
    EXPECT_TRUE(fs::exists(entry.path() / "README.md")) << "every case explains itself";
    const GoldenCase golden = case_from(json::parse(slurp(entry.path() / "input.json")));
    const auto cyclonedx = write_cyclonedx(golden.document);
    const auto spdx = write_spdx(golden.document);
    const auto vex = write_cyclonedx_vex(golden.document, golden.findings);
    ASSERT_TRUE(cyclonedx && spdx && vex);
    const std::pair<std::string, std::string> outputs[] = {
        {"cyclonedx.json", *cyclonedx},
        {"spdx.json", *spdx},
        {"vex.cyclonedx.json", *vex},
        {"findings.json", write_findings_json(golden.findings, golden.context)},
        {"sarif.json", write_sarif(golden.findings, golden.context)},
    };
    for (const auto& [file, text] : outputs) {
      const fs::path expected_path = entry.path() / "expected" / file;
      if (update) {
        fs::create_directories(expected_path.parent_path());
        std::ofstream(expected_path, std::ios::binary) << text;
      }
      ASSERT_TRUE(fs::exists(expected_path))
          << "missing " << expected_path << " (run with VIGIL_UPDATE_GOLDEN=1)";
      EXPECT_EQ(json::parse(text), json::parse(slurp(expected_path)))
          << file << " differs; VIGIL_UPDATE_GOLDEN=1 rewrites it";
    }
    for (const std::string* sbom : {&*cyclonedx, &*spdx, &*vex}) {
      const auto read = read_sbom(*sbom);
      ASSERT_TRUE(read.has_value()) << read.error().message;
      // The VEX may add findings' packages after the inventory's own.
      const auto& packages = golden.document.inventory.packages;
      ASSERT_GE(read->inventory.packages.size(), packages.size());
      EXPECT_EQ(std::vector<model::Package>(read->inventory.packages.begin(),
                                            read->inventory.packages.begin() +
                                                static_cast<std::ptrdiff_t>(packages.size())),
                packages);
      EXPECT_EQ(read->inventory.os, golden.document.inventory.os);
    }
    if (testing::have_schemas()) {
      std::vector<testing::SchemaCheck> checks = testing::validate_spdx(*spdx);
      checks.push_back(testing::validate_cyclonedx(*cyclonedx));
      checks.push_back(testing::validate_cyclonedx(*vex));
      for (const auto& check : checks) {
        if (check.verdict != testing::SchemaVerdict::kUnavailable ||
            vigil::testing::reference_required()) {
          EXPECT_EQ(check.verdict, testing::SchemaVerdict::kValid) << check.output;
        }
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
}  // namespace vigil::exporter
