// Function bundles: the configuration document, the runtime layout (var/task, opt), layer
// override order, sharing layers across many functions, and hostile zips.
#include "sources/function_bundle.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

// Shaped like `aws lambda get-function-configuration` output.
const char* kConfig = R"({
  "FunctionName": "orders",
  "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:orders",
  "Runtime": "python3.12",
  "Role": "arn:aws:iam::123456789012:role/orders",
  "Handler": "app.handler",
  "CodeSize": 1234,
  "Timeout": 30,
  "MemorySize": 256,
  "Version": "$LATEST",
  "TracingConfig": {"Mode": "PassThrough"},
  "Layers": [
    {"Arn": "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3", "CodeSize": 100},
    {"Arn": "arn:aws:lambda:eu-west-1:123456789012:layer:patch:1", "CodeSize": 50}
  ],
  "State": "Active",
  "PackageType": "Zip",
  "Architectures": ["arm64"],
  "EphemeralStorage": {"Size": 512}
})";

bool bundle_wanted(std::string_view path) { return path.ends_with("METADATA") || path.ends_with(".json"); }

TEST(FunctionConfigTest, ParsesTheCliShape) {
  auto config = parse_function_config(kConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->name, "orders");
  EXPECT_EQ(config->runtime, "python3.12");
  EXPECT_EQ(config->handler, "app.handler");
  EXPECT_EQ(config->architectures, std::vector<std::string>{"arm64"});
  ASSERT_EQ(config->layers.size(), 2U);
  EXPECT_EQ(config->layers[1].arn, "arn:aws:lambda:eu-west-1:123456789012:layer:patch:1");
  EXPECT_EQ(config->layers[1].code_size, 50U);
  // `aws lambda get-function` wraps it.
  auto wrapped = parse_function_config(std::string(R"({"Configuration":)") + kConfig +
                                       R"(,"Code":{"Location":"https://x"}})");
  ASSERT_TRUE(wrapped.has_value());
  EXPECT_EQ(wrapped->arn, config->arn);
  for (const char* bad : {"", "[]", R"({"Runtime":"x"})", R"({"FunctionName":1})",
                          R"({"FunctionName":"f","Layers":{}})",
                          R"({"FunctionName":"f","Layers":[{"Arn":"a","CodeSize":-1}]})"}) {
    EXPECT_FALSE(parse_function_config(bad).has_value()) << bad;
  }
}

class FunctionBundleTest : public ::testing::Test {
 protected:
  std::unique_ptr<BundleOpener> opener(bool persistent = false) {
    BundleOpener::Options options;
    if (persistent) {
      options.cache_dir = dir_.path() / "cache";
    }
    options.scratch_parent = dir_.path();
    options.wanted = bundle_wanted;
    options.want_key = "t";
    auto made = BundleOpener::create(options);
    EXPECT_TRUE(made.has_value());
    return std::move(*made);
  }
  std::filesystem::path zip(const std::string& name,
                            const std::vector<testing::TarEntry>& entries) {
    return dir_.write(name, testing::make_archive(entries, true));
  }
  testing::TempDir dir_;
};

TEST_F(FunctionBundleTest, LaysOutCodeAndLayersLikeTheRuntime) {
  const auto code = zip("code.zip", {testing::file("app.py", "def handler(): pass"),
                                     testing::file("vendored-1.0.dist-info/METADATA", "Name: v")});
  const auto deps = zip("deps.zip", {testing::file("python/requests-2.0.dist-info/METADATA", "old"),
                                     testing::file("python/six-1.16.dist-info/METADATA", "six")});
  const auto patch =
      zip("patch.zip", {testing::file("python/requests-2.0.dist-info/METADATA", "new")});
  auto config = *parse_function_config(kConfig);
  auto bundle = opener()->open(config, code, {deps, patch});
  ASSERT_TRUE(bundle.has_value()) << bundle.error().message;
  const auto& tree = *bundle->tree;
  EXPECT_EQ(*tree.read("var/task/app.py"), "def handler(): pass");  // streamed from the zip
  EXPECT_EQ(*tree.read("opt/python/requests-2.0.dist-info/METADATA"), "new");
  EXPECT_EQ(*tree.read("opt/python/six-1.16.dist-info/METADATA"), "six");
  EXPECT_EQ(tree.provider("opt/python/requests-2.0.dist-info/METADATA"),
            bundle->layers[1].tree_layer);
  EXPECT_EQ(tree.provider("var/task/app.py"), bundle->code_tree_layer);
  EXPECT_EQ(bundle->layers[0].arn, config.layers[0].arn);
  EXPECT_TRUE(bundle->complete);
}

TEST_F(FunctionBundleTest, SharedLayersAreReadOnce) {
  std::vector<std::filesystem::path> layers;
  for (int idx = 0; idx < 5; ++idx) {
    layers.push_back(
        zip("layer" + std::to_string(idx) + ".zip",
            {testing::file("python/pkg" + std::to_string(idx) + "-1.0.dist-info/METADATA",
                           "Name: pkg")}));
  }
  FunctionConfig config;
  config.name = "fn";
  auto shared = opener(true);
  for (int fn = 0; fn < 100; ++fn) {
    const auto code = zip("code" + std::to_string(fn) + ".zip",
                          {testing::file("handler.py", "# " + std::to_string(fn))});
    const std::vector<std::filesystem::path> used = {layers[static_cast<size_t>(fn) % 5],
                                                     layers[static_cast<size_t>(fn + 1) % 5]};
    auto bundle = shared->open(config, code, used);
    ASSERT_TRUE(bundle.has_value()) << bundle.error().message;
    EXPECT_TRUE(bundle->tree->stat("opt/python").value().has_value());
  }
  const auto& stats = shared->stats();
  EXPECT_EQ(stats.layers_indexed, 5U + 100U);  // each layer once, plus each function's code
  EXPECT_EQ(stats.zips_hashed, 5U + 100U);
  EXPECT_EQ(stats.layers_reused, 2U * 100U - 5U);
  // A new opener on the same cache indexes nothing.
  auto again = opener(true);
  ASSERT_TRUE(again->open(config, dir_.path() / "code0.zip", {layers[1], layers[2]}).has_value());
  EXPECT_EQ(again->stats().layers_indexed, 0U);
  EXPECT_EQ(again->stats().layers_from_disk, 3U);
}

TEST_F(FunctionBundleTest, RejectsMismatchesAndImages) {
  const auto code = zip("code.zip", {testing::file("a", "b")});
  auto config = *parse_function_config(kConfig);
  auto count = opener()->open(config, code, {code});
  ASSERT_FALSE(count.has_value());
  EXPECT_NE(count.error().message.find("lists 2 layers but 1"), std::string::npos);
  config.layers.clear();
  config.code_sha256 = "AAAA";
  auto wrong_code = opener()->open(config, code, {});
  ASSERT_FALSE(wrong_code.has_value());
  EXPECT_NE(wrong_code.error().message.find("CodeSha256"), std::string::npos);
  config.code_sha256.clear();
  config.package_type = "Image";
  auto image = opener()->open(config, code, {});
  ASSERT_FALSE(image.has_value());
  EXPECT_EQ(image.error().code, ErrorCode::kUnsupported);
}

TEST_F(FunctionBundleTest, BadLayerZipsAreLeftOut) {
  const auto code =
      zip("code.zip", {testing::file("a.json", "{}"), testing::file("../../x.json", "{}"),
                       testing::symlink("link.json", "/etc/passwd")});
  const auto garbage = dir_.write("garbage.zip", "PK this is not a zip");
  FunctionConfig config;
  config.name = "fn";
  auto bundle = opener()->open(config, code, {garbage, dir_.path() / "absent.zip"});
  ASSERT_TRUE(bundle.has_value()) << bundle.error().message;
  EXPECT_FALSE(bundle->complete);
  ASSERT_EQ(bundle->problems.size(), 3U);
  EXPECT_NE(bundle->problems[0].find("garbage.zip"), std::string::npos) << bundle->problems[0];
  EXPECT_NE(bundle->problems[1].find("absent.zip"), std::string::npos) << bundle->problems[1];
  EXPECT_NE(bundle->problems[2].find("climbs out"), std::string::npos) << bundle->problems[2];
  EXPECT_EQ(*bundle->tree->read("var/task/a.json"), "{}");
  EXPECT_EQ(bundle->tree->read("var/task/link.json").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(bundle->layers[0].tree_layer.has_value());
}

}  // namespace
}  // namespace vigil::sources
