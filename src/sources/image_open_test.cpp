// open_image on images built in the test: OCI layouts (directory and tar), docker-archive,
// multi-platform indexes, the layer cache, and hostile or broken images.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "sources/digest.hpp"
#include "sources/image.hpp"
#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

using testing::BuiltLayer;

const std::vector<testing::TarEntry> kBase = {
    testing::dir("etc"), testing::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
    testing::file("var/lib/dpkg/status", "Package: base-files\nVersion: 12.4\n"),
    testing::file("usr/bin/tool", "#!/bin/sh\n")};
const std::vector<testing::TarEntry> kApp = {
    testing::file("usr/bin/.wh.tool", ""), testing::file("app/main.py", "print(1)\n"),
    testing::file("var/lib/dpkg/status",
                  "Package: base-files\nVersion: 12.4\n\nPackage: curl\nVersion: 7.88\n")};

bool wanted(std::string_view path) {
  return path == "etc/os-release" || path == "var/lib/dpkg/status";
}

class ImageOpenTest : public ::testing::Test {
 protected:
  ImageOptions options() const {
    ImageOptions out;
    out.wanted = wanted;
    out.want_key = "test";
    out.scratch_parent = scratch_.path();
    return out;
  }

  // A two-layer image in an OCI layout at <dir>/layout, tagged "v1".
  testing::OciLayout two_layer_layout(testing::Compression second = testing::Compression::kZstd) {
    testing::OciLayout layout(dir_.path() / "layout");
    base_ = testing::build_layer(kBase, testing::Compression::kGzip);
    app_ = testing::build_layer(kApp, second);
    layout.write_index(
        {layout.add_image({base_, app_}, {"ADD rootfs.tar /", "RUN apt-get install curl"})}, "v1");
    return layout;
  }

  Result<std::unique_ptr<Image>> open(const std::string& target, const ImageOptions& opts) {
    auto parsed = parse_image_target(target);
    if (!parsed) {
      return fail(parsed.error());
    }
    return open_image(*parsed, opts);
  }

  void expect_scratch_clean() const {
    EXPECT_TRUE(std::filesystem::is_empty(scratch_.path())) << "scratch left behind";
  }

  testing::TempDir dir_;
  testing::TempDir scratch_;
  BuiltLayer base_;
  BuiltLayer app_;
};

