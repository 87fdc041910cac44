// The layer file format:
//   "VIGLAYR1" | kept content ... | index | footer
// footer = u64 index offset, u64 index size, u64 FNV-1a of the index, "VIGLEND1" (little endian).
// The index starts with the variant string, so a hash collision in the file name cannot mix up
// two variants. Files are written as ".tmp-*" in the same directory and renamed into place.
#include "sources/layer_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>

#include "sources/digest.hpp"

namespace vigil::sources {
namespace {

constexpr std::string_view kMagic = "VIGLAYR1";
constexpr std::string_view kEndMagic = "VIGLEND1";
constexpr size_t kFooterSize = 32;
constexpr uint64_t kMaxIndexBytes = uint64_t{1} << 31;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

uint64_t fnv1a(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

void put_u64(std::string& out, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xffU));
  }
}

void put_string(std::string& out, std::string_view text) {
  put_u64(out, text.size());
  out.append(text);
}

uint64_t get_u64_at(std::string_view bytes, size_t at) {
  uint64_t value = 0;
  for (size_t idx = 0; idx < 8; ++idx) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + idx])) << (8 * idx);
  }
  return value;
}

// Bounds-checked reader over the encoded index.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes) {}

  Result<uint64_t> u64() {
    if (bytes_.size() - pos_ < 8) {
      return fail(Error::parse("layer index truncated at byte {}", pos_));
    }
    const uint64_t value = get_u64_at(bytes_, pos_);
    pos_ += 8;
    return value;
  }

  Result<std::string> string() {
    VIGIL_ASSIGN_OR_RETURN(const uint64_t size, u64());
    if (size > bytes_.size() - pos_) {
      return fail(Error::parse("layer index truncated at byte {}", pos_));
    }
    std::string out(bytes_.substr(pos_, size));
    pos_ += size;
    return out;
  }

  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

Result<void> write_all(int fd, const char* data, size_t size, const std::filesystem::path& file) {
  while (size > 0) {
    const ssize_t wrote = ::write(fd, data, size);
    if (wrote < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(Error::io("cannot write {}: {}", file.string(), errno_text(errno)));
    }
    data += wrote;
    size -= static_cast<size_t>(wrote);
  }
  return {};
}

struct Mapping {
  const char* data = nullptr;
  size_t size = 0;
};

// Maps the whole of `fd` read-only.
Result<Mapping> map_file(int fd, const std::filesystem::path& file) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return fail(Error::io("layer cache {}: {}", file.string(), errno_text(errno)));
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size < kMagic.size() + kFooterSize) {
    return fail(Error::parse("{} is truncated", file.string()));
  }
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) {
    return fail(Error::io("layer cache {}: cannot map: {}", file.string(), errno_text(errno)));
  }
  return Mapping{static_cast<const char*>(data), size};
}

// Checks the framing of a mapped layer file and decodes its index.
Result<LayerIndex> decode_file(const Mapping& mapping, std::string_view variant,
                               const std::filesystem::path& file) {
  const std::string_view bytes(mapping.data, mapping.size);
  const std::string_view footer = bytes.substr(bytes.size() - kFooterSize);
  const uint64_t index_offset = get_u64_at(footer, 0);
  const uint64_t index_size = get_u64_at(footer, 8);
  if (bytes.substr(0, kMagic.size()) != kMagic || footer.substr(24) != kEndMagic ||
      index_offset < kMagic.size() || index_size > kMaxIndexBytes ||
      index_offset > bytes.size() - kFooterSize ||
      index_size != bytes.size() - kFooterSize - index_offset) {
    return fail(Error::parse("{} is not a layer file", file.string()));
  }
  const std::string_view index = bytes.substr(index_offset, index_size);
  if (fnv1a(index) != get_u64_at(footer, 16)) {
    return fail(Error::parse("{}: index checksum mismatch", file.string()));
  }
  return decode_layer_index(index, variant, kMagic.size(), index_offset);
}

