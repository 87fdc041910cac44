// Tar layer indexing: one streaming pass through BlobReader and libarchive's tar reader, keeping
// the content of wanted files in the sink; OCI whiteouts (image-spec layer.md, "Whiteouts")
// become marker entries. Also the entry-name sanitiser and the slow path that re-reads a blob.
#include "sources/layer_index.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sources/digest.hpp"
#include "sources/internal/archive_util.hpp"
#include "sources/internal/blob_reader.hpp"

namespace vigil::sources {
namespace {

constexpr size_t kMaxEntryName = 4096;

std::string_view base_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dir_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) {
    return std::string(name);
  }
  if (name.empty()) {
    return std::string(dir);
  }
  std::string out(dir);
  out.push_back('/');
  out += name;
  return out;
}

// A tar stream fed from a BlobReader through libarchive's client callbacks.
class TarStream {
 public:
  TarStream(internal::BlobReader& blob, std::string what) : blob_(blob), what_(std::move(what)) {}

  Result<void> open() {
    archive_read_support_format_tar(reader_.get());
    archive_read_support_format_empty(reader_.get());  // a zero-byte layer is an empty tar
    if (archive_read_open(reader_.get(), this, nullptr, &TarStream::read_callback, nullptr) !=
        ARCHIVE_OK) {
      return fail(error("cannot read tar stream"));
    }
    return {};
  }

  // The next header, or nullptr at the end of the archive.
  Result<archive_entry*> next() {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader_.get(), &entry);
    if (status == ARCHIVE_EOF) {
      return static_cast<archive_entry*>(nullptr);
    }
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return fail(error("bad tar header"));
    }
    return entry;
  }

  const internal::ArchiveReader& reader() const { return reader_; }

  // The blob's own error when the failure came from below libarchive, else libarchive's.
  Error error(std::string_view doing) const {
    if (blob_error_) {
      return *blob_error_;
    }
    return Error::parse("{}: {}: {}", what_, doing, reader_.error_text());
  }

 private:
  static la_ssize_t read_callback(archive* handle, void* client, const void** buffer) {
    auto* self = static_cast<TarStream*>(client);
    auto chunk = self->blob_.next();
    if (!chunk) {
      self->blob_error_ = chunk.error();
      archive_set_error(handle, EIO, "%s", chunk.error().message.c_str());
      return -1;
    }
    *buffer = chunk->data();
    return static_cast<la_ssize_t>(chunk->size());
  }

  internal::BlobReader& blob_;
  std::string what_;
  internal::ArchiveReader reader_;
  std::optional<Error> blob_error_;
};

std::string describe_blob(const std::filesystem::path& blob, const std::string& digest) {
  return digest.empty() ? "layer " + blob.string() : "layer " + digest;
}

// Copies the current entry of `stream` to `sink`, returning the byte count.
Result<uint64_t> keep_content(TarStream& stream, ContentSink& sink, uint64_t max_bytes,
                              std::string_view what) {
  auto copied = internal::copy_entry_data(stream.reader(), max_bytes, what,
                                          [&](std::string_view data) { return sink.append(data); });
  if (!copied && copied.error().code == ErrorCode::kParse) {
    return fail(stream.error("reading entry data"));
  }
  return copied;
}

}  // namespace

namespace internal {

Result<uint64_t> copy_entry_data(const ArchiveReader& reader, uint64_t max_bytes,
                                 std::string_view what,
                                 const std::function<Result<void>(std::string_view)>& sink) {
  std::array<char, 64 * 1024> buffer{};
  uint64_t total = 0;
  while (true) {
    const la_ssize_t got = archive_read_data(reader.get(), buffer.data(), buffer.size());
    if (got < 0) {
      return fail(Error::parse("{}: {}", what, reader.error_text()));
    }
    if (got == 0) {
      return total;
    }
    total += static_cast<uint64_t>(got);
    if (total > max_bytes) {
      return fail(Error::invalid_argument("{}: entry holds more than {} bytes", what, max_bytes));
    }
    VIGIL_TRY(sink(std::string_view(buffer.data(), static_cast<size_t>(got))));
  }
}

}  // namespace internal

