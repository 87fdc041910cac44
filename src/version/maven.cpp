#include "version/maven.hpp"

namespace vigil::version {

Result<MavenVersion> parse_maven(std::string_view text) {
  return fail(Error::unsupported("maven: version scheme not implemented yet ('{}')", text));
}

int compare_maven(const MavenVersion& lhs, const MavenVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