// Buffers kept content and writes it to the temporary layer file.
class FileSink final : public ContentSink {
 public:
  FileSink(int fd, std::filesystem::path file) : fd_(fd), file_(std::move(file)) {
    buffer_.reserve(kBuffer);
  }

  Result<void> append(std::string_view data) override {
    position_ += data.size();
    if (buffer_.size() + data.size() > kBuffer) {
      VIGIL_TRY(flush());
      if (data.size() >= kBuffer) {
        return write_all(fd_, data.data(), data.size(), file_);
      }
    }
    buffer_.append(data);
    return {};
  }

  uint64_t position() const override { return position_; }

  Result<void> flush() {
    VIGIL_TRY(write_all(fd_, buffer_.data(), buffer_.size(), file_));
    buffer_.clear();
    return {};
  }

 private:
  static constexpr size_t kBuffer = size_t{1} << 20;
  int fd_;
  std::filesystem::path file_;
  std::string buffer_;
  uint64_t position_ = kMagic.size();
};

// Removes the temporary file unless released.
class TempFile {
 public:
  TempFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    if (!path_.empty()) {
      ::unlink(path_.c_str());
    }
  }
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  void renamed() { path_.clear(); }
  int release_fd() { return std::exchange(fd_, -1); }

 private:
  int fd_;
  std::filesystem::path path_;
};

}  // namespace

StoredLayer::StoredLayer(LayerIndex index, const char* map, size_t map_size,
                         std::filesystem::path file, bool from_cache)
    : index_(std::move(index)),
      map_(map),
      map_size_(map_size),
      file_(std::move(file)),
      from_cache_(from_cache) {}

StoredLayer::~StoredLayer() {
  if (map_ != nullptr) {
    ::munmap(const_cast<char*>(map_), map_size_);
  }
}

void StoredLayer::build_tables() const {
  std::call_once(tables_once_, [this] {
    by_path_.reserve(index_.entries.size());
    for (const auto& entry : index_.entries) {
      switch (entry.kind) {
        case EntryKind::kWhiteout:
          whiteouts_.insert(entry.path);
          break;
        case EntryKind::kOpaque:
          opaque_.insert(entry.path);
          break;
        default:
          by_path_[entry.path] = &entry;  // later duplicates replace earlier ones
          break;
      }
    }
  });
}

const LayerEntry* StoredLayer::find(std::string_view path) const {
  build_tables();
  const auto found = by_path_.find(path);
  return found == by_path_.end() ? nullptr : found->second;
}

bool StoredLayer::whiteout(std::string_view path) const {
  build_tables();
  return whiteouts_.contains(path);
}

bool StoredLayer::opaque(std::string_view path) const {
  build_tables();
  return opaque_.contains(path);
}

Result<std::string> StoredLayer::read_content(const LayerEntry& entry, uint64_t max_bytes) const {
  if (entry.content_offset == kNoContent) {
    return fail(Error::unavailable("{}: content of {} was not kept", index_.digest, entry.path));
  }
  if (entry.size > max_bytes) {
    return fail(Error::invalid_argument("{}: {} bytes is over the {}-byte read limit", entry.path,
                                        entry.size, max_bytes));
  }
  // decode_layer_index checked that the content lies inside the file.
  if (entry.content_offset > map_size_ || entry.size > map_size_ - entry.content_offset) {
    return fail(
        Error::internal("{}: content of {} outside {}", index_.digest, entry.path, file_.string()));
  }
  return std::string(map_ + entry.content_offset, entry.size);
}

