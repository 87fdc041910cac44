// The explicit list of importers Vigil ships (no static registration: what runs is visible here).
#include "vulndb/importers/alas.hpp"
#include "vulndb/importers/alpine_secdb.hpp"
#include "vulndb/importers/epss.hpp"
#include "vulndb/importers/kev.hpp"
#include "vulndb/importers/nvd.hpp"
#include "vulndb/importers/osv.hpp"
#include "vulndb/importers/sniff.hpp"
#include "vulndb/importers/vigil_bundle.hpp"

namespace vigil::vulndb {

std::vector<std::unique_ptr<Importer>> default_importers() {
  std::vector<std::unique_ptr<Importer>> importers;
  // Most specific formats first: OSV's sniff ("id" + "modified") is the loosest.
  // The feed importers look for keys or headers of their own ("NVD_CVE", "catalogVersion",
  // "distroversion", a KEV or EPSS CSV header, an <updates> root) and never overlap.
  // Vigil bundle records start with a fixed key ({"vigil_bundle_records": / {"vigil_record":)
  // and must win over OSV, whose sniff their OSV-shaped lines would pass.
  importers.push_back(make_vigil_bundle_importer());
  importers.push_back(make_nvd_importer());
  importers.push_back(make_kev_importer());
  importers.push_back(make_epss_importer());
  importers.push_back(make_alas_importer());
  importers.push_back(make_alpine_secdb_importer());
  importers.push_back(make_osv_importer());
  return importers;
}

const Importer* detect_importer(const std::vector<std::unique_ptr<Importer>>& importers,
                                const SourceFile& file) {
  // The importers' key sniffs on this file share one scan of its head.
  const json::HeadScan scan(file.content);
  for (const auto& importer : importers) {
    if (importer->detects(file)) {
      return importer.get();
    }
  }
  return nullptr;
}

}  // namespace vigil::vulndb
