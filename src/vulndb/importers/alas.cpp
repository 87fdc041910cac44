#include "vulndb/importers/alas.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <pugixml.hpp>
#include <sstream>

#include "core/strings.hpp"
#include "vulndb/importers/feed_util.hpp"

namespace vigil::vulndb {
namespace {

constexpr size_t kSniffBytes = 4096;

// Percent-encodes everything but purl's unreserved characters (so "libstdc++" -> "libstdc%2B%2B").
std::string purl_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
      out += c;
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

// "amazon-linux-ami" -> "1", "amazon-linux-2---kernel-5.15" -> "2", "amazon-linux-2023" -> "2023".
std::string release_from_collection(std::string_view shortname) {
  if (shortname == "amazon-linux-ami") {
    return "1";
  }
  constexpr std::string_view kPrefix = "amazon-linux-";
  if (!shortname.starts_with(kPrefix)) {
    return {};
  }
  shortname.remove_prefix(kPrefix.size());
  size_t digits = 0;
  while (digits < shortname.size() && is_digit(shortname[digits])) {
    ++digits;
  }
  return std::string(shortname.substr(0, digits));
}

// True if the first element of the document is <updates> (after the XML declaration,
// comments, processing instructions and a DOCTYPE).
bool has_updates_root(std::string_view content) {
  content = content.substr(0, kSniffBytes);
  if (content.starts_with("\xEF\xBB\xBF")) {
    content.remove_prefix(3);
  }
  size_t pos = 0;
  while (true) {
    pos = content.find('<', pos);
    if (pos == std::string_view::npos || pos + 1 >= content.size()) {
      return false;
    }
    const std::string_view rest = content.substr(pos);
    if (rest.starts_with("<?") || rest.starts_with("<!")) {
      const std::string_view close = rest.starts_with("<!--") ? "-->" : ">";
      const size_t end = content.find(close, pos + 2);
      if (end == std::string_view::npos) {
        return false;
      }
      pos = end + close.size();
      continue;
    }
    if (!rest.starts_with("<updates") || rest.size() <= 8) {
      return false;
    }
    const char after = rest[8];
    return after == '>' || after == ' ' || after == '\t' || after == '\n' || after == '\r' ||
           after == '/';
  }
}

std::string text_of(const pugi::xml_node& node, const char* child) {
  return std::string(trim(node.child(child).child_value()));
}

// Maps one <package>; returns why it is unusable.
Result<model::AffectedPackage> parse_package(const pugi::xml_node& node,
                                             const std::string& release) {
  const std::string_view name = node.attribute("name").as_string();
  const std::string_view version = node.attribute("version").as_string();
  const std::string_view rpm_release = node.attribute("release").as_string();
  const std::string_view epoch = node.attribute("epoch").as_string();
  const std::string_view arch = node.attribute("arch").as_string();
  if (name.empty() || version.empty() || rpm_release.empty()) {
    return fail(Error::parse("package '{}' without name, version or release", name));
  }
  const bool has_epoch = !epoch.empty() && epoch != "0";
  model::AffectedPackage package;
  package.ecosystem = {model::Ecosystem::kAmazonLinux, release};
  package.name = std::string(name);
  const std::string version_release = fmt::format("{}-{}", version, rpm_release);
  package.ranges.push_back(
      {model::RangeType::kEcosystem,
       "",
       {{model::EventKind::kIntroduced, "0"},
        {model::EventKind::kFixed,
         has_epoch ? fmt::format("{}:{}", epoch, version_release) : version_release}}});
  // Qualifiers in lexical key order, as the purl spec prints them.
  package.purl =
      fmt::format("pkg:rpm/amazonlinux/{}@{}?", purl_escape(name), purl_escape(version_release));
  if (!arch.empty()) {
    fmt::format_to(std::back_inserter(package.purl), "arch={}&", purl_escape(arch));
  }
  fmt::format_to(std::back_inserter(package.purl), "distro=amazonlinux-{}", purl_escape(release));
  if (has_epoch) {
    fmt::format_to(std::back_inserter(package.purl), "&epoch={}", purl_escape(epoch));
  }
  return package;
}

Result<model::Advisory> parse_update(const pugi::xml_node& update, feed::RecordLog& log) {
  model::Advisory advisory;
  advisory.source = "alas";
  advisory.id = text_of(update, "id");
  if (advisory.id.empty()) {
    return fail(Error::parse("update without an <id>"));
  }
  std::string release = alas_release_from_id(advisory.id);
  if (release.empty()) {
    release = release_from_collection(
        update.child("pkglist").child("collection").attribute("short").as_string());
  }
  if (release.empty()) {
    return fail(Error::parse("cannot tell the Amazon Linux release (id and collection unknown)"));
  }
  advisory.summary = text_of(update, "title");
  advisory.details = std::string(update.child("description").child_value());
  advisory.severity_label = text_of(update, "severity");
  for (auto [child, out] :
       {std::pair{"issued", &advisory.published}, std::pair{"updated", &advisory.modified}}) {
    const std::string_view date = update.child(child).attribute("date").as_string();
    if (date.empty()) {
      continue;
    }
    if (auto normalised = feed::rfc3339(date)) {
      *out = std::move(*normalised);
    } else {
      log.info(advisory.id, fmt::format("<{}> date '{}' not understood; left empty", child, date));
    }
  }
  if (advisory.modified.empty()) {
    advisory.modified = advisory.published;
  }
  for (const pugi::xml_node& ref : update.child("references").children("reference")) {
    const std::string_view type = ref.attribute("type").as_string();
    const std::string_view ref_id = trim(ref.attribute("id").as_string());
    if (type == "cve" && !ref_id.empty() &&
        std::find(advisory.aliases.begin(), advisory.aliases.end(), ref_id) ==
            advisory.aliases.end()) {
      advisory.aliases.emplace_back(ref_id);
    }
    const std::string_view href = ref.attribute("href").as_string();
    if (!href.empty()) {
      advisory.references.push_back({type == "cve" ? "WEB" : "ADVISORY", std::string(href)});
    }
  }
  for (const pugi::xml_node& collection : update.child("pkglist").children("collection")) {
    for (const pugi::xml_node& node : collection.children("package")) {
      VIGIL_ASSIGN_OR_RETURN(auto package, parse_package(node, release));
      advisory.affected.push_back(std::move(package));
    }
  }
  std::ostringstream raw;
  update.print(raw, "", pugi::format_raw);
  advisory.raw = std::move(raw).str();
  return advisory;
}

class AlasImporter final : public Importer {
 public:
  std::string_view name() const override { return "alas"; }

