#include "version/dpkg.hpp"

namespace vigil::version {

Result<DpkgVersion> parse_dpkg(std::string_view text) {
  return fail(Error::unsupported("dpkg: version scheme not implemented yet ('{}')", text));
}

int compare_dpkg(const DpkgVersion& lhs, const DpkgVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
