// Java archives (.jar .war .ear .jpi .hpi), opened with libarchive from the tree's bytes, nested
// archives (WEB-INF/lib, BOOT-INF/lib, any inner .jar) included.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {

// Reports Maven packages named "groupId:artifactId" (purl "pkg:maven/<group>/<artifact>@<v>"):
// one per META-INF/maven/**/pom.properties (a shaded jar yields every embedded artifact). An
// archive without one is identified, with lower confidence, from META-INF/MANIFEST.MF (its
// location then names the manifest, "x.jar!/META-INF/MANIFEST.MF"), else from its file name
// ("name-1.2.3.jar": no group, so the name is the artifact alone and the purl is empty); an
// archive with none of these yields nothing. Nested archives are opened up to depth 4 and all
// archives inside one file expand to at most 1 GiB; their locations read
// "app.war!/WEB-INF/lib/x.jar". A corrupt archive becomes a warning naming it; packages found
// before the damage are kept. Stateless and thread-safe.
class JavaArchiveCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "java"; }
  bool wants(std::string_view path) const override;
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override;
};

}  // namespace vigil::inventory
