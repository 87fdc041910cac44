#include "model/ecosystem.hpp"

#include <gtest/gtest.h>

namespace vigil::model {
namespace {

TEST(EcosystemTest, ParsesOsvNamesWithRelease) {
  const auto debian = parse_ecosystem("Debian:12");
  ASSERT_TRUE(debian.has_value());
  EXPECT_EQ(debian->ecosystem, Ecosystem::kDebian);
  EXPECT_EQ(debian->release, "12");

  const auto alpine = parse_ecosystem("Alpine:v3.18");
  ASSERT_TRUE(alpine.has_value());
  EXPECT_EQ(alpine->ecosystem, Ecosystem::kAlpine);
  EXPECT_EQ(alpine->release, "v3.18");

  EXPECT_EQ(parse_ecosystem("crates.io")->ecosystem, Ecosystem::kCratesIo);
  EXPECT_EQ(parse_ecosystem("Rocky Linux:9")->ecosystem, Ecosystem::kRocky);
  EXPECT_EQ(parse_ecosystem("pypi")->ecosystem, Ecosystem::kPyPI);
}

TEST(EcosystemTest, RoundTripsEveryName) {
  for (int idx = 0; idx <= static_cast<int>(Ecosystem::kGeneric); ++idx) {
    const auto ecosystem = static_cast<Ecosystem>(idx);
    const auto parsed = parse_ecosystem(ecosystem_name(ecosystem));
    ASSERT_TRUE(parsed.has_value()) << ecosystem_name(ecosystem);
    EXPECT_EQ(parsed->ecosystem, ecosystem);
  }
}

TEST(EcosystemTest, UnknownEcosystemIsUnsupported) {
  const auto unknown = parse_ecosystem("Hackage");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(unknown.error().message.find("Hackage"), std::string::npos);
}

TEST(EcosystemTest, OsEcosystems) {
  EXPECT_TRUE(is_os_ecosystem(Ecosystem::kAmazonLinux));
  EXPECT_FALSE(is_os_ecosystem(Ecosystem::kNpm));
}

}  // namespace
}  // namespace vigil::model
