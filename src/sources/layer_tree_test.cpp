// The merged layer view: OCI whiteouts and opaque directories, replacement rules, links
// confined to the tree, provenance queries, partial views, mounts and the walk contract.
#include "sources/layer_tree.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/oci_builder.hpp"
#include "support/temp_dir.hpp"

namespace vigil::sources {
namespace {

using testing::TarEntry;

class LayerTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = LayerStore::open(dir_.path() / "store", false);
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
  }

  // Indexes `entries` as a layer keeping every file except those named "*.nokeep".
  TreeLayer layer(const std::vector<TarEntry>& entries, std::string mount = "",
                  bool keep_blob = true) {
    const auto built = testing::build_layer(entries);
    const auto path = dir_.write("blob-" + std::to_string(++count_), built.blob);
    auto stored = store_->build(built.digest, "v", [&](ContentSink& sink) {
      IndexOptions options;
      options.mount = mount;
      options.wanted = [](std::string_view name) { return !name.ends_with(".nokeep"); };
      return index_tar_layer(path, built.digest, options, sink);
    });
    EXPECT_TRUE(stored.has_value()) << stored.error().message;
    TreeLayer out{*stored, std::move(mount), std::nullopt, false};
    if (keep_blob) {
      out.blob = path;
    }
    return out;
  }

