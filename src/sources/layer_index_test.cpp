// Layer indexing: the entry-name sanitiser, whiteouts, links, kept content, hostile names and
// the limits, for tar layers and zip bundles.
#include "sources/layer_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

using testing::TarEntry;

class StringSink final : public ContentSink {
 public:
  Result<void> append(std::string_view data) override {
    data_.append(data);
    return {};
  }
  uint64_t position() const override { return data_.size(); }
  std::string content(const LayerEntry& entry) const {
    return entry.content_offset == kNoContent ? std::string("<not kept>")
                                              : data_.substr(entry.content_offset, entry.size);
  }

 private:
  std::string data_;
};

const LayerEntry* find(const LayerIndex& index, std::string_view path, EntryKind kind) {
  const LayerEntry* found = nullptr;
  for (const auto& entry : index.entries) {
    if (entry.path == path && entry.kind == kind) {
      found = &entry;
    }
  }
  return found;
}

TEST(SanitizeEntryNameTest, Table) {
  const struct {
    std::string name;
    std::string want;  // "!" = rejected
  } cases[] = {
      {"etc/passwd", "etc/passwd"},
      {"./etc/passwd", "etc/passwd"},
      {"etc//x/./y", "etc/x/y"},
      {"a/b/../c", "a/c"},
      {"usr/lib/", "usr/lib"},
      {"./", ""},
      {".", ""},
      {"../etc/passwd", "!"},
      {"a/../../etc/passwd", "!"},
      {"/etc/passwd", "!"},
      {"..", "!"},
      {std::string("a\0b", 3), "!"},
      {std::string(5000, 'a'), "!"},
      {"a/..b/c", "a/..b/c"},
      {"...", "..."},
  };
  for (const auto& c : cases) {
    const auto got = sanitize_entry_name(c.name);
    if (c.want == "!") {
      ASSERT_FALSE(got.has_value()) << c.name;
      EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument);
    } else {
      ASSERT_TRUE(got.has_value()) << c.name;
      EXPECT_EQ(*got, c.want) << c.name;
    }
  }
}

class LayerIndexTest : public ::testing::Test {
 protected:
  Result<LayerIndex> index(const std::vector<TarEntry>& entries,
                           testing::Compression compression = testing::Compression::kGzip,
                           IndexOptions options = {}) {
    const auto layer = testing::build_layer(entries, compression);
    const auto path = dir_.write("layer-" + std::to_string(++count_), layer.blob);
    if (!options.wanted) {
      options.wanted = [](std::string_view name) { return name.ends_with(".want"); };
    }
    auto got = index_tar_layer(path, layer.digest, options, sink_);
    if (got) {
      EXPECT_EQ(got->digest, layer.digest);
      if (options.hash_expanded) {
        EXPECT_EQ(got->diff_id, layer.diff_id);
      }
    }
    return got;
  }

  testing::TempDir dir_;
  StringSink sink_;
  int count_ = 0;
};

TEST_F(LayerIndexTest, ListsEntriesAndKeepsWantedFiles) {
  for (const auto compression :
       {testing::Compression::kNone, testing::Compression::kGzip, testing::Compression::kZstd}) {
    auto got = index({testing::dir("etc"),
                      testing::file("etc/a.want", "alpha"),
                      testing::file("etc/b.txt", "bravo"),
                      testing::symlink("etc/l", "/etc/a.want"),
                      testing::hardlink("etc/h.want", "etc/a.want"),
                      {"dev/fifo", {}, TarEntry::Type::kFifo, {}, 0644}},
                     compression);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_TRUE(got->complete);
    EXPECT_EQ(find(*got, "etc", EntryKind::kDirectory)->mode, 0755U);
    EXPECT_EQ(sink_.content(*find(*got, "etc/a.want", EntryKind::kRegular)), "alpha");
    EXPECT_EQ(sink_.content(*find(*got, "etc/b.txt", EntryKind::kRegular)), "<not kept>");
    EXPECT_EQ(find(*got, "etc/b.txt", EntryKind::kRegular)->size, 5U);
    EXPECT_EQ(find(*got, "etc/l", EntryKind::kSymlink)->link, "/etc/a.want");
    EXPECT_EQ(find(*got, "etc/h.want", EntryKind::kHardlink)->link, "etc/a.want");
    EXPECT_NE(find(*got, "dev/fifo", EntryKind::kOther), nullptr);
  }
}

