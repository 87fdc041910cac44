#include "version/gem.hpp"

namespace vigil::version {

Result<GemVersion> parse_gem(std::string_view text) {
  return fail(Error::unsupported("gem: version scheme not implemented yet ('{}')", text));
}

int compare_gem(const GemVersion& lhs, const GemVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