Result<std::string> sanitize_entry_name(std::string_view name) {
  const std::string_view quoted = name.substr(0, 200);
  if (name.size() > kMaxEntryName) {
    return fail(
        Error::invalid_argument("entry name '{}…' is longer than {} bytes", quoted, kMaxEntryName));
  }
  if (name.find('\0') != std::string_view::npos) {
    return fail(Error::invalid_argument("entry name '{}' holds a NUL byte", quoted));
  }
  if (!name.empty() && name.front() == '/') {
    return fail(Error::invalid_argument("entry name '{}' is an absolute path", quoted));
  }
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) {
      end = name.size();
    }
    const std::string_view part = name.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (kept.empty()) {
        return fail(Error::invalid_argument("entry name '{}' climbs out of the root", quoted));
      }
      kept.pop_back();
      continue;
    }
    kept.push_back(part);
  }
  std::string out;
  out.reserve(name.size());
  for (const auto part : kept) {
    if (!out.empty()) {
      out.push_back('/');
    }
    out += part;
  }
  return out;
}

Result<LayerIndex> index_tar_layer(const std::filesystem::path& blob,
                                   const std::string& expected_digest, const IndexOptions& options,
                                   ContentSink& sink) {
  const std::string what = describe_blob(blob, expected_digest);
  VIGIL_ASSIGN_OR_RETURN(
      auto reader, internal::BlobReader::open(blob, what, options.limits, options.hash_expanded));
  TarStream stream(*reader, what);
  VIGIL_TRY(stream.open());

  const auto wanted = [&](std::string_view path) {
    return options.wanted && options.wanted(join_path(options.mount, path));
  };
  const auto problem = [](LayerIndex& index, std::string text) {
    internal::note_problem(index, std::move(text));
  };

  LayerIndex index;
  std::unordered_map<std::string, size_t> by_path;
  std::set<std::string> missing_targets;  // hard-link targets whose content a link needs
  uint64_t entry_count = 0;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(archive_entry * entry, stream.next());
    if (entry == nullptr) {
      break;
    }
    if (++entry_count > options.limits.max_entries) {
      return fail(
          Error::invalid_argument("{}: more than {} entries", what, options.limits.max_entries));
    }
    const auto raw_name = internal::entry_name(entry);
    if (!raw_name) {
      problem(index, fmt::format("{}: entry {} has no usable name; skipped", what, entry_count));
      continue;
    }
    auto path = sanitize_entry_name(*raw_name);
    if (!path) {
      problem(index, fmt::format("{}: {}; skipped", what, path.error().message));
      continue;
    }
    if (path->empty()) {
      continue;  // the layer root itself
    }
    const std::string_view base = base_of(*path);
    if (options.whiteouts && base.starts_with(".wh.")) {
      const std::string_view dir = dir_of(*path);
      if (base == ".wh..wh..opq") {
        index.entries.push_back({std::string(dir), {}, 0, kNoContent, 0, EntryKind::kOpaque});
      } else if (!base.starts_with(".wh..wh.")) {
        // Other ".wh..wh." names are AUFS bookkeeping (e.g. ".wh..wh.plnk") and mean nothing.
        index.entries.push_back(
            {join_path(dir, base.substr(4)), {}, 0, kNoContent, 0, EntryKind::kWhiteout});
      }
      continue;
    }

    LayerEntry out;
    out.path = std::move(*path);
    out.mode = static_cast<uint32_t>(archive_entry_perm(entry)) & 07777U;
    if (const char* hardlink = archive_entry_hardlink(entry); hardlink != nullptr) {
      auto target = sanitize_entry_name(hardlink);
      if (!target || target->empty()) {
        problem(index, fmt::format("{}: hard link {}: bad target '{}'; skipped", what, out.path,
                                   std::string_view(hardlink).substr(0, 200)));
        continue;
      }
      out.kind = EntryKind::kHardlink;
      out.link = std::move(*target);
      if (wanted(out.path)) {
        const auto found = by_path.find(out.link);
        if (found == by_path.end() || index.entries[found->second].content_offset == kNoContent) {
          missing_targets.insert(out.link);
        }
      }
    } else {
      switch (archive_entry_filetype(entry)) {
        case AE_IFREG:
          out.kind = EntryKind::kRegular;
          out.size = static_cast<uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
          break;
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
        default:
          out.kind = EntryKind::kOther;
          break;
      }
    }
    if (out.kind == EntryKind::kRegular && wanted(out.path)) {
      if (out.size > options.limits.max_kept_file_bytes) {
        problem(index, fmt::format("{}: {} is {} bytes, over the {}-byte limit; not kept", what,
                                   out.path, out.size, options.limits.max_kept_file_bytes));
      } else {
        const uint64_t offset = sink.position();
        VIGIL_ASSIGN_OR_RETURN(out.size,
                               keep_content(stream, sink, options.limits.max_kept_file_bytes,
                                            fmt::format("{}: {}", what, out.path)));
        out.content_offset = offset;
      }
    }
    by_path[out.path] = index.entries.size();
    index.entries.push_back(std::move(out));
  }
  VIGIL_ASSIGN_OR_RETURN(index.digest, reader->finish());
  if (!expected_digest.empty() && index.digest != expected_digest) {
    return fail(Error::parse("{}: digest mismatch: the blob hashes to {}", what, index.digest));
  }
  index.diff_id = reader->expanded_digest();
  index.blob_bytes = reader->raw_bytes();
  index.expanded_bytes = reader->expanded_bytes();

  if (!missing_targets.empty()) {
    // A wanted hard link whose target was not itself wanted: fetch the targets in a second
    // pass (rare: only when a wanted path is a link to an unwanted one).
    VIGIL_ASSIGN_OR_RETURN(auto again,
                           internal::BlobReader::open(blob, what, options.limits, false));
    TarStream second(*again, what);
    VIGIL_TRY(second.open());
    while (!missing_targets.empty()) {
      VIGIL_ASSIGN_OR_RETURN(archive_entry * entry, second.next());
      if (entry == nullptr) {
        break;
      }
      const auto raw_name = internal::entry_name(entry);
      auto path = raw_name ? sanitize_entry_name(*raw_name) : Result<std::string>(std::string{});
      if (!path || !missing_targets.contains(*path) || archive_entry_filetype(entry) != AE_IFREG ||
          archive_entry_hardlink(entry) != nullptr) {
        continue;
      }
      missing_targets.erase(*path);
      const auto found = by_path.find(*path);
      if (found == by_path.end()) {
        continue;
      }
      auto& target = index.entries[found->second];
      if (target.kind != EntryKind::kRegular || target.size > options.limits.max_kept_file_bytes) {
        continue;
      }
      const uint64_t offset = sink.position();
      VIGIL_ASSIGN_OR_RETURN(target.size,
                             keep_content(second, sink, options.limits.max_kept_file_bytes,
                                          fmt::format("{}: {}", what, target.path)));
      target.content_offset = offset;
    }
  }
  for (const auto& target : missing_targets) {
    // Not incomplete: the link is resolved against lower layers when read.
    internal::note_problem(
        index,
        fmt::format("{}: hard link target {} is not a regular file of this layer; its "
                    "links are read from lower layers",
                    what, target),
        false);
  }
  return index;
}

