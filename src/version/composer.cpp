#include "version/composer.hpp"

namespace vigil::version {

Result<ComposerVersion> parse_composer(std::string_view text) {
  return fail(Error::unsupported("composer: version scheme not implemented yet ('{}')", text));
}

int compare_composer(const ComposerVersion& lhs, const ComposerVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
