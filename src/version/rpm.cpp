#include "version/rpm.hpp"

namespace vigil::version {

Result<RpmVersion> parse_rpm(std::string_view text) {
  return fail(Error::unsupported("rpm: version scheme not implemented yet ('{}')", text));
}

int compare_rpm(const RpmVersion& lhs, const RpmVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
