#include "inventory/cpe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

#include "core/strings.hpp"

namespace vigil::inventory {
namespace {

// Which packages an entry applies to: OS packages by source package name, or one language
// ecosystem by package name.
enum class Kind { kOs, kPyPI, kNpm, kMaven, kRubyGems, kGo };

struct Entry {
  Kind kind;
  std::string_view name;  // source package / PEP 503 name / npm name / "group:artifact" / gem
  std::string_view vendor;
  std::string_view product;
  bool patch_update = false;  // "9.2p1" -> version "9.2", update "p1" (NVD's OpenSSH/sudo form)
};

// Curated from NVD's CPE dictionary: only products with one vendor:product in current CVE
// configurations. Distro source names differ (Debian "gnutls28", rpm "gnutls"), so some
// products are listed once per spelling. Keep it short and certain; see docs/catalogers.md.
constexpr std::array<Entry, 57> kTable = {{
    {Kind::kOs, "openssl", "openssl", "openssl"},
    {Kind::kOs, "curl", "haxx", "curl"},
    {Kind::kOs, "zlib", "zlib", "zlib"},
    {Kind::kOs, "glibc", "gnu", "glibc"},
    {Kind::kOs, "bash", "gnu", "bash"},
    {Kind::kOs, "sudo", "sudo_project", "sudo", true},
    {Kind::kOs, "openssh", "openbsd", "openssh", true},
    {Kind::kOs, "musl", "musl-libc", "musl"},
    {Kind::kOs, "busybox", "busybox", "busybox"},
    {Kind::kOs, "expat", "libexpat_project", "libexpat"},
    {Kind::kOs, "libxml2", "xmlsoft", "libxml2"},
    {Kind::kOs, "libxslt", "xmlsoft", "libxslt"},
    {Kind::kOs, "sqlite3", "sqlite", "sqlite"},
    {Kind::kOs, "sqlite", "sqlite", "sqlite"},
    {Kind::kOs, "git", "git-scm", "git"},
    {Kind::kOs, "openldap", "openldap", "openldap"},
    {Kind::kOs, "krb5", "mit", "kerberos_5"},
    {Kind::kOs, "gnutls28", "gnu", "gnutls"},
    {Kind::kOs, "gnutls", "gnu", "gnutls"},
    {Kind::kOs, "tar", "gnu", "tar"},
    {Kind::kOs, "gzip", "gnu", "gzip"},
    {Kind::kOs, "wget", "gnu", "wget"},
    {Kind::kOs, "less", "gnu", "less"},
    {Kind::kOs, "ncurses", "gnu", "ncurses"},
    {Kind::kOs, "libtasn1-6", "gnu", "libtasn1"},
    {Kind::kOs, "libtasn1", "gnu", "libtasn1"},
    {Kind::kOs, "systemd", "systemd_project", "systemd"},
    {Kind::kOs, "util-linux", "kernel", "util-linux"},
    {Kind::kOs, "xz-utils", "tukaani", "xz"},
    {Kind::kOs, "xz", "tukaani", "xz"},
    {Kind::kOs, "bzip2", "bzip", "bzip2"},
    {Kind::kOs, "libpng1.6", "libpng", "libpng"},
    {Kind::kOs, "libpng", "libpng", "libpng"},
    {Kind::kOs, "libjpeg-turbo", "libjpeg-turbo", "libjpeg-turbo"},
    {Kind::kOs, "pcre2", "pcre", "pcre2"},
    {Kind::kOs, "perl", "perl", "perl"},
    {Kind::kOs, "vim", "vim", "vim"},
    {Kind::kOs, "rsync", "samba", "rsync"},
    {Kind::kOs, "libssh2", "libssh2", "libssh2"},
    {Kind::kOs, "nghttp2", "nghttp2", "nghttp2"},
    {Kind::kOs, "apache2", "apache", "http_server"},
    {Kind::kOs, "httpd", "apache", "http_server"},
    {Kind::kOs, "dbus", "freedesktop", "dbus"},
    {Kind::kOs, "e2fsprogs", "e2fsprogs_project", "e2fsprogs"},
    {Kind::kMaven, "org.apache.logging.log4j:log4j-core", "apache", "log4j"},
    {Kind::kMaven, "com.fasterxml.jackson.core:jackson-databind", "fasterxml", "jackson-databind"},
    {Kind::kMaven, "org.apache.struts:struts2-core", "apache", "struts"},
    {Kind::kMaven, "org.apache.commons:commons-text", "apache", "commons_text"},
    {Kind::kMaven, "org.yaml:snakeyaml", "snakeyaml_project", "snakeyaml"},
    {Kind::kPyPI, "django", "djangoproject", "django"},
    {Kind::kPyPI, "urllib3", "python", "urllib3"},
    {Kind::kPyPI, "requests", "python", "requests"},
    {Kind::kPyPI, "pyyaml", "pyyaml", "pyyaml"},
    {Kind::kPyPI, "pillow", "python", "pillow"},
    {Kind::kNpm, "lodash", "lodash", "lodash"},
    {Kind::kRubyGems, "nokogiri", "nokogiri", "nokogiri"},
    {Kind::kGo, "stdlib", "golang", "go"},
}};

std::optional<Kind> kind_of(model::Ecosystem ecosystem) {
  if (model::is_os_ecosystem(ecosystem)) {
    return Kind::kOs;
  }
  switch (ecosystem) {
    case model::Ecosystem::kPyPI:
      return Kind::kPyPI;
    case model::Ecosystem::kNpm:
      return Kind::kNpm;
    case model::Ecosystem::kMaven:
      return Kind::kMaven;
    case model::Ecosystem::kRubyGems:
      return Kind::kRubyGems;
    case model::Ecosystem::kGo:
      return Kind::kGo;
    default:
      return std::nullopt;
  }
}

// PEP 503: lower case, runs of '-', '_' and '.' as one '-'.
std::string pep503(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (out.empty() || out.back() != '-') {
        out.push_back('-');
      }
    } else {
      out.push_back(to_lower(c));
    }
  }
  return out;
}

