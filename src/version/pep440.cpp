#include "version/pep440.hpp"

namespace vigil::version {

Result<Pep440Version> parse_pep440(std::string_view text) {
  return fail(Error::unsupported("pep440: version scheme not implemented yet ('{}')", text));
}

int compare_pep440(const Pep440Version& lhs, const Pep440Version& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