Result<std::string> read_from_blob(const std::filesystem::path& blob, bool zip,
                                   std::string_view path, uint64_t max_bytes,
                                   const ExtractLimits& limits) {
  const std::string what = "layer " + blob.string();
  std::unique_ptr<internal::BlobReader> reader;
  std::unique_ptr<TarStream> stream;
  internal::ArchiveReader zip_reader;
  if (zip) {
    archive_read_support_format_zip_seekable(zip_reader.get());
    if (archive_read_open_filename(zip_reader.get(), blob.c_str(), 64 * 1024) != ARCHIVE_OK) {
      return fail(Error::parse("{}: {}", what, zip_reader.error_text()));
    }
  } else {
    VIGIL_ASSIGN_OR_RETURN(reader, internal::BlobReader::open(blob, what, limits, false));
    stream = std::make_unique<TarStream>(*reader, what);
    VIGIL_TRY(stream->open());
  }
  const internal::ArchiveReader& handle = zip ? zip_reader : stream->reader();
  std::optional<std::string> found;  // the last entry of that name wins
  while (true) {
    archive_entry* entry = nullptr;
    if (zip) {
      const int status = archive_read_next_header(zip_reader.get(), &entry);
      if (status == ARCHIVE_EOF) {
        break;
      }
      if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
        return fail(Error::parse("{}: {}", what, zip_reader.error_text()));
      }
    } else {
      VIGIL_ASSIGN_OR_RETURN(entry, stream->next());
      if (entry == nullptr) {
        break;
      }
    }
    const auto raw_name = internal::entry_name(entry);
    if (!raw_name) {
      continue;
    }
    const auto name = sanitize_entry_name(*raw_name);
    if (!name || *name != path || archive_entry_filetype(entry) != AE_IFREG ||
        archive_entry_hardlink(entry) != nullptr) {
      continue;
    }
    std::string content;
    VIGIL_TRY(internal::copy_entry_data(handle, max_bytes, fmt::format("{}: {}", what, path),
                                        [&](std::string_view data) -> Result<void> {
                                          content.append(data);
                                          return {};
                                        }));
    found = std::move(content);
  }
  if (!found) {
    return fail(Error::not_found("{}: no regular file {}", what, path));
  }
  return std::move(*found);
}

}  // namespace vigil::sources
