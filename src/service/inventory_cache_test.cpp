// The inventory codec round-trips every field; the cache treats corrupt files as misses and
// keys change with the image's config, layers and wanted files.
#include "service/inventory_cache.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace vigil::service {
namespace {

model::Inventory cache_sample() {
  model::Inventory inventory;
  inventory.target = "oci:/x:1";
  inventory.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12", "6.1.0", true};
  model::Package package;
  package.ecosystem = model::Ecosystem::kDebian;
  package.name = "curl";
  package.version = "7.88.1-10+deb12u5";
  package.arch = "amd64";
  package.source_name = "curl";
  package.source_version = "7.88.1-10+deb12u5";
  package.distro_release = "12";
  package.locations = {"var/lib/dpkg/status", "second"};
  package.purl = "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64";
  package.layer_digest = "sha256:" + std::string(64, 'a');
  inventory.packages.push_back(package);
  package.ecosystem = model::Ecosystem::kPyPI;
  package.name = "requests";
  inventory.packages.push_back(package);
  inventory.diagnostics.push_back({model::DiagnosticLevel::kError, "where", "what \xff"});
  inventory.complete = false;
  return inventory;
}

TEST(InventoryCacheTest, CodecRoundTripsEveryField) {
  model::Inventory inventory = cache_sample();
  auto decoded = decode_inventory(encode_inventory(inventory));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  inventory.diagnostics[0].message = "what \xef\xbf\xbd";  // invalid UTF-8 is replaced
  EXPECT_EQ(*decoded, inventory);
  for (const char* bad : {"", "{}", R"({"codec":1})", "[1]", R"({"codec":99,"target":"x"})"}) {
    EXPECT_FALSE(decode_inventory(bad).has_value()) << bad;
  }
}

TEST(InventoryCacheTest, StoreFindAndCorruption) {
  testing::TempDir dir;
  auto cache = InventoryCache::open(dir.path() / "inv");
  ASSERT_TRUE(cache.has_value());
  sources::ImageInfo image;
  image.config_digest = "sha256:" + std::string(64, 'c');
  image.layers.push_back({});
  image.layers[0].digest = "sha256:" + std::string(64, 'd');
  const std::string key = inventory_cache_key(image, "want");
  EXPECT_NE(key, inventory_cache_key(image, "other"));
  auto changed = image;
  changed.layers[0].digest = "sha256:" + std::string(64, 'e');
  EXPECT_NE(key, inventory_cache_key(changed, "want"));

  EXPECT_FALSE((*cache)->find(key).has_value());
  ASSERT_TRUE((*cache)->store(key, cache_sample()).has_value());
  ASSERT_TRUE((*cache)->find(key).has_value());
  EXPECT_EQ((*cache)->find(key)->packages.size(), 2U);
  const auto file = dir.path() / "inv" / (key.substr(7) + ".inventory.json");
  std::ofstream(file, std::ios::trunc) << "{\"codec\":1,";
  EXPECT_FALSE((*cache)->find(key).has_value());
  EXPECT_FALSE(std::filesystem::exists(file));
}

}  // namespace
}  // namespace vigil::service
