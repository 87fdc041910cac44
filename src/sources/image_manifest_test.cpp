// Image JSON documents: OCI and Docker media types, schema 1, malformed input, platforms and
// the history-to-layer mapping.
#include "sources/image_manifest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vigil::sources {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

std::string descriptor(const std::string& digest, const std::string& extra = "") {
  return R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + digest +
         R"(","size":12)" + extra + "}";
}

TEST(ImageManifestTest, ParsesOciAndDockerManifests) {
  for (const std::string_view type : {kOciManifestType, kDockerManifestType}) {
    const std::string json = R"({"schemaVersion":2,"mediaType":")" + std::string(type) +
                             R"(","config":)" + descriptor(kDigestA) + R"(,"layers":[)" +
                             descriptor(kDigestB) + "," + descriptor(kDigestA) + "]}";
    auto got = parse_manifest_document(json);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    const auto& manifest = std::get<ImageManifest>(*got);
    EXPECT_EQ(manifest.config.digest, kDigestA);
    ASSERT_EQ(manifest.layers.size(), 2U);
    EXPECT_EQ(manifest.layers[0].digest, kDigestB);
    EXPECT_EQ(manifest.layers[0].size, 12U);
  }
}

TEST(ImageManifestTest, ParsesIndexesAndListsWithPlatforms) {
  const std::string json =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[)" +
      descriptor(kDigestA, R"(,"platform":{"os":"linux","architecture":"arm64","variant":"v8"})") +
      "," + descriptor(kDigestB, R"(,"platform":{"os":"linux","architecture":"amd64"})") + "]}";
  auto got = parse_manifest_document(json);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  const auto& index = std::get<ImageIndex>(*got);
  ASSERT_EQ(index.manifests.size(), 2U);

  const struct {
    std::string platform;
    std::string want;  // digest, or "" when none matches
  } cases[] = {
      {"linux/amd64", kDigestB}, {"linux/arm64", kDigestA}, {"linux/arm64/v8", kDigestA},
      {"linux/arm/v7", ""},      {"windows/amd64", ""},
  };
  for (const auto& c : cases) {
    auto chosen = select_platform(index, *parse_platform(c.platform));
    if (c.want.empty()) {
      ASSERT_FALSE(chosen.has_value()) << c.platform;
      EXPECT_EQ(chosen.error().code, ErrorCode::kNotFound);
      EXPECT_NE(chosen.error().message.find("linux/arm64/v8, linux/amd64"), std::string::npos)
          << chosen.error().message;
    } else {
      ASSERT_TRUE(chosen.has_value()) << c.platform;
      EXPECT_EQ(chosen->digest, c.want) << c.platform;
    }
  }
}

TEST(ImageManifestTest, RejectsBadDocuments) {
  const struct {
    std::string json;
    ErrorCode code;
    std::string message;
  } cases[] = {
      {R"({"schemaVersion":1,"fsLayers":[]})", ErrorCode::kUnsupported, "schema 1"},
      {"not json", ErrorCode::kParse, "not valid JSON"},
      {R"("just a string")", ErrorCode::kParse, "expected a JSON object"},
      {R"({"schemaVersion":2,"layers":[]})", ErrorCode::kParse, "no 'config'"},
      {R"({"schemaVersion":2,"config":{"digest":"sha256:xyz"}})", ErrorCode::kParse,
       "manifest config"},
      {R"({"schemaVersion":2,"config":)" + descriptor(kDigestA) + R"(,"layers":{}})",
       ErrorCode::kParse, "'layers' is not an array"},
      {R"({"schemaVersion":2,"config":)" + descriptor(kDigestA) + R"(,"layers":[{"digest":5}]})",
       ErrorCode::kParse, "'digest' is not a string"},
      {R"({"schemaVersion":2,"config":{"digest":")" + kDigestA + R"(","size":-1}})",
       ErrorCode::kParse, "'size'"},
      {R"({"mediaType":"application/vnd.example.thing","config":)" + descriptor(kDigestA) + "}",
       ErrorCode::kUnsupported, "not an image manifest"},
      {std::string(100, '[') + std::string(100, ']'), ErrorCode::kParse, "nested deeper"},
      {R"({"schemaVersion":"2"})", ErrorCode::kParse, "schemaVersion"},
  };
  for (const auto& c : cases) {
    auto got = parse_manifest_document(c.json);
    ASSERT_FALSE(got.has_value()) << c.json;
    EXPECT_EQ(got.error().code, c.code) << c.json << ": " << got.error().message;
    EXPECT_NE(got.error().message.find(c.message), std::string::npos) << got.error().message;
  }
}

TEST(ImageManifestTest, ConfigAndHistory) {
  const std::string json = R"({"architecture":"arm64","os":"linux","variant":"v8",
    "rootfs":{"type":"layers","diff_ids":[")" +
                           kDigestA + R"(",")" + kDigestB + R"("]},
    "history":[{"created_by":"ADD file:abc in /"},{"created_by":"ENV A=1","empty_layer":true},
               {"created_by":"RUN apt-get install -y curl"}]})";
  auto config = parse_image_config(json);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->platform.to_string(), "linux/arm64/v8");
  EXPECT_EQ(config->diff_ids, (std::vector<std::string>{kDigestA, kDigestB}));
  EXPECT_EQ(layer_history(*config, 2),
            (std::vector<std::string>{"ADD file:abc in /", "RUN apt-get install -y curl"}));
  EXPECT_EQ(layer_history(*config, 3).back(), "");  // a short history leaves blanks

  EXPECT_FALSE(parse_image_config(R"({"rootfs":{"diff_ids":["md5:x"]}})").has_value());
  EXPECT_FALSE(parse_image_config(R"({"history":[{"empty_layer":"yes"}]})").has_value());
  EXPECT_FALSE(parse_image_config(R"({"rootfs":[]})").has_value());
}

TEST(ImageManifestTest, DockerArchiveManifest) {
  auto got = parse_docker_archive_manifest(
      R"([{"Config":"abc.json","RepoTags":["app:1"],"Layers":["l1/layer.tar","l2/layer.tar"]}])");
  ASSERT_TRUE(got.has_value()) << got.error().message;
  ASSERT_EQ(got->size(), 1U);
  EXPECT_EQ(got->at(0).config, "abc.json");
  EXPECT_EQ(got->at(0).repo_tags, std::vector<std::string>{"app:1"});
  EXPECT_EQ(got->at(0).layers.size(), 2U);
  EXPECT_FALSE(parse_docker_archive_manifest(R"([{"RepoTags":[]}])").has_value());
  EXPECT_FALSE(parse_docker_archive_manifest(R"({"Config":"x"})").has_value());
  EXPECT_FALSE(parse_docker_archive_manifest(R"([{"Config":"x","Layers":[1]}])").has_value());
}

TEST(ImageManifestTest, ParsePlatform) {
  EXPECT_EQ(*parse_platform("linux/arm/v7"), (Platform{"linux", "arm", "v7"}));
  for (const char* bad : {"linux", "linux/", "/amd64", "linux/arm/v7/x", "linux/arm/"}) {
    EXPECT_FALSE(parse_platform(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace vigil::sources
