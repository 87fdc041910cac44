// The layer store: round trips, variants, corrupt files treated as misses, concurrent writers.
#include "sources/layer_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

class LayerCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    layer_ =
        testing::build_layer({testing::file("etc/os-release", "ID=debian\n"),
                              testing::file("usr/bin/x", "binary"), testing::file(".wh.old", "")});
    blob_ = dir_.write("blob", layer_.blob);
    auto store = LayerStore::open(dir_.path() / "cache", true);
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
  }

  Result<std::shared_ptr<const StoredLayer>> build(std::string_view variant) {
    return store_->build(layer_.digest, variant, [&](ContentSink& sink) {
      IndexOptions options;
      options.wanted = [](std::string_view path) { return path == "etc/os-release"; };
      return index_tar_layer(blob_, layer_.digest, options, sink);
    });
  }

  testing::TempDir dir_;
  testing::BuiltLayer layer_;
  std::filesystem::path blob_;
  std::unique_ptr<LayerStore> store_;
};

TEST_F(LayerCacheTest, BuildThenFind) {
  auto built = build("v1");
  ASSERT_TRUE(built.has_value()) << built.error().message;
  auto found = store_->find(layer_.digest, "v1");
  ASSERT_TRUE(found.has_value());
  ASSERT_NE(*found, nullptr);
  const StoredLayer& layer = **found;
  EXPECT_TRUE(layer.from_cache());
  EXPECT_EQ(layer.index(), (*built)->index());
  const LayerEntry* release = layer.find("etc/os-release");
  ASSERT_NE(release, nullptr);
  EXPECT_EQ(*layer.read_content(*release, 100), "ID=debian\n");
  EXPECT_EQ(layer.read_content(*release, 3).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(layer.read_content(*layer.find("usr/bin/x"), 100).error().code,
            ErrorCode::kUnavailable);
  EXPECT_TRUE(layer.whiteout("old"));
  EXPECT_EQ(layer.find("old"), nullptr);
}

TEST_F(LayerCacheTest, OtherVariantIsAMiss) {
  ASSERT_TRUE(build("v1").has_value());
  auto found = store_->find(layer_.digest, "v2");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, nullptr);
}

TEST_F(LayerCacheTest, CorruptFilesAreMissesAndRemoved) {
  ASSERT_TRUE(build("v1").has_value());
  std::filesystem::path file;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "cache")) {
    file = entry.path();
  }
  ASSERT_FALSE(file.empty());
  const auto size = std::filesystem::file_size(file);
  const std::vector<std::function<void()>> damages = {
      [&] { std::filesystem::resize_file(file, size / 2); },
      [&] {
        std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
        out.seekp(static_cast<std::streamoff>(size - 40));
        out.put('\x7f');
      },
      [&] { std::ofstream(file, std::ios::trunc) << "VIGLAYR1"; },
  };
  for (size_t idx = 0; idx < damages.size(); ++idx) {
    ASSERT_TRUE(build("v1").has_value());
    damages[idx]();
    auto found = store_->find(layer_.digest, "v1");
    ASSERT_TRUE(found.has_value()) << idx;
    EXPECT_EQ(*found, nullptr) << idx;
    EXPECT_FALSE(std::filesystem::exists(file)) << idx;
  }
}

TEST_F(LayerCacheTest, DecodeRejectsInconsistentIndexes) {
  LayerIndex index;
  index.digest = layer_.digest;
  index.entries.push_back({"a", "", 10, 8, 0644, EntryKind::kRegular});
  const std::string bytes = encode_layer_index(index, "v");
  EXPECT_TRUE(decode_layer_index(bytes, "v", 8, 18).has_value());
  EXPECT_FALSE(decode_layer_index(bytes, "v", 8, 17).has_value());  // content past the end
  EXPECT_FALSE(decode_layer_index(bytes, "w", 8, 18).has_value());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(decode_layer_index(bytes.substr(0, cut), "v", 8, 18).has_value()) << cut;
  }
}

TEST_F(LayerCacheTest, ConcurrentWritersLeaveOneGoodFile) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int idx = 0; idx < 4; ++idx) {
    threads.emplace_back([&] {
      if (build("v1").has_value()) {
        ++ok;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(ok.load(), 4);
  auto found = store_->find(layer_.digest, "v1");
  ASSERT_TRUE(found.has_value());
  ASSERT_NE(*found, nullptr);
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "cache")) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".tmp")) << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 1U);
}

TEST_F(LayerCacheTest, BadDigestsAreRejected) {
  EXPECT_FALSE(store_->find("sha256:../../x", "v").has_value());
  const std::string claimed = "sha256:" + std::string(64, 'c');
  auto built = store_->build(claimed, "v", [&](ContentSink& sink) {
    return index_tar_layer(blob_, claimed, IndexOptions{}, sink);
  });
  ASSERT_FALSE(built.has_value());
  EXPECT_EQ(built.error().code, ErrorCode::kParse);  // the blob is not what the key claims
}

}  // namespace
}  // namespace vigil::sources