TEST_F(LayerIndexTest, WhiteoutsBecomeMarkers) {
  auto got = index({testing::file("a/.wh.gone", ""), testing::file("b/.wh..wh..opq", ""),
                    testing::file(".wh..wh.plnk", ""), testing::file(".wh.top", "")});
  ASSERT_TRUE(got.has_value());
  EXPECT_NE(find(*got, "a/gone", EntryKind::kWhiteout), nullptr);
  EXPECT_NE(find(*got, "b", EntryKind::kOpaque), nullptr);
  EXPECT_NE(find(*got, "top", EntryKind::kWhiteout), nullptr);
  EXPECT_EQ(got->entries.size(), 3U);  // the AUFS ".wh..wh.plnk" means nothing
}

TEST_F(LayerIndexTest, HostileNamesAreSkippedAndReported) {
  auto got = index({testing::file("../../escape.want", "x"), testing::file("/abs.want", "y"),
                    testing::hardlink("ok/h.want", "../../etc/shadow"),
                    testing::file("ok/fine.want", "z")});
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_FALSE(got->complete);
  ASSERT_EQ(got->problems.size(), 3U);
  EXPECT_NE(got->problems[0].find("climbs out of the root"), std::string::npos) << got->problems[0];
  EXPECT_NE(got->problems[1].find("absolute path"), std::string::npos) << got->problems[1];
  EXPECT_NE(got->problems[2].find("bad target"), std::string::npos) << got->problems[2];
  EXPECT_EQ(sink_.content(*find(*got, "ok/fine.want", EntryKind::kRegular)), "z");
  EXPECT_EQ(got->entries.size(), 1U);
}

TEST_F(LayerIndexTest, ProblemListsAreCapped) {
  std::vector<TarEntry> hostile;
  for (int idx = 0; idx < 500; ++idx) {
    hostile.push_back(testing::file("../x" + std::to_string(idx), ""));
  }
  auto got = index(hostile);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->complete);
  ASSERT_EQ(got->problems.size(), 101U);
  EXPECT_EQ(got->problems.back(), "further problems in this layer are not listed");
}

TEST_F(LayerIndexTest, WantedHardlinkToUnwantedTargetFetchesItInASecondPass) {
  auto got =
      index({testing::file("usr/real", "content"), testing::hardlink("etc/x.want", "usr/real")});
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(sink_.content(*find(*got, "usr/real", EntryKind::kRegular)), "content");
}

TEST_F(LayerIndexTest, DigestMismatchNamesTheBlob) {
  const auto layer = testing::build_layer({testing::file("a", "b")});
  const auto path = dir_.write("layer", layer.blob);
  const std::string claimed = "sha256:" + std::string(64, '0');
  auto got = index_tar_layer(path, claimed, IndexOptions{}, sink_);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code, ErrorCode::kParse);
  EXPECT_NE(got.error().message.find(claimed), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("digest mismatch"), std::string::npos);
  EXPECT_NE(got.error().message.find(layer.digest), std::string::npos);
}

TEST_F(LayerIndexTest, TruncatedAndGarbageLayersFail) {
  const auto layer = testing::build_layer({testing::file("a", std::string(100000, 'q'))});
  const struct {
    std::string name;
    std::string blob;
  } cases[] = {
      {"truncated", layer.blob.substr(0, layer.blob.size() / 2)},
      {"garbage", std::string(5000, 'z')},
      {"empty-gzip", testing::gzip("")},
  };
  for (const auto& c : cases) {
    auto got = index_tar_layer(dir_.write(c.name, c.blob), "", IndexOptions{}, sink_);
    if (c.name == "empty-gzip") {
      // An empty stream is an empty tar.
      ASSERT_TRUE(got.has_value()) << got.error().message;
      EXPECT_TRUE(got->entries.empty());
      continue;
    }
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error().code, ErrorCode::kParse) << c.name << ": " << got.error().message;
  }
}

