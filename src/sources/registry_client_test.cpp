// The registry client against an in-memory fake registry: references, the WWW-Authenticate
// dance (bearer tokens, basic), error reporting, and a whole pull through open_image.
#include "sources/registry_client.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "sources/digest.hpp"
#include "sources/image.hpp"
#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

// Serves /v2/<repo>/manifests/<ref> and /v2/<repo>/blobs/<digest> from maps.
class FakeRegistry final : public HttpTransport {
 public:
  enum class Auth { kNone, kBasic, kBearer };

  Result<HttpResponse> get(const HttpRequest& request) override {
    log.push_back(request);
    HttpResponse response;
    const std::string auth = header(request, "Authorization");
    if (request.url.starts_with("https://auth.example/token")) {
      if (!credentials.empty() && auth != "Basic " + credentials) {
        response.status = 401;
        return response;
      }
      response.status = 200;
      response.body = R"({"token":"T0k3n","expires_in":300})";
      return response;
    }
    if (auth_mode == Auth::kBearer && auth != "Bearer T0k3n") {
      response.status = 401;
      response.headers["www-authenticate"] =
          R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:team/app:pull")";
      response.body = R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})";
      return response;
    }
    if (auth_mode == Auth::kBasic && auth != "Basic " + credentials) {
      response.status = 401;
      response.headers["www-authenticate"] = R"(Basic realm="Registry Realm")";
      return response;
    }
    const std::string prefix = base + "/v2/team/app/";
    if (!request.url.starts_with(prefix)) {
      response.status = 404;
      return response;
    }
    const std::string rest = request.url.substr(prefix.size());
    const auto& table = rest.starts_with("manifests/") ? manifests : blobs;
    const auto found = table.find(rest.substr(rest.find('/') + 1));
    if (found == table.end()) {
      response.status = 404;
      response.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})";
      return response;
    }
    response.status = 200;
    if (rest.starts_with("manifests/")) {
      response.headers["content-type"] = "application/vnd.oci.image.index.v1+json";
    }
    if (request.sink) {
      for (size_t at = 0; at < found->second.size(); at += 1000) {
        VIGIL_TRY(request.sink(std::string_view(found->second).substr(at, 1000)));
      }
    } else {
      response.body = found->second;
    }
    return response;
  }

  static std::string header(const HttpRequest& request, std::string_view name) {
    for (const auto& line : request.headers) {
      if (line.starts_with(name) && line.size() > name.size() + 2 && line[name.size()] == ':') {
        return line.substr(name.size() + 2);
      }
    }
    return {};
  }

  // Serves every blob of an OCI layout, and its index.json's first manifest as `tag`.
  void serve_layout(const std::filesystem::path& dir, const std::string& tag) {
    for (const auto& entry : std::filesystem::directory_iterator(dir / "blobs" / "sha256")) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes(std::istreambuf_iterator<char>(in), {});
      blobs["sha256:" + entry.path().filename().string()] = bytes;
      manifests["sha256:" + entry.path().filename().string()] = bytes;
    }
    std::ifstream in(dir / "index.json");
    const auto index = nlohmann::json::parse(in);
    manifests[tag] = blobs.at(index["manifests"][0]["digest"].get<std::string>());
  }

  std::string base = "https://registry.example";
  Auth auth_mode = Auth::kNone;
  std::string credentials;  // base64 of user:password
  std::map<std::string, std::string> manifests;
  std::map<std::string, std::string> blobs;
  std::vector<HttpRequest> log;
};

TEST(RegistryReferenceTest, Table) {
  const struct {
    std::string text;
    std::string host;
    std::string repository;
    std::string tag;
    std::string digest;
  } cases[] = {
      {"localhost:5000/app", "localhost:5000", "app", "latest", ""},
      {"localhost:5000/team/app:1.2", "localhost:5000", "team/app", "1.2", ""},
      {"docker.io/alpine:3.19", "registry-1.docker.io", "library/alpine", "3.19", ""},
      {"ghcr.io/o/r@sha256:" + std::string(64, 'a'), "ghcr.io", "o/r", "",
       "sha256:" + std::string(64, 'a')},
  };
  for (const auto& c : cases) {
    auto got = parse_registry_reference(c.text);
    ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error().message;
    EXPECT_EQ(got->host, c.host);
    EXPECT_EQ(got->repository, c.repository);
    EXPECT_EQ(got->tag, c.tag);
    EXPECT_EQ(got->digest, c.digest);
  }
  for (const char* bad : {"alpine", "host/Upper", "host/app:bad tag", "host/app@sha256:12",
                          "host//app", "ho st/app", "/app"}) {
    EXPECT_FALSE(parse_registry_reference(bad).has_value()) << bad;
  }
}

