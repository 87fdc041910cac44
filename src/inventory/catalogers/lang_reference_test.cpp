// Real-data checks of the language catalogers against the ecosystems' own tools on this machine:
// importlib.metadata for Debian's Python packages, `npm ls` for a real npm install, the jars of
// Debian's liblog4j2-java / libjackson2-databind-java, and `go version -m` for Go programs
// (Debian's skopeo, umoci and docker-registry, every Go program in /usr/local/bin, and one built
// here with module replacements). Missing tools or network skip, unless VIGIL_REQUIRE_REFERENCE=1.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/strings.hpp"
#include "inventory/cataloger.hpp"
#include "inventory/catalogers/binary.hpp"
#include "inventory/catalogers/java_archive.hpp"
#include "inventory/catalogers/node.hpp"
#include "inventory/catalogers/python.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_builder.hpp"

namespace vigil::inventory {
namespace {

namespace fs = std::filesystem;
using Names = std::set<std::string>;  // "name@version"

#define VIGIL_REFERENCE_MISSING(why)     \
  do {                                   \
    if (testing::reference_required()) { \
      FAIL() << (why);                   \
    }                                    \
    GTEST_SKIP() << (why);               \
  } while (false)

std::string quote(const std::string& text) { return "'" + text + "'"; }

Names names_of(const model::Inventory& inventory, model::Ecosystem ecosystem) {
  Names out;
  for (const auto& package : inventory.packages) {
    if (package.ecosystem == ecosystem) {
      out.insert(package.name + "@" + package.version);
    }
  }
  return out;
}

model::Inventory run_one(const fs::path& root, std::unique_ptr<Cataloger> cataloger) {
  const auto tree = sources::open_directory(root);
  EXPECT_TRUE(tree.has_value()) << root;
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(std::move(cataloger));
  return tree ? catalog(**tree, catalogers) : model::Inventory{};
}

// The diagnostics `cataloger` wrote (catalog() adds its own about the OS of a partial tree).
std::vector<std::string> diagnostics_of(const model::Inventory& inventory,
                                        const std::string& cataloger) {
  std::vector<std::string> out;
  for (const auto& diagnostic : inventory.diagnostics) {
    if (diagnostic.message.starts_with(cataloger + ":")) {
      out.push_back(diagnostic.where + ": " + diagnostic.message);
    }
  }
  return out;
}

Names missing_from(const Names& want, const Names& got) {
  Names out;
  for (const auto& name : want) {
    if (!got.contains(name)) {
      out.insert(name);
    }
  }
  return out;
}

TEST(LangReferenceTest, DebianPythonDistributionsMatchImportlibMetadata) {
  const std::string dir = "/usr/lib/python3/dist-packages";
  if (!fs::is_directory(dir) || !fs::exists("/usr/bin/python3")) {
    VIGIL_REFERENCE_MISSING("no Debian python3 dist-packages");
  }
  const auto listing = testing::run_command(
      "/usr/bin/python3 -c 'import importlib.metadata as m; [print(d.metadata[\"Name\"] + \"@\" + "
      "d.version) for d in m.distributions(path=[\"" +
      dir + "\"])]'");
  ASSERT_TRUE(listing.has_value());
  Names want;
  for (const auto& line : split(*listing, '\n')) {
    if (!line.empty()) {
      want.insert(std::string(line));
    }
  }
  ASSERT_FALSE(want.empty());
  const auto inventory = run_one(dir, std::make_unique<PythonCataloger>());
  EXPECT_EQ(names_of(inventory, model::Ecosystem::kPyPI), want);
  EXPECT_EQ(diagnostics_of(inventory, "python"), std::vector<std::string>{});
}

TEST(LangReferenceTest, NpmInstallTreeMatchesNpmLs) {
  if (!testing::have_program("npm")) {
    VIGIL_REFERENCE_MISSING("npm is not installed");
  }
  const testing::TempDir project;
  const std::string prefix = quote(project.path().string());
  if (!testing::run_command("timeout 300 npm install --silent --no-audit --no-fund --prefix " +
                            prefix + " express@4 lodash@4.17.20 >/dev/null 2>&1")) {
    VIGIL_REFERENCE_MISSING("npm install failed (offline?)");
  }
  const auto listing =
      testing::run_command("npm ls --all --json --prefix " + prefix + " 2>/dev/null || true");
  ASSERT_TRUE(listing.has_value());
  const auto tree_json = nlohmann::json::parse(*listing);
  Names want;
  std::vector<const nlohmann::json*> pending{&tree_json};
  while (!pending.empty()) {
    const nlohmann::json* node = pending.back();
    pending.pop_back();
    if (!node->contains("dependencies")) {
      continue;
    }
    for (const auto& [name, dependency] : node->at("dependencies").items()) {
      if (dependency.contains("version")) {
        want.insert(name + "@" + dependency.at("version").get<std::string>());
      }
      pending.push_back(&dependency);
    }
  }
  ASSERT_TRUE(want.contains("lodash@4.17.20"));
  ASSERT_GT(want.size(), 40U);
  const auto inventory = run_one(project.path(), std::make_unique<NodeCataloger>());
  EXPECT_EQ(missing_from(want, names_of(inventory, model::Ecosystem::kNpm)), Names{});
  EXPECT_EQ(diagnostics_of(inventory, "node"), std::vector<std::string>{});
  // The lockfile and node_modules evidence of one package merge into one report.
  bool merged = false;
  for (const auto& package : inventory.packages) {
    if (package.name == "express") {
      merged = package.locations == std::vector<std::string>{"node_modules/express/package.json",
                                                             "package-lock.json"} ||
               package.locations == std::vector<std::string>{"package-lock.json",
                                                             "node_modules/express/package.json"};
    }
  }
  EXPECT_TRUE(merged);
}

// "2.19.0-2" -> "2.19.0", "1:2.14.0-1+deb12u1" -> "2.14.0", "1.2+dfsg-3" -> "1.2".
std::string debian_upstream(std::string version) {
  if (const size_t colon = version.find(':'); colon != std::string::npos) {
    version.erase(0, colon + 1);
  }
  if (const size_t dash = version.rfind('-'); dash != std::string::npos) {
    version.resize(dash);
  }
  const size_t mark = version.find_first_of("+~");
  return mark == std::string::npos ? version : version.substr(0, mark);
}

TEST(LangReferenceTest, DebianJarsCarryTheirMavenCoordinates) {
  struct Case {
    std::string debian_package;
    std::string group;
    std::string artifact;
  };
  const std::vector<Case> cases = {
      {"liblog4j2-java", "org.apache.logging.log4j", "log4j-core"},
      {"libjackson2-databind-java", "com.fasterxml.jackson.core", "jackson-databind"},
  };
  const fs::path java_dir = "/usr/share/java";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.debian_package);
    const auto version =
        testing::run_command("dpkg-query -W -f '${Version}' " + c.debian_package + " 2>/dev/null");
    if (!version || !fs::is_directory(java_dir)) {
      VIGIL_REFERENCE_MISSING(c.debian_package + " is not installed");
    }
    // Debian ships <artifact>.jar and links <artifact>-<version>.jar to it (or the reverse).
    const std::string upstream = debian_upstream(*version);
    std::vector<std::string> jars;
    for (const auto& file : {c.artifact + ".jar", c.artifact + "-" + upstream + ".jar"}) {
      if (fs::is_regular_file(fs::symlink_status(java_dir / file))) {
        jars.push_back(file);
      }
    }
    ASSERT_FALSE(jars.empty()) << "no " << c.artifact << " jar in " << java_dir;
    const auto tree = sources::open_directory(java_dir);
    ASSERT_TRUE(tree.has_value());
    model::Inventory inventory;
    JavaArchiveCataloger{}.catalog(**tree, jars, inventory);
    bool found = false;
    for (const auto& package : inventory.packages) {
      found |= package.name == c.group + ":" + c.artifact && package.version == upstream &&
               package.purl == "pkg:maven/" + c.group + "/" + c.artifact + "@" + upstream;
    }
    EXPECT_TRUE(found) << c.group << ":" << c.artifact << "@" << upstream;
    EXPECT_TRUE(inventory.diagnostics.empty());
  }
}

