#include "version/apk.hpp"

namespace vigil::version {

Result<ApkVersion> parse_apk(std::string_view text) {
  return fail(Error::unsupported("apk: version scheme not implemented yet ('{}')", text));
}

int compare_apk(const ApkVersion& lhs, const ApkVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
