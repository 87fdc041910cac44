// From a component's purl and properties to a model::Package: purl type -> ecosystem, distro
// qualifier -> release, arch / epoch / upstream qualifiers, evidence paths from the properties
// other tools write.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>
#include <utility>

#include "core/strings.hpp"
#include "export/internal/reader.hpp"
#include "model/ecosystem.hpp"
#include "model/purl.hpp"

namespace vigil::exporter::internal {
namespace {

using model::Ecosystem;

constexpr std::array<std::pair<std::string_view, Ecosystem>, 8> kLanguageTypes{{
    {"pypi", Ecosystem::kPyPI},
    {"npm", Ecosystem::kNpm},
    {"golang", Ecosystem::kGo},
    {"maven", Ecosystem::kMaven},
    {"nuget", Ecosystem::kNuGet},
    {"gem", Ecosystem::kRubyGems},
    {"cargo", Ecosystem::kCratesIo},
    {"composer", Ecosystem::kPackagist},
}};

// Distro ids as they appear in purl namespaces, distro qualifiers and os-release ID.
constexpr std::array<std::pair<std::string_view, Ecosystem>, 12> kDistroIds{{
    {"debian", Ecosystem::kDebian},
    {"ubuntu", Ecosystem::kUbuntu},
    {"alpine", Ecosystem::kAlpine},
    {"amzn", Ecosystem::kAmazonLinux},
    {"amazon", Ecosystem::kAmazonLinux},
    {"amazonlinux", Ecosystem::kAmazonLinux},
    {"rhel", Ecosystem::kRedHat},
    {"redhat", Ecosystem::kRedHat},
    {"almalinux", Ecosystem::kAlmaLinux},
    {"alma", Ecosystem::kAlmaLinux},
    {"rocky", Ecosystem::kRocky},
    {"rockylinux", Ecosystem::kRocky},
}};

// Release codenames seen in distro qualifiers ("distro=bookworm").
constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kCodenames{{
    {"jessie", "8"},
    {"stretch", "9"},
    {"buster", "10"},
    {"bullseye", "11"},
    {"bookworm", "12"},
    {"trixie", "13"},
    {"forky", "14"},
    {"xenial", "16.04"},
    {"bionic", "18.04"},
    {"focal", "20.04"},
    {"jammy", "22.04"},
    {"kinetic", "22.10"},
    {"lunar", "23.04"},
    {"mantic", "23.10"},
    {"noble", "24.04"},
    {"oracular", "24.10"},
    {"plucky", "25.04"},
    {"questing", "25.10"},
}};

std::optional<Ecosystem> distro_ecosystem(std::string_view id) {
  const std::string lower = to_lower(id);
  for (const auto& [name, ecosystem] : kDistroIds) {
    if (name == lower) {
      return ecosystem;
    }
  }
  return std::nullopt;
}

bool allowed_for_type(std::string_view type, Ecosystem ecosystem) {
  switch (ecosystem) {
    case Ecosystem::kDebian:
    case Ecosystem::kUbuntu:
      return type == "deb";
    case Ecosystem::kAlpine:
      return type == "apk";
    case Ecosystem::kAmazonLinux:
    case Ecosystem::kRedHat:
    case Ecosystem::kAlmaLinux:
    case Ecosystem::kRocky:
      return type == "rpm";
    default:
      return false;
  }
}

// "1.2.3" -> the first `count` dot-separated components.
std::string leading_components(std::string_view version, size_t count) {
  size_t end = 0;
  for (size_t seen = 0; seen < count; ++seen) {
    const size_t dot = version.find('.', seen == 0 ? 0 : end + 1);
    if (dot == std::string_view::npos) {
      return std::string(version);
    }
    end = dot;
  }
  return std::string(version.substr(0, end));
}

// The release as the inventory spells it (Debian "12", Alpine "3.18", Ubuntu "22.04").
std::string normalise_release(Ecosystem ecosystem, std::string_view version) {
  switch (ecosystem) {
    case Ecosystem::kAlpine:
    case Ecosystem::kUbuntu:
      return leading_components(version, 2);
    default:
      return leading_components(version, 1);
  }
}

// "debian-12.5" / "bookworm" / "3.18.4" / "el9" / "amzn-2023" -> the release of `ecosystem`.
std::string release_from_distro(Ecosystem ecosystem, std::string_view distro) {
  std::string_view rest = distro;
  const size_t dash = rest.find('-');
  if (dash != std::string_view::npos &&
      std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(dash), is_alpha)) {
    rest.remove_prefix(dash + 1);
  }
  if (rest.size() > 2 && (rest.substr(0, 2) == "el") && is_digit(rest[2])) {
    rest.remove_prefix(2);
  }
  if (rest.empty()) {
    return {};
  }
  if (is_digit(rest[0])) {
    return normalise_release(ecosystem, rest);
  }
  const std::string lower = to_lower(rest);
  for (const auto& [codename, release] : kCodenames) {
    if (codename == lower) {
      return std::string(release);
    }
  }
  return {};
}

std::optional<std::string> qualifier(const model::Purl& purl, std::string_view key) {
  const auto it = purl.qualifiers.find(std::string(key));
  if (it == purl.qualifiers.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second;
}

// The OS ecosystem of an OS purl: namespace, then the distro qualifier's id, then the
// document's OS.
std::optional<Ecosystem> os_purl_ecosystem(const model::Purl& purl, std::string_view type,
                                           const model::OsIdentity& os) {
  std::vector<std::string> candidates{purl.namespace_};
  if (const auto distro = qualifier(purl, "distro")) {
    candidates.push_back(distro->substr(0, distro->find('-')));
  }
  candidates.push_back(os.id);
  for (const auto& candidate : candidates) {
    if (const auto ecosystem = distro_ecosystem(candidate);
        ecosystem && allowed_for_type(type, *ecosystem)) {
      return ecosystem;
    }
  }
  return std::nullopt;
}

// rpm "upstream=libcurl-7.79.1-1.amzn2.0.1.src.rpm"; deb "upstream=glibc@2.36-9" or "glibc".
void apply_upstream(std::string_view type, std::string_view upstream, model::Package& package) {
  std::string text(upstream);
  for (const std::string_view suffix : {".src.rpm", ".nosrc.rpm"}) {
    if (type == "rpm" && text.size() > suffix.size() &&
        text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
      text.resize(text.size() - suffix.size());
      const size_t release_dash = text.rfind('-');
      const size_t version_dash = release_dash == std::string::npos || release_dash == 0
                                      ? std::string::npos
                                      : text.rfind('-', release_dash - 1);
      if (version_dash != std::string::npos && version_dash > 0) {
        package.source_name = text.substr(0, version_dash);
        package.source_version = text.substr(version_dash + 1);
        return;
      }
    }
  }
  const size_t at = text.find('@');
  package.source_name = text.substr(0, at);
  if (at != std::string::npos) {
    package.source_version = text.substr(at + 1);
  }
}

void apply_purl(const model::Purl& purl, const ComponentFacts& facts, const model::OsIdentity& os,
                model::Package& package, std::vector<model::Diagnostic>& diagnostics) {
  std::string type = purl.type;
  if (type == "dpkg") {
    type = "deb";  // Inspector's SBOM export spells the type "dpkg"
  }
  if (auto printed = model::to_string(purl)) {
    package.purl = std::move(*printed);
  }
  if (!purl.version.empty()) {
    package.version = purl.version;
  }
  if (const auto arch = qualifier(purl, "arch")) {
    package.arch = *arch;
  }

  const bool os_type = type == "deb" || type == "rpm" || type == "apk";
  if (os_type) {
    package.name = purl.name;
    const auto epoch = qualifier(purl, "epoch");
    if (epoch && *epoch != "0" && package.version.find(':') == std::string::npos) {
      package.version = fmt::format("{}:{}", *epoch, package.version);
    }
    if (const auto upstream = qualifier(purl, "upstream")) {
      apply_upstream(type, *upstream, package);
    }
    const auto ecosystem = os_purl_ecosystem(purl, type, os);
    if (!ecosystem) {
      diagnostics.push_back(
          {model::DiagnosticLevel::kWarning, facts.where,
           fmt::format("{} package '{}' of distro '{}' has no advisory "
                       "ecosystem: recorded as Generic and not matched",
                       type, purl.name, purl.namespace_.empty() ? os.id : purl.namespace_)});
      return;
    }
    package.ecosystem = *ecosystem;
    if (const auto distro = qualifier(purl, "distro")) {
      package.distro_release = release_from_distro(*ecosystem, *distro);
    }
    if (package.distro_release.empty() && distro_ecosystem(os.id) == ecosystem &&
        !os.version_id.empty()) {
      package.distro_release = normalise_release(*ecosystem, os.version_id);
    }
    return;
  }

  const char separator = type == "maven" ? ':' : '/';
  package.name = purl.namespace_.empty()
                     ? purl.name
                     : fmt::format("{}{}{}", purl.namespace_, separator, purl.name);
  for (const auto& [name, ecosystem] : kLanguageTypes) {
    if (name == type) {
      package.ecosystem = ecosystem;
      return;
    }
  }
  diagnostics.push_back({model::DiagnosticLevel::kInfo, facts.where,
                         fmt::format("purl type '{}' has no advisory ecosystem: recorded as "
                                     "Generic and not matched",
                                     type)});
}

// Vigil's own properties restore the package as it was inventoried.
void apply_vigil_properties(const ComponentFacts& facts, model::Package& package,
                            std::vector<model::Diagnostic>& diagnostics) {
  const std::string* ecosystem = find_property(facts.properties, kPropEcosystem);
  if (ecosystem == nullptr) {
    return;
  }
  auto parsed = model::parse_ecosystem(*ecosystem);
  if (!parsed) {
    diagnostics.push_back({model::DiagnosticLevel::kWarning, facts.where,
                           fmt::format("{}: {}", kPropEcosystem, parsed.error().message)});
    return;
  }
  package.ecosystem = parsed->ecosystem;
  package.distro_release = parsed->release;
  if (!facts.group.empty()) {
    package.name = fmt::format("{}{}{}", facts.group,
                               parsed->ecosystem == Ecosystem::kMaven ? ":" : "/", facts.name);
  } else {
    package.name = facts.name;
  }
  package.version = facts.version;
  if (!facts.purl.empty()) {
    package.purl = facts.purl;
  }
  const auto text_of = [&facts](std::string_view key) {
    const std::string* value = find_property(facts.properties, key);
    return value == nullptr ? std::string() : *value;
  };
  package.arch = text_of(kPropArch);
  package.source_name = text_of(kPropSourceName);
  package.source_version = text_of(kPropSourceVersion);
}

void collect_evidence(const ComponentFacts& facts, model::Package& package) {
  const auto values_of = [&facts](const auto& accept) {
    std::vector<std::string> out;
    for (const auto& [name, value] : facts.properties) {
      if (accept(name) && !value.empty() && std::find(out.begin(), out.end(), value) == out.end()) {
        out.push_back(value);
      }
    }
    return out;
  };
  package.locations = values_of([](const std::string& name) { return name == kPropLocation; });
  if (package.locations.empty()) {
    package.locations = facts.occurrences;
  }
  if (package.locations.empty()) {
    // syft: "syft:location:0:path"; cdxgen: "SrcFile".
    package.locations = values_of([](const std::string& name) {
      return (name.rfind("syft:location:", 0) == 0 && name.size() > 5 &&
              name.compare(name.size() - 5, 5, ":path") == 0) ||
             name == "SrcFile";
    });
  }
  if (const std::string* layer = find_property(facts.properties, kPropLayer)) {
    package.layer_digest = *layer;
  } else if (const std::string* syft_layer =
                 find_property(facts.properties, "syft:location:0:layerID")) {
    package.layer_digest = *syft_layer;
  }
}

void collect_cpes(const ComponentFacts& facts, model::Package& package,
                  std::vector<model::Diagnostic>& diagnostics) {
  const auto add = [&](const std::string& text) {
    if (auto cpe = cpe23_of(text)) {
      if (std::find(package.cpes.begin(), package.cpes.end(), *cpe) == package.cpes.end()) {
        package.cpes.push_back(std::move(*cpe));
      }
    } else {
      diagnostics.push_back({model::DiagnosticLevel::kWarning, facts.where,
                             fmt::format("'{}' is not a CPE: ignored", text.substr(0, 200))});
    }
  };
  for (const auto& cpe : facts.cpes) {
    add(cpe);
  }
  for (const auto& [name, value] : facts.properties) {
    if (name == kPropCpe || name == "syft:cpe23") {
      add(value);
    }
  }
}

// One CPE 2.2 URI component, percent-decoded and quoted for a 2.3 formatted string. "" is ANY
// ("*"), "-" is NA. nullopt for a bad escape.
std::optional<std::string> uri_component_to_fs(std::string_view value) {
  if (value.empty()) {
    return "*";
  }
  if (value == "-") {
    return "-";
  }
  std::string out;
  for (size_t idx = 0; idx < value.size(); ++idx) {
    char c = value[idx];
    if (c == '%') {
      const auto nibble = [](char digit) -> int {
        if (is_digit(digit)) {
          return digit - '0';
        }
        const char lower = to_lower(digit);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
      };
      if (idx + 2 >= value.size() || nibble(value[idx + 1]) < 0 || nibble(value[idx + 2]) < 0) {
        return std::nullopt;
      }
      c = static_cast<char>(nibble(value[idx + 1]) * 16 + nibble(value[idx + 2]));
      idx += 2;
    }
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::optional<std::string> cpe23_of(std::string_view cpe) {
  // part vendor product version update edition language sw_edition target_sw target_hw other
  constexpr size_t kFields = 11;
  constexpr size_t kMaxLength = 1024;
  if (cpe.size() > kMaxLength) {
    return std::nullopt;
  }
  if (cpe.starts_with("cpe:2.3:")) {
    // Count unescaped ':' separators; pad a short string with ANY.
    size_t fields = 1;
    for (size_t idx = 8; idx < cpe.size(); ++idx) {
      if (cpe[idx] == '\\') {
        ++idx;
      } else if (cpe[idx] == ':') {
        ++fields;
      }
    }
    const std::string_view part = cpe.substr(8, 1);
    if (fields > kFields || cpe.size() < 10 || cpe[9] != ':' ||
        (part != "a" && part != "o" && part != "h" && part != "*")) {
      return std::nullopt;
    }
    std::string out(cpe);
    for (; fields < kFields; ++fields) {
      out += ":*";
    }
    return out;
  }
  if (!cpe.starts_with("cpe:/")) {
    return std::nullopt;
  }
  std::vector<std::string_view> parts = split(cpe.substr(5), ':');
  if (parts.empty() || parts.size() > 7 ||
      (parts[0] != "a" && parts[0] != "o" && parts[0] != "h")) {
    return std::nullopt;
  }
  std::vector<std::string> fields;
  fields.emplace_back(parts[0]);
  for (size_t idx = 1; idx < parts.size(); ++idx) {
    if (idx == 5 && parts[idx].starts_with('~')) {
      // Packed edition: ~edition~sw_edition~target_sw~target_hw~other.
      const auto packed = split(parts[idx].substr(1), '~');
      if (packed.size() != 5) {
        return std::nullopt;
      }
      std::vector<std::string> unpacked;
      for (const auto value : packed) {
        auto decoded = uri_component_to_fs(value);
        if (!decoded) {
          return std::nullopt;
        }
        unpacked.push_back(std::move(*decoded));
      }
      fields.push_back(unpacked[0]);                                   // edition
      fields.push_back(idx + 1 < parts.size() ? std::string() : "*");  // language, below
      if (idx + 1 < parts.size()) {
        auto language = uri_component_to_fs(parts[idx + 1]);
        if (!language) {
          return std::nullopt;
        }
        fields.back() = std::move(*language);
      }
      fields.insert(fields.end(), unpacked.begin() + 1, unpacked.end());
      break;
    }
    auto decoded = uri_component_to_fs(parts[idx]);
    if (!decoded) {
      return std::nullopt;
    }
    fields.push_back(std::move(*decoded));
  }
  while (fields.size() < kFields) {
    fields.emplace_back("*");
  }
  return fmt::format("cpe:2.3:{}", fmt::join(fields, ":"));
}

const std::string* find_property(const std::vector<Property>& properties, std::string_view name) {
  for (const auto& [key, value] : properties) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

model::Package build_package(const ComponentFacts& facts, const model::OsIdentity& os,
                             std::vector<model::Diagnostic>& diagnostics) {
  model::Package package;
  package.name = facts.group.empty() ? facts.name : fmt::format("{}/{}", facts.group, facts.name);
  package.version = facts.version;
  if (facts.purl.empty()) {
    if (find_property(facts.properties, kPropEcosystem) == nullptr) {
      diagnostics.push_back(
          {model::DiagnosticLevel::kInfo, facts.where,
           fmt::format("'{}' has no purl: recorded as Generic and not matched", package.name)});
    }
  } else if (auto purl = model::parse_purl(facts.purl)) {
    apply_purl(*purl, facts, os, package, diagnostics);
  } else {
    diagnostics.push_back(
        {model::DiagnosticLevel::kWarning, member_path(facts.where, "purl"),
         fmt::format("{}: recorded as Generic and not matched", purl.error().message)});
  }
  apply_vigil_properties(facts, package, diagnostics);
  collect_evidence(facts, package);
  collect_cpes(facts, package, diagnostics);
  if (const std::string* owner = find_property(facts.properties, kPropOwnedBy)) {
    package.owner_purl = *owner;
  }
  return package;
}

model::OsIdentity build_os(std::string_view name, std::string_view version,
                           std::string_view description, const std::vector<Property>& properties) {
  model::OsIdentity os;
  os.id = to_lower(name);
  os.version_id = std::string(version);
  os.pretty_name = std::string(description);
  const auto text_of = [&properties](std::initializer_list<std::string_view> keys) {
    for (const auto key : keys) {
      if (const std::string* value = find_property(properties, key)) {
        return *value;
      }
    }
    return std::string();
  };
  os.codename = text_of({kPropOsCodename, "syft:distro:versionCodename"});
  os.kernel_release = text_of({kPropOsKernel});
  os.end_of_life = text_of({kPropOsEndOfLife}) == "true";
  return os;
}

}  // namespace vigil::exporter::internal