TEST_F(ImageOpenTest, OpensAnOciLayoutWithWhiteoutsAndHistory) {
  const auto layout = two_layer_layout();
  {
    auto image = open("oci:" + layout.dir().string(), options());
    ASSERT_TRUE(image.has_value()) << image.error().message;
    const Image& opened = **image;
    EXPECT_TRUE(opened.complete());
    EXPECT_TRUE(opened.problems().empty());
    const auto& tree = opened.tree();
    EXPECT_EQ(*tree.read("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    EXPECT_NE(tree.read("var/lib/dpkg/status")->find("curl"), std::string::npos);
    EXPECT_EQ(*tree.read("app/main.py"), "print(1)\n");  // not kept: streamed from the blob
    EXPECT_EQ(tree.read("usr/bin/tool").error().code, ErrorCode::kNotFound);
    const auto& info = opened.info();
    ASSERT_EQ(info.layers.size(), 2U);
    EXPECT_EQ(info.layers[0].digest, base_.digest);
    EXPECT_EQ(info.layers[0].diff_id, base_.diff_id);
    EXPECT_EQ(info.layers[1].created_by, "RUN apt-get install curl");
    EXPECT_EQ(info.layers[1].tree_layer, std::optional<size_t>(1));
    EXPECT_EQ(info.platform.to_string(), "linux/amd64");
    EXPECT_EQ(tree.provider("var/lib/dpkg/status"), std::optional<size_t>(1));
    EXPECT_EQ(opened.stats().layers_indexed, 2U);
  }
  expect_scratch_clean();
}

TEST_F(ImageOpenTest, CachedLayersAreNeverDecompressedAgain) {
  const auto layout = two_layer_layout();
  auto opts = options();
  opts.cache_dir = dir_.path() / "cache";
  auto cold = open("oci:" + layout.dir().string() + ":v1", opts);
  ASSERT_TRUE(cold.has_value()) << cold.error().message;
  EXPECT_EQ((*cold)->stats().layers_indexed, 2U);
  EXPECT_EQ((*cold)->stats().layers_cached, 0U);
  // Remove the layer blobs: a warm open must not need them for kept files.
  std::filesystem::remove(layout.dir() / "blobs" / "sha256" / base_.digest.substr(7));
  std::filesystem::remove(layout.dir() / "blobs" / "sha256" / app_.digest.substr(7));
  auto warm = open("oci:" + layout.dir().string(), opts);
  ASSERT_TRUE(warm.has_value()) << warm.error().message;
  EXPECT_EQ((*warm)->stats().layers_indexed, 0U);
  EXPECT_EQ((*warm)->stats().layers_cached, 2U);
  EXPECT_TRUE((*warm)->info().layers[0].from_cache);
  EXPECT_EQ(*(*warm)->tree().read("etc/os-release"), *(*cold)->tree().read("etc/os-release"));
  EXPECT_EQ((*warm)->tree().read("app/main.py").error().code, ErrorCode::kUnavailable);
  // Another choice of wanted files is another cache entry.
  opts.want_key = "other";
  auto other = open("oci:" + layout.dir().string(), opts);
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE((*other)->complete());  // the blobs are gone now
}

TEST_F(ImageOpenTest, OciArchiveAndDockerArchive) {
  const auto layout = two_layer_layout(testing::Compression::kNone);
  std::vector<testing::TarEntry> members;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(layout.dir())) {
    if (entry.is_regular_file()) {
      std::ifstream in(entry.path(), std::ios::binary);
      members.push_back(
          testing::file("./" + std::filesystem::relative(entry.path(), layout.dir()).string(),
                        std::string(std::istreambuf_iterator<char>(in), {})));
    }
  }
  const auto oci_tar = dir_.write("image.tar", testing::make_archive(members));
  auto oci = open("oci-archive:" + oci_tar.string(), options());
  ASSERT_TRUE(oci.has_value()) << oci.error().message;
  EXPECT_NE((*oci)->tree().read("var/lib/dpkg/status")->find("curl"), std::string::npos);
  EXPECT_EQ(*(*oci)->tree().read("app/main.py"), "print(1)\n");

  const auto docker_tar = dir_.write(
      "docker.tar", testing::make_docker_archive({kBase, kApp}, {"ADD x /", "RUN y"}, "app:1"));
  for (const std::string_view suffix : {"", ":app:1"}) {
    auto docker = open("docker-archive:" + docker_tar.string() + std::string(suffix), options());
    ASSERT_TRUE(docker.has_value()) << docker.error().message;
    EXPECT_TRUE((*docker)->complete());
    EXPECT_EQ((*docker)->info().repo_tags, std::vector<std::string>{"app:1"});
    EXPECT_EQ((*docker)->info().layers[1].created_by, "RUN y");
    EXPECT_EQ((*docker)->tree().read("usr/bin/tool").error().code, ErrorCode::kNotFound);
    EXPECT_NE((*docker)->tree().read("var/lib/dpkg/status")->find("curl"), std::string::npos);
  }
  auto missing_tag = open("docker-archive:" + docker_tar.string() + ":app:2", options());
  ASSERT_FALSE(missing_tag.has_value());
  EXPECT_NE(missing_tag.error().message.find("tags: app:1"), std::string::npos)
      << missing_tag.error().message;
  oci->reset();
  expect_scratch_clean();
}

TEST_F(ImageOpenTest, MultiPlatformIndexSelectsByPlatform) {
  testing::OciLayout layout(dir_.path() / "multi");
  const auto amd = testing::build_layer({testing::file("etc/arch", "amd64")});
  const auto arm = testing::build_layer({testing::file("etc/arch", "arm64")});
  const auto index = layout.add_index({layout.add_image({amd}, {"a"}, "linux", "amd64"),
                                       layout.add_image({arm}, {"b"}, "linux", "arm64", "v8")});
  layout.write_index({index}, "latest");
  for (const auto& [platform, want] : std::vector<std::pair<std::string, std::string>>{
           {"linux/amd64", "amd64"}, {"linux/arm64", "arm64"}, {"linux/arm64/v8", "arm64"}}) {
    auto opts = options();
    opts.wanted = [](std::string_view) { return true; };
    opts.platform = *parse_platform(platform);
    auto image = open("oci:" + layout.dir().string(), opts);
    ASSERT_TRUE(image.has_value()) << image.error().message;
    EXPECT_EQ(*(*image)->tree().read("etc/arch"), want) << platform;
  }
  auto opts = options();
  opts.platform = *parse_platform("linux/s390x");
  auto none = open("oci:" + layout.dir().string(), opts);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_NE(none.error().message.find("linux/s390x"), std::string::npos);
}

TEST_F(ImageOpenTest, BrokenLayersLeaveAPartialImage) {
  const auto layer_path = [&](const testing::OciLayout& layout, const BuiltLayer& layer) {
    return layout.dir() / "blobs" / "sha256" / layer.digest.substr(7);
  };
  const struct {
    std::string name;
    std::function<void(const testing::OciLayout&)> damage;
    std::string message;
  } cases[] = {
      {"missing", [&](const auto& layout) { std::filesystem::remove(layer_path(layout, app_)); },
       "is missing"},
      {"truncated",
       [&](const auto& layout) {
         std::filesystem::resize_file(layer_path(layout, app_), app_.blob.size() / 2);
       },
       "truncated zstd"},
      {"tampered",
       [&](const auto& layout) {
         std::string bytes = app_.blob;
         bytes[bytes.size() - 3] = static_cast<char>(bytes[bytes.size() - 3] ^ 1);
         testing::write_file(layer_path(layout, app_), bytes);
       },
       ""},
  };
  for (const auto& c : cases) {
    std::filesystem::remove_all(dir_.path() / "layout");
    const auto layout = two_layer_layout();
    c.damage(layout);
    auto image = open("oci:" + layout.dir().string(), options());
    ASSERT_TRUE(image.has_value()) << c.name << ": " << image.error().message;
    EXPECT_FALSE((*image)->complete()) << c.name;
    ASSERT_EQ((*image)->problems().size(), 1U) << c.name;
    const std::string& problem = (*image)->problems()[0];
    EXPECT_NE(problem.find(app_.digest), std::string::npos) << problem;
    EXPECT_NE(problem.find(c.message), std::string::npos) << problem;
    EXPECT_NE(problem.find("layer 2 left out"), std::string::npos) << problem;
    EXPECT_FALSE((*image)->info().layers[1].tree_layer.has_value());
    // The base layer is still there.
    EXPECT_EQ(*(*image)->tree().read("usr/bin/tool"), "#!/bin/sh\n");

    auto strict = options();
    strict.allow_partial = false;
    auto failed = open("oci:" + layout.dir().string(), strict);
    ASSERT_FALSE(failed.has_value()) << c.name;
    EXPECT_NE(failed.error().message.find(app_.digest), std::string::npos);
  }
}

TEST_F(ImageOpenTest, DiffIdMismatchIsCaught) {
  testing::OciLayout layout(dir_.path() / "layout");
  auto layer = testing::build_layer(kBase);
  layer.diff_id = "sha256:" + std::string(64, 'e');
  layout.write_index({layout.add_image({layer}, {"x"})});
  auto image = open("oci:" + layout.dir().string(), options());
  ASSERT_TRUE(image.has_value());
  EXPECT_FALSE((*image)->complete());
  EXPECT_NE((*image)->problems().at(0).find("diff_id is sha256:eeee"), std::string::npos)
      << (*image)->problems().at(0);
}

TEST_F(ImageOpenTest, UnresolvableImagesAreErrors) {
  const auto layout = two_layer_layout();
  const auto manifest_digest = [&] {
    std::ifstream in(layout.dir() / "index.json");
    const auto index = nlohmann::json::parse(in);
    return index["manifests"][0]["digest"].get<std::string>();
  }();
  const auto manifest_path = layout.dir() / "blobs" / "sha256" / manifest_digest.substr(7);
  std::ifstream in(manifest_path);
  const auto manifest = nlohmann::json::parse(in);
  const auto config_path =
      layout.dir() / "blobs" / "sha256" / manifest["config"]["digest"].get<std::string>().substr(7);

  std::filesystem::rename(config_path, dir_.path() / "config.bak");
  auto image = open("oci:" + layout.dir().string(), options());
  ASSERT_FALSE(image.has_value());
  EXPECT_EQ(image.error().code, ErrorCode::kNotFound);
  EXPECT_NE(image.error().message.find("image config"), std::string::npos) << image.error().message;
  std::filesystem::rename(dir_.path() / "config.bak", config_path);

  testing::write_file(manifest_path, manifest.dump() + " ");
  image = open("oci:" + layout.dir().string(), options());
  ASSERT_FALSE(image.has_value());
  EXPECT_EQ(image.error().code, ErrorCode::kParse);
  EXPECT_NE(image.error().message.find("digest mismatch"), std::string::npos);

  std::filesystem::remove(manifest_path);
  image = open("oci:" + layout.dir().string(), options());
  ASSERT_FALSE(image.has_value());
  EXPECT_NE(image.error().message.find(manifest_digest), std::string::npos)
      << image.error().message;

  image = open("oci:" + layout.dir().string() + ":nope", options());
  ASSERT_FALSE(image.has_value());
  EXPECT_NE(image.error().message.find("available: v1"), std::string::npos);

  image = open("oci:" + (dir_.path() / "absent").string(), options());
  ASSERT_FALSE(image.has_value());
  EXPECT_NE(image.error().message.find("oci-layout"), std::string::npos);
  expect_scratch_clean();
}

TEST_F(ImageOpenTest, HostileLayerContentIsConfined) {
  testing::OciLayout layout(dir_.path() / "layout");
  std::vector<testing::TarEntry> hostile = {
      testing::file("../../../../outside-1", "x"), testing::file("/outside-2", "x"),
      testing::symlink("etc/os-release", "../../../../../../etc/passwd"),
      testing::hardlink("var/lib/dpkg/status", "../../../etc/shadow"), testing::file("ok", "fine")};
  layout.write_index({layout.add_image({testing::build_layer(hostile)}, {"evil"})});
  auto image = open("oci:" + layout.dir().string(), options());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  EXPECT_FALSE((*image)->complete());
  EXPECT_EQ((*image)->problems().size(), 3U);
  // The symlink resolves inside the image, where there is no etc/passwd.
  EXPECT_EQ((*image)->tree().read("etc/os-release").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*(*image)->tree().read("ok"), "fine");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "outside-1"));
  EXPECT_FALSE(std::filesystem::exists("/outside-2"));
}

