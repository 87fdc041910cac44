// Images: images/<repo>/<tag>/ as OCI image layouts sharing a handful of base layers (Alpine 3.11
// with an apk installed db, Debian 12 and Ubuntu 22.04 with a dpkg status; each in an older and
// a patched build), shared language-runtime layers and one application layer per image; plus
// repositories.json with each repository's scan frequency.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "simulate/internal/packages.hpp"
#include "simulate/internal/plan.hpp"
#include "simulate/oci_writer.hpp"

namespace vigil::simulate::internal {
namespace {

using nlohmann::ordered_json;

enum class Base { kAlpine, kDebian, kUbuntu };
enum class App { kPython, kNode, kJava };

constexpr std::array<std::string_view, 14> kServices = {
    "api",       "web",    "worker",  "auth-service", "gateway", "scheduler", "billing",
    "notifier",  "search", "ingest",  "reports",      "admin",   "catalog",   "ledger"};
constexpr std::array<std::string_view, 6> kTeams = {"payments", "identity", "search",
                                                    "checkout", "platform", "data"};

// Packages of the Ubuntu table that the ubuntu:22.04 image carries (its table holds a server).
const std::set<std::string>& ubuntu_image_names() {
  static const std::set<std::string> names = {
      "apt", "base-files", "base-passwd", "bash", "bsdutils", "coreutils", "dash", "debconf",
      "debianutils", "diffutils", "dpkg", "e2fsprogs", "findutils", "gcc-12-base", "gpgv", "grep",
      "gzip", "hostname", "init-system-helpers", "libacl1", "libapt-pkg6.0", "libattr1",
      "libaudit-common", "libaudit1", "libblkid1", "libbz2-1.0", "libc-bin", "libc6",
      "libcap-ng0", "libcap2", "libcom-err2", "libcrypt1", "libdb5.3", "libdebconfclient0",
      "libext2fs2", "libffi8", "libgcc-s1", "libgcrypt20", "libgmp10", "libgnutls30",
      "libgpg-error0", "libgssapi-krb5-2", "libhogweed6", "libidn2-0", "libk5crypto3",
      "libkeyutils1", "libkrb5-3", "libkrb5support0", "liblz4-1", "liblzma5", "libmount1",
      "libncurses6", "libncursesw6", "libnettle8", "libnsl2", "libp11-kit0", "libpam-modules",
      "libpam-modules-bin", "libpam-runtime", "libpam0g", "libpcre2-8-0", "libpcre3",
      "libprocps8", "libseccomp2", "libselinux1", "libsemanage-common", "libsemanage2",
      "libsepol2", "libsmartcols1", "libss2", "libssl3", "libstdc++6", "libsystemd0",
      "libtasn1-6", "libtinfo6", "libtirpc-common", "libtirpc3", "libudev1", "libunistring2",
      "libuuid1", "libxxhash0", "libzstd1", "login", "logsave", "lsb-base", "mawk", "mount",
      "ncurses-base", "ncurses-bin", "passwd", "perl-base", "procps", "sed", "sensible-utils",
      "sysvinit-utils", "tar", "ubuntu-keyring", "usrmerge", "util-linux", "zlib1g"};
  return names;
}

std::string os_release(Base base) {
  switch (base) {
    case Base::kAlpine:
      return "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.11.6\nPRETTY_NAME=\"Alpine Linux v3.11\"\n"
             "HOME_URL=\"https://alpinelinux.org/\"\n";
    case Base::kDebian:
      return "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
             "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    case Base::kUbuntu:
      return "PRETTY_NAME=\"Ubuntu 22.04.5 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n"
             "VERSION=\"22.04.5 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\n"
             "ID_LIKE=debian\nUBUNTU_CODENAME=jammy\n";
  }
  return {};
}

// The base layer of `base`, `patched` or an older build whose packages are at their vulnerable
// versions where the table lists one.
Result<OciLayer> base_layer(Base base, bool patched) {
  std::vector<ArchiveEntry> entries = {{"etc/", ""}, {"etc/os-release", os_release(base)}};
  std::string database;
  if (base == Base::kAlpine) {
    for (const auto& spec : package_group(TableId::kAlpine311, "base")) {
      database += apk_record(spec, patched || spec.old_version.empty() ? spec.version : spec.old_version);
    }
    entries.push_back({"etc/alpine-release", "3.11.6\n"});
    entries.push_back({"lib/apk/db/installed", database});
  } else {
    const TableId table = base == Base::kDebian ? TableId::kDebian12 : TableId::kUbuntu2204;
    for (const auto& spec : package_group(table, "base")) {
      if (base == Base::kUbuntu && ubuntu_image_names().count(spec.name) == 0) {
        continue;
      }
      database += dpkg_stanza(spec, patched || spec.old_version.empty() ? spec.version : spec.old_version);
    }
    entries.push_back({"etc/debian_version", base == Base::kDebian ? "12.8\n" : "bookworm/sid\n"});
    entries.push_back({"var/lib/dpkg/status", database});
  }
  const char* name = base == Base::kAlpine ? "alpine-minirootfs-3.11.6-x86_64.tar.gz"
                     : base == Base::kDebian ? "rootfs.tar.xz (debian:bookworm-slim)"
                                             : "ubuntu-jammy-oci-amd64-root.tar.gz";
  return make_oci_layer(entries, fmt::format("/bin/sh -c #(nop) ADD file:{} in / ", name));
}

Result<OciLayer> runtime_layer(App app) {
  std::vector<ArchiveEntry> entries;
  std::string created_by;
  if (app == App::kPython) {
    for (const auto& [name, version] : std::vector<std::pair<std::string, std::string>>{
             {"pip", "24.0"}, {"setuptools", "65.5.1"}, {"wheel", "0.43.0"}}) {
      add_python_dist(entries, "usr/local/lib/python3.11/site-packages", name, version);
    }
    created_by = "/bin/sh -c set -eux; python3 -m ensurepip --default-pip  # python 3.11.9";
  } else if (app == App::kNode) {
    add_node_module(entries, "usr/local/lib/node_modules", "npm", "10.5.0");
    add_node_module(entries, "usr/local/lib/node_modules", "corepack", "0.25.2");
    created_by = "/bin/sh -c set -ex && install node 18.20.2";
  } else {
    entries.push_back({"opt/java/openjdk/release",
                       "JAVA_VERSION=\"17.0.11\"\nIMPLEMENTOR=\"Eclipse Adoptium\"\n"});
    created_by = "/bin/sh -c set -eux; install temurin 17.0.11+9";
  }
  return make_oci_layer(entries, created_by);
}

struct RepoPlan {
  std::string name;
  std::string account;
  std::string scan_frequency;
  Base base = Base::kDebian;
  App app = App::kPython;
  uint64_t images = 0;
};

}  // namespace

Result<PartStats> write_images(const FleetPlan& plan, const std::filesystem::path& root) {
  PartStats stats;
  const uint64_t repo_count = plan.options.repos;
  if (repo_count == 0) {
    return stats;
  }
  Rng rng(plan.options.seed, static_cast<uint64_t>(Stream::kImages) << 32);
  std::vector<RepoPlan> repos;
  std::set<std::string> names;
  for (uint64_t index = 0; index < repo_count; ++index) {
    RepoPlan repo;
    repo.name = fmt::format("{}-{}", rng.pick(kTeams), rng.pick(kServices));
    if (!names.insert(repo.name).second) {
      repo.name += fmt::format("-{}", index);
      names.insert(repo.name);
    }
    repo.account = plan.accounts[plan.accounts.size() == 1 ? 0 : 1 + rng.index(plan.accounts.size() - 1)].id;
    const uint64_t frequency = rng.below(10);
    repo.scan_frequency = frequency < 5 ? "SCAN_ON_PUSH" : frequency < 9 ? "CONTINUOUS_SCAN" : "MANUAL";
    const uint64_t base = rng.below(10);
    repo.base = base < 3 ? Base::kAlpine : base < 7 ? Base::kDebian : Base::kUbuntu;
    const uint64_t app = rng.below(10);
    repo.app = app < 5 ? App::kPython : app < 8 ? App::kNode : App::kJava;
    repo.images = plan.options.images / repo_count + (index < plan.options.images % repo_count ? 1 : 0);
    repos.push_back(std::move(repo));
  }

  // Shared layers, built once: base x {older, patched}, one runtime layer per language.
  std::map<std::pair<int, bool>, OciLayer> bases;
  std::map<int, OciLayer> runtimes;
  ordered_json repositories = ordered_json::array();
  for (size_t repo_index = 0; repo_index < repos.size(); ++repo_index) {
    const RepoPlan& repo = repos[repo_index];
    ordered_json images = ordered_json::array();
    const int64_t created_at = kWorldNow - static_cast<int64_t>(rng.between(200, 900)) * 86400;
    for (uint64_t tag_index = 0; tag_index < repo.images; ++tag_index) {
      Rng image_rng(plan.options.seed,
                    (static_cast<uint64_t>(Stream::kImages) << 32) + (repo_index << 16) + tag_index + 1);
      const bool latest = tag_index + 1 == repo.images;
      // Older tags were built on the older base and pinned older dependencies.
      const bool patched = latest || image_rng.percent(30);
      const uint64_t old_percent = latest ? 10 : 60;
      const auto base_key = std::make_pair(static_cast<int>(repo.base), patched);
      if (bases.count(base_key) == 0) {
        VIGIL_ASSIGN_OR_RETURN(OciLayer layer, base_layer(repo.base, patched));
        bases.emplace(base_key, std::move(layer));
      }
      if (runtimes.count(static_cast<int>(repo.app)) == 0) {
        VIGIL_ASSIGN_OR_RETURN(OciLayer layer, runtime_layer(repo.app));
        runtimes.emplace(static_cast<int>(repo.app), std::move(layer));
      }
      const std::string tag = fmt::format("v1.{}.{}", tag_index, image_rng.below(4));
      std::vector<ArchiveEntry> entries = {{"app/", ""}};
      if (repo.app == App::kPython) {
        entries.push_back({"app/main.py", fmt::format("# {} {}\nimport sys\n", repo.name, tag)});
        for (const char* group : {"base", "web", "data"}) {
          for (const PackageSpec* spec : pick_some(package_group(TableId::kPyPI, group),
                                                   image_rng.between(2, 8), image_rng)) {
            add_python_dist(entries, "usr/local/lib/python3.11/site-packages", spec->name,
                            pick_version(*spec, image_rng, old_percent));
          }
        }
      } else if (repo.app == App::kNode) {
        entries.push_back({"app/server.js", fmt::format("// {} {}\n", repo.name, tag)});
        for (const char* group : {"base", "web"}) {
          for (const PackageSpec* spec : pick_some(package_group(TableId::kNpm, group),
                                                   image_rng.between(3, 9), image_rng)) {
            add_node_module(entries, "app/node_modules", spec->name,
                            pick_version(*spec, image_rng, old_percent));
          }
        }
      } else {
        for (const PackageSpec* spec : pick_some(package_group(TableId::kMaven, "base"),
                                                 image_rng.between(3, 8), image_rng)) {
          const std::string& version = pick_version(*spec, image_rng, old_percent);
          const std::string group = spec->name.substr(0, spec->name.find(':'));
          const std::string artifact = spec->name.substr(spec->name.find(':') + 1);
          VIGIL_ASSIGN_OR_RETURN(
              std::string jar,
              make_zip({{fmt::format("META-INF/maven/{}/{}/pom.properties", group, artifact),
                         fmt::format("groupId={}\nartifactId={}\nversion={}\n", group, artifact,
                                     version)}}));
          entries.push_back({fmt::format("app/lib/{}-{}.jar", artifact, version), std::move(jar)});
        }
      }
      VIGIL_ASSIGN_OR_RETURN(const OciLayer app_layer,
                             make_oci_layer(entries, "/bin/sh -c #(nop) COPY dir:app in /app "));
      const int64_t pushed = created_at + static_cast<int64_t>(tag_index + 1) *
                                              static_cast<int64_t>(image_rng.between(2, 20)) * 86400;
      OciImage image;
      image.layers = {&bases.at(base_key), &runtimes.at(static_cast<int>(repo.app)), &app_layer};
      image.created = rfc3339(std::min(pushed, kWorldNow - 3600));
      image.ref_name = tag;
      image.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
      image.cmd = {repo.app == App::kPython ? "python3" : repo.app == App::kNode ? "node" : "java",
                   repo.app == App::kPython ? "/app/main.py"
                   : repo.app == App::kNode ? "/app/server.js"
                                            : "-jar"};
      const std::string relative = fmt::format("images/{}/{}", repo.name, tag);
      VIGIL_ASSIGN_OR_RETURN(const OciWritten written, write_oci_layout(root / relative, image));
      images.push_back({{"imageTag", tag},
                        {"imageDigest", written.manifest_digest},
                        {"imagePushedAt", image.created},
                        {"path", relative}});
      stats.documents += 1;
    }
    repositories.push_back(
        {{"repositoryName", repo.name},
         {"repositoryArn", fmt::format("arn:aws:ecr:{}:{}:repository/{}", kRegion, repo.account, repo.name)},
         {"registryId", repo.account},
         {"repositoryUri", fmt::format("{}.dkr.ecr.{}.amazonaws.com/{}", repo.account, kRegion, repo.name)},
         {"createdAt", rfc3339(created_at)},
         {"imageTagMutability", "MUTABLE"},
         {"imageScanningConfiguration", {{"scanOnPush", repo.scan_frequency == "SCAN_ON_PUSH"}}},
         {"scanFrequency", repo.scan_frequency},
         {"images", images}});
  }
  stats.layers = bases.size() + runtimes.size();
  stats.items = repos.size();
  VIGIL_TRY(write_file(root / "repositories.json",
                       ordered_json{{"repositories", repositories}}.dump(2) + "\n"));
  return stats;
}

}  // namespace vigil::simulate::internal
