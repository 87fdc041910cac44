#include "inventory/os_release.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace vigil::inventory {
namespace {

namespace chr = std::chrono;

constexpr chr::sys_days kToday = chr::sys_days{chr::year{2026} / chr::November / 24};

struct QuoteCase {
  const char* line;
  const char* want;
};

TEST(ParseOsReleaseTest, UnquotesLikeTheShell) {
  constexpr QuoteCase kCases[] = {
      {R"(X=plain)", "plain"},
      {R"(X="double quoted")", "double quoted"},
      {R"(X='single quoted')", "single quoted"},
      {R"(X="esc \"q\" \$ \` \\ end")", R"(esc "q" $ ` \ end)"},
      {R"(X="keep \n backslash")", R"(keep \n backslash)"},
      {R"(X='no \" escapes')", R"(no \" escapes)"},
      {R"(X=bare\ word)", "bare word"},
      {R"(X="a"'b'c)", "abc"},
      {R"(X=)", ""},
      {R"(X="")", ""},
      {R"(X=12 # trailing comment)", "12"},
  };
  for (const auto& c : kCases) {
    const auto fields = parse_os_release(c.line);
    EXPECT_TRUE(fields.bad_lines.empty()) << c.line;
    ASSERT_EQ(fields.values.count("X"), 1U) << c.line;
    EXPECT_EQ(fields.values.at("X"), c.want) << c.line;
  }
}

TEST(ParseOsReleaseTest, ReportsMalformedLinesAndKeepsTheRest) {
  const auto fields = parse_os_release(
      "# comment\n"
      "ID=debian\n"
      "\n"
      "no equals sign\n"
      "1BAD=x\n"
      "NAME=\"unterminated\n"
      "BAD-KEY=x\n"
      "TRAIL=x\\\n"
      "VERSION_ID=\"12\"\n"
      "ID=override\n");
  EXPECT_EQ(fields.bad_lines, (std::vector<size_t>{4, 5, 6, 7, 8}));
  EXPECT_EQ(fields.values.at("ID"), "override");
  EXPECT_EQ(fields.values.at("VERSION_ID"), "12");
  EXPECT_EQ(fields.values.count("NAME"), 0U);
}

struct IdentifyCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> files;
  model::OsIdentity want;
};

TEST(IdentifyOsTest, ReadsRealReleaseFiles) {
  const IdentifyCase kCases[] = {
      {"debian 12",
       {{"etc/os-release",
         "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
         "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"}},
       {"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", "", false}},
      {"ubuntu 18.04",
       {{"usr/lib/os-release",
         "NAME=\"Ubuntu\"\nVERSION=\"18.04.6 LTS (Bionic Beaver)\"\nID=ubuntu\nID_LIKE=debian\n"
         "PRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\nVERSION_ID=\"18.04\"\n"
         "VERSION_CODENAME=bionic\nUBUNTU_CODENAME=bionic\n"}},
       {"ubuntu", "18.04", "bionic", "Ubuntu 18.04.6 LTS", "", true}},
      {"ubuntu 22.04 codename from UBUNTU_CODENAME",
       {{"etc/os-release",
         "ID=ubuntu\nVERSION_ID=\"22.04\"\nUBUNTU_CODENAME=jammy\n"
         "PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\n"}},
       {"ubuntu", "22.04", "jammy", "Ubuntu 22.04.3 LTS", "", false}},
      {"alpine 3.18",
       {{"etc/os-release",
         "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n"
         "PRETTY_NAME=\"Alpine Linux v3.18\"\n"}},
       {"alpine", "3.18.4", "", "Alpine Linux v3.18", "", true}},
      {"amazon linux 2023",
       {{"etc/os-release",
         "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\n"
         "ID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPLATFORM_ID=\"platform:al2023\"\n"
         "PRETTY_NAME=\"Amazon Linux 2023.2.20231113\"\n"}},
       {"amzn", "2023", "", "Amazon Linux 2023.2.20231113", "", false}},
      {"amazon linux 2 (past 2026-06-30)",
       {{"etc/os-release",
         "NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\n"
         "ID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\n"
         "PRETTY_NAME=\"Amazon Linux 2\"\n"}},
       {"amzn", "2", "", "Amazon Linux 2", "", true}},
      {"amazon linux 1 from system-release",
       {{"etc/system-release", "Amazon Linux AMI release 2018.03\n"}},
       {"amzn", "2018.03", "", "Amazon Linux AMI release 2018.03", "", true}},
      {"amazon linux 2 from system-release",
       {{"etc/system-release", "Amazon Linux release 2 (Karoo)\n"}},
       {"amzn", "2", "Karoo", "Amazon Linux release 2 (Karoo)", "", true}},
      {"rhel 6 from redhat-release",
       {{"etc/redhat-release", "Red Hat Enterprise Linux Server release 6.10 (Santiago)\n"}},
       {"rhel", "6.10", "Santiago", "Red Hat Enterprise Linux Server release 6.10 (Santiago)", "",
        true}},
      {"centos 7 from system-release",
       {{"etc/system-release", "CentOS Linux release 7.9.2009 (Core)\n"}},
       {"centos", "7", "Core", "CentOS Linux release 7.9.2009 (Core)", "", true}},
      {"alpine-release only",
       {{"etc/alpine-release", "3.15.11\n"}},
       {"alpine", "3.15.11", "", "Alpine Linux v3.15.11", "", true}},
      {"debian_version only",
       {{"etc/debian_version", "9.13\n"}},
       {"debian", "9", "stretch", "Debian 9.13", "", true}},
      {"debian testing",
       {{"etc/debian_version", "trixie/sid\n"}},
       {"debian", "", "trixie", "Debian trixie/sid", "", false}},
      {"os-release wins over debian_version",
       {{"etc/os-release", "ID=ubuntu\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\n"},
        {"etc/debian_version", "trixie/sid\n"}},
       {"ubuntu", "24.04", "noble", "24.04", "", false}},
  };
  for (const auto& c : kCases) {
    sources::MemoryFileTree tree;
    for (const auto& [path, content] : c.files) {
      tree.add_file(path, content);
    }
    std::vector<model::Diagnostic> diagnostics;
    EXPECT_EQ(identify_os(tree, diagnostics, kToday), c.want) << c.name;
    EXPECT_TRUE(diagnostics.empty()) << c.name << ": " << diagnostics.front().message;
  }
}

TEST(IdentifyOsTest, FollowsTheUsualOsReleaseSymlink) {
  sources::MemoryFileTree tree;
  tree.add_file("usr/lib/os-release", "ID=debian\nVERSION_ID=\"11\"\n");
  tree.add_symlink("etc/os-release", "../usr/lib/os-release");
  std::vector<model::Diagnostic> diagnostics;
  const auto os = identify_os(tree, diagnostics, kToday);
  EXPECT_EQ(os.id, "debian");
  EXPECT_EQ(os.version_id, "11");
  EXPECT_TRUE(os.end_of_life);  // Debian 11 LTS ran to 2026-08-31
  EXPECT_FALSE(identify_os(tree, diagnostics, chr::sys_days{chr::year{2026} / 8 / 31}).end_of_life);
}

TEST(IdentifyOsTest, UnknownOsIsReportedNotGuessed) {
  sources::MemoryFileTree tree;
  tree.add_file("usr/bin/python3", "");
  tree.add_file("etc/lsb-release", "DISTRIB_ID=Ubuntu\n");
  std::vector<model::Diagnostic> diagnostics;
  const auto os = identify_os(tree, diagnostics, kToday);
  EXPECT_EQ(os, model::OsIdentity{});
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_NE(diagnostics[0].message.find("unknown operating system"), std::string::npos);
}

TEST(IdentifyOsTest, UnrecognisedReleaseSentenceIsReported) {
  sources::MemoryFileTree tree;
  tree.add_file("etc/system-release", "Frobnitz OS release 4 (Zap)\n");
  std::vector<model::Diagnostic> diagnostics;
  const auto os = identify_os(tree, diagnostics, kToday);
  EXPECT_TRUE(os.id.empty());
  ASSERT_EQ(diagnostics.size(), 2U);
  EXPECT_EQ(diagnostics[0].where, "etc/system-release");
  EXPECT_NE(diagnostics[0].message.find("Frobnitz"), std::string::npos);
}

TEST(IdentifyOsTest, MalformedLinesNameFileAndLine) {
  sources::MemoryFileTree tree;
  tree.add_file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"broken\n");
  std::vector<model::Diagnostic> diagnostics;
  const auto os = identify_os(tree, diagnostics, kToday);
  EXPECT_EQ(os.id, "alpine");
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0].where, "etc/os-release:3");
}

TEST(IdentifyOsTest, MissingIdDefaultsToLinuxPerSpec) {
  sources::MemoryFileTree tree;
  tree.add_file("etc/os-release", "NAME=\"Custom\"\n");
  std::vector<model::Diagnostic> diagnostics;
  EXPECT_EQ(identify_os(tree, diagnostics, kToday).id, "linux");
}

struct EolCase {
  const char* id;
  const char* version_id;
  bool want;
};

TEST(EndOfLifeTest, KnownReleasesOnAFixedDate) {
  constexpr EolCase kCases[] = {
      {"debian", "6", true},         {"debian", "8", true},      {"debian", "9", true},
      {"debian", "10", true},        {"debian", "11", true},     {"debian", "12", false},
      {"debian", "13", false},       {"debian", "", false},      {"ubuntu", "12.04", true},
      {"ubuntu", "14.04", true},     {"ubuntu", "16.04", true},  {"ubuntu", "18.04", true},
      {"ubuntu", "19.10", true},     {"ubuntu", "20.04", true},  {"ubuntu", "22.04", false},
      {"ubuntu", "23.10", true},     {"ubuntu", "24.04", false}, {"ubuntu", "26.04", false},
      {"alpine", "3.12.0", true},    {"alpine", "3.15.4", true}, {"alpine", "3.21.2", true},
      {"alpine", "3.22.0", false},   {"alpine", "3.9", true},    {"amzn", "2018.03", true},
      {"amzn", "2", true},           {"amzn", "2023", false},    {"rhel", "6.10", true},
      {"rhel", "7.9", true},         {"rhel", "8.8", false},     {"rhel", "9.2", false},
      {"centos", "7", true},         {"fedora", "30", false},    {"unknown", "1", false},
      {"debian", "bookworm", false},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(is_end_of_life(c.id, c.version_id, kToday), c.want) << c.id << " " << c.version_id;
  }
}

TEST(EndOfLifeTest, DependsOnTheDate) {
  const auto before = chr::sys_days{chr::year{2023} / 5 / 31};
  const auto after = chr::sys_days{chr::year{2023} / 6 / 1};
  EXPECT_FALSE(is_end_of_life("ubuntu", "18.04", before));
  EXPECT_TRUE(is_end_of_life("ubuntu", "18.04", after));
}

TEST(OsEcosystemTest, MapsOnlyTheDistributionsWithAdvisoryData) {
  const std::pair<const char*, std::optional<model::Ecosystem>> kCases[] = {
      {"debian", model::Ecosystem::kDebian},
      {"ubuntu", model::Ecosystem::kUbuntu},
      {"alpine", model::Ecosystem::kAlpine},
      {"amzn", model::Ecosystem::kAmazonLinux},
      {"rhel", model::Ecosystem::kRedHat},
      {"almalinux", model::Ecosystem::kAlmaLinux},
      {"rocky", model::Ecosystem::kRocky},
      {"linuxmint", std::nullopt},
      {"centos", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& [id, want] : kCases) {
    model::OsIdentity os;
    os.id = id;
    EXPECT_EQ(os_ecosystem(os), want) << id;
  }
}

TEST(DistroReleaseTest, UsesTheFeedsReleaseGranularity) {
  const std::array<std::array<const char*, 3>, 7> kCases = {{
      {"debian", "12", "12"},
      {"ubuntu", "22.04", "22.04"},
      {"alpine", "3.18.4", "3.18"},
      {"amzn", "2023", "2023"},
      {"amzn", "2", "2"},
      {"rhel", "9.2", "9"},
      {"rocky", "8.8", "8"},
  }};
  for (const auto& [id, version_id, want] : kCases) {
    model::OsIdentity os;
    os.id = id;
    os.version_id = version_id;
    EXPECT_EQ(distro_release(os), want) << id << " " << version_id;
  }
}

}  // namespace
}  // namespace vigil::inventory
