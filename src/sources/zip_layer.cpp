// Zip indexing for function bundles (code.zip and layer zips): libarchive's seekable zip reader
// lists the central directory, and only the entries a caller wants are decompressed, each
// against the size cap and the bundle's expansion budget.
#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "sources/internal/archive_util.hpp"
#include "sources/layer_index.hpp"

namespace vigil::sources {

Result<LayerIndex> index_zip_layer(const std::filesystem::path& blob, const std::string& digest,
                                   const IndexOptions& options, ContentSink& sink) {
  const std::string what = fmt::format("zip {}", blob.filename().string());
  std::error_code ec;
  const uint64_t blob_bytes = std::filesystem::file_size(blob, ec);
  if (ec) {
    return fail(Error::io("{}: {}", what, ec.message()));
  }
  internal::ArchiveReader reader;
  archive_read_support_format_zip_seekable(reader.get());
  if (archive_read_open_filename(reader.get(), blob.c_str(), 64 * 1024) != ARCHIVE_OK) {
    return fail(Error::parse("{}: not a readable zip archive: {}", what, reader.error_text()));
  }
  const auto wanted = [&](std::string_view path) {
    if (!options.wanted) {
      return false;
    }
    return options.wanted(options.mount.empty() ? std::string(path)
                                                : options.mount + "/" + std::string(path));
  };

  LayerIndex index;
  index.digest = digest;
  index.blob_bytes = blob_bytes;
  uint64_t entry_count = 0;
  while (true) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return fail(Error::parse("{}: bad entry after {} entries: {}", what, entry_count,
                               reader.error_text()));
    }
    if (++entry_count > options.limits.max_entries) {
      return fail(
          Error::invalid_argument("{}: more than {} entries", what, options.limits.max_entries));
    }
    const auto raw_name = internal::entry_name(entry);
    auto path = raw_name ? sanitize_entry_name(*raw_name)
                         : Result<std::string>(fail(Error::invalid_argument("unnamed entry")));
    if (!path) {
      internal::note_problem(index, fmt::format("{}: {}; skipped", what, path.error().message));
      continue;
    }
    if (path->empty()) {
      continue;
    }
    LayerEntry out;
    out.path = std::move(*path);
    out.mode = static_cast<uint32_t>(archive_entry_perm(entry)) & 07777U;
    switch (archive_entry_filetype(entry)) {
      case AE_IFDIR:
        out.kind = EntryKind::kDirectory;
        break;
      case AE_IFLNK: {
        out.kind = EntryKind::kSymlink;
        const char* target = archive_entry_symlink(entry);
        out.link = target != nullptr ? target : "";
        out.size = out.link.size();
        break;
      }
      case AE_IFREG:
        out.kind = EntryKind::kRegular;
        out.size = static_cast<uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
        break;
      default:
        out.kind = EntryKind::kOther;
        break;
    }
    if (out.kind == EntryKind::kRegular && wanted(out.path)) {
      // The sizes in a zip's directory are claims; the cap applies to the bytes inflated.
      const uint64_t offset = sink.position();
      const uint64_t budget = options.limits.max_expanded_bytes - index.expanded_bytes;
      const uint64_t cap = std::min(options.limits.max_kept_file_bytes, budget);
      auto copied =
          internal::copy_entry_data(reader, cap, fmt::format("{}: {}", what, out.path),
                                    [&](std::string_view data) { return sink.append(data); });
      if (!copied) {
        if (copied.error().code == ErrorCode::kIo) {
          return fail(copied.error());
        }
        if (cap == budget && copied.error().code == ErrorCode::kInvalidArgument) {
          return fail(Error::invalid_argument(
              "{}: expands to more than the {}-byte limit (decompression bomb?)", what,
              options.limits.max_expanded_bytes));
        }
        // An oversized or unreadable (e.g. encrypted) entry: listed, not kept. Whatever was
        // appended for it stays in the sink unreferenced.
        internal::note_problem(index, fmt::format("{}; not kept", copied.error().message));
      } else {
        out.size = *copied;
        out.content_offset = offset;
        index.expanded_bytes += *copied;
        if (index.expanded_bytes > options.limits.ratio_floor &&
            index.expanded_bytes / std::max<uint64_t>(blob_bytes, 1) > options.limits.max_ratio) {
          return fail(Error::invalid_argument("{}: expands more than {}:1 (decompression bomb?)",
                                              what, options.limits.max_ratio));
        }
      }
    }
    index.entries.push_back(std::move(out));
  }
  return index;
}

}  // namespace vigil::sources