TEST(AuthChallengeTest, ParsesParameters) {
  auto got = parse_auth_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->scheme, "bearer");
  EXPECT_EQ(got->params["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(got->params["scope"], "repository:library/alpine:pull");
  got = parse_auth_challenge(R"(Basic realm="a \"quoted\" realm", charset=UTF-8)");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->params["realm"], "a \"quoted\" realm");
  EXPECT_EQ(got->params["charset"], "UTF-8");
  EXPECT_FALSE(parse_auth_challenge(R"(Bearer realm="unterminated)").has_value());
  EXPECT_FALSE(parse_auth_challenge("").has_value());
}

TEST(RegistryClientTest, BearerTokenDance) {
  FakeRegistry registry;
  registry.auth_mode = FakeRegistry::Auth::kBearer;
  registry.manifests["v1"] = R"({"schemaVersion":2})";
  registry.credentials = "dTpw";  // base64("u:p")
  RegistryClient client(registry, *parse_registry_reference("registry.example/team/app:v1"),
                        RegistryCredentials{"u", "p"}, false);
  auto manifest = client.manifest("v1");
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_EQ(manifest->digest, sha256_digest(R"({"schemaVersion":2})"));
  ASSERT_EQ(registry.log.size(), 3U);
  EXPECT_EQ(
      registry.log[1].url,
      "https://auth.example/token?service=registry.example&scope=repository%3Ateam%2Fapp%3Apull");
  EXPECT_EQ(FakeRegistry::header(registry.log[1], "Authorization"), "Basic dTpw");
  EXPECT_EQ(FakeRegistry::header(registry.log[2], "Authorization"), "Bearer T0k3n");
  EXPECT_NE(FakeRegistry::header(registry.log[2], "Accept").find(kOciIndexType), std::string::npos);
  // The token is reused.
  ASSERT_TRUE(client.manifest("v1").has_value());
  EXPECT_EQ(registry.log.size(), 4U);
}

TEST(RegistryClientTest, BasicAuthAndMissingCredentials) {
  FakeRegistry registry;
  registry.auth_mode = FakeRegistry::Auth::kBasic;
  registry.credentials = "dTpw";
  registry.manifests["v1"] = "{}";
  const auto reference = *parse_registry_reference("registry.example/team/app:v1");
  RegistryClient with(registry, reference, RegistryCredentials{"u", "p"}, false);
  EXPECT_TRUE(with.manifest("v1").has_value());
  RegistryClient without(registry, reference, std::nullopt, false);
  auto denied = without.manifest("v1");
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(denied.error().message.find("requires credentials"), std::string::npos);
  RegistryClient wrong(registry, reference, RegistryCredentials{"u", "nope"}, false);
  denied = wrong.manifest("v1");
  ASSERT_FALSE(denied.has_value());
  EXPECT_NE(denied.error().message.find("access denied (HTTP 401)"), std::string::npos)
      << denied.error().message;
}

TEST(RegistryClientTest, ErrorsNameWhatFailed) {
  FakeRegistry registry;
  registry.base = "http://registry.example";
  registry.blobs["sha256:" + std::string(64, 'a')] = "not what the digest says";
  RegistryClient client(registry, *parse_registry_reference("registry.example/team/app:v1"),
                        std::nullopt, true);
  auto missing = client.manifest("v1");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("MANIFEST_UNKNOWN manifest unknown"), std::string::npos)
      << missing.error().message;
  auto bad = client.blob("sha256:" + std::string(64, 'a'), 1000);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("digest mismatch"), std::string::npos);
  testing::TempDir dir;
  auto download = client.download("sha256:" + std::string(64, 'a'), dir.path() / "blob", 1000);
  ASSERT_FALSE(download.has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "blob"));
  registry.manifests["sha256:" + std::string(64, 'b')] = "{}";
  auto by_digest = client.manifest("sha256:" + std::string(64, 'b'));
  ASSERT_FALSE(by_digest.has_value());
  EXPECT_EQ(by_digest.error().code, ErrorCode::kParse);
}

TEST(RegistryClientTest, PullsAMultiPlatformImage) {
  testing::TempDir dir;
  testing::OciLayout layout(dir.path() / "layout");
  const auto amd = testing::build_layer({testing::file("etc/arch", "amd64")});
  const auto arm = testing::build_layer({testing::file("etc/arch", "arm64")});
  const auto shared = testing::build_layer({testing::file("etc/os-release", "ID=alpine\n")});
  layout.write_index(
      {layout.add_index({layout.add_image({shared, amd}, {"a", "b"}, "linux", "amd64"),
                         layout.add_image({shared, arm}, {"a", "c"}, "linux", "arm64")})});
  FakeRegistry registry;
  registry.auth_mode = FakeRegistry::Auth::kBearer;
  registry.serve_layout(layout.dir(), "v1");
  ImageOptions options;
  options.transport = &registry;
  options.wanted = [](std::string_view) { return true; };
  options.cache_dir = dir.path() / "cache";
  options.platform = *parse_platform("linux/arm64");
  auto image = open_image(*parse_image_target("registry:registry.example/team/app:v1"), options);
  ASSERT_TRUE(image.has_value()) << image.error().message;
  EXPECT_EQ(*(*image)->tree().read("etc/arch"), "arm64");
  EXPECT_EQ((*image)->info().layers.at(1).created_by, "c");
  EXPECT_EQ((*image)->stats().layers_indexed, 2U);

  // The other platform shares a layer: only the new one is downloaded.
  registry.log.clear();
  options.platform = *parse_platform("linux/amd64");
  image = open_image(*parse_image_target("registry:registry.example/team/app:v1"), options);
  ASSERT_TRUE(image.has_value()) << image.error().message;
  EXPECT_EQ(*(*image)->tree().read("etc/arch"), "amd64");
  EXPECT_EQ((*image)->stats().layers_cached, 1U);
  size_t blob_fetches = 0;
  for (const auto& request : registry.log) {
    blob_fetches += request.url.find("/blobs/") != std::string::npos ? 1U : 0U;
  }
  EXPECT_EQ(blob_fetches, 2U);  // the config and the one new layer

  // A registry serving the wrong bytes for a layer leaves it out.
  registry.blobs[amd.digest] = amd.blob + "x";
  std::filesystem::remove_all(dir.path() / "cache");
  image = open_image(*parse_image_target("registry:registry.example/team/app:v1"), options);
  ASSERT_TRUE(image.has_value());
  EXPECT_FALSE((*image)->complete());
  EXPECT_NE((*image)->problems().at(0).find("digest mismatch"), std::string::npos)
      << (*image)->problems().at(0);
}

}  // namespace
}  // namespace vigil::sources