  bool detects(const SourceFile& file) const override { return has_updates_root(file.content); }

  Result<void> parse(const SourceFile& file, ImportBatch& batch) const override {
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_buffer(file.content.data(), file.content.size(),
                                                          pugi::parse_default, pugi::encoding_auto);
    if (!parsed) {
      return fail(Error::parse("{}: invalid XML at byte {}: {}", file.name, parsed.offset,
                               parsed.description()));
    }
    const pugi::xml_node root = doc.document_element();
    if (std::string_view(root.name()) != "updates") {
      return fail(Error::parse("{}: root element is <{}>, not <updates>", file.name, root.name()));
    }
    feed::RecordLog log(file, batch);
    size_t index = 0;
    for (const pugi::xml_node& update : root.children("update")) {
      auto advisory = parse_update(update, log);
      if (!advisory) {
        const std::string id = text_of(update, "id");
        log.skip(id.empty() ? fmt::format("update[{}]", index) : id, advisory.error().message);
      } else {
        batch.advisories.push_back(std::move(advisory).value());
      }
      ++index;
    }
    log.finish();
    return {};
  }
};

}  // namespace

std::string alas_release_from_id(std::string_view id) {
  if (!id.starts_with("ALAS")) {
    return {};
  }
  id.remove_prefix(4);
  size_t digits = 0;
  while (digits < id.size() && is_digit(id[digits])) {
    ++digits;
  }
  if (digits == 0) {
    return id.starts_with('-') ? "1" : "";  // "ALAS-2011-1" is Amazon Linux AMI (1)
  }
  return std::string(id.substr(0, digits));
}

std::unique_ptr<Importer> make_alas_importer() { return std::make_unique<AlasImporter>(); }

}  // namespace vigil::vulndb
