#include "vulndb/internal/zip_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace vigil::vulndb {
namespace {

struct Member {
  std::string name;
  std::string content;
  bool stored = false;       // else deflated
  unsigned type = AE_IFREG;  // AE_IFDIR, AE_IFLNK
};

// A zip written by libarchive, in memory.
std::string make_zip(const std::vector<Member>& members) {
  std::string out(1 << 20, '\0');
  size_t used = 0;
  archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  archive_write_open_memory(writer, out.data(), out.size(), &used);
  for (const auto& member : members) {
    if (member.stored) {
      archive_write_zip_set_compression_store(writer);
    } else {
      archive_write_zip_set_compression_deflate(writer);
    }
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, member.name.c_str());
    archive_entry_set_filetype(entry, member.type);
    archive_entry_set_perm(entry, 0644);
    if (member.type == AE_IFLNK) {
      archive_entry_set_symlink(entry, member.content.c_str());
    } else if (member.type == AE_IFREG) {
      archive_entry_set_size(entry, static_cast<la_int64_t>(member.content.size()));
    }
    archive_write_header(writer, entry);
    if (member.type == AE_IFREG) {
      archive_write_data(writer, member.content.data(), member.content.size());
    }
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  out.resize(used);
  return out;
}

struct ReadOutcome {
  Result<internal::ZipOutcome> result;
  std::vector<SourceFile> files;
};

ReadOutcome read(const std::string& zip, const ReadLimits& limits = {}) {
  ReadOutcome outcome{internal::ZipOutcome::kDone, {}};
  outcome.result = internal::read_zip("t.zip", zip, limits, [&](SourceFile&& file) -> Result<void> {
    outcome.files.push_back(std::move(file));
    return {};
  });
  return outcome;
}

const std::string kJson = R"({"id":"GO-2024-0001","details":")" + std::string(5000, 'x') + "\"}";

TEST(ZipReaderTest, ReadsDeflatedAndStoredMembersInStoredOrder) {
  const auto zip = make_zip(
      {{"b/GO-1.json", kJson, false}, {"a/plain.txt", "hello", true}, {"empty.json", "", false}});
  const auto outcome = read(zip);
  ASSERT_TRUE(outcome.result.has_value()) << outcome.result.error().message;
  EXPECT_EQ(*outcome.result, internal::ZipOutcome::kDone);
  ASSERT_EQ(outcome.files.size(), 3U);
  EXPECT_EQ(outcome.files[0].name, "t.zip:b/GO-1.json");
  EXPECT_EQ(outcome.files[0].content, kJson);
  // Spare capacity lets simdjson parse in place.
  EXPECT_GE(outcome.files[0].content.capacity(), kJson.size() + 64);
  EXPECT_EQ(outcome.files[1].name, "t.zip:a/plain.txt");
  EXPECT_EQ(outcome.files[1].content, "hello");
  EXPECT_EQ(outcome.files[2].content, "");
}

TEST(ZipReaderTest, SkipsDirectoriesAndSymlinksAsLibarchiveDoes) {
  const auto zip = make_zip({{"dir/", "", false, AE_IFDIR},
                             {"link", "/etc/passwd", true, AE_IFLNK},
                             {"dir/x.json", "{}", false}});
  const auto outcome = read(zip);
  ASSERT_TRUE(outcome.result.has_value()) << outcome.result.error().message;
  ASSERT_EQ(outcome.files.size(), 1U);
  EXPECT_EQ(outcome.files[0].name, "t.zip:dir/x.json");
  // read_source over the same bytes agrees (it uses this reader for zips).
  testing::TempDir dir;
  const auto path = dir.write("s.zip", zip);
  std::vector<std::string> names;
  ASSERT_TRUE(read_source(path, {}, [&](SourceFile&& file) -> Result<void> {
                names.push_back(file.name);
                return {};
              }).has_value());
  ASSERT_EQ(names.size(), 1U);
  EXPECT_EQ(names[0], path.string() + ":dir/x.json");
}

TEST(ZipReaderTest, CorruptStoredDataIsACrcError) {
  auto zip = make_zip({{"a.txt", "hello world", true}});
  const size_t at = zip.find("hello world");
  ASSERT_NE(at, std::string::npos);
  zip[at] = 'j';
  const auto outcome = read(zip);
  ASSERT_FALSE(outcome.result.has_value());
  EXPECT_EQ(outcome.result.error().code, ErrorCode::kParse);
  EXPECT_NE(outcome.result.error().message.find("t.zip:a.txt"), std::string::npos);
  EXPECT_NE(outcome.result.error().message.find("CRC"), std::string::npos);
}

TEST(ZipReaderTest, LimitsApplyBeforeInflating) {
  const auto zip = make_zip({{"a.json", kJson, false}});
  ReadLimits limits;
  limits.max_file_bytes = 1000;
  auto outcome = read(zip, limits);
  ASSERT_FALSE(outcome.result.has_value());
  EXPECT_EQ(outcome.result.error().code, ErrorCode::kInvalidArgument);
  limits = {};
  limits.max_files = 0;
  outcome = read(zip, limits);
  ASSERT_FALSE(outcome.result.has_value());
  EXPECT_EQ(outcome.result.error().code, ErrorCode::kInvalidArgument);
}

// Every truncation and every single-byte corruption of a small archive is either read, left to
// libarchive, or refused with an error: never a crash (run under ASan in CI).
TEST(ZipReaderTest, DamagedArchivesNeverCrash) {
  const auto zip = make_zip({{"a.json", kJson.substr(0, 300), false}, {"b.txt", "abc", true}});
  for (size_t size = 0; size < zip.size(); ++size) {
    const auto outcome = read(zip.substr(0, size));
    if (outcome.result.has_value()) {
      EXPECT_EQ(*outcome.result, internal::ZipOutcome::kNotHandled) << size;
    }
  }
  for (size_t pos = 0; pos < zip.size(); ++pos) {
    std::string damaged = zip;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x5A);
    const auto outcome = read(damaged);
    if (outcome.result.has_value() && *outcome.result == internal::ZipOutcome::kDone) {
      ASSERT_LE(outcome.files.size(), 2U) << pos;
    }
  }
}

}  // namespace
}  // namespace vigil::vulndb