std::string encode_layer_index(const LayerIndex& index, std::string_view variant) {
  std::string out;
  put_string(out, variant);
  put_string(out, index.digest);
  put_string(out, index.diff_id);
  put_u64(out, index.blob_bytes);
  put_u64(out, index.expanded_bytes);
  put_u64(out, index.complete ? 1 : 0);
  put_u64(out, index.problems.size());
  for (const auto& problem : index.problems) {
    put_string(out, problem);
  }
  put_u64(out, index.entries.size());
  for (const auto& entry : index.entries) {
    put_string(out, entry.path);
    put_string(out, entry.link);
    put_u64(out, entry.size);
    put_u64(out, entry.content_offset);
    put_u64(out, (uint64_t{entry.mode} << 8) | static_cast<uint64_t>(entry.kind));
  }
  return out;
}

Result<LayerIndex> decode_layer_index(std::string_view bytes, std::string_view variant,
                                      uint64_t content_begin, uint64_t content_end) {
  Decoder in(bytes);
  VIGIL_ASSIGN_OR_RETURN(const std::string stored_variant, in.string());
  if (stored_variant != variant) {
    return fail(Error::parse("layer index is for another variant"));
  }
  LayerIndex index;
  VIGIL_ASSIGN_OR_RETURN(index.digest, in.string());
  VIGIL_ASSIGN_OR_RETURN(index.diff_id, in.string());
  VIGIL_ASSIGN_OR_RETURN(index.blob_bytes, in.u64());
  VIGIL_ASSIGN_OR_RETURN(index.expanded_bytes, in.u64());
  VIGIL_ASSIGN_OR_RETURN(const uint64_t complete, in.u64());
  index.complete = complete != 0;
  VIGIL_ASSIGN_OR_RETURN(const uint64_t problems, in.u64());
  if (problems > in.remaining() / 8) {
    return fail(Error::parse("layer index: bad problem count {}", problems));
  }
  for (uint64_t idx = 0; idx < problems; ++idx) {
    VIGIL_ASSIGN_OR_RETURN(std::string problem, in.string());
    index.problems.push_back(std::move(problem));
  }
  VIGIL_ASSIGN_OR_RETURN(const uint64_t entries, in.u64());
  // Each entry takes at least 40 bytes, so a count the remaining bytes cannot hold is corrupt.
  if (entries > in.remaining() / 40) {
    return fail(Error::parse("layer index: bad entry count {}", entries));
  }
  index.entries.reserve(entries);
  for (uint64_t idx = 0; idx < entries; ++idx) {
    LayerEntry entry;
    VIGIL_ASSIGN_OR_RETURN(entry.path, in.string());
    VIGIL_ASSIGN_OR_RETURN(entry.link, in.string());
    VIGIL_ASSIGN_OR_RETURN(entry.size, in.u64());
    VIGIL_ASSIGN_OR_RETURN(entry.content_offset, in.u64());
    VIGIL_ASSIGN_OR_RETURN(const uint64_t packed, in.u64());
    const uint64_t kind = packed & 0xffU;
    if (kind > static_cast<uint64_t>(EntryKind::kOpaque) || (packed >> 8) > 07777U) {
      return fail(Error::parse("layer index: entry {} has a bad kind or mode", idx));
    }
    entry.kind = static_cast<EntryKind>(kind);
    entry.mode = static_cast<uint32_t>(packed >> 8);
    if (entry.content_offset != kNoContent &&
        (entry.content_offset < content_begin || entry.content_offset > content_end ||
         entry.size > content_end - entry.content_offset)) {
      return fail(Error::parse("layer index: entry {} points outside the content", idx));
    }
    index.entries.push_back(std::move(entry));
  }
  if (in.remaining() != 0) {
    return fail(Error::parse("layer index: {} trailing bytes", in.remaining()));
  }
  return index;
}

Result<std::unique_ptr<LayerStore>> LayerStore::open(std::filesystem::path dir, bool persistent) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir, ec)) {
    return fail(Error::io("layer cache {}: cannot create directory: {}", dir.string(),
                          ec ? ec.message() : std::string("not a directory")));
  }
  return std::unique_ptr<LayerStore>(new LayerStore(std::move(dir), persistent));
}

