#include "simulate/archive_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "simulate/oci_writer.hpp"
#include "simulate/random.hpp"
#include "sources/digest.hpp"

namespace vigil::simulate {
namespace {

TEST(Base64Test, MatchesRfc4648Vectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(base64(input), expected) << input;
  }
}

TEST(Sha256RawTest, IsTheDigestBytes) {
  // SHA-256("abc"), base64 as Lambda prints CodeSha256.
  EXPECT_EQ(base64(sha256_raw("abc")), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

std::vector<std::pair<std::string, std::string>> read_archive(const std::string& bytes) {
  std::vector<std::pair<std::string, std::string>> out;
  archive* reader = archive_read_new();
  archive_read_support_format_all(reader);
  archive_read_support_filter_all(reader);
  EXPECT_EQ(archive_read_open_memory(reader, bytes.data(), bytes.size()), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    std::string content(static_cast<size_t>(archive_entry_size(entry)), '\0');
    if (!content.empty()) {
      archive_read_data(reader, content.data(), content.size());
    }
    out.emplace_back(archive_entry_pathname(entry), content);
  }
  archive_read_free(reader);
  return out;
}

TEST(ArchiveWriterTest, ZipAndTarAreDeterministicAndReadable) {
  const std::vector<ArchiveEntry> entries = {{"a/", ""}, {"a/b.txt", "hello"}, {"c", "world"}};
  for (const bool zip : {true, false}) {
    const auto first = zip ? make_zip(entries) : make_tar(entries);
    const auto second = zip ? make_zip(entries) : make_tar(entries);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(*first, *second);
    const auto read = read_archive(*first);
    ASSERT_EQ(read.size(), 3u);
    EXPECT_EQ(read[1].first, "a/b.txt");
    EXPECT_EQ(read[1].second, "hello");
    EXPECT_EQ(read[2].second, "world");
  }
}

TEST(ArchiveWriterTest, GzipLayerDigestsMatchTheirContent) {
  const auto layer = make_oci_layer({{"etc/os-release", "ID=alpine\n"}}, "ADD rootfs");
  ASSERT_TRUE(layer);
  EXPECT_EQ(layer->digest, sources::sha256_digest(layer->blob));
  ASSERT_GE(layer->blob.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(layer->blob[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(layer->blob[1]), 0x8b);
  const auto read = read_archive(layer->blob);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].second, "ID=alpine\n");
}

TEST(ArchiveWriterTest, WriteFileReportsUnwritablePaths) {
  const auto written = write_file("/proc/vigil-simulate-test/x", "data");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kIo);
}

TEST(RngTest, SameSeedSameSequenceAndStreamsDiffer) {
  Rng first(42, 1);
  Rng second(42, 1);
  Rng other(42, 2);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t value = first.next();
    EXPECT_EQ(value, second.next());
    differs = differs || value != other.next();
  }
  EXPECT_TRUE(differs);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LT(first.below(7), 7u);
    const uint64_t between = first.between(3, 5);
    EXPECT_GE(between, 3u);
    EXPECT_LE(between, 5u);
  }
}

}  // namespace
}  // namespace vigil::simulate
