// BlobReader: gzip / zstd / plain detection, digests of both streams, concatenated gzip, and
// clear errors for truncation, corruption and decompression bombs.
#include "sources/internal/blob_reader.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sources/digest.hpp"
#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources::internal {
namespace {

std::string sample(size_t size) {
  std::string out;
  out.reserve(size);
  uint32_t state = 12345;
  for (size_t idx = 0; idx < size; ++idx) {
    state = state * 1103515245 + 12345;
    out.push_back(static_cast<char>('a' + (state >> 16) % 7));
  }
  return out;
}

Result<std::string> read_all(const std::filesystem::path& path, const ExtractLimits& limits,
                             std::string* raw_digest = nullptr,
                             std::string* expanded_digest = nullptr) {
  VIGIL_ASSIGN_OR_RETURN(auto reader, BlobReader::open(path, "blob x", limits, true));
  std::string out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const auto chunk, reader->next());
    if (chunk.empty()) {
      break;
    }
    out.append(chunk);
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string digest, reader->finish());
  if (raw_digest != nullptr) {
    *raw_digest = digest;
  }
  if (expanded_digest != nullptr) {
    *expanded_digest = reader->expanded_digest();
  }
  return out;
}

TEST(BlobReaderTest, DecodesEachCompression) {
  testing::TempDir dir;
  const std::string data = sample(1300 << 10);
  const struct {
    std::string name;
    std::string blob;
    Compression compression;
  } cases[] = {
      {"plain", data, Compression::kNone},
      {"gzip", testing::gzip(data), Compression::kGzip},
      {"zstd", testing::zstd(data), Compression::kZstd},
      {"gzip-concatenated",
       testing::gzip(std::string_view(data).substr(0, 1000)) +
           testing::gzip(std::string_view(data).substr(1000)),
       Compression::kGzip},
  };
  for (const auto& c : cases) {
    const auto path = dir.write(c.name, c.blob);
    std::string raw;
    std::string expanded;
    auto got = read_all(path, ExtractLimits{}, &raw, &expanded);
    ASSERT_TRUE(got.has_value()) << c.name << ": " << got.error().message;
    EXPECT_EQ(*got, data) << c.name;
    EXPECT_EQ(raw, sha256_digest(c.blob)) << c.name;
    EXPECT_EQ(expanded, sha256_digest(data)) << c.name;
    auto reader = BlobReader::open(path, "x", ExtractLimits{}, false);
    ASSERT_TRUE(reader.has_value());
    EXPECT_EQ((*reader)->compression(), c.compression) << c.name;
  }
}

TEST(BlobReaderTest, TruncatedAndCorruptStreamsAreParseErrors) {
  testing::TempDir dir;
  const std::string data = sample(1 << 20);
  const std::string gz = testing::gzip(data);
  const std::string zs = testing::zstd(data);
  std::string corrupt = gz;
  for (size_t idx = 100; idx < 200; ++idx) {
    corrupt[idx] = static_cast<char>(corrupt[idx] ^ 0x5a);
  }
  const struct {
    std::string name;
    std::string blob;
    std::string message;
  } cases[] = {
      {"gzip-truncated", gz.substr(0, gz.size() / 2), "truncated gzip"},
      {"zstd-truncated", zs.substr(0, zs.size() / 2), "truncated zstd"},
      {"gzip-corrupt", corrupt, "corrupt gzip"},
  };
  for (const auto& c : cases) {
    auto got = read_all(dir.write(c.name, c.blob), ExtractLimits{});
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error().code, ErrorCode::kParse) << c.name;
    EXPECT_NE(got.error().message.find(c.message), std::string::npos) << got.error().message;
    EXPECT_NE(got.error().message.find("blob x"), std::string::npos) << got.error().message;
  }
}

TEST(BlobReaderTest, BombsStopAtTheLimits) {
  testing::TempDir dir;
  const std::string zeros(24 << 20, '\0');
  const auto path = dir.write("bomb.gz", testing::gzip(zeros));  // ~1000:1
  ExtractLimits ratio;
  ratio.ratio_floor = 1 << 20;
  ratio.max_ratio = 100;
  auto got = read_all(path, ratio);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(got.error().message.find("decompression bomb"), std::string::npos);

  ExtractLimits size;
  size.max_expanded_bytes = 8 << 20;
  got = read_all(path, size);
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().message.find("8388608-byte limit"), std::string::npos)
      << got.error().message;

  // Within the limits the same blob reads fine.
  EXPECT_TRUE(read_all(path, ExtractLimits{}).has_value());
}

TEST(BlobReaderTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  auto reader = BlobReader::open(dir.path() / "nope", "layer sha256:x", ExtractLimits{}, false);
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, ErrorCode::kNotFound);
  EXPECT_NE(reader.error().message.find("layer sha256:x"), std::string::npos);
}

}  // namespace
}  // namespace vigil::sources::internal
