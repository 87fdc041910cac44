// Images built by the real tools: umoci (OCI layouts, whiteouts from a deleted file), skopeo
// (docker-archive, pushes) and the CNCF Distribution registry (Debian's docker-registry, started
// on a random local port, anonymous and with htpasswd basic auth), scanned end to end. Skips
// when a tool is missing, unless VIGIL_REQUIRE_REFERENCE=1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "service/surface_scan.hpp"
#include "sources/digest.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace vigil::service {
namespace {

using testing::run_command;

std::string dpkg(const std::vector<std::pair<std::string, std::string>>& packages) {
  std::string out;
  for (const auto& [name, version] : packages) {
    out += "Package: " + name +
           "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + version + "\n\n";
  }
  return out;
}

void put(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

bool run(const std::string& command) { return run_command(command + " >/dev/null").has_value(); }

std::string quote(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_open(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A docker-registry process on 127.0.0.1:<random port>, storing in `dir`, stopped (by its pid)
// when the object goes away.
class Registry {
 public:
  Registry(const std::filesystem::path& dir, const std::string& htpasswd) : port_(free_port()) {
    std::string config =
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        "    rootdirectory: " +
        (dir / "storage").string() + "\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n";
    if (!htpasswd.empty()) {
      put(dir / "htpasswd", htpasswd);
      config +=
          "auth:\n  htpasswd:\n    realm: vigil-test\n    path: " + (dir / "htpasswd").string() +
          "\n";
    }
    put(dir / "config.yml", config);
    const std::string log = (dir / "registry.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string program = "docker-registry";
    std::string serve = "serve";
    std::string path = (dir / "config.yml").string();
    char* argv[] = {program.data(), serve.data(), path.data(), nullptr};
    if (posix_spawnp(&pid_, "docker-registry", &actions, nullptr, argv, environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    for (int attempt = 0; attempt < 100 && pid_ > 0 && !port_open(port_); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  bool ready() const { return pid_ > 0 && port_open(port_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

class SurfaceReferenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* tool : {"umoci", "skopeo", "docker-registry"}) {
      if (!testing::have_program(tool)) {
        missing_ = tool;
        return;
      }
    }
    dir_ = new testing::TempDir();
    layout_ = dir_->path() / "layout";
    const auto bundle = dir_->path() / "bundle";
    const auto app = dir_->path() / "app-bundle";
    const std::string l = quote(layout_);
    built_ = run("umoci init --layout " + l) && run("umoci new --image " + l + ":base") &&
             run("umoci unpack --rootless --image " + l + ":base " + quote(bundle));
    if (!built_) {
      return;
    }
    const auto root = bundle / "rootfs";
    put(root / "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n");
    put(root / "var/lib/dpkg/status",
        dpkg({{"base-files", "12.4+deb12u5"}, {"curl", "7.88.1-10+deb12u3"}}));
    put(root / "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n");
    put(root / "usr/share/tool/data", "to be deleted");
    built_ = run("umoci repack --history.created_by 'ADD debian-rootfs /' --image " + l + ":base " +
                 quote(bundle)) &&
             run("umoci unpack --rootless --image " + l + ":base " + quote(app));
    if (!built_) {
      return;
    }
    const auto app_root = app / "rootfs";
    std::filesystem::remove_all(app_root / "usr/share/tool");
    put(app_root / "var/lib/dpkg/status",
        dpkg({{"base-files", "12.4+deb12u5"}, {"curl", "7.88.1-10+deb12u3"}, {"jq", "1.6-2.1"}}));
    put(app_root / "usr/lib/python3/dist-packages/flask-3.0.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: flask\nVersion: 3.0.0\n");
    built_ = run("umoci repack --history.created_by 'RUN apt-get install -y jq' --image " + l +
                 ":app " + quote(app));
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!missing_.empty()) {
      if (testing::reference_required()) {
        FAIL() << missing_ << " is required (VIGIL_REQUIRE_REFERENCE=1)";
      }
      GTEST_SKIP() << missing_ << " is not installed";
    }
    ASSERT_TRUE(built_) << "umoci could not build the test image";
  }

  Result<ImageScan> scan(const std::string& target, sources::ImageOptions options = {}) {
    options.scratch_parent = dir_->path();
    options.cache_dir = dir_->path() / "cache";
    return scan_image(*sources::parse_image_target(target), options, catalogers_);
  }

  // Checks the app image's packages and which history line introduced each.
  static void expect_app_inventory(const ImageScan& scan) {
    EXPECT_TRUE(scan.inventory.complete);
    EXPECT_EQ(scan.inventory.os.id, "debian");
    const std::map<std::string, std::string> want = {{"base-files", "ADD debian-rootfs /"},
                                                     {"curl", "ADD debian-rootfs /"},
                                                     {"requests", "ADD debian-rootfs /"},
                                                     {"jq", "RUN apt-get install -y jq"},
                                                     {"flask", "RUN apt-get install -y jq"}};
    std::map<std::string, std::string> got;
    for (const auto& package : scan.inventory.packages) {
      const auto* layer = find_layer(scan.image, package.layer_digest);
      got[package.name] = layer != nullptr ? layer->created_by : "(no layer)";
    }
    EXPECT_EQ(got, want);
  }

  inline static std::string missing_;
  inline static bool built_ = false;
  inline static testing::TempDir* dir_ = nullptr;
  inline static std::filesystem::path layout_;
  Catalogers catalogers_ = inventory::default_catalogers();
};

TEST_F(SurfaceReferenceTest, OciLayoutFromUmoci) {
  auto scan_result = scan("oci:" + layout_.string() + ":app");
  ASSERT_TRUE(scan_result.has_value()) << scan_result.error().message;
  expect_app_inventory(*scan_result);
  ASSERT_EQ(scan_result->image.layers.size(), 2U);

  // The deleted file is a whiteout in the second layer.
  sources::ImageOptions options;
  options.scratch_parent = dir_->path();
  auto image = sources::open_image(*sources::parse_image_target("oci:" + layout_.string() + ":app"),
                                   options);
  ASSERT_TRUE(image.has_value());
  EXPECT_FALSE((*image)->tree().stat("usr/share/tool/data")->has_value());
  EXPECT_EQ((*image)->tree().layers_touching("usr/share/tool/data"), (std::vector<size_t>{0, 1}));
}

TEST_F(SurfaceReferenceTest, DockerArchiveFromSkopeo) {
  const auto archive = dir_->path() / "app-docker.tar";
  std::filesystem::remove(archive);
  ASSERT_TRUE(run("skopeo copy oci:" + quote(layout_) + ":app docker-archive:" + quote(archive) +
                  ":team/app:1"));
  // skopeo records the tag fully qualified; the short form selects it too.
  auto scan_result = scan("docker-archive:" + archive.string() + ":team/app:1");
  ASSERT_TRUE(scan_result.has_value()) << scan_result.error().message;
  expect_app_inventory(*scan_result);
  EXPECT_EQ(scan_result->image.repo_tags, std::vector<std::string>{"docker.io/team/app:1"});
}

TEST_F(SurfaceReferenceTest, PullFromALocalRegistry) {
  Registry registry(dir_->path() / "registry-anon", "");
  ASSERT_TRUE(registry.ready()) << "docker-registry did not start";
  ASSERT_TRUE(run("skopeo copy --dest-tls-verify=false oci:" + quote(layout_) + ":app docker://" +
                  registry.address() + "/team/app:1"));
  sources::ImageOptions options;
  options.insecure = true;
  auto scan_result = scan("registry:" + registry.address() + "/team/app:1", options);
  ASSERT_TRUE(scan_result.has_value()) << scan_result.error().message;
  expect_app_inventory(*scan_result);
  // The same image by digest.
  auto by_digest =
      scan("registry:" + registry.address() + "/team/app@" + scan_result->image.manifest_digest,
           options);
  ASSERT_TRUE(by_digest.has_value()) << by_digest.error().message;
  EXPECT_EQ(by_digest->inventory.packages, scan_result->inventory.packages);
  auto missing = scan("registry:" + registry.address() + "/team/app:nope", options);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(SurfaceReferenceTest, PullWithBasicAuth) {
  const auto hash = run_command(
      "/usr/bin/python3 -W ignore -c \"import crypt; print(crypt.crypt('s3cret', "
      "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))\"");
  ASSERT_TRUE(hash.has_value());
  Registry registry(dir_->path() / "registry-auth", "vigil:" + *hash);
  ASSERT_TRUE(registry.ready()) << "docker-registry did not start";
  ASSERT_TRUE(run("skopeo copy --dest-tls-verify=false --dest-creds vigil:s3cret oci:" +
                  quote(layout_) + ":app docker://" + registry.address() + "/team/app:1"));
  sources::ImageOptions options;
  options.insecure = true;
  auto denied = scan("registry:" + registry.address() + "/team/app:1", options);
  ASSERT_FALSE(denied.has_value());
  EXPECT_NE(denied.error().message.find("requires credentials"), std::string::npos)
      << denied.error().message;
  options.credentials = sources::RegistryCredentials{"vigil", "s3cret"};
  auto scan_result = scan("registry:" + registry.address() + "/team/app:1", options);
  ASSERT_TRUE(scan_result.has_value()) << scan_result.error().message;
  expect_app_inventory(*scan_result);
}

TEST_F(SurfaceReferenceTest, MultiPlatformIndex) {
  // Two single-platform images by umoci, joined in an OCI index written here.
  const auto dir = dir_->path() / "multi";
  const std::string l = quote(dir / "layout");
  ASSERT_TRUE(run("umoci init --layout " + l));
  for (const std::string_view arch_name : {"amd64", "arm64"}) {
    const std::string arch(arch_name);
    const auto bundle = dir / ("bundle-" + arch);
    ASSERT_TRUE(run("umoci new --image " + l + ":" + arch) &&
                run("umoci config --architecture " + arch + " --image " + l + ":" + arch) &&
                run("umoci unpack --rootless --image " + l + ":" + arch + " " + quote(bundle)));
    put(bundle / "rootfs/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    put(bundle / "rootfs/var/lib/dpkg/status", dpkg({{"only-on-" + arch, "1.0"}}));
    ASSERT_TRUE(run("umoci repack --image " + l + ":" + arch + " " + quote(bundle)));
  }
  std::ifstream in(dir / "layout/index.json");
  auto index = nlohmann::json::parse(in);
  nlohmann::json multi = {{"schemaVersion", 2},
                          {"mediaType", "application/vnd.oci.image.index.v1+json"},
                          {"manifests", nlohmann::json::array()}};
  for (auto manifest : index["manifests"]) {
    const std::string arch = manifest["annotations"]["org.opencontainers.image.ref.name"];
    manifest.erase("annotations");
    manifest["platform"] = {{"os", "linux"}, {"architecture", arch}};
    multi["manifests"].push_back(manifest);
  }
  const std::string bytes = multi.dump();
  const std::string digest = sources::sha256_digest(bytes);
  put(dir / "layout/blobs/sha256" / digest.substr(7), bytes);
  index["manifests"].push_back({{"mediaType", "application/vnd.oci.image.index.v1+json"},
                                {"digest", digest},
                                {"size", bytes.size()},
                                {"annotations", {{"org.opencontainers.image.ref.name", "multi"}}}});
  put(dir / "layout/index.json", index.dump());

  Registry registry(dir / "registry", "");
  ASSERT_TRUE(registry.ready());
  ASSERT_TRUE(run("skopeo copy --all --dest-tls-verify=false oci:" + l + ":multi docker://" +
                  registry.address() + "/team/multi:1"));
  for (const std::string_view arch_name : {"amd64", "arm64"}) {
    const std::string arch(arch_name);
    sources::ImageOptions options;
    options.platform = sources::Platform{"linux", arch, ""};
    options.insecure = true;
    for (const std::string& target : {"oci:" + (dir / "layout").string() + ":multi",
                                      "registry:" + registry.address() + "/team/multi:1"}) {
      auto scan_result = scan(target, options);
      ASSERT_TRUE(scan_result.has_value()) << target << ": " << scan_result.error().message;
      ASSERT_EQ(scan_result->inventory.packages.size(), 1U) << target;
      EXPECT_EQ(scan_result->inventory.packages[0].name, "only-on-" + arch) << target;
      EXPECT_EQ(scan_result->image.platform.architecture, arch);
    }
  }
}

}  // namespace
}  // namespace vigil::service