TEST_F(ImageOpenTest, HostileDockerArchiveMembersStayInside) {
  const std::string layer = testing::make_archive({testing::file("etc/os-release", "ID=x\n")});
  const std::string config =
      R"({"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[")" +
      sha256_digest(layer) + R"(",")" + sha256_digest("x") + R"("]}})";
  const std::string manifest =
      R"([{"Config":"../../config.json","Layers":["../../../l1/layer.tar","l2/layer.tar"]}])";
  const auto archive = dir_.write(
      "hostile.tar",
      testing::make_archive(
          {testing::file("manifest.json", manifest), testing::file("config.json", config),
           testing::file("l1/layer.tar", layer), testing::symlink("l2/layer.tar", "/etc/passwd"),
           testing::file("../../escape", "x")}));
  auto image = open("docker-archive:" + archive.string(), options());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  // "../../config.json" and "../../../l1/layer.tar" are clamped to the archive root; the
  // link to /etc/passwd points at a member that does not exist.
  EXPECT_EQ(*(*image)->tree().read("etc/os-release"), "ID=x\n");
  EXPECT_FALSE((*image)->complete());
  ASSERT_EQ((*image)->problems().size(), 1U);
  EXPECT_NE((*image)->problems()[0].find("is missing"), std::string::npos)
      << (*image)->problems()[0];
  EXPECT_FALSE(std::filesystem::exists(dir_.path().parent_path() / "escape"));
}