std::filesystem::path LayerStore::file_for(std::string_view digest,
                                           std::string_view variant) const {
  return dir_ / fmt::format("{}-{:016x}.layer", digest_hex(digest), fnv1a(variant));
}

Result<std::shared_ptr<const StoredLayer>> LayerStore::find(std::string_view digest,
                                                            std::string_view variant) const {
  VIGIL_TRY(check_sha256_digest(digest));
  const auto file = file_for(digest, variant);
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return std::shared_ptr<const StoredLayer>{};
    }
    return fail(Error::io("layer cache {}: {}", file.string(), errno_text(errno)));
  }
  const auto mapped = map_file(fd, file);
  ::close(fd);
  if (!mapped) {
    if (mapped.error().code == ErrorCode::kParse) {
      ::unlink(file.c_str());  // too short to be a layer file: rebuild it
      return std::shared_ptr<const StoredLayer>{};
    }
    return fail(mapped.error());
  }
  const Mapping mapping = *mapped;
  auto index = decode_file(mapping, variant, file);
  if (!index || index->digest != digest) {
    ::munmap(const_cast<char*>(mapping.data), mapping.size);
    if (index || index.error().code == ErrorCode::kParse) {
      ::unlink(file.c_str());  // corrupt: rebuild it
      return std::shared_ptr<const StoredLayer>{};
    }
    return fail(index.error());
  }
  return std::shared_ptr<const StoredLayer>(std::make_shared<StoredLayer>(
      std::move(*index), mapping.data, mapping.size, file, persistent_));
}

Result<std::shared_ptr<const StoredLayer>> LayerStore::build(
    std::string_view digest, std::string_view variant,
    const std::function<Result<LayerIndex>(ContentSink&)>& build) {
  VIGIL_TRY(check_sha256_digest(digest));
  std::string pattern = (dir_ / ".tmp-XXXXXX").string();
  const int raw_fd = ::mkstemp(pattern.data());
  if (raw_fd < 0) {
    return fail(
        Error::io("layer cache {}: cannot create a file: {}", dir_.string(), errno_text(errno)));
  }
  TempFile temp(raw_fd, pattern);
  VIGIL_TRY(write_all(temp.fd(), kMagic.data(), kMagic.size(), temp.path()));
  FileSink sink(temp.fd(), temp.path());
  VIGIL_ASSIGN_OR_RETURN(LayerIndex index, build(sink));
  if (index.digest != digest) {
    return fail(Error::internal("layer {} indexed as {}", digest, index.digest));
  }
  VIGIL_TRY(sink.flush());
  const uint64_t index_offset = sink.position();
  std::string tail = encode_layer_index(index, variant);
  const uint64_t index_size = tail.size();
  const uint64_t checksum = fnv1a(tail);
  put_u64(tail, index_offset);
  put_u64(tail, index_size);
  put_u64(tail, checksum);
  tail.append(kEndMagic);
  VIGIL_TRY(write_all(temp.fd(), tail.data(), tail.size(), temp.path()));
  const auto file = file_for(digest, variant);
  if (::rename(temp.path().c_str(), file.c_str()) != 0) {
    return fail(
        Error::io("layer cache: cannot rename into {}: {}", file.string(), errno_text(errno)));
  }
  temp.renamed();
  const int fd = temp.release_fd();
  auto mapping = map_file(fd, file);
  ::close(fd);
  if (!mapping) {
    return fail(mapping.error());
  }
  return std::shared_ptr<const StoredLayer>(
      std::make_shared<StoredLayer>(std::move(index), mapping->data, mapping->size, file, false));
}

std::optional<std::filesystem::path> default_layer_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::filesystem::path(xdg) / "vigil" / "layers";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    return std::filesystem::path(home) / ".cache" / "vigil" / "layers";
  }
  return std::nullopt;
}

}  // namespace vigil::sources