TEST_F(LayerIndexTest, EntryLimit) {
  std::vector<TarEntry> many;
  for (int idx = 0; idx < 2000; ++idx) {
    many.push_back(testing::file("f" + std::to_string(idx), ""));
  }
  IndexOptions options;
  options.limits.max_entries = 1000;
  auto got = index(many, testing::Compression::kGzip, options);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(got.error().message.find("more than 1000 entries"), std::string::npos);
}

TEST_F(LayerIndexTest, OversizedWantedFileIsListedNotKept) {
  IndexOptions options;
  options.limits.max_kept_file_bytes = 10;
  auto got = index({testing::file("big.want", std::string(100, 'x'))}, testing::Compression::kGzip,
                   options);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->complete);
  EXPECT_EQ(sink_.content(*find(*got, "big.want", EntryKind::kRegular)), "<not kept>");
  ASSERT_EQ(got->problems.size(), 1U);
  EXPECT_NE(got->problems[0].find("not kept"), std::string::npos);
}

TEST_F(LayerIndexTest, ReadFromBlobFindsUnkeptFiles) {
  const auto layer = testing::build_layer(
      {testing::file("a", "first"), testing::file("b", "bee"), testing::file("a", "second")});
  const auto path = dir_.write("layer", layer.blob);
  auto got = read_from_blob(path, false, "a", 100, ExtractLimits{});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "second");  // the later duplicate wins, as in the index
  EXPECT_EQ(read_from_blob(path, false, "zz", 100, ExtractLimits{}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(read_from_blob(path, false, "b", 2, ExtractLimits{}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(LayerIndexTest, ZipEntriesAreIndexedAndOnlyWantedOnesInflated) {
  const std::string zip =
      testing::make_archive({testing::file("python/x.want", "meta"),
                             testing::file("python/big.bin", std::string(1 << 20, 'b')),
                             testing::file("../evil.want", "no"), testing::dir("nodejs/")},
                            true);
  const auto path = dir_.write("layer.zip", zip);
  IndexOptions options;
  options.mount = "opt";
  options.whiteouts = false;
  std::vector<std::string> asked;
  options.wanted = [&](std::string_view name) {
    asked.emplace_back(name);
    return name.ends_with(".want");
  };
  auto got = index_zip_layer(path, "sha256:" + std::string(64, 'a'), options, sink_);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(sink_.content(*find(*got, "python/x.want", EntryKind::kRegular)), "meta");
  EXPECT_EQ(find(*got, "python/big.bin", EntryKind::kRegular)->size, 1U << 20);
  EXPECT_NE(find(*got, "nodejs", EntryKind::kDirectory), nullptr);
  EXPECT_FALSE(got->complete);
  EXPECT_NE(got->problems.at(0).find("climbs out"), std::string::npos);
  EXPECT_NE(std::find(asked.begin(), asked.end(), "opt/python/x.want"), asked.end());
}

TEST_F(LayerIndexTest, ZipBombIsStopped) {
  const std::string zip =
      testing::make_archive({testing::file("bomb.want", std::string(8 << 20, '\0'))}, true);
  const auto path = dir_.write("bomb.zip", zip);
  IndexOptions options;
  options.wanted = [](std::string_view) { return true; };
  options.limits.ratio_floor = 1 << 20;
  options.limits.max_ratio = 50;
  auto got = index_zip_layer(path, "sha256:" + std::string(64, 'b'), options, sink_);
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().message.find("decompression bomb"), std::string::npos)
      << got.error().message;

  options.limits = ExtractLimits{};
  options.limits.max_expanded_bytes = 1 << 20;
  got = index_zip_layer(path, "sha256:" + std::string(64, 'b'), options, sink_);
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().message.find("1048576-byte limit"), std::string::npos)
      << got.error().message;
}

}  // namespace
}  // namespace vigil::sources
