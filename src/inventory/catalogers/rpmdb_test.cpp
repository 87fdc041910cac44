// The rpm cataloger against databases written by Debian's own rpm: packages named like Amazon
// Linux and RHEL ones are built with rpmbuild at test time, registered with `rpm --justdb`, and
// the cataloger's view is compared with `rpm -qa`.
#include "inventory/catalogers/rpmdb.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "inventory/cataloger.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"

namespace vigil::inventory {
namespace {

namespace fs = std::filesystem;

struct SourceRpmCase {
  const char* filename;
  std::optional<SourceRpm> want;
};

TEST(ParseSourceRpmTest, SplitsAtTheLastTwoDashes) {
  const SourceRpmCase kCases[] = {
      {"openssl-3.0.8-1.amzn2023.0.3.src.rpm", SourceRpm{"openssl", "3.0.8", "1.amzn2023.0.3"}},
      {"glibc-2.34-60.el9.src.rpm", SourceRpm{"glibc", "2.34", "60.el9"}},
      {"python-setuptools-53.0.0-12.el9.src.rpm",
       SourceRpm{"python-setuptools", "53.0.0", "12.el9"}},
      {"kernel-5.10.205-195.804.amzn2.nosrc.rpm", SourceRpm{"kernel", "5.10.205", "195.804.amzn2"}},
      {"nodejs-18.18.2-2.module+el8.8.0+20205+4a8ddd66.src.rpm",
       SourceRpm{"nodejs", "18.18.2", "2.module+el8.8.0+20205+4a8ddd66"}},
      {"openssl-3.0.8.src.rpm", std::nullopt},
      {"-1-2.src.rpm", std::nullopt},
      {"a--2.src.rpm", std::nullopt},
      {"a-1-.src.rpm", std::nullopt},
      {"openssl-3.0.8-1.rpm", std::nullopt},
      {"", std::nullopt},
      {".src.rpm", std::nullopt},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(parse_source_rpm(c.filename), c.want) << c.filename;
  }
}

TEST(RpmDbCatalogerTest, WantsDatabaseFilesOnly) {
  const RpmDbCataloger cataloger;
  for (const char* path :
       {"var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages", "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "var/lib/rpm/Packages.db", "var/lib/rpm/rpmdb.sqlite-wal"}) {
    EXPECT_TRUE(cataloger.wants(path)) << path;
  }
  for (const char* path : {"var/lib/rpm/Name", "var/lib/rpm/rpmdb.sqlite-shm",
                           "var/lib/rpm/.rpm.lock", "var/lib/rpmdb.sqlite",
                           "x/var/lib/rpm/Packages", "var/lib/rpm/sub/Packages", "var/lib/rpm"}) {
    EXPECT_FALSE(cataloger.wants(path)) << path;
  }
}

constexpr std::string_view kAl2023OsRelease =
    "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\n"
    "VERSION_ID=\"2023\"\nPRETTY_NAME=\"Amazon Linux 2023\"\n";

constexpr std::string_view kUrllib3EggInfo =
    "/usr/lib/python3.9/site-packages/urllib3-1.25.10-py3.9.egg-info";

// Builds the test packages once for the whole suite.
class RpmDatabaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_program("rpmbuild") || !testing::have_program("rpm")) {
      skip_reason_ = "rpmbuild/rpm not installed (Debian package 'rpm')";
      return;
    }
    work_ = std::make_unique<testing::TempDir>();
    const fs::path specs = work_->path() / "specs";
    work_->write("specs/openssl.spec",
                 "Name: openssl\nEpoch: 1\nVersion: 3.0.8\nRelease: 1.amzn2023.0.3\n"
                 "Summary: t\nLicense: OpenSSL\nVendor: Amazon Linux\n%description\nt\n"
                 "%package libs\nSummary: t\n%description libs\nt\n%files\n%files libs\n");
    work_->write("specs/system-release.spec",
                 "Name: system-release\nVersion: 2023.2.20231113\nRelease: 1.amzn2023\n"
                 "BuildArch: noarch\nSummary: t\nLicense: MIT\n%description\nt\n%files\n");
    work_->write("specs/gpg-pubkey.spec",
                 "Name: gpg-pubkey\nVersion: d832c631\nRelease: 5f4e2a1b\nSummary: t\n"
                 "License: public\n%description\nt\n%files\n");
    work_->write("specs/nodejs.spec",
                 "Name: nodejs\nEpoch: 1\nVersion: 18.18.2\n"
                 "Release: 2.module+el8.8.0+20205+4a8ddd66\nSummary: t\nLicense: MIT\n"
                 "%description\nt\n%files\n");
    // Ships a file, so that ownership (rpm -qf) can be asked of the database.
    work_->write("specs/python3-urllib3.spec",
                 "Name: python3-urllib3\nVersion: 1.25.10\nRelease: 5.amzn2023.0.2\n"
                 "BuildArch: noarch\nSummary: t\nLicense: MIT\n%description\nt\n%install\n"
                 "mkdir -p %{buildroot}" + std::string(kUrllib3EggInfo) + "\n"
                 "echo 'Name: urllib3' > %{buildroot}" + std::string(kUrllib3EggInfo) +
                 "/PKG-INFO\n%files\n" + std::string(kUrllib3EggInfo) + "/PKG-INFO\n");
    const std::string topdir = (work_->path() / "build").string();
    for (const char* spec :
         {"openssl", "system-release", "gpg-pubkey", "nodejs", "python3-urllib3"}) {
      std::string command =
          "rpmbuild -bb --quiet --define '_topdir " + topdir + "' --define '_build_id_links none' ";
      if (std::string_view(spec) == "nodejs") {
        command += "--define 'modularitylabel nodejs:18:8080020230810:a3f9d95a' ";
      }
      command += (specs / (std::string(spec) + ".spec")).string() + " >/dev/null 2>&1";
      if (!testing::run_command(command)) {
        skip_reason_ = "rpmbuild failed: " + command;
        return;
      }
    }
    root_ = work_->path() / "root";
    work_->write("root/etc/os-release", std::string(kAl2023OsRelease));
    const std::string rpm = "rpm --root " + root_.string() + " --dbpath /var/lib/rpm ";
    if (!testing::run_command(rpm + "--initdb") ||
        !testing::run_command(rpm +
                              "-i --justdb --nodeps --noscripts --notriggers "
                              "--ignorearch --ignoreos " +
                              topdir + "/RPMS/*/*.rpm >/dev/null 2>&1")) {
      skip_reason_ = "rpm could not create the test database";
    }
  }
  static void TearDownTestSuite() { work_.reset(); }

