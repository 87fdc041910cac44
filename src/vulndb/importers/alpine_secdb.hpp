// Alpine secdb importer: the secfixes JSON that secdb.alpinelinux.org publishes per release and
// repository (`{distroversion, reponame, packages:[{pkg:{name, secfixes:{"<fixed>":[ids]}}}]}`).
//
// secdb lists, per package, the versions that fixed each vulnerability; it names no advisory.
// Vigil makes one Advisory per (release, package, vulnerability):
//   id        = "ALPINE-<distroversion>-<package>-<vulnerability id>", e.g.
//               "ALPINE-v3.11-ansible-CVE-2019-14904". The CVE alone would collide in the
//               (source, id) key across packages and releases; this id is stable across imports.
//   aliases   = the CVE id, plus other ids written next to it ("CVE-2016-6258 XSA-182" -> both)
//
// Field mapping (secdb -> model::Advisory):
//   distroversion                 -> AffectedPackage.ecosystem {Alpine, release "v3.11"/"edge"}
//   pkg.name                      -> AffectedPackage.name
//   secfixes key "<fixed>"        -> AffectedRange ECOSYSTEM {introduced "0"}, {fixed "<fixed>"}
//   secfixes value entries        -> the vulnerability ids (see splitting below)
//   summary                       =  "<pkg>: <vuln> fixed in <versions> (Alpine <release> <repo>)"
//   the (release, repo, package, fixed -> entries) excerpt as JSON -> raw
//   source                        =  "alpine-secdb"; no dates (secdb has none)
//
// Splitting entries: an entry is split on white space. "CVE-YYYY-NNNN" ids are taken, also
// when written "CVE_2019-2426", "CVE 2018-16859" or with a suffix ("CVE-2017-17434-1",
// "CVE-2017-8073.patch"); other ids of the form WORD-...-DIGITS (XSA-207, TALOS-2019-0844,
// ZBX-11023, wnpa-sec-2017-18) are kept; anything from a "(" on is a comment; placeholders
// ("CVE-????-?????") and bare words are dropped. An entry naming CVEs yields one advisory per
// CVE with the other ids as aliases; an entry naming only other ids yields one per id. An entry
// with no id at all is skipped with a diagnostic.
//
// A vulnerability listed under several fixed versions of one package (secfixes keeps the fixes
// of older branches) becomes one advisory with one range per version; OSV ranges are a union, so
// versions below the highest fix match, which errs towards reporting.
//
// The fixed version "0" means the package in this release was never affected. Such an advisory
// is kept so the statement is visible (lookup by CVE finds it), but with NO affected entries (so
// nothing can match) and status "not-affected"; the details say so. If the same vulnerability
// also has a real fix for the package, the ranges win and "0" is ignored.
//
// A package entry without a name, or a fixed version that is not a valid apk version, is
// skipped with a diagnostic naming the file and package; broken JSON, a missing distroversion or
// a `packages` that is neither an array nor null is a file-level kParse error.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vulndb/importer.hpp"

namespace vigil::vulndb {

// Returns the Alpine secdb importer (name "alpine-secdb"). Stateless; thread-safe.
std::unique_ptr<Importer> make_alpine_secdb_importer();

// The ids in one secfixes entry, split as described above: CVE ids first, then other ids, each
// in order of appearance without duplicates. Exposed for tests.
struct SecfixIds {
  std::vector<std::string> cves;
  std::vector<std::string> others;
};
SecfixIds split_secfix_entry(std::string_view entry);

}  // namespace vigil::vulndb
