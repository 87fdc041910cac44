// Tar snapshots: the tar is a single-layer image, indexed once by index_tar_layer into a private
// layer store and read through LayeredFileTree.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "sources/digest.hpp"
#include "sources/internal/archive_util.hpp"
#include "sources/internal/scratch_dir.hpp"
#include "sources/layer_cache.hpp"
#include "sources/layer_tree.hpp"
#include "sources/snapshot.hpp"

namespace vigil::sources {
namespace {

constexpr size_t kChunk = size_t{1} << 20;

// The snapshot tree keeps its scratch directory (layer file, expanded tar) alive.
class TarSnapshotTree final : public FileTree {
 public:
  TarSnapshotTree(std::unique_ptr<internal::ScratchDir> scratch,
                  std::unique_ptr<LayerStore> store, std::unique_ptr<LayeredFileTree> tree)
      : scratch_(std::move(scratch)), store_(std::move(store)), tree_(std::move(tree)) {}

  Result<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    return tree_->read(path, max_bytes);
  }
  Result<std::unique_ptr<RandomAccessFile>> open_file(std::string_view path) const override {
    return tree_->open_file(path);
  }
  Result<std::string> read_range(std::string_view path, uint64_t offset,
                                 uint64_t length) const override {
    return tree_->read_range(path, offset, length);
  }
  Result<std::optional<FileInfo>> stat(std::string_view path) const override {
    return tree_->stat(path);
  }
  Result<void> walk(const std::function<bool(const FileInfo&)>& visit) const override {
    return tree_->walk(visit);
  }
  std::optional<std::filesystem::path> host_path(std::string_view) const override {
    return std::nullopt;
  }
  std::string describe() const override { return tree_->describe(); }

 private:
  std::unique_ptr<internal::ScratchDir> scratch_;
  std::unique_ptr<LayerStore> store_;
  std::unique_ptr<LayeredFileTree> tree_;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// True when BlobReader reads the compression itself: gzip, zstd or none (a plain tar has no
// magic at the start; anything else libarchive recognises is expanded first).
Result<bool> natively_readable(const std::filesystem::path& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return fail(Error::io("{}: {}", path.string(), std::strerror(errno)));
  }
  std::array<unsigned char, 6> magic{};
  const ssize_t count = ::read(fd.get(), magic.data(), magic.size());
  if (count < 0) {
    return fail(Error::io("{}: {}", path.string(), std::strerror(errno)));
  }
  const auto has = [&](std::initializer_list<unsigned char> prefix) {
    return static_cast<size_t>(count) >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), magic.begin());
  };
  // xz, bzip2, lzma, lz4, compress (.Z), lzop.
  const bool foreign = has({0xFD, '7', 'z', 'X', 'Z', 0x00}) || has({'B', 'Z', 'h'}) ||
                       has({0x5D, 0x00, 0x00}) || has({0x04, 0x22, 0x4D, 0x18}) ||
                       has({0x1F, 0x9D}) || has({0x89, 'L', 'Z', 'O'});
  return !foreign;
}