// Parses `go version -m` output into binary path -> modules it embeds, with the same
// replacement rule as the cataloger (a "=>" with a real version wins).
std::map<std::string, Names> parse_go_version_m(const std::string& output) {
  std::map<std::string, Names> out;
  Names* current = nullptr;
  std::string pending;  // the last mod/dep line, until we know whether it is replaced
  const auto flush = [&]() {
    if (current != nullptr && !pending.empty()) {
      current->insert(pending);
    }
    pending.clear();
  };
  for (const auto& raw_line : split(output, '\n')) {
    const std::string line(raw_line);
    if (!line.starts_with("\t")) {
      flush();
      const size_t colon = line.rfind(": go");
      current = colon == std::string::npos ? nullptr : &out[line.substr(0, colon)];
      if (current != nullptr) {
        current->insert("stdlib@" + line.substr(colon + 2));
      }
      continue;
    }
    const auto fields = split(std::string_view(line).substr(1), '\t');
    if (fields.size() < 3) {
      continue;
    }
    if (fields[0] == "mod" || fields[0] == "dep") {
      flush();
      pending = std::string(fields[1]) + "@" + std::string(fields[2]);
    } else if (fields[0] == "=>" && !fields[2].empty() && fields[2] != "(devel)") {
      pending = std::string(fields[1]) + "@" + std::string(fields[2]);
    }
  }
  flush();
  return out;
}

