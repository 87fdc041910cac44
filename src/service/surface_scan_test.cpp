// Image and function inventories: packages attributed to the layer that introduced them (dpkg
// database diffs across layers, evidence files for language packages) and layer inventories
// shared between functions.
#include "service/surface_scan.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::service {
namespace {

// A stand-in language cataloger: every "*.pkg" file holds "name version".
class PkgCataloger final : public inventory::Cataloger {
 public:
  std::string_view name() const override { return "pkg"; }
  bool wants(std::string_view path) const override { return path.ends_with(".pkg"); }
  void catalog(const sources::FileTree& tree, std::span<const std::string> paths,
               model::Inventory& inventory) const override {
    for (const auto& path : paths) {
      const auto text = tree.read(path);
      if (!text) {
        continue;
      }
      model::Package package;
      package.ecosystem = model::Ecosystem::kPyPI;
      package.name = text->substr(0, text->find(' '));
      package.version = text->substr(text->find(' ') + 1);
      package.locations.push_back(path);
      inventory.packages.push_back(std::move(package));
    }
  }
};

Catalogers catalogers() {
  Catalogers out = inventory::default_catalogers();
  out.push_back(std::make_unique<PkgCataloger>());
  return out;
}

std::string stanza(const std::string& name, const std::string& version) {
  return "Package: " + name +
         "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + version + "\n\n";
}

const model::Package* find(const model::Inventory& inventory, std::string_view name) {
  for (const auto& package : inventory.packages) {
    if (package.name == name) {
      return &package;
    }
  }
  return nullptr;
}

TEST(SurfaceScanTest, AttributesPackagesToTheLayerThatInstalledThem) {
  testing::TempDir dir;
  testing::OciLayout layout(dir.path() / "layout");
  const auto base = testing::build_layer(
      {testing::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"),
       testing::file("var/lib/dpkg/status",
                     stanza("base-files", "12.4") + stanza("curl", "7.88.1-10"))});
  const auto tools =
      testing::build_layer({testing::file("var/lib/dpkg/status", stanza("base-files", "12.4") +
                                                                     stanza("curl", "7.88.1-10") +
                                                                     stanza("jq", "1.6-2.1")),
                            testing::file("app/requests.pkg", "requests 2.31.0")});
  const auto upgrade = testing::build_layer(
      {testing::file("var/lib/dpkg/status", stanza("base-files", "12.4") +
                                                stanza("curl", "7.88.1-10+deb12u5") +
                                                stanza("jq", "1.6-2.1")),
       testing::file("app/.wh.requests.pkg", ""), testing::file("app/flask.pkg", "flask 3.0.0")});
  const auto readd = testing::build_layer({testing::file("app/requests.pkg", "requests 2.32.0")},
                                          testing::Compression::kZstd);
  layout.write_index({layout.add_image(
      {base, tools, upgrade, readd},
      {"ADD rootfs /", "RUN apt-get install -y jq", "RUN apt-get upgrade -y", "COPY app /app"})});

  const auto cats = catalogers();
  sources::ImageOptions options;
  options.scratch_parent = dir.path();
  auto scan =
      scan_image(*sources::parse_image_target("oci:" + layout.dir().string()), options, cats);
  ASSERT_TRUE(scan.has_value()) << scan.error().message;
  const auto& inventory = scan->inventory;
  EXPECT_TRUE(inventory.complete);
  EXPECT_EQ(inventory.os.id, "debian");
  EXPECT_EQ(inventory.packages.size(), 5U);
  const struct {
    std::string name;
    std::string layer;
    std::string created_by;
  } cases[] = {
      {"base-files", base.digest, "ADD rootfs /"},
      {"jq", tools.digest, "RUN apt-get install -y jq"},
      {"curl", upgrade.digest, "RUN apt-get upgrade -y"},  // the upgraded version
      {"flask", upgrade.digest, "RUN apt-get upgrade -y"},
      {"requests", readd.digest, "COPY app /app"},  // deleted, then added again
  };
  for (const auto& c : cases) {
    const model::Package* package = find(inventory, c.name);
    ASSERT_NE(package, nullptr) << c.name;
    EXPECT_EQ(package->layer_digest, c.layer) << c.name;
    const auto* layer = find_layer(scan->image, package->layer_digest);
    ASSERT_NE(layer, nullptr) << c.name;
    EXPECT_EQ(layer->created_by, c.created_by) << c.name;
  }
  EXPECT_EQ(find(inventory, "requests")->version, "2.32.0");

  // Warm: the same inventory from the layer cache without decompressing anything, and from the
  // inventory cache without even loading the layers.
  options.cache_dir = dir.path() / "cache";
  const auto target = *sources::parse_image_target("oci:" + layout.dir().string());
  auto cold = scan_image(target, options, cats);
  auto warm_layers = scan_image(target, options, cats, false);
  auto warm = scan_image(target, options, cats);
  ASSERT_TRUE(cold.has_value() && warm_layers.has_value() && warm.has_value());
  EXPECT_EQ(cold->stats.layers_indexed, 4U);
  EXPECT_FALSE(cold->inventory_from_cache);
  EXPECT_EQ(warm_layers->stats.layers_indexed, 0U);
  EXPECT_EQ(warm_layers->stats.layers_cached, 4U);
  EXPECT_TRUE(warm->inventory_from_cache);
  EXPECT_EQ(warm_layers->inventory, scan->inventory);
  EXPECT_EQ(warm->inventory, scan->inventory);
  EXPECT_EQ(find_layer(warm->image, find(warm->inventory, "jq")->layer_digest)->created_by,
            "RUN apt-get install -y jq");
}

TEST(SurfaceScanTest, PartialImagesAreMarkedIncomplete) {
  testing::TempDir dir;
  testing::OciLayout layout(dir.path() / "layout");
  const auto good = testing::build_layer({testing::file("a.pkg", "a 1")});
  const auto bad = testing::build_layer({testing::file("b.pkg", "b 1")});
  layout.write_index({layout.add_image({good, bad}, {"x", "y"})});
  std::filesystem::remove(layout.dir() / "blobs" / "sha256" / bad.digest.substr(7));
  const auto cats = catalogers();
  sources::ImageOptions options;
  options.scratch_parent = dir.path();
  auto scan =
      scan_image(*sources::parse_image_target("oci:" + layout.dir().string()), options, cats);
  ASSERT_TRUE(scan.has_value());
  EXPECT_FALSE(scan->inventory.complete);
  ASSERT_NE(find(scan->inventory, "a"), nullptr);
  EXPECT_EQ(find(scan->inventory, "a")->layer_digest, good.digest);
  bool named = false;
  for (const auto& diagnostic : scan->inventory.diagnostics) {
    named = named || diagnostic.message.find(bad.digest) != std::string::npos;
  }
  EXPECT_TRUE(named);
}

TEST(SurfaceScanTest, FunctionLayersAreCatalogedOnceAndShadowed) {
  testing::TempDir dir;
  const auto write_zip = [&](const std::string& name,
                             const std::vector<testing::TarEntry>& entries) {
    return dir.write(name, testing::make_archive(entries, true));
  };
  const auto deps = write_zip("deps.zip", {testing::file("python/requests.pkg", "requests 2.0"),
                                           testing::file("python/six.pkg", "six 1.16")});
  const auto patch =
      write_zip("patch.zip", {testing::file("python/requests.pkg", "requests 2.31")});
  const auto cats = catalogers();
  sources::BundleOpener::Options options;
  options.scratch_parent = dir.path();
  auto scanner = FunctionScanner::create(options, cats);
  ASSERT_TRUE(scanner.has_value()) << scanner.error().message;
  sources::FunctionConfig config;
  config.name = "fn";
  config.arn = "arn:aws:lambda:eu-west-1:123456789012:function:fn";
  for (int idx = 0; idx < 10; ++idx) {
    const auto code = write_zip("code" + std::to_string(idx) + ".zip",
                                {testing::file("vendor/app" + std::to_string(idx) + ".pkg",
                                               "app" + std::to_string(idx) + " 1.0")});
    auto inventory = (*scanner)->scan(config, code, {deps, patch});
    ASSERT_TRUE(inventory.has_value()) << inventory.error().message;
    EXPECT_EQ(inventory->target, config.arn);
    ASSERT_EQ(inventory->packages.size(), 3U);
    const auto* requests = find(*inventory, "requests");
    ASSERT_NE(requests, nullptr);
    EXPECT_EQ(requests->version, "2.31");  // the patch layer shadows deps' copy
    EXPECT_EQ(requests->layer_digest,
              sources::sha256_digest(testing::make_archive(
                  {testing::file("python/requests.pkg", "requests 2.31")}, true)));
    EXPECT_EQ(find(*inventory, "six")->locations.front(), "opt/python/six.pkg");
    const auto* app = find(*inventory, "app" + std::to_string(idx));
    ASSERT_NE(app, nullptr);
    EXPECT_TRUE(app->layer_digest.empty());
    EXPECT_EQ(app->locations.front(), "var/task/vendor/app" + std::to_string(idx) + ".pkg");
  }
  EXPECT_EQ((*scanner)->stats().layers_cataloged, 2U);
  EXPECT_EQ((*scanner)->stats().layer_inventories_reused, 18U);
  EXPECT_EQ((*scanner)->opener().stats().zips_hashed, 12U);
  EXPECT_EQ((*scanner)->opener().stats().layers_indexed, 12U);
}

}  // namespace
}  // namespace vigil::service