  void SetUp() override {
    if (!skip_reason_.empty()) {
      if (testing::reference_required()) {
        FAIL() << skip_reason_;
      }
      GTEST_SKIP() << skip_reason_;
    }
  }

  // `rpm -qa` for the database under `root`, one "name version arch source" line per package,
  // sorted, with version "[epoch:]version-release" and source "name version".
  static std::vector<std::string> reference(const fs::path& root, const std::string& backend) {
    const auto output = testing::run_command(
        "rpm --root " + root.string() + " --dbpath /var/lib/rpm --define '_db_backend " + backend +
        "' -qa --qf '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\t"
        "%{SOURCERPM}\\n' 2>/dev/null");
    EXPECT_TRUE(output.has_value());
    std::vector<std::string> lines;
    for (const auto& line : split(output.value_or(""), '\n')) {
      if (line.empty() || line.starts_with("gpg-pubkey\t")) {
        continue;
      }
      const auto fields = split(line, '\t');
      const auto source = parse_source_rpm(fields.at(3));
      const std::string epoch =
          fields.at(1).find(':') != std::string::npos
              ? std::string(fields.at(1).substr(0, fields.at(1).find(':') + 1))
              : std::string{};
      lines.push_back(fmt::format("{} {} {} {} {}{}-{}", fields.at(0), fields.at(1), fields.at(2),
                                  source->name, epoch, source->version, source->release));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  static std::vector<std::string> ours(const model::Inventory& inventory) {
    std::vector<std::string> lines;
    for (const auto& package : inventory.packages) {
      lines.push_back(fmt::format("{} {} {} {} {}", package.name, package.version, package.arch,
                                  package.source_name, package.source_version));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  static model::Inventory run(const sources::FileTree& tree) {
    model::Inventory inventory;
    inventory.os.id = "amzn";
    inventory.os.version_id = "2023";
    std::vector<std::string> paths;
    const RpmDbCataloger cataloger;
    EXPECT_TRUE(tree.walk([&](const sources::FileInfo& info) {
                      if (info.type == sources::FileType::kRegular && cataloger.wants(info.path)) {
                        paths.push_back(info.path);
                      }
                      return true;
                    })
                    .has_value());
    if (!paths.empty()) {
      cataloger.catalog(tree, paths, inventory);
    }
    return inventory;
  }

  // The names in a directory, to check that reading a database writes nothing beside it.
  static std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  static std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
      const size_t end = std::min(text.find(separator, start), text.size());
      out.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
    return out;
  }

  static inline std::unique_ptr<testing::TempDir> work_;
  static inline fs::path root_;
  static inline std::string skip_reason_;
};

TEST_F(RpmDatabaseTest, SqliteDatabaseInPlaceMatchesRpmQuery) {
  const auto tree = sources::open_directory(root_).value();
  const auto before = listing(root_ / "var/lib/rpm");
  const auto inventory = run(*tree);
  EXPECT_EQ(listing(root_ / "var/lib/rpm"), before);
  EXPECT_TRUE(inventory.complete);
  EXPECT_TRUE(inventory.diagnostics.empty()) << inventory.diagnostics.front().message;
  const auto want = reference(root_, "sqlite");
  ASSERT_EQ(want.size(), 5U) << "the test database itself is wrong";
  EXPECT_EQ(ours(inventory), want);
}

TEST_F(RpmDatabaseTest, FieldsPurlsAndModularity) {
  const auto tree = sources::open_directory(root_).value();
  const auto inventory = run(*tree);
  std::map<std::string, model::Package> by_name;
  for (const auto& package : inventory.packages) {
    by_name[package.name] = package;
  }
  ASSERT_EQ(by_name.count("gpg-pubkey"), 0U);
  const auto& libs = by_name.at("openssl-libs");
  EXPECT_EQ(libs.version, "1:3.0.8-1.amzn2023.0.3");
  EXPECT_EQ(libs.arch, "x86_64");
  EXPECT_EQ(libs.source_name, "openssl");
  EXPECT_EQ(libs.source_version, "1:3.0.8-1.amzn2023.0.3");
  EXPECT_EQ(libs.ecosystem, model::Ecosystem::kAmazonLinux);
  EXPECT_EQ(libs.locations, std::vector<std::string>{"var/lib/rpm/rpmdb.sqlite"});
  EXPECT_EQ(libs.purl,
            "pkg:rpm/amzn/openssl-libs@3.0.8-1.amzn2023.0.3?arch=x86_64&distro=amzn-2023&epoch=1");
  const auto& release = by_name.at("system-release");
  EXPECT_EQ(release.version, "2023.2.20231113-1.amzn2023");
  EXPECT_EQ(release.purl,
            "pkg:rpm/amzn/system-release@2023.2.20231113-1.amzn2023?arch=noarch&distro=amzn-2023");
  EXPECT_EQ(by_name.at("nodejs").purl,
            "pkg:rpm/amzn/nodejs@18.18.2-2.module%2Bel8.8.0%2B20205%2B4a8ddd66?arch=x86_64&"
            "distro=amzn-2023&epoch=1&modularitylabel=nodejs:18:8080020230810:a3f9d95a");
}

// The egg-info python3-urllib3 installed belongs to it, in place and from a copy; pip's copy of
// the same version elsewhere belongs to nobody.
TEST_F(RpmDatabaseTest, OwnershipOfLanguagePackages) {
  testing::TempDir dir;
  fs::copy(root_, dir.path(), fs::copy_options::recursive);
  const std::string metadata = "Metadata-Version: 1.1\nName: urllib3\nVersion: 1.25.10\n";
  const std::string owned = std::string(kUrllib3EggInfo).substr(1) + "/PKG-INFO";
  const std::string pip = "usr/local/lib/python3.9/site-packages/urllib3-1.25.10-py3.9.egg-info/PKG-INFO";
  dir.write(owned, metadata);
  dir.write(pip, metadata);
  sources::MemoryFileTree memory;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (entry.is_regular_file()) {
      std::ifstream in(entry.path(), std::ios::binary);
      memory.add_file(entry.path().lexically_relative(dir.path()).string(),
                      std::string(std::istreambuf_iterator<char>(in), {}));
    }
  }
  const auto host = sources::open_directory(dir.path()).value();
  for (const sources::FileTree* tree : {static_cast<const sources::FileTree*>(host.get()),
                                        static_cast<const sources::FileTree*>(&memory)}) {
    const auto inventory = catalog(*tree, default_catalogers());
    std::map<std::string, std::string> owners;
    for (const auto& package : inventory.packages) {
      if (package.ecosystem == model::Ecosystem::kPyPI) {
        owners[package.locations.at(0)] = package.owner_purl;
      }
    }
    ASSERT_EQ(owners.size(), 2U) << tree->describe();
    EXPECT_EQ(owners.at(owned),
              "pkg:rpm/amzn/python3-urllib3@1.25.10-5.amzn2023.0.2?arch=noarch&distro=amzn-2023")
        << tree->describe();
    EXPECT_EQ(owners.at(pip), "") << tree->describe();
  }
}

TEST_F(RpmDatabaseTest, TreeWithoutHostPathReadsACopy) {
  sources::MemoryFileTree memory;
  for (const auto& entry : fs::directory_iterator(root_ / "var/lib/rpm")) {
    std::ifstream in(entry.path(), std::ios::binary);
    memory.add_file("var/lib/rpm/" + entry.path().filename().string(),
                    std::string(std::istreambuf_iterator<char>(in), {}));
  }
  const auto inventory = run(memory);
  EXPECT_TRUE(inventory.complete);
  EXPECT_EQ(ours(inventory), reference(root_, "sqlite"));
}

TEST_F(RpmDatabaseTest, SymlinkedDatabaseDirectoryIsReadThroughTheTree) {
  // Fedora-style: var/lib/rpm -> ../../usr/lib/sysimage/rpm; plus an absolute link that would
  // point at the host's own database if librpm followed it on the host.
  testing::TempDir dir;
  fs::create_directories(dir.path() / "usr/lib/sysimage");
  fs::copy(root_ / "var/lib/rpm", dir.path() / "usr/lib/sysimage/rpm");
  fs::create_directories(dir.path() / "var/lib");
  fs::create_symlink("../../usr/lib/sysimage/rpm", dir.path() / "var/lib/rpm");
  const auto tree = sources::open_directory(dir.path()).value();
  const auto inventory = run(*tree);
  EXPECT_EQ(ours(inventory), reference(root_, "sqlite"));
  EXPECT_EQ(inventory.packages.at(0).locations,
            std::vector<std::string>{"usr/lib/sysimage/rpm/rpmdb.sqlite"});
}

TEST_F(RpmDatabaseTest, BerkeleyDbPackagesLikeAmazonLinux2) {
  // Debian's rpm cannot write BerkeleyDB, so build the Packages hash file from the sqlite
  // database's header blobs with db5.3_load (the format AL2's rpm 4.11 keeps).
  if (!testing::have_program("db5.3_load")) {
    if (testing::reference_required()) {
      FAIL() << "db5.3_load not installed (Debian package 'db5.3-util')";
    }
    GTEST_SKIP() << "db5.3_load not installed (Debian package 'db5.3-util')";
  }
  testing::TempDir dir;
  const fs::path dump = dir.path() / "packages.dump";
  const std::string script =
      "import sqlite3, struct, sys\n"
      "db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n"
      "out = open(sys.argv[2], 'w')\n"
      "out.write('VERSION=3\\nformat=bytevalue\\ntype=hash\\nHEADER=END\\n')\n"
      "for hnum, blob in db.execute('SELECT hnum, blob FROM Packages'):\n"
      "    out.write(' ' + struct.pack('<I', hnum).hex() + '\\n ' + bytes(blob).hex() + '\\n')\n"
      "out.write('DATA=END\\n')\n";
  dir.write("dump.py", script);
  fs::create_directories(dir.path() / "root/var/lib/rpm");
  ASSERT_TRUE(testing::run_command("/usr/bin/python3 " + (dir.path() / "dump.py").string() + " " +
                                   (root_ / "var/lib/rpm/rpmdb.sqlite").string() + " " +
                                   dump.string()));
  ASSERT_TRUE(testing::run_command("db5.3_load -f " + dump.string() + " " +
                                   (dir.path() / "root/var/lib/rpm/Packages").string()));
  const auto tree = sources::open_directory(dir.path() / "root").value();
  const auto inventory = run(*tree);
  EXPECT_EQ(listing(dir.path() / "root/var/lib/rpm"), std::set<std::string>{"Packages"});
  EXPECT_TRUE(inventory.complete);
  const auto want = reference(dir.path() / "root", "bdb_ro");
  ASSERT_EQ(want.size(), 5U);
  EXPECT_EQ(ours(inventory), want);
  EXPECT_EQ(inventory.packages.at(0).locations, std::vector<std::string>{"var/lib/rpm/Packages"});
}

TEST(RpmDbCatalogerTest, CorruptDatabasesBecomeDiagnostics) {
  for (const char* file :
       {"var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages", "var/lib/rpm/Packages.db"}) {
    for (const bool on_disk : {false, true}) {
      testing::TempDir dir;
      dir.write(file, std::string(8192, 'x'));
      sources::MemoryFileTree memory;
      memory.add_file(file, std::string(8192, 'x'));
      std::unique_ptr<sources::FileTree> disk;
      if (on_disk) {
        disk = sources::open_directory(dir.path()).value();
      }
      const sources::FileTree& tree = on_disk ? *disk : memory;
      model::Inventory inventory;
      inventory.os.id = "rhel";
      const std::vector<std::string> paths = {file};
      RpmDbCataloger{}.catalog(tree, paths, inventory);
      EXPECT_TRUE(inventory.packages.empty()) << file;
      EXPECT_FALSE(inventory.complete) << file;
      ASSERT_FALSE(inventory.diagnostics.empty()) << file;
      EXPECT_EQ(inventory.diagnostics.back().level, model::DiagnosticLevel::kError);
      EXPECT_EQ(inventory.diagnostics.back().where, file);
    }
  }
}

}  // namespace
}  // namespace vigil::inventory
