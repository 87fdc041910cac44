// Amazon Linux (ALAS) importer: yum/dnf `updateinfo.xml` (root `<updates>`, one `<update>` per
// advisory), parsed with pugixml. Detected by the `<updates>` root element.
//
// Field mapping (updateinfo -> model::Advisory, one per <update>):
//   <id>                              -> id ("ALAS2023-2023-001", "ALAS2KERNEL-5.15-2022-001", ...)
//   <title>                           -> summary
//   <description>                     -> details
//   <severity>                        -> severity_label (as written: "important", "Important", ...)
//   <issued date>, <updated date>     -> published, modified (RFC 3339 UTC; "2023-02-17 20:41:00"
//                                        and "2011-09-27 22:46" forms; modified = published
//                                        when <updated> is absent)
//   <reference type="cve" id=..>      -> aliases (the CVE ids)
//   <reference href type>             -> Reference{type: "WEB" for cve links, "ADVISORY" for
//                                        vendor advisories (redhat, ...), url: href}
//   <pkglist>//<package name version release epoch arch>
//                                     -> AffectedPackage{ecosystem "Amazon Linux", release (below),
//                                        name, purl, ranges: [ECOSYSTEM {introduced "0"},
//                                        {fixed "[epoch:]version-release"}]} (epoch omitted when
//                                        0 or absent), one per <package> element, so per arch
//   purl                              =  pkg:rpm/amazonlinux/<name>@<version>-<release>
//                                        ?arch=<arch>&distro=amazonlinux-<release>[&epoch=<e>]
//   the <update> element, unindented  -> raw
//   source                            =  "alas"
//
// The release rule: the digits right after "ALAS" in the id, or "1" when there are none
// (ALAS-2011-1 -> "1", ALAS2-... and ALAS2KERNEL-5.15-... -> "2", ALAS2022-... -> "2022",
// ALAS2023LIVEPATCH-... -> "2023"). This follows Amazon's naming, where each product line adds
// its major release to the prefix and extras/livepatch channels append a suffix. When the id
// does not start with "ALAS", the <collection short> attribute decides ("amazon-linux-ami" ->
// "1", "amazon-linux-<digits>..." -> the digits). An update with neither, without an id, or
// with a <package> lacking name/version/release is skipped with a diagnostic; XML that does not
// parse (a truncated file, say) is a file-level kParse error with the byte offset.
#pragma once

#include <memory>

#include "vulndb/importer.hpp"

namespace vigil::vulndb {

// Returns the ALAS importer (name "alas"). Stateless; safe to use from several threads.
std::unique_ptr<Importer> make_alas_importer();

// The Amazon Linux release named by an ALAS advisory id ("ALAS2023-2023-001" -> "2023"), or ""
// when `id` does not start with "ALAS". Exposed for tests.
std::string alas_release_from_id(std::string_view id);

}  // namespace vigil::vulndb