TEST_F(ImageOpenTest, LimitsStopBombsAndHugeFileCounts) {
  testing::OciLayout layout(dir_.path() / "layout");
  std::vector<testing::TarEntry> many;
  for (int idx = 0; idx < 3000; ++idx) {
    many.push_back(testing::file("d/f" + std::to_string(idx), ""));
  }
  const auto bomb = testing::build_layer({testing::file("zeros", std::string(16 << 20, '\0'))});
  const auto crowd = testing::build_layer(many);
  layout.write_index({layout.add_image({bomb, crowd}, {"bomb", "crowd"})});
  auto opts = options();
  opts.limits.ratio_floor = 1 << 20;
  opts.limits.max_ratio = 100;
  opts.limits.max_entries = 1000;
  auto image = open("oci:" + layout.dir().string(), opts);
  ASSERT_TRUE(image.has_value()) << image.error().message;
  ASSERT_EQ((*image)->problems().size(), 2U);
  EXPECT_NE((*image)->problems()[0].find("decompression bomb"), std::string::npos);
  EXPECT_NE((*image)->problems()[1].find("more than 1000 entries"), std::string::npos);
  EXPECT_EQ((*image)->tree().entry_count(), 0U);
}

TEST(ImageTargetTest, ParsesTargets) {
  testing::TempDir dir;
  const auto file = dir.write("img.tar", "x");
  const struct {
    std::string text;
    ImageTarget::Kind kind;
    std::string location;
    std::string reference;
  } cases[] = {
      {"oci:" + dir.path().string(), ImageTarget::Kind::kOciLayout, dir.path().string(), ""},
      {"oci:" + dir.path().string() + ":v1", ImageTarget::Kind::kOciLayout, dir.path().string(),
       "v1"},
      {"oci-archive:" + file.string(), ImageTarget::Kind::kOciArchive, file.string(), ""},
      {"docker-archive:" + file.string() + ":repo/app:1", ImageTarget::Kind::kDockerArchive,
       file.string(), "repo/app:1"},
      {"registry:localhost:5000/app:1", ImageTarget::Kind::kRegistry, "localhost:5000/app:1", ""},
  };
  for (const auto& c : cases) {
    auto got = parse_image_target(c.text);
    ASSERT_TRUE(got.has_value()) << c.text;
    EXPECT_EQ(got->kind, c.kind) << c.text;
    EXPECT_EQ(got->location, c.location) << c.text;
    EXPECT_EQ(got->reference, c.reference) << c.text;
  }
  for (const char* bad : {"", "docker://x", "oci:", "/some/dir"}) {
    EXPECT_FALSE(parse_image_target(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace vigil::sources
