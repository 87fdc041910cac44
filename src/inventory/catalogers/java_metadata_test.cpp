#include "inventory/catalogers/java_metadata.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::inventory::lang {
namespace {

TEST(JavaMetadataTest, ParsesPomProperties) {
  const auto log4j = parse_pom_properties(
      "#Created by Apache Maven 3.8.6\r\nartifactId=log4j-core\r\ngroupId=org.apache.logging.log4j"
      "\r\nversion=2.19.0\r\n");
  ASSERT_TRUE(log4j.has_value());
  EXPECT_EQ(*log4j, (MavenCoordinates{"org.apache.logging.log4j", "log4j-core", "2.19.0"}));
  const auto spaced = parse_pom_properties("! comment\n groupId : g\nartifactId: a\nversion=1\n");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(*spaced, (MavenCoordinates{"g", "a", "1"}));
  EXPECT_FALSE(parse_pom_properties("groupId=g\nartifactId=a\n").has_value());
  EXPECT_FALSE(parse_pom_properties("").has_value());
}

TEST(JavaMetadataTest, ParsesManifestMainSectionWithContinuations) {
  const auto manifest = parse_manifest(
      "Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-data\r\n"
      " bind\r\nBundle-Version: 2.14.0\r\n\r\nName: org/example/\r\nImplementation-Version: 9\r\n");
  EXPECT_EQ(manifest.at("Bundle-SymbolicName"), "com.fasterxml.jackson.core.jackson-databind");
  EXPECT_EQ(manifest.at("Bundle-Version"), "2.14.0");
  EXPECT_EQ(manifest.count("Implementation-Version"), 0U);
}

TEST(JavaMetadataTest, IdentifiesFromManifest) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> fields;
    std::string file_artifact;
    std::optional<MavenCoordinates> want;
  };
  const std::vector<Case> cases = {
      {{{"Bundle-SymbolicName", "com.fasterxml.jackson.core.jackson-databind"},
        {"Bundle-Version", "2.14.0"}},
       "jackson-databind",
       MavenCoordinates{"com.fasterxml.jackson.core", "jackson-databind", "2.14.0"}},
      {{{"Implementation-Title", "Apache Commons Lang"},
        {"Implementation-Version", "3.12.0"},
        {"Implementation-Vendor-Id", "org.apache.commons"}},
       "commons-lang3",
       MavenCoordinates{"org.apache.commons", "commons-lang3", "3.12.0"}},
      {{{"Implementation-Title", "tool"}, {"Implementation-Version", "1.0"}},
       "",
       MavenCoordinates{"", "tool", "1.0"}},
      {{{"Bundle-SymbolicName", "org.eclipse.osgi; singleton:=true"}, {"Bundle-Version", "3.18"}},
       "",
       MavenCoordinates{"", "org.eclipse.osgi", "3.18"}},
      {{{"Bundle-SymbolicName", "com.h2database.mvstore"}, {"Bundle-Version", "2.4.240"}},
       "com.h2database.h2-mvstore",
       MavenCoordinates{"com.h2database", "h2-mvstore", "2.4.240"}},
      {{{"Implementation-Vendor", "com.lihaoyi"}, {"Implementation-Version", "4.4.3"}},
       "com.lihaoyi.ujson_3",
       MavenCoordinates{"com.lihaoyi", "ujson_3", "4.4.3"}},
      {{{"Implementation-Vendor-Id", "com.github.scopt"}, {"Implementation-Version", "4.1.0"}},
       "com.github.scopt.scopt_3",
       MavenCoordinates{"com.github.scopt", "scopt_3", "4.1.0"}},
      {{{"Implementation-Vendor", "Example Corp."}, {"Implementation-Version", "1"}},
       "tool",
       MavenCoordinates{"", "tool", "1"}},
      {{{"Implementation-Title", "no version"}}, "x", std::nullopt},
  };
  for (const auto& c : cases) {
    std::map<std::string, std::string, std::less<>> manifest(c.fields.begin(), c.fields.end());
    EXPECT_EQ(coordinates_from_manifest(manifest, c.file_artifact), c.want) << c.file_artifact;
  }
}

TEST(JavaMetadataTest, SplitsArchiveFileNames) {
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(parse_archive_file_name("commons-lang3-3.12.0.jar"), (Pair{"commons-lang3", "3.12.0"}));
  EXPECT_EQ(parse_archive_file_name("guava-31.1-jre.jar"), (Pair{"guava", "31.1-jre"}));
  EXPECT_EQ(parse_archive_file_name("log4j-core-2.19.0.jar"), (Pair{"log4j-core", "2.19.0"}));
  EXPECT_FALSE(parse_archive_file_name("jackson-databind.jar").has_value());
  EXPECT_FALSE(parse_archive_file_name("-1.0.jar").has_value());
  EXPECT_FALSE(parse_archive_file_name("").has_value());
  EXPECT_TRUE(is_java_archive_name("a/b/App.WAR"));
  EXPECT_TRUE(is_java_archive_name("plugins/git.hpi"));
  EXPECT_FALSE(is_java_archive_name("a/b/app.zip"));
}

}  // namespace
}  // namespace vigil::inventory::lang