// Removes the first occurrence of a Debian repack marker and what follows it.
void strip_repack(std::string& version) {
  constexpr std::string_view kReally = "+really";
  if (const size_t really = version.find(kReally); really != std::string::npos) {
    version.erase(0, really + kReally.size());
  }
  for (const std::string_view marker : {"+dfsg", ".dfsg", "~dfsg", "+ds", "+repack"}) {
    if (const size_t at = version.find(marker); at != std::string::npos) {
      version.erase(at);
    }
  }
}

}  // namespace

std::string cpe_escape(std::string_view value) {
  if (value.empty()) {
    return "*";
  }
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

std::string cpe_upstream_version(const model::Package& package) {
  if (!model::is_os_ecosystem(package.ecosystem)) {
    std::string_view version = package.version;
    if (package.ecosystem == model::Ecosystem::kGo) {
      if (version.starts_with("go")) {
        version.remove_prefix(2);
      } else if (version.starts_with('v')) {
        version.remove_prefix(1);
      }
    }
    return std::string(version);
  }
  std::string version = package.source_version.empty() ? package.version : package.source_version;
  const size_t colon = version.find(':');
  if (colon != std::string::npos && colon > 0 &&
      std::all_of(version.begin(), version.begin() + static_cast<long>(colon),
                  [](char c) { return is_digit(c); })) {
    version.erase(0, colon + 1);
  }
  if (const size_t dash = version.rfind('-'); dash != std::string::npos && dash > 0) {
    version.erase(dash);
  }
  strip_repack(version);
  return version;
}

std::vector<std::string> known_cpes(const model::Package& package) {
  const auto kind = kind_of(package.ecosystem);
  if (!kind) {
    return {};
  }
  std::string key;
  if (*kind == Kind::kOs) {
    key = package.source_name.empty() ? package.name : package.source_name;
  } else if (*kind == Kind::kPyPI) {
    key = pep503(package.name);
  } else {
    key = package.name;
  }
  for (const Entry& entry : kTable) {
    if (entry.kind != *kind || entry.name != key) {
      continue;
    }
    std::string version = cpe_upstream_version(package);
    if (version.empty()) {
      return {};
    }
    std::string update;
    if (entry.patch_update) {
      // "9.2p1" -> "9.2" + "p1": the last 'p' followed only by digits.
      const size_t p = version.rfind('p');
      if (p != std::string::npos && p > 0 && p + 1 < version.size() &&
          std::all_of(version.begin() + static_cast<long>(p) + 1, version.end(),
                      [](char c) { return is_digit(c); })) {
        update = version.substr(p);
        version.erase(p);
      }
    }
    return {fmt::format("cpe:2.3:a:{}:{}:{}:{}:*:*:*:*:*:*", entry.vendor, entry.product,
                        cpe_escape(version), cpe_escape(update))};
  }
  return {};
}

}  // namespace vigil::inventory