void expect_go_modules_found(const std::map<std::string, Names>& binaries) {
  const auto tree = sources::open_directory("/");
  ASSERT_TRUE(tree.has_value());
  for (const auto& [path, want] : binaries) {
    SCOPED_TRACE(path);
    model::Inventory inventory;
    BinaryCataloger{}.catalog(**tree, std::vector<std::string>{path.substr(1)}, inventory);
    EXPECT_EQ(missing_from(want, names_of(inventory, model::Ecosystem::kGo)), Names{});
    EXPECT_TRUE(inventory.diagnostics.empty());
  }
}

TEST(LangReferenceTest, DebianGoProgramsMatchGoVersionM) {
  if (!testing::have_program("go")) {
    VIGIL_REFERENCE_MISSING("go (golang-go) is not installed");
  }
  std::string paths;
  for (const std::string binary :
       {"/usr/bin/skopeo", "/usr/bin/umoci", "/usr/bin/docker-registry"}) {
    if (!fs::exists(binary)) {
      VIGIL_REFERENCE_MISSING(binary +
                              " is not installed (apt-get install skopeo umoci docker-registry)");
    }
    paths += " " + quote(binary);
  }
  // go version -m also walks directories: every Go program there is compared too.
  if (fs::is_directory("/usr/local/bin")) {
    paths += " /usr/local/bin";
  }
  const auto output = testing::run_command("go version -m" + paths + " 2>/dev/null");
  ASSERT_TRUE(output.has_value());
  const auto binaries = parse_go_version_m(*output);
  ASSERT_GE(binaries.size(), 3U);
  expect_go_modules_found(binaries);
}

TEST(LangReferenceTest, ModuleBuildWithReplacementsMatchesGoVersionM) {
  if (!testing::have_program("go")) {
    VIGIL_REFERENCE_MISSING("go (golang-go) is not installed");
  }
  const testing::TempDir work;
  // A file:// module proxy serving example.com/fork v1.1.0, so the build needs no network.
  const std::string fork_mod = "module example.com/fork\n\ngo 1.19\n";
  work.write("proxy/example.com/fork/@v/list", "v1.1.0\n");
  work.write("proxy/example.com/fork/@v/v1.1.0.info",
             R"({"Version":"v1.1.0","Time":"2023-01-01T00:00:00Z"})");
  work.write("proxy/example.com/fork/@v/v1.1.0.mod", fork_mod);
  work.write("proxy/example.com/fork/@v/v1.1.0.zip",
             testing::make_zip({{"example.com/fork@v1.1.0/go.mod", fork_mod},
                                {"example.com/fork@v1.1.0/fork.go",
                                 "package other\n\nfunc Name() string { return \"fork\" }\n"}}));
  work.write("dep/go.mod", "module example.com/dep\n\ngo 1.19\n");
  work.write("dep/dep.go", "package dep\n\nfunc Hello() string { return \"hi\" }\n");
  work.write("app/go.mod",
             "module example.com/app\n\ngo 1.19\n\nrequire (\n\texample.com/dep v1.2.3\n"
             "\texample.com/other v1.0.0\n)\n\nreplace example.com/dep => ../dep\n\n"
             "replace example.com/other => example.com/fork v1.1.0\n");
  work.write(
      "app/main.go",
      "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/dep\"\n\t\"example.com/other\"\n)"
      "\n\nfunc main() { fmt.Println(dep.Hello(), other.Name()) }\n");
  const std::string root = work.path().string();
  const std::string binary = root + "/app/app";
  const std::string env = "GOPROXY=file://" + root +
                          "/proxy GOSUMDB=off GOFLAGS='-mod=mod -modcacherw' "
                          "GOPATH=" +
                          quote(root + "/gopath") + " GOTOOLCHAIN=local";
  if (!testing::run_command("cd " + quote(root + "/app") + " && " + env +
                            " timeout 300 go build -o " + quote(binary) + " . >&2")) {
    FAIL() << "go build of the fixture module failed";
  }
  const auto output = testing::run_command("go version -m " + quote(binary));
  ASSERT_TRUE(output.has_value());
  const auto binaries = parse_go_version_m(*output);
  ASSERT_EQ(binaries.size(), 1U);
  const Names& want = binaries.begin()->second;
  EXPECT_TRUE(want.contains("example.com/fork@v1.1.0"));
  EXPECT_TRUE(want.contains("example.com/dep@v1.2.3"));
  EXPECT_TRUE(want.contains("example.com/app@(devel)"));
  expect_go_modules_found(binaries);
}

}  // namespace
}  // namespace vigil::inventory