// Expands `source` (xz, bzip2, ...) into `target` with libarchive's raw reader, within the
// expanded-size and ratio limits.
Result<void> expand(const std::filesystem::path& source, const std::filesystem::path& target,
                    const ExtractLimits& limits) {
  internal::ArchiveReader reader;
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_raw(reader.get());
  if (archive_read_open_filename(reader.get(), source.c_str(), kChunk) != ARCHIVE_OK) {
    return fail(Error::parse("{}: {}", source.string(), reader.error_text()));
  }
  archive_entry* entry = nullptr;
  if (archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK) {
    return fail(Error::parse("{}: {}", source.string(), reader.error_text()));
  }
  const Fd out(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) {
    return fail(Error::io("{}: {}", target.string(), std::strerror(errno)));
  }
  std::error_code ec;
  const uint64_t compressed = std::filesystem::file_size(source, ec);
  std::vector<char> buffer(kChunk);
  uint64_t expanded = 0;
  for (;;) {
    const la_ssize_t count = archive_read_data(reader.get(), buffer.data(), buffer.size());
    if (count < 0) {
      return fail(Error::parse("{}: {}", source.string(), reader.error_text()));
    }
    if (count == 0) {
      return {};
    }
    expanded += static_cast<uint64_t>(count);
    if (expanded > limits.max_expanded_bytes) {
      return fail(Error::invalid_argument("{}: expands to more than {} bytes", source.string(),
                                          limits.max_expanded_bytes));
    }
    if (!ec && expanded > limits.ratio_floor && compressed > 0 &&
        expanded / compressed > limits.max_ratio) {
      return fail(Error::invalid_argument("{}: expansion ratio above {}:1 (a decompression bomb?)",
                                          source.string(), limits.max_ratio));
    }
    size_t written = 0;
    while (written < static_cast<size_t>(count)) {
      const ssize_t wrote =
          ::write(out.get(), buffer.data() + written, static_cast<size_t>(count) - written);
      if (wrote < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(Error::io("{}: {}", target.string(), std::strerror(errno)));
      }
      written += static_cast<size_t>(wrote);
    }
  }
}

Result<std::string> file_digest(const std::filesystem::path& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return fail(Error::io("{}: {}", path.string(), std::strerror(errno)));
  }
  Sha256 hash;
  std::vector<char> buffer(kChunk);
  for (;;) {
    const ssize_t count = ::read(fd.get(), buffer.data(), buffer.size());
    if (count < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(Error::io("{}: {}", path.string(), std::strerror(errno)));
    }
    if (count == 0) {
      return hash.finish();
    }
    hash.update(buffer.data(), static_cast<size_t>(count));
  }
}

}  // namespace

Result<std::unique_ptr<FileTree>> open_tar_snapshot(const std::filesystem::path& path,
                                                    const SnapshotOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(auto scratch,
                         internal::ScratchDir::create(options.scratch_parent, "snapshot"));
  std::filesystem::path tar = path;
  VIGIL_ASSIGN_OR_RETURN(const bool native, natively_readable(path));
  if (!native) {
    tar = scratch->next_file("expanded");
    VIGIL_TRY(expand(path, tar, options.limits));
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string digest, file_digest(tar));
  VIGIL_ASSIGN_OR_RETURN(auto store, LayerStore::open(scratch->path() / "layers", false));
  IndexOptions index_options;
  index_options.wanted = options.wanted;
  index_options.whiteouts = false;  // a root filesystem, not a changeset: ".wh." is a name
  index_options.hash_expanded = false;
  index_options.limits = options.limits;
  auto layer = store->build(digest, "snapshot", [&](ContentSink& sink) {
    return index_tar_layer(tar, digest, index_options, sink);
  });
  if (!layer) {
    return fail(layer.error().with_context(fmt::format("tar snapshot {}", path.string())));
  }
  std::vector<TreeLayer> layers;
  layers.push_back(TreeLayer{*layer, "", tar, false});
  auto tree = std::make_unique<LayeredFileTree>(std::move(layers),
                                                fmt::format("tar snapshot {}", path.string()));
  return std::unique_ptr<FileTree>(
      std::make_unique<TarSnapshotTree>(std::move(scratch), std::move(store), std::move(tree)));
}

bool looks_like_ext4(const std::filesystem::path& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::array<unsigned char, 2> magic{};
  return fd.get() >= 0 && ::pread(fd.get(), magic.data(), magic.size(), 1080) == 2 &&
         magic[0] == 0x53 && magic[1] == 0xEF;
}

Result<std::unique_ptr<FileTree>> open_root_filesystem(const std::filesystem::path& path,
                                                       const SnapshotOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return open_directory(path);
  }
  if (!std::filesystem::exists(path, ec)) {
    return fail(Error::not_found("{}: no such file or directory", path.string()));
  }
  if (looks_like_ext4(path)) {
    return open_ext4_image(path, options);
  }
  return open_tar_snapshot(path, options);
}

}  // namespace vigil::sources
