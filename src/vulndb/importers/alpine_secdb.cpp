#include "vulndb/importers/alpine_secdb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/strings.hpp"
#include "version/apk.hpp"
#include "vulndb/importers/feed_util.hpp"
#include "vulndb/importers/json_util.hpp"

namespace vigil::vulndb {
namespace {

using json::str;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t digit_run(std::string_view text, size_t pos) {
  size_t end = pos;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  return end - pos;
}

// "CVE-2017-17434-1", "CVE_2019-2426", "cve-2020-1234.patch" -> the canonical CVE id; "" when
// `token` does not start with one.
std::string cve_prefix(std::string_view token) {
  if (token.size() < 13 || !starts_with_ci(token, "cve") || (token[3] != '-' && token[3] != '_')) {
    return {};
  }
  if (digit_run(token, 4) != 4 || token[8] != '-') {
    return {};
  }
  const size_t number = digit_run(token, 9);
  if (number < 4) {
    return {};
  }
  return fmt::format("CVE-{}-{}", token.substr(4, 4), token.substr(9, number));
}

// WORD(-PART)*-DIGITS with letters first: XSA-207, TALOS-2019-0844, wnpa-sec-2017-18.
bool is_other_id(std::string_view token) {
  if (token.empty() || !is_alpha(token.front()) || !is_digit(token.back()) ||
      token.find('-') == std::string_view::npos) {
    return false;
  }
  return std::all_of(token.begin(), token.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(std::move(value));
  }
}

// One vulnerability of one package, gathered over all secfixes versions.
struct Vuln {
  std::string id;
  std::vector<std::string> aliases;
  std::vector<std::string> fixed;
  bool not_affected = false;
  nlohmann::json entries = nlohmann::json::object();  // version -> entries, for raw
};

struct FileInfo {
  std::string_view release;
  std::string_view repo;
};

model::Advisory make_advisory(const FileInfo& info, std::string_view package, Vuln&& vuln) {
  model::Advisory advisory;
  advisory.source = "alpine-secdb";
  advisory.id = fmt::format("ALPINE-{}-{}-{}", info.release, package, vuln.id);
  advisory.aliases = std::move(vuln.aliases);
  if (!vuln.fixed.empty()) {
    model::AffectedPackage affected;
    affected.ecosystem = {model::Ecosystem::kAlpine, std::string(info.release)};
    affected.name = std::string(package);
    for (const auto& fixed : vuln.fixed) {
      affected.ranges.push_back(
          {model::RangeType::kEcosystem,
           "",
           {{model::EventKind::kIntroduced, "0"}, {model::EventKind::kFixed, fixed}}});
    }
    advisory.affected.push_back(std::move(affected));
    advisory.summary = fmt::format("{}: {} fixed in {} (Alpine {} {})", package, vuln.id,
                                   fmt::join(vuln.fixed, ", "), info.release, info.repo);
  } else {
    // The package is named (no ranges: nothing is vulnerable) so the matcher can explain the
    // statement on an installed package; status "not-affected" keeps it from ever matching.
    model::AffectedPackage affected;
    affected.ecosystem = {model::Ecosystem::kAlpine, std::string(info.release)};
    affected.name = std::string(package);
    advisory.affected.push_back(std::move(affected));
    advisory.status = "not-affected";
    advisory.summary = fmt::format("{}: {} does not affect Alpine {} {}", package, vuln.id,
                                   info.release, info.repo);
    advisory.details = fmt::format(
        "Alpine secdb lists {} under fixed version \"0\" for {}: the package in this release was "
        "never affected.",
        vuln.id, package);
  }
  const nlohmann::json raw{{"distroversion", info.release},
                           {"reponame", info.repo},
                           {"pkg", {{"name", package}, {"secfixes", std::move(vuln.entries)}}}};
  advisory.raw = raw.dump();
  return advisory;
}

// Turns one package's secfixes into advisories.
void add_package(const FileInfo& info, std::string_view package, const json::object& secfixes,
                 ImportBatch& batch, feed::RecordLog& log) {
  std::vector<Vuln> vulns;
  std::unordered_map<std::string, size_t> by_id;
  for (auto [key, value] : secfixes) {
    const std::string_view version = trim(key);
    const std::string record = fmt::format("{} {}", package, version);
    if (value.is_null()) {
      continue;
    }
    json::array entries;
    if (value.get(entries) != simdjson::SUCCESS) {
      log.skip(record, "secfixes value is not a list");
      continue;
    }
    if (version != "0") {
      if (auto parsed = version::parse_apk(version); !parsed) {
        log.skip(record, fmt::format("fixed version: {}", parsed.error().message));
        continue;
      }
    }
    for (json::element entry_el : entries) {
      std::string_view entry;
      if (entry_el.get(entry) != simdjson::SUCCESS) {
        log.skip(record, "secfixes entry is not a string");
        continue;
      }
      SecfixIds ids = split_secfix_entry(entry);
      if (ids.cves.empty() && ids.others.empty()) {
        log.skip(record, fmt::format("no vulnerability id in '{}'", entry));
        continue;
      }
      const bool by_cve = !ids.cves.empty();
      for (const std::string& primary : by_cve ? ids.cves : ids.others) {
        auto [slot, inserted] = by_id.try_emplace(primary, vulns.size());
        if (inserted) {
          vulns.push_back({primary, {primary}, {}, false, nlohmann::json::object()});
        }
        Vuln& vuln = vulns[slot->second];
        if (by_cve) {
          for (const std::string& other : ids.others) {
            add_unique(vuln.aliases, other);
          }
        }
        if (version == "0") {
          vuln.not_affected = true;
        } else {
          add_unique(vuln.fixed, std::string(version));
        }
        vuln.entries[std::string(version)].push_back(nlohmann::json(entry));
      }
    }
  }
  for (Vuln& vuln : vulns) {
    if (vuln.not_affected && !vuln.fixed.empty()) {
      log.info(fmt::format("{} {}", package, vuln.id),
               "listed both as never affected (\"0\") and as fixed; the fixed ranges are kept");
    }
    batch.advisories.push_back(make_advisory(info, package, std::move(vuln)));
  }
}

class AlpineSecdbImporter final : public Importer {
 public:
  std::string_view name() const override { return "alpine-secdb"; }

