// Operating-system identity of a FileTree from os-release(5) and the older release files, plus
// the small tables built on it: end-of-life releases and the advisory ecosystem of the OS.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.hpp"
#include "model/ecosystem.hpp"
#include "model/inventory.hpp"
#include "sources/file_tree.hpp"

namespace vigil::inventory {

struct OsReleaseFields {
  std::map<std::string, std::string, std::less<>> values;  // KEY -> unquoted value
  std::vector<size_t> bad_lines;                           // 1-based lines that did not parse
};

// Parses os-release(5) text: `KEY=value` lines, '#' comments and blank lines ignored. Values
// follow shell quoting: "double" (with \" \\ \$ \` escapes), 'single' (literal) and bare words
// with backslash escapes; adjacent pieces concatenate. A line without '=', with an invalid key
// or an unterminated quote is listed in `bad_lines` and skipped. Later keys replace earlier.
OsReleaseFields parse_os_release(std::string_view text);

// Identifies the OS of `tree` from the first file present of etc/os-release,
// usr/lib/os-release, etc/system-release, etc/redhat-release, etc/alpine-release,
// etc/debian_version. Never guesses: when none is present or none names a known OS, the id is
// empty and a diagnostic says so. Lines that did not parse become warnings naming file:line.
// `end_of_life` is set from is_end_of_life() against `today`. `kernel_release` is left empty.
model::OsIdentity identify_os(const sources::FileTree& tree,
                              std::vector<model::Diagnostic>& diagnostics,
                              std::chrono::sys_days today);

// Today's date in UTC, for identify_os.
std::chrono::sys_days today_utc();

// True when release `version_id` of OS `id` (os-release spellings: "debian" "12", "ubuntu"
// "18.04", "alpine" "3.15.4", "amzn" "2018.03") was past its vendor's standard support on
// `today`, per a built-in table of support end dates (Debian including LTS, Ubuntu standard
// support, Alpine's main repository, Amazon Linux, RHEL and CentOS maintenance). Releases older
// than every listed release of a known OS count as end of life; unknown OSes and releases never
// do.
bool is_end_of_life(std::string_view id, std::string_view version_id, std::chrono::sys_days today);

// The advisory ecosystem whose data covers `os`'s packages: debian -> Debian, ubuntu -> Ubuntu,
// alpine -> Alpine, amzn -> Amazon Linux, rhel -> Red Hat, almalinux -> AlmaLinux,
// rocky -> Rocky Linux. nullopt for any other OS (derivatives are not mapped to their parent).
std::optional<model::Ecosystem> os_ecosystem(const model::OsIdentity& os);

// The release string OS packages are scoped to, as advisory feeds key it: Debian "12", Ubuntu
// "22.04", Alpine "3.18" (major.minor), Amazon Linux "2" / "2023", RHEL-likes "9" (major).
// Empty when `os` has no version.
std::string distro_release(const model::OsIdentity& os);

}  // namespace vigil::inventory
