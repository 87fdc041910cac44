#include "version/semver.hpp"

namespace vigil::version {

Result<SemverVersion> parse_semver(std::string_view text) {
  return fail(Error::unsupported("semver: version scheme not implemented yet ('{}')", text));
}

Result<SemverVersion> parse_go(std::string_view text) {
  return fail(Error::unsupported("go: version scheme not implemented yet ('{}')", text));
}

int compare_semver(const SemverVersion& lhs, const SemverVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