  bool detects(const SourceFile& file) const override {
    return json::first_char(file.content) == '{' && !feed::is_json_schema(file.content) &&
           json::head_contains(file.content, "\"distroversion\"") &&
           json::head_contains(file.content, "\"packages\"");
  }

  Result<void> parse(const SourceFile& file, ImportBatch& batch) const override {
    simdjson::dom::parser parser;
    json::object doc;
    if (auto error = parser.parse(file.content).get(doc); error != simdjson::SUCCESS) {
      return fail(Error::parse("{}: invalid JSON: {}", file.name, simdjson::error_message(error)));
    }
    const FileInfo info{str(doc, "distroversion"), str(doc, "reponame")};
    if (info.release.empty()) {
      return fail(Error::parse("{}: secdb file without distroversion", file.name));
    }
    json::element packages_el;
    if (doc["packages"].get(packages_el) != simdjson::SUCCESS) {
      return fail(Error::parse("{}: secdb file without packages", file.name));
    }
    if (packages_el.is_null()) {
      return {};  // an empty repository (v3.3 community) is written as null
    }
    json::array packages;
    if (packages_el.get(packages) != simdjson::SUCCESS) {
      return fail(Error::parse("{}: secdb packages is not an array", file.name));
    }
    feed::RecordLog log(file, batch);
    size_t index = 0;
    for (json::element item_el : packages) {
      const std::string position = fmt::format("packages[{}]", index++);
      json::object item;
      json::object pkg;
      if (item_el.get(item) != simdjson::SUCCESS || item["pkg"].get(pkg) != simdjson::SUCCESS) {
        log.skip(position, "entry without a pkg object");
        continue;
      }
      const std::string_view package = str(pkg, "name");
      if (package.empty()) {
        log.skip(position, "package without a name");
        continue;
      }
      json::element secfixes_el;
      if (pkg["secfixes"].get(secfixes_el) != simdjson::SUCCESS || secfixes_el.is_null()) {
        continue;
      }
      json::object secfixes;
      if (secfixes_el.get(secfixes) != simdjson::SUCCESS) {
        log.skip(package, "secfixes is not an object");
        continue;
      }
      add_package(info, package, secfixes, batch, log);
    }
    log.finish();
    return {};
  }
};

}  // namespace

SecfixIds split_secfix_entry(std::string_view entry) {
  SecfixIds ids;
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos < entry.size()) {
    while (pos < entry.size() && is_space(entry[pos])) {
      ++pos;
    }
    const size_t start = pos;
    while (pos < entry.size() && !is_space(entry[pos])) {
      ++pos;
    }
    if (pos > start) {
      tokens.push_back(entry.substr(start, pos - start));
    }
  }
  for (size_t index = 0; index < tokens.size(); ++index) {
    std::string_view token = tokens[index];
    if (token.starts_with('(')) {
      break;  // the rest is a comment: "CVE-2018-16301 (was fixed in libpcap)"
    }
    while (!token.empty() && (token.back() == ',' || token.back() == ';' || token.back() == ':' ||
                              token.back() == '.')) {
      token.remove_suffix(1);
    }
    std::string cve;
    if (equals_ci(token, "CVE") && index + 1 < tokens.size()) {
      cve = cve_prefix(fmt::format("CVE-{}", tokens[index + 1]));  // "CVE 2018-16859"
      if (!cve.empty()) {
        ++index;
      }
    } else {
      cve = cve_prefix(token);
    }
    if (!cve.empty()) {
      add_unique(ids.cves, std::move(cve));
    } else if (is_other_id(token) && !starts_with_ci(token, "cve")) {
      add_unique(ids.others, std::string(token));
    }
  }
  return ids;
}

std::unique_ptr<Importer> make_alpine_secdb_importer() {
  return std::make_unique<AlpineSecdbImporter>();
}

}  // namespace vigil::vulndb
