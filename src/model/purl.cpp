#include "model/purl.hpp"

namespace vigil::model {

Result<Purl> parse_purl(std::string_view text) {
  return fail(Error::unsupported("purl parsing not implemented yet ('{}')", text));
}

Result<std::string> to_string(const Purl& purl) {
  return fail(Error::unsupported("purl printing not implemented yet ('{}')", purl.name));
}

}  // namespace vigil::model
