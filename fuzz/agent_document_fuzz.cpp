// Fuzzes the agent inventory document reader on arbitrary bytes. A document that parses must
// serialise and parse back to an equal document with the same content hash (the writer and the
// reader agree on every field). Must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "inventory/agent_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace inv = vigil::inventory;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto document = inv::parse_agent_document(input);
  if (!document) {
    return 0;
  }
  const auto again = inv::parse_agent_document(inv::write_agent_document(*document));
  if (!again || *again != *document) {
    std::abort();
  }
  return 0;
}
