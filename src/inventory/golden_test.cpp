// Golden cases in tests/data/inventory/<case>/: catalog rootfs/ and compare with expected.json
// (VIGIL_UPDATE_GOLDEN=1 rewrites it). See tests/data/inventory/README.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "inventory/cataloger.hpp"

namespace vigil::inventory {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The inventory as JSON, without what depends on the checkout location or today's date.
json to_json(const model::Inventory& inventory) {
  json out;
  out["os"] = {{"id", inventory.os.id},
               {"version_id", inventory.os.version_id},
               {"codename", inventory.os.codename},
               {"pretty_name", inventory.os.pretty_name}};
  out["packages"] = json::array();
  for (const auto& package : inventory.packages) {
    out["packages"].push_back({{"ecosystem", model::ecosystem_name(package.ecosystem)},
                               {"name", package.name},
                               {"version", package.version},
                               {"arch", package.arch},
                               {"source_name", package.source_name},
                               {"source_version", package.source_version},
                               {"distro_release", package.distro_release},
                               {"locations", package.locations},
                               {"purl", package.purl}});
  }
  out["diagnostics"] = json::array();
  for (const auto& diagnostic : inventory.diagnostics) {
    out["diagnostics"].push_back({{"level", model::diagnostic_level_name(diagnostic.level)},
                                  {"where", diagnostic.where},
                                  {"message", diagnostic.message}});
  }
  out["complete"] = inventory.complete;
  return out;
}

TEST(InventoryGoldenTest, EveryCaseMatchesItsExpectedInventory) {
  const fs::path cases = fs::path(VIGIL_SOURCE_DIR) / "tests/data/inventory";
  ASSERT_TRUE(fs::is_directory(cases)) << cases;
  const char* update_env = std::getenv("VIGIL_UPDATE_GOLDEN");
  const bool update = update_env != nullptr && std::string(update_env) == "1";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(cases)) {
    if (!fs::is_directory(entry.path() / "rootfs")) {
      continue;
    }
    SCOPED_TRACE(entry.path().filename().string());
    EXPECT_TRUE(fs::exists(entry.path() / "README.md")) << "every case explains itself";
    const auto tree = sources::open_directory(entry.path() / "rootfs");
    ASSERT_TRUE(tree.has_value()) << tree.error().message;
    const json got = to_json(catalog(**tree, default_catalogers()));
    const fs::path expected_path = entry.path() / "expected.json";
    if (update) {
      std::ofstream(expected_path) << got.dump(2) << '\n';
    }
    std::ifstream in(expected_path);
    ASSERT_TRUE(in.good()) << "missing " << expected_path << " (run with VIGIL_UPDATE_GOLDEN=1)";
    const json want = json::parse(in, nullptr, false);
    ASSERT_FALSE(want.is_discarded()) << expected_path << " is not JSON";
    EXPECT_EQ(got, want) << "got:\n" << got.dump(2);
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

}  // namespace
}  // namespace vigil::inventory
