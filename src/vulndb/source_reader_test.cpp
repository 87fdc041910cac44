#include "vulndb/source_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "support/temp_dir.hpp"

namespace vigil::vulndb {
namespace {

std::vector<SourceFile> source_read_all(const std::filesystem::path& path, const ReadLimits& limits = {}) {
  std::vector<SourceFile> files;
  const auto result = read_source(path, limits, [&](SourceFile&& file) -> Result<void> {
    files.push_back(std::move(file));
    return {};
  });
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return files;
}

TEST(SourceReaderTest, WalksDirectoriesInSortedOrder) {
  testing::TempDir dir;
  dir.write("b/two.json", "2");
  dir.write("a.json", "1");
  const auto files = source_read_all(dir.path());
  ASSERT_EQ(files.size(), 2U);
  EXPECT_EQ(files[0].content, "1");
  EXPECT_EQ(files[1].content, "2");
}

TEST(SourceReaderTest, ExpandsRealOsvZip) {
  const std::filesystem::path zip =
      std::string(VIGIL_SHARED_DIR) + "/data/osv/rustsec/rustsec-osv.zip";
  if (!std::filesystem::exists(zip)) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto files = source_read_all(zip);
  EXPECT_GE(files.size(), 1206U);
  EXPECT_NE(files[0].name.find("rustsec-osv.zip:"), std::string::npos);
}

TEST(SourceReaderTest, DecompressesGzipFile) {
  const std::filesystem::path gz =
      std::string(VIGIL_SHARED_DIR) + "/data/nvd/api-pages/nvd-api-cves-CVE-2023-0001.json.gz";
  if (!std::filesystem::exists(gz)) {
    GTEST_SKIP() << "shared data missing";
  }
  const auto files = source_read_all(gz);
  ASSERT_EQ(files.size(), 1U);
  EXPECT_EQ(files[0].content.front(), '{');
  EXPECT_EQ(files[0].name.substr(files[0].name.size() - 5), ".json");
}

TEST(SourceReaderTest, LimitsStopDecompressionBombs) {
  const std::filesystem::path zip =
      std::string(VIGIL_SHARED_DIR) + "/data/osv/go/go-vulndb-osv.zip";
  if (!std::filesystem::exists(zip)) {
    GTEST_SKIP() << "shared data missing";
  }
  ReadLimits limits;
  limits.max_total_bytes = 64 * 1024;
  const auto result = read_source(zip, limits, [](SourceFile&&) -> Result<void> { return {}; });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST(SourceReaderTest, CorruptArchiveIsAParseError) {
  testing::TempDir dir;
  const auto path = dir.write("broken.zip", std::string("PK\x03\x04garbage-garbage-garbage", 27));
  const auto result = read_source(path, {}, [](SourceFile&&) -> Result<void> { return {}; });
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("broken.zip"), std::string::npos);
}

TEST(SourceReaderTest, MissingPathIsAnIoError) {
  const auto result =
      read_source("/nonexistent/vigil", {}, [](SourceFile&&) -> Result<void> { return {}; });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace vigil::vulndb
