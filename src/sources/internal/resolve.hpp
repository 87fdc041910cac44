// Symlink resolution confined to a tree root, shared by every FileTree implementation: the
// algorithm walks one component at a time through a Cursor, so a tree on the host filesystem can
// hold a directory file descriptor per step and never hand a path string to the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sources/file_tree.hpp"

namespace vigil::sources::internal {

// Linux's MAXSYMLINKS: more hops than this while resolving one path is treated as a loop.
inline constexpr int kMaxSymlinkHops = 40;

// One directory entry as seen without following it.
struct Node {
  FileType type = FileType::kRegular;
  std::string link_target;  // for kSymlink
  uint64_t size = 0;
  uint32_t mode = 0;
};

// A position in a tree: the current directory, starting at the root.
class Cursor {
 public:
  virtual ~Cursor() = default;

  // Looks up the single component `name` (never "", "." or "..") in the current directory
  // without following it. Returns nullopt when absent, kIo when the directory cannot be read.
  [[nodiscard]] virtual Result<std::optional<Node>> lookup(std::string_view name) = 0;

  // Descends into `name`, which lookup() just reported as a directory. Returns kNotFound if it
  // is no longer a directory (the tree changed underneath), kIo when it cannot be opened.
  [[nodiscard]] virtual Result<void> enter(std::string_view name) = 0;

  // Returns to the parent directory. Only called when the cursor is below the root.
  virtual void leave() = 0;
};

// Where a path led.
struct Resolved {
  std::vector<std::string> parents;  // directories from the root; the cursor is in the last one
  std::string name;                  // final component; empty when the path is the root itself
  Node node;                         // the final entry (a symlink only when not following it)

  // The canonical '/'-separated path from the root ("" for the root).
  std::string path() const;
};

// Resolves `path` against the cursor's tree, which must start at its root. Symlinks behave as
// under chroot(2) at the root: an absolute target restarts at the root and ".." never rises
// above it, so the result always lies inside the tree. The final component is followed only if
// `follow_final`. Returns kNotFound (naming `path`) when a component is missing, a non-final
// component is not a directory, or more than kMaxSymlinkHops links are met (a loop); kIo when
// the cursor fails. On success the cursor is left in the parent directory of the result.
[[nodiscard]] Result<Resolved> resolve(std::string_view path, bool follow_final, Cursor& cursor);

}  // namespace vigil::sources::internal
