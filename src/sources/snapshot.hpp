// Agentless root-volume snapshots (the EBS-snapshot analogue): a root filesystem given as a tar
// (any compression libarchive reads) or as a raw ext4 disk image read without mounting, opened
// as a read-only FileTree like a host directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "core/result.hpp"
#include "sources/file_tree.hpp"
#include "sources/layer_index.hpp"

namespace vigil::sources {

struct SnapshotOptions {
  // Files whose content a tar snapshot keeps while it is indexed (the catalogers' wants and the
  // OS release files); others are re-read from the tar on demand (slow). Null keeps nothing.
  std::function<bool(std::string_view)> wanted;
  ExtractLimits limits;                  // expanded bytes, ratio and entry count of the tar
  std::filesystem::path scratch_parent;  // where the private scratch directory goes ("" = tmp)
  uint64_t max_ext4_entries = 5'000'000;  // inodes an ext4 walk visits before giving up
};

// Opens the tar at `path` as a root filesystem: one streaming pass indexes it with the image
// layer machinery (a snapshot is a single-layer image without whiteouts; the same hostile-name,
// link and bomb guards apply). gzip and zstd are read directly; other compressions libarchive
// knows (xz, bzip2, lzma, lz4, ...) are first expanded into the private scratch directory
// within `options.limits`. The tree owns its scratch directory. Errors: kIo when the file cannot
// be read, kParse for a corrupt or truncated archive, kInvalidArgument when a limit is passed.
[[nodiscard]] Result<std::unique_ptr<FileTree>> open_tar_snapshot(
    const std::filesystem::path& path, const SnapshotOptions& options);

// True when the file at `path` has an ext2/3/4 superblock magic (0xEF53 at byte 1080).
bool looks_like_ext4(const std::filesystem::path& path);

// Opens the raw ext2/3/4 filesystem image at `path` read-only through libext2fs (nothing is
// mounted). Directories, regular files and symlinks (fast and slow) are read; other inode types
// appear as kOther. Symlinks resolve inside the image only (FileTree rules); directory loops
// (a corrupt image linking a directory twice) are cut by remembering visited inodes; a walk
// stops after `options.max_ext4_entries` entries. Errors: kIo when the file cannot be opened,
// kParse when it is not a valid ext2/3/4 filesystem. The tree is safe for concurrent reads (a
// mutex serialises libext2fs calls).
[[nodiscard]] Result<std::unique_ptr<FileTree>> open_ext4_image(
    const std::filesystem::path& path, const SnapshotOptions& options);

// A directory → open_directory; an ext4 image → open_ext4_image; any other file →
// open_tar_snapshot.
[[nodiscard]] Result<std::unique_ptr<FileTree>> open_root_filesystem(
    const std::filesystem::path& path, const SnapshotOptions& options);

}  // namespace vigil::sources
