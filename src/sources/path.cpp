// normalize_path and the chroot-style resolver shared by the FileTree implementations.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sources/file_tree.hpp"
#include "sources/internal/resolve.hpp"

namespace vigil::sources {
namespace {

// Appends the components of `path` to `out` in order, dropping empty ones (from "//" or a
// leading/trailing '/').
void split_components(std::string_view path, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    if (end > start) {
      out.emplace_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) {
      out.push_back('/');
    }
    out += part;
  }
  return out;
}

}  // namespace

std::string normalize_path(std::string_view path) {
  std::vector<std::string> parts;
  split_components(path, parts);
  std::vector<std::string> kept;
  kept.reserve(parts.size());
  for (auto& part : parts) {
    if (part == ".") {
      continue;
    }
    if (part == "..") {
      if (!kept.empty()) {
        kept.pop_back();
      }
      continue;
    }
    kept.push_back(std::move(part));
  }
  return join(kept);
}

namespace internal {

std::string Resolved::path() const {
  std::string out = join(parents);
  if (!name.empty()) {
    if (!out.empty()) {
      out.push_back('/');
    }
    out += name;
  }
  return out;
}

Result<Resolved> resolve(std::string_view path, bool follow_final, Cursor& cursor) {
  // No file name holds a NUL; passing one on would truncate the name the kernel sees.
  if (path.find('\0') != std::string_view::npos) {
    return fail(Error::not_found("path with a NUL byte: no such file"));
  }
  // `pending` is a stack: the next component to resolve is at the back.
  std::vector<std::string> pending;
  split_components(path, pending);
  std::reverse(pending.begin(), pending.end());

  Resolved out;
  int hops = 0;
  const auto go_to_root = [&] {
    while (!out.parents.empty()) {
      cursor.leave();
      out.parents.pop_back();
    }
  };

  while (!pending.empty()) {
    std::string component = std::move(pending.back());
    pending.pop_back();
    if (component == ".") {
      continue;
    }
    if (component == "..") {
      // chroot semantics: ".." at the root stays at the root.
      if (!out.parents.empty()) {
        cursor.leave();
        out.parents.pop_back();
      }
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(std::optional<Node> node, cursor.lookup(component));
    if (!node) {
      return fail(Error::not_found("{}: no such file or directory", path));
    }
    const bool is_final = pending.empty();
    if (node->type == FileType::kSymlink && (!is_final || follow_final)) {
      if (++hops > kMaxSymlinkHops) {
        return fail(Error::not_found("{}: too many levels of symbolic links", path));
      }
      if (node->link_target.empty()) {
        return fail(Error::not_found("{}: empty symbolic link", path));
      }
      if (node->link_target.front() == '/') {
        go_to_root();  // absolute targets are re-rooted at the tree root
      }
      std::vector<std::string> target;
      split_components(node->link_target, target);
      pending.insert(pending.end(), target.rbegin(), target.rend());
      continue;
    }
    if (is_final) {
      out.name = std::move(component);
      out.node = std::move(*node);
      return out;
    }
    if (node->type != FileType::kDirectory) {
      return fail(Error::not_found("{}: not a directory", path));
    }
    VIGIL_TRY(cursor.enter(component));
    out.parents.push_back(std::move(component));
  }

  // The path ended on a directory reached through "..", "." or a link (or is the root): report it
  // as an entry of its parent so callers see the same shape as for any other path.
  if (out.parents.empty()) {
    out.node.type = FileType::kDirectory;
    return out;
  }
  out.name = std::move(out.parents.back());
  out.parents.pop_back();
  cursor.leave();
  VIGIL_ASSIGN_OR_RETURN(std::optional<Node> node, cursor.lookup(out.name));
  if (!node) {
    return fail(Error::not_found("{}: no such file or directory", path));
  }
  out.node = std::move(*node);
  return out;
}

}  // namespace internal
}  // namespace vigil::sources
