// The explicit list of importers Vigil ships (no static registration: what runs is visible here).
#include "vulndb/importers/osv.hpp"

namespace vigil::vulndb {

std::vector<std::unique_ptr<Importer>> default_importers() {
  std::vector<std::unique_ptr<Importer>> importers;
  // Most specific formats first: OSV's sniff ("id" + "modified") is the loosest.
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
