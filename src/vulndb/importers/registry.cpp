// The explicit list of importers Vigil ships (no static registration: what runs is visible here).
#include "vulndb/importers/alas.hpp"
#include "vulndb/importers/alpine_secdb.hpp"
#include "vulndb/importers/epss.hpp"
#include "vulndb/importers/kev.hpp"
#include "vulndb/importers/nvd.hpp"
#include "vulndb/importers/osv.hpp"

namespace vigil::vulndb {

std::vector<std::unique_ptr<Importer>> default_importers() {
  std::vector<std::unique_ptr<Importer>> importers;
  // Most specific formats first: OSV's sniff ("id" + "modified") is the loosest.
  // The feed importers look for keys or headers of their own ("NVD_CVE", "catalogVersion",
  // "distroversion", a KEV or EPSS CSV header, an <updates> root) and never overlap.
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
  for (const auto& importer : importers) {
    if (importer->detects(file)) {
      return importer.get();
    }
  }
  return nullptr;
}

}  // namespace vigil::vulndb