  static std::vector<std::string> listing(const FileTree& tree) {
    std::vector<std::string> out;
    EXPECT_TRUE(tree.walk([&](const FileInfo& info) {
                      out.push_back(info.path + (info.type == FileType::kDirectory ? "/" : ""));
                      return true;
                    })
                    .has_value());
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<LayerStore> store_;
  int count_ = 0;
};

TEST_F(LayerTreeTest, AppliesWhiteoutsOpaqueDirsAndReplacements) {
  std::vector<TreeLayer> layers;
  layers.push_back(layer({testing::dir("etc"), testing::file("etc/a", "a0"),
                          testing::file("etc/b", "b0"), testing::file("usr/lib/x", "x0"),
                          testing::dir("var"), testing::file("var/log", "log")}));
  layers.push_back(
      layer({testing::file("etc/.wh.a", ""), testing::file("etc/c", "c1"),
             testing::file("usr/lib/.wh..wh..opq", ""), testing::file("usr/lib/y", "y1")}));
  layers.push_back(layer({testing::file("etc/b", "b2"), testing::file("var", "now a file")}));
  const LayeredFileTree tree(layers, "test image");

  EXPECT_EQ(listing(tree), (std::vector<std::string>{"etc/", "etc/b", "etc/c", "usr/", "usr/lib/",
                                                     "usr/lib/y", "var"}));
  EXPECT_EQ(*tree.read("etc/b"), "b2");
  EXPECT_EQ(*tree.read("var"), "now a file");
  EXPECT_EQ(tree.read("etc/a").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(tree.read("usr/lib/x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(tree.read("etc").error().code, ErrorCode::kInvalidArgument);

  EXPECT_EQ(tree.provider("etc/b"), std::optional<size_t>(2));
  EXPECT_EQ(tree.provider("etc/c"), std::optional<size_t>(1));
  EXPECT_EQ(tree.provider("usr"), std::nullopt);  // implicit directory
  EXPECT_EQ(tree.layers_touching("etc/b"), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(tree.layers_touching("etc/a"), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(tree.layers_touching("usr/lib/x"), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(tree.layers_touching("var/log"), (std::vector<size_t>{0, 2}));

  const auto lower = tree.view_through(1);
  EXPECT_EQ(*lower->read("etc/b"), "b0");
  EXPECT_EQ(*lower->read("etc/a"), "a0");
  EXPECT_EQ(*lower->read("var/log"), "log");
}

TEST_F(LayerTreeTest, DirectoryOverDirectoryMergesFileOverDirectoryReplaces) {
  std::vector<TreeLayer> layers;
  layers.push_back(layer({testing::file("d/old", "o"), testing::file("e/sub/deep", "x")}));
  layers.push_back(
      layer({testing::dir("d"), testing::file("d/new", "n"), testing::file("e", "file")}));
  layers.push_back(layer({testing::file("e/again", "a")}));  // a directory over the file
  const LayeredFileTree tree(layers, "t");
  EXPECT_EQ(listing(tree), (std::vector<std::string>{"d/", "d/new", "d/old", "e/", "e/again"}));
}

TEST_F(LayerTreeTest, OpaqueRootAndWhiteoutThenRecreate) {
  std::vector<TreeLayer> layers;
  layers.push_back(layer({testing::file("a/x", "x0"), testing::file("b", "b0")}));
  layers.push_back(layer({testing::file(".wh.a", ""), testing::file("a/y", "y1")}));
  layers.push_back(layer({testing::file("c", "c2")}));
  const LayeredFileTree tree(layers, "t");
  // The whiteout hides a/x; a/y from the same layer survives under an implicit "a".
  EXPECT_EQ(listing(tree), (std::vector<std::string>{"a/", "a/y", "b", "c"}));
  layers.push_back(layer({testing::file(".wh..wh..opq", ""), testing::file("d", "d3")}));
  const LayeredFileTree opaque(layers, "t");
  EXPECT_EQ(listing(opaque), (std::vector<std::string>{"d"}));
  EXPECT_EQ(opaque.layers_touching("b"), (std::vector<size_t>{0, 3}));
}

TEST_F(LayerTreeTest, LinksStayInsideTheTree) {
  std::vector<TreeLayer> layers;
  layers.push_back(
      layer({testing::file("etc/passwd", "inside"), testing::file("usr/real", "real"),
             testing::file("usr/lib/y", "y"), testing::file("lib/x", "x"),
             testing::symlink("up", "../../../../../etc/passwd"),
             testing::symlink("abs", "/etc/passwd"), testing::symlink("loop", "loop")}));
  layers.push_back(
      layer({testing::hardlink("bin/h", "usr/real"), testing::symlink("lib", "usr/lib")}));
  const LayeredFileTree tree(layers, "t");
  EXPECT_EQ(*tree.read("up"), "inside");
  EXPECT_EQ(*tree.read("abs"), "inside");
  EXPECT_EQ(tree.read("loop").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*tree.read("bin/h"), "real");  // a hard link to a lower layer's file
  EXPECT_EQ(*tree.read("lib/y"), "y");     // a directory replaced by a link to another
  EXPECT_EQ(tree.read("lib/x").error().code, ErrorCode::kNotFound);
  const auto info = tree.stat("lib");
  ASSERT_TRUE(info.has_value() && info->has_value());
  EXPECT_EQ((*info)->type, FileType::kSymlink);
  const auto hard = tree.stat("bin/h");
  EXPECT_EQ((*hard)->size, 4U);
  EXPECT_EQ((*hard)->type, FileType::kRegular);
}

TEST_F(LayerTreeTest, UnkeptContentComesFromTheBlobOrIsUnavailable) {
  std::vector<TreeLayer> with_blob;
  with_blob.push_back(layer({testing::file("a.nokeep", "streamed")}));
  EXPECT_EQ(*LayeredFileTree(with_blob, "t").read("a.nokeep"), "streamed");
  std::vector<TreeLayer> without;
  without.push_back(layer({testing::file("a.nokeep", "streamed")}, "", false));
  const auto got = LayeredFileTree(without, "t").read("a.nokeep");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
}

TEST_F(LayerTreeTest, OpenFileAndReadRangeFollowLinksAndHardLinks) {
  std::vector<TreeLayer> layers;
  layers.push_back(layer(
      {testing::file("usr/real", "0123456789"), testing::symlink("abs", "/usr/real"),
       testing::symlink("up", "../../../usr/real"), testing::file("big.nokeep", "from the blob")}));
  layers.push_back(layer({testing::hardlink("bin/h", "usr/real")}));
  const LayeredFileTree tree(layers, "t");
  EXPECT_EQ(tree.read_range("usr/real", 2, 3).value(), "234");
  EXPECT_EQ(tree.read_range("abs", 8, 100).value(), "89");
  EXPECT_EQ(tree.read_range("up", 10, 1).value(), "");
  EXPECT_EQ(tree.read_range("bin/h", 0, 4).value(), "0123");  // hard link to a lower layer
  EXPECT_EQ(tree.read_range("big.nokeep", 9, 4).value(), "blob");
  EXPECT_EQ(tree.read_range("usr", 0, 1).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.read_range("missing", 0, 1).error().code, ErrorCode::kNotFound);
  const auto file = tree.open_file("bin/h");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ((*file)->size(), 10U);
  EXPECT_EQ((*file)->read_at(7, 2).value(), "78");
  EXPECT_EQ((*file)->read_at(11, 2).value(), "");
  // Content that is neither kept nor in a blob: opening works, reading reports it.
  std::vector<TreeLayer> without;
  without.push_back(layer({testing::file("a.nokeep", "streamed")}, "", false));
  const LayeredFileTree gone(without, "t");
  const auto opened = gone.open_file("a.nokeep");
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ((*opened)->size(), 8U);
  EXPECT_EQ((*opened)->read_at(0, 1).error().code, ErrorCode::kUnavailable);
}

TEST_F(LayerTreeTest, MountsAndWalkSkipping) {
  std::vector<TreeLayer> layers;
  layers.push_back(
      layer({testing::file("python/a", "1"), testing::file("python.d/b", "2")}, "opt"));
  layers.push_back(layer({testing::file("python/a", "override")}, "opt"));
  layers.push_back(layer({testing::file("app.py", "code")}, "var/task"));
  const LayeredFileTree tree(layers, "fn");
  EXPECT_EQ(listing(tree),
            (std::vector<std::string>{"opt/", "opt/python/", "opt/python/a", "opt/python.d/",
                                      "opt/python.d/b", "var/", "var/task/", "var/task/app.py"}));
  // Children follow their parent directly, before a sibling such as "python.d".
  EXPECT_EQ(*tree.read("opt/python/a"), "override");
  EXPECT_EQ(tree.provider("opt/python/a"), std::optional<size_t>(1));
  EXPECT_EQ(tree.layers_touching("opt/python/a"), (std::vector<size_t>{0, 1}));
  std::vector<std::string> seen;
  ASSERT_TRUE(tree.walk([&](const FileInfo& info) {
                    seen.push_back(info.path);
                    return info.path != "opt/python";
                  })
                  .has_value());
  EXPECT_EQ(seen, (std::vector<std::string>{"opt", "opt/python", "opt/python.d", "opt/python.d/b",
                                            "var", "var/task", "var/task/app.py"}));
}

}  // namespace
}  // namespace vigil::sources
