#include "version/nuget.hpp"

namespace vigil::version {

Result<NugetVersion> parse_nuget(std::string_view text) {
  return fail(Error::unsupported("nuget: version scheme not implemented yet ('{}')", text));
}

int compare_nuget(const NugetVersion& lhs, const NugetVersion& rhs) { return lhs.text.compare(rhs.text) < 0 ? -1 : (lhs.text == rhs.text ? 0 : 1); }

}  // namespace vigil::version
