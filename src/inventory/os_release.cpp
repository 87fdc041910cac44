// OS identification: os-release parsing, the legacy release files and the end-of-life table.
#include "inventory/os_release.hpp"

#include <array>
#include <string>
#include <utility>

#include "core/strings.hpp"

namespace vigil::inventory {
namespace {

namespace chr = std::chrono;

constexpr uint64_t kMaxReleaseFile = 64 * 1024;

bool valid_key(std::string_view key) {
  if (key.empty() || is_digit(key.front())) {
    return false;
  }
  for (const char c : key) {
    if (!is_alnum(c) && c != '_') {
      return false;
    }
  }
  return true;
}

// Unquotes a shell-style value; nullopt on an unterminated quote or trailing backslash.
std::optional<std::string> unquote(std::string_view raw) {
  std::string out;
  size_t pos = 0;
  while (pos < raw.size()) {
    const char c = raw[pos];
    if (c == '"') {
      ++pos;
      while (true) {
        if (pos >= raw.size()) {
          return std::nullopt;
        }
        const char inner = raw[pos];
        if (inner == '"') {
          ++pos;
          break;
        }
        // sh: inside double quotes a backslash escapes only $ ` " \ (and newline).
        if (inner == '\\' && pos + 1 < raw.size() &&
            std::string_view("$`\"\\").find(raw[pos + 1]) != std::string_view::npos) {
          out.push_back(raw[pos + 1]);
          pos += 2;
          continue;
        }
        out.push_back(inner);
        ++pos;
      }
    } else if (c == '\'') {
      const size_t close = raw.find('\'', pos + 1);
      if (close == std::string_view::npos) {
        return std::nullopt;
      }
      out.append(raw.substr(pos + 1, close - pos - 1));
      pos = close + 1;
    } else if (c == '\\') {
      if (pos + 1 >= raw.size()) {
        return std::nullopt;
      }
      out.push_back(raw[pos + 1]);
      pos += 2;
    } else if (c == ' ' || c == '\t') {
      break;  // an unquoted blank ends the word; os-release has one word per value
    } else {
      out.push_back(c);
      ++pos;
    }
  }
  return out;
}

std::string first_component(std::string_view version) {
  return std::string(version.substr(0, version.find('.')));
}

// The first `count` (>= 1) dot-separated components of `version`.
std::string leading_components(std::string_view version, size_t count) {
  size_t end = 0;
  size_t seen = 0;
  while (true) {
    end = version.find('.', end);
    if (end == std::string_view::npos) {
      return std::string(version);
    }
    if (++seen == count) {
      return std::string(version.substr(0, end));
    }
    ++end;
  }
}

// Compares dotted numeric versions component by component as unbounded integers.
int compare_dotted(std::string_view lhs, std::string_view rhs) {
  const auto left = split(lhs, '.');
  const auto right = split(rhs, '.');
  for (size_t idx = 0; idx < left.size() || idx < right.size(); ++idx) {
    const std::string_view a = idx < left.size() ? left[idx] : "0";
    const std::string_view b = idx < right.size() ? right[idx] : "0";
    const int cmp = compare_digit_runs(a, b);
    if (cmp != 0) {
      return cmp;
    }
  }
  return 0;
}

bool all_digits_and_dots(std::string_view text) {
  if (text.empty() || !is_digit(text.front())) {
    return false;
  }
  for (const char c : text) {
    if (!is_digit(c) && c != '.') {
      return false;
    }
  }
  return true;
}

struct EolEntry {
  std::string_view id;
  std::string_view release;  // compared on as many components as it has
  chr::year_month_day end;
};

constexpr chr::year_month_day ymd(int year, unsigned month, unsigned day) {
  return chr::year_month_day{chr::year{year}, chr::month{month}, chr::day{day}};
}

// End of vendor support (Debian: end of LTS; Ubuntu: end of standard support, ESM aside; Alpine:
// end of main-repository support; RHEL: end of maintenance support). Order does not matter.
constexpr std::array kEndOfLife = {
    EolEntry{"debian", "7", ymd(2018, 5, 31)},
    EolEntry{"debian", "8", ymd(2020, 6, 30)},
    EolEntry{"debian", "9", ymd(2022, 6, 30)},
    EolEntry{"debian", "10", ymd(2024, 6, 30)},
    EolEntry{"debian", "11", ymd(2026, 8, 31)},
    EolEntry{"debian", "12", ymd(2028, 6, 30)},
    EolEntry{"ubuntu", "14.04", ymd(2019, 4, 30)},
    EolEntry{"ubuntu", "16.04", ymd(2021, 4, 30)},
    EolEntry{"ubuntu", "14.10", ymd(2015, 7, 23)},
    EolEntry{"ubuntu", "15.04", ymd(2016, 2, 4)},
    EolEntry{"ubuntu", "15.10", ymd(2016, 7, 28)},
    EolEntry{"ubuntu", "16.10", ymd(2017, 7, 20)},
    EolEntry{"ubuntu", "17.04", ymd(2018, 1, 13)},
    EolEntry{"ubuntu", "17.10", ymd(2018, 7, 19)},
    EolEntry{"ubuntu", "18.10", ymd(2019, 7, 18)},
    EolEntry{"ubuntu", "19.04", ymd(2020, 1, 23)},
    EolEntry{"ubuntu", "19.10", ymd(2020, 7, 17)},
    EolEntry{"ubuntu", "18.04", ymd(2023, 5, 31)},
    EolEntry{"ubuntu", "20.04", ymd(2025, 5, 31)},
    EolEntry{"ubuntu", "20.10", ymd(2021, 7, 22)},
    EolEntry{"ubuntu", "21.04", ymd(2022, 1, 20)},
    EolEntry{"ubuntu", "21.10", ymd(2022, 7, 14)},
    EolEntry{"ubuntu", "22.04", ymd(2027, 6, 1)},
    EolEntry{"ubuntu", "22.10", ymd(2023, 7, 20)},
    EolEntry{"ubuntu", "23.04", ymd(2024, 1, 25)},
    EolEntry{"ubuntu", "23.10", ymd(2024, 7, 11)},
    EolEntry{"ubuntu", "24.04", ymd(2029, 5, 31)},
    EolEntry{"ubuntu", "24.10", ymd(2025, 7, 10)},
    // Interim releases get nine months; these two ends are approximate to the week.
    EolEntry{"ubuntu", "25.04", ymd(2026, 1, 15)},
    EolEntry{"ubuntu", "25.10", ymd(2026, 7, 9)},
    EolEntry{"alpine", "3.15", ymd(2023, 11, 1)},
    EolEntry{"alpine", "3.16", ymd(2024, 5, 23)},
    EolEntry{"alpine", "3.17", ymd(2024, 11, 22)},
    EolEntry{"alpine", "3.18", ymd(2025, 5, 9)},
    EolEntry{"alpine", "3.19", ymd(2025, 11, 1)},
    EolEntry{"alpine", "3.20", ymd(2026, 4, 1)},
    EolEntry{"alpine", "3.21", ymd(2026, 11, 1)},
    EolEntry{"alpine", "3.22", ymd(2027, 5, 1)},
    EolEntry{"amzn", "2", ymd(2026, 6, 30)},
    EolEntry{"amzn", "2023", ymd(2029, 6, 30)},
    EolEntry{"rhel", "6", ymd(2020, 11, 30)},
    EolEntry{"rhel", "7", ymd(2024, 6, 30)},
    EolEntry{"rhel", "8", ymd(2029, 5, 31)},
    EolEntry{"rhel", "9", ymd(2032, 5, 31)},
    EolEntry{"centos", "6", ymd(2020, 11, 30)},
    EolEntry{"centos", "7", ymd(2024, 6, 30)},
    EolEntry{"centos", "8", ymd(2024, 5, 31)},
};

// A release file that names its OS in prose: "<name> release <version> (<codename>)".
struct ReleaseName {
  std::string_view prefix;
  std::string_view id;
};
constexpr std::array kReleaseNames = {
    ReleaseName{"Amazon Linux AMI", "amzn"},
    ReleaseName{"Amazon Linux", "amzn"},
    ReleaseName{"Red Hat Enterprise Linux", "rhel"},
    ReleaseName{"CentOS", "centos"},
    ReleaseName{"Rocky Linux", "rocky"},
    ReleaseName{"AlmaLinux", "almalinux"},
    ReleaseName{"Fedora", "fedora"},
    ReleaseName{"Oracle Linux", "ol"},
};

constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kDebianCodenames{{
    {"6", "squeeze"},
    {"7", "wheezy"},
    {"8", "jessie"},
    {"9", "stretch"},
    {"10", "buster"},
    {"11", "bullseye"},
    {"12", "bookworm"},
    {"13", "trixie"},
}};

// Reads `path` if present. Absent -> nullopt silently; other failures -> diagnostic + nullopt.
std::optional<std::string> read_optional(const sources::FileTree& tree, std::string_view path,
                                         std::vector<model::Diagnostic>& diagnostics) {
  auto content = tree.read(path, kMaxReleaseFile);
  if (content) {
    return std::move(*content);
  }
  if (content.error().code != ErrorCode::kNotFound) {
    diagnostics.push_back({model::DiagnosticLevel::kWarning, std::string(path),
                           "cannot read OS release file: " + content.error().message});
  }
  return std::nullopt;
}

std::string field(const OsReleaseFields& fields, std::string_view key) {
  const auto it = fields.values.find(key);
  return it == fields.values.end() ? std::string{} : it->second;
}

model::OsIdentity from_os_release(const OsReleaseFields& fields) {
  model::OsIdentity os;
  os.id = to_lower(field(fields, "ID"));
  if (os.id.empty()) {
    os.id = "linux";  // os-release(5): "If not set, a default of 'ID=linux' may be used."
  }
  os.version_id = field(fields, "VERSION_ID");
  os.codename = field(fields, "VERSION_CODENAME");
  if (os.codename.empty()) {
    os.codename = field(fields, "UBUNTU_CODENAME");
  }
  os.pretty_name = field(fields, "PRETTY_NAME");
  if (os.pretty_name.empty()) {
    os.pretty_name = field(fields, "NAME");
    if (!os.version_id.empty()) {
      os.pretty_name += (os.pretty_name.empty() ? "" : " ") + os.version_id;
    }
  }
  return os;
}

// Parses "<name> release <version> (<codename>)"; nullopt when the name is not in the table.
std::optional<model::OsIdentity> from_release_sentence(std::string_view text) {
  const std::string_view line = trim(text.substr(0, text.find('\n')));
  const size_t release = line.find(" release ");
  if (release == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view name = line.substr(0, release);
  for (const auto& known : kReleaseNames) {
    if (!name.starts_with(known.prefix)) {
      continue;
    }
    model::OsIdentity os;
    os.id = std::string(known.id);
    const std::string_view rest = trim(line.substr(release + 9));
    os.version_id = std::string(rest.substr(0, rest.find(' ')));
    if (os.id == "centos") {
      os.version_id = first_component(os.version_id);  // "7.9.2009" -> "7", as os-release says
    }
    const size_t open = rest.find('(');
    const size_t close = rest.rfind(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
      os.codename = std::string(rest.substr(open + 1, close - open - 1));
    }
    os.pretty_name = std::string(line);
    return os;
  }
  return std::nullopt;
}

model::OsIdentity from_debian_version(std::string_view text) {
  const std::string_view value = trim(text.substr(0, text.find('\n')));
  model::OsIdentity os;
  os.id = "debian";
  os.pretty_name = fmt::format("Debian {}", value);
  if (all_digits_and_dots(value)) {
    os.version_id = first_component(value);  // "12.4" -> "12", matching os-release
    for (const auto& [major, codename] : kDebianCodenames) {
      if (major == os.version_id) {
        os.codename = std::string(codename);
      }
    }
  } else {
    os.codename = std::string(value.substr(0, value.find('/')));  // "trixie/sid"
  }
  return os;
}

}  // namespace

OsReleaseFields parse_os_release(std::string_view text) {
  OsReleaseFields out;
  size_t line_no = 0;
  for (const std::string_view raw_line : split(text, '\n')) {
    ++line_no;
    const std::string_view line = trim(raw_line);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos || !valid_key(line.substr(0, eq))) {
      out.bad_lines.push_back(line_no);
      continue;
    }
    auto value = unquote(line.substr(eq + 1));
    if (!value) {
      out.bad_lines.push_back(line_no);
      continue;
    }
    out.values.insert_or_assign(std::string(line.substr(0, eq)), std::move(*value));
  }
  return out;
}

std::chrono::sys_days today_utc() { return chr::floor<chr::days>(chr::system_clock::now()); }

bool is_end_of_life(std::string_view id, std::string_view version_id, std::chrono::sys_days today) {
  if (!all_digits_and_dots(version_id)) {
    return false;
  }
  // Amazon Linux 1 used date releases ("2018.03"); its support ended 2023-12-31.
  if (id == "amzn" && version_id.find('.') != std::string_view::npos) {
    return today > chr::sys_days{ymd(2023, 12, 31)};
  }
  bool known_id = false;
  bool older_than_all = true;
  for (const auto& entry : kEndOfLife) {
    if (entry.id != id) {
      continue;
    }
    known_id = true;
    const size_t components = split(entry.release, '.').size();
    const std::string release = leading_components(version_id, components);
    const int cmp = compare_dotted(release, entry.release);
    if (cmp == 0 && split(release, '.').size() == components) {
      return today > chr::sys_days{entry.end};
    }
    if (cmp >= 0) {
      older_than_all = false;
    }
  }
  return known_id && older_than_all;
}

model::OsIdentity identify_os(const sources::FileTree& tree,
                              std::vector<model::Diagnostic>& diagnostics,
                              std::chrono::sys_days today) {
  model::OsIdentity os;
  bool found = false;
  for (const std::string_view path : {"etc/os-release", "usr/lib/os-release"}) {
    const auto text = read_optional(tree, path, diagnostics);
    if (!text) {
      continue;
    }
    const OsReleaseFields fields = parse_os_release(*text);
    for (const size_t line : fields.bad_lines) {
      diagnostics.push_back({model::DiagnosticLevel::kWarning, fmt::format("{}:{}", path, line),
                             "malformed os-release line skipped"});
    }
    os = from_os_release(fields);
    found = true;
    break;
  }
  if (!found) {
    for (const std::string_view path : {"etc/system-release", "etc/redhat-release"}) {
      const auto text = read_optional(tree, path, diagnostics);
      if (!text) {
        continue;
      }
      if (auto parsed = from_release_sentence(*text)) {
        os = std::move(*parsed);
        found = true;
        break;
      }
      diagnostics.push_back(
          {model::DiagnosticLevel::kWarning, std::string(path),
           fmt::format("unrecognised OS release '{}'", trim(text->substr(0, text->find('\n'))))});
    }
  }
  if (!found) {
    if (const auto text = read_optional(tree, "etc/alpine-release", diagnostics)) {
      os.id = "alpine";
      os.version_id = std::string(trim(text->substr(0, text->find('\n'))));
      os.pretty_name = "Alpine Linux v" + os.version_id;
      found = true;
    }
  }
  if (!found) {
    if (const auto text = read_optional(tree, "etc/debian_version", diagnostics)) {
      os = from_debian_version(*text);
      found = true;
    }
  }
  if (!found) {
    diagnostics.push_back(
        {model::DiagnosticLevel::kWarning, "/",
         "unknown operating system: no etc/os-release, usr/lib/os-release, etc/system-release, "
         "etc/alpine-release or etc/debian_version"});
    return os;
  }
  os.end_of_life = is_end_of_life(os.id, os.version_id, today);
  return os;
}

std::optional<model::Ecosystem> os_ecosystem(const model::OsIdentity& os) {
  static constexpr std::array<std::pair<std::string_view, model::Ecosystem>, 7> kEcosystems{{
      {"debian", model::Ecosystem::kDebian},
      {"ubuntu", model::Ecosystem::kUbuntu},
      {"alpine", model::Ecosystem::kAlpine},
      {"amzn", model::Ecosystem::kAmazonLinux},
      {"rhel", model::Ecosystem::kRedHat},
      {"almalinux", model::Ecosystem::kAlmaLinux},
      {"rocky", model::Ecosystem::kRocky},
  }};
  for (const auto& [id, ecosystem] : kEcosystems) {
    if (id == os.id) {
      return ecosystem;
    }
  }
  return std::nullopt;
}

std::string distro_release(const model::OsIdentity& os) {
  if (os.id == "alpine") {
    return leading_components(os.version_id, 2);
  }
  if (os.id == "rhel" || os.id == "almalinux" || os.id == "rocky" || os.id == "centos" ||
      os.id == "debian") {
    return first_component(os.version_id);
  }
  return os.version_id;
}

}  // namespace vigil::inventory
