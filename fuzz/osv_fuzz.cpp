// Fuzzes OSV detection and parsing on arbitrary bytes: must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "vulndb/importers/osv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto importer = vigil::vulndb::make_osv_importer();
  const vigil::vulndb::SourceFile file{"fuzz.json",
                                       std::string(reinterpret_cast<const char*>(data), size)};
  vigil::vulndb::ImportBatch batch;
  if (importer->detects(file)) {
    (void)importer->parse(file, batch);
  } else {
    (void)importer->parse(file, batch);
  }
  return 0;
}
