// BlobReader: read(2) in large chunks, sniff the compression from the magic bytes, and inflate
// with zlib or zstd ourselves, so both digests and the bomb limits see every byte exactly once.
#include "sources/internal/blob_reader.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>

#include "sources/digest.hpp"

namespace vigil::sources::internal {
namespace {

constexpr size_t kInputChunk = size_t{1} << 20;
constexpr size_t kOutputChunk = size_t{256} << 10;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<int> open_read(const std::filesystem::path& path, std::string_view what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return fail(Error::not_found("{}: {} is missing", what, path.string()));
    }
    return fail(Error::io("{}: cannot open {}: {}", what, path.string(), errno_text(err)));
  }
  return fd;
}

class BlobReaderImpl final : public BlobReader {
 public:
  BlobReaderImpl(int fd, std::string what, const ExtractLimits& limits, bool hash_expanded)
      : fd_(fd), what_(std::move(what)), limits_(limits), hash_expanded_(hash_expanded) {
    input_.resize(kInputChunk);
  }
  BlobReaderImpl(const BlobReaderImpl&) = delete;
  BlobReaderImpl& operator=(const BlobReaderImpl&) = delete;

  ~BlobReaderImpl() override {
    if (zlib_ready_) {
      inflateEnd(&zlib_);
    }
    if (zstd_ != nullptr) {
      ZSTD_freeDStream(zstd_);
    }
  }

  Result<void> start() {
    VIGIL_TRY(refill());
    const auto* bytes = reinterpret_cast<const unsigned char*>(input_.data());
    if (input_size_ >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
      compression_ = Compression::kGzip;
      std::memset(&zlib_, 0, sizeof zlib_);
      if (inflateInit2(&zlib_, 16 + MAX_WBITS) != Z_OK) {
        return fail(Error::internal("{}: cannot initialise zlib", what_));
      }
      zlib_ready_ = true;
      output_.resize(kOutputChunk);
    } else if (input_size_ >= 4 && bytes[0] == 0x28 && bytes[1] == 0xb5 && bytes[2] == 0x2f &&
               bytes[3] == 0xfd) {
      compression_ = Compression::kZstd;
      zstd_ = ZSTD_createDStream();
      if (zstd_ == nullptr) {
        return fail(Error::internal("{}: cannot initialise zstd", what_));
      }
      output_.resize(kOutputChunk);
    }
    return {};
  }

  Result<std::string_view> next() override {
    if (done_) {
      return std::string_view{};
    }
    std::string_view chunk;
    switch (compression_) {
      case Compression::kNone: {
        VIGIL_ASSIGN_OR_RETURN(chunk, next_plain());
        break;
      }
      case Compression::kGzip: {
        VIGIL_ASSIGN_OR_RETURN(chunk, next_gzip());
        break;
      }
      case Compression::kZstd: {
        VIGIL_ASSIGN_OR_RETURN(chunk, next_zstd());
        break;
      }
    }
    if (chunk.empty()) {
      done_ = true;
      return chunk;
    }
    expanded_ += chunk.size();
    if (hash_expanded_) {
      expanded_hash_.update(chunk);
    }
    if (expanded_ > limits_.max_expanded_bytes) {
      return fail(Error::invalid_argument(
          "{}: expands to more than the {}-byte limit (decompression bomb?)", what_,
          limits_.max_expanded_bytes));
    }
    if (expanded_ > limits_.ratio_floor && raw_ > 0 && expanded_ / raw_ > limits_.max_ratio) {
      return fail(Error::invalid_argument(
          "{}: expands more than {}:1 ({} bytes from {}; decompression bomb?)", what_,
          limits_.max_ratio, expanded_, raw_));
    }
    return chunk;
  }

  Result<std::string> finish() override {
    while (!done_) {
      VIGIL_TRY(next());
    }
    // Bytes after the end of the compressed stream are part of the blob and its digest.
    while (!eof_) {
      input_pos_ = input_size_;
      VIGIL_TRY(refill());
    }
    if (!finished_) {
      raw_digest_ = raw_hash_.finish();
      if (hash_expanded_) {
        expanded_digest_ = expanded_hash_.finish();
      }
      finished_ = true;
    }
    return raw_digest_;
  }

  std::string expanded_digest() const override { return expanded_digest_; }
  uint64_t raw_bytes() const override { return raw_; }
  uint64_t expanded_bytes() const override { return expanded_; }
  Compression compression() const override { return compression_; }

 private:
  // Reads the next input chunk when the current one is used up; sets eof_ at the end.
  Result<void> refill() {
    if (input_pos_ < input_size_ || eof_) {
      return {};
    }
    while (true) {
      const ssize_t got = ::read(fd_.get(), input_.data(), input_.size());
      if (got < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(Error::io("{}: read error: {}", what_, errno_text(errno)));
      }
      input_pos_ = 0;
      input_size_ = static_cast<size_t>(got);
      if (got == 0) {
        eof_ = true;
      } else {
        raw_ += input_size_;
        raw_hash_.update(input_.data(), input_size_);
      }
      return {};
    }
  }

  Result<std::string_view> next_plain() {
    VIGIL_TRY(refill());
    if (eof_) {
      return std::string_view{};
    }
    std::string_view chunk(input_.data() + input_pos_, input_size_ - input_pos_);
    input_pos_ = input_size_;
    return chunk;
  }

  Result<std::string_view> next_gzip() {
    while (true) {
      VIGIL_TRY(refill());
      if (stream_ended_) {
        // Another gzip member may follow (concatenated gzip is one stream, RFC 1952 2.2);
        // anything else after the end is ignored, though still hashed.
        if (eof_) {
          return std::string_view{};
        }
        const auto* bytes = reinterpret_cast<const unsigned char*>(input_.data() + input_pos_);
        if (input_size_ - input_pos_ >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
          inflateReset(&zlib_);
          stream_ended_ = false;
        } else {
          return std::string_view{};
        }
      }
      // At the end of the input inflate() is still called once more: it may hold output
      // that did not fit last time.
      const size_t available = eof_ ? 0 : input_size_ - input_pos_;
      zlib_.next_in = reinterpret_cast<Bytef*>(input_.data() + input_pos_);
      zlib_.avail_in = static_cast<uInt>(available);
      zlib_.next_out = reinterpret_cast<Bytef*>(output_.data());
      zlib_.avail_out = static_cast<uInt>(output_.size());
      const int status = inflate(&zlib_, Z_NO_FLUSH);
      input_pos_ += available - zlib_.avail_in;
      const size_t produced = output_.size() - zlib_.avail_out;
      if (status == Z_STREAM_END) {
        stream_ended_ = true;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        return fail(Error::parse("{}: corrupt gzip stream after {} bytes: {}", what_,
                                 raw_ - (input_size_ - input_pos_),
                                 zlib_.msg != nullptr ? zlib_.msg : "inflate failed"));
      }
      if (produced > 0) {
        return std::string_view(output_.data(), produced);
      }
      if (eof_ && !stream_ended_) {
        return fail(Error::parse("{}: truncated gzip stream (ends after {} bytes)", what_, raw_));
      }
    }
  }

  Result<std::string_view> next_zstd() {
    while (true) {
      VIGIL_TRY(refill());
      // As for gzip, calls at the end of the input flush what the decoder still holds.
      ZSTD_inBuffer in{input_.data(), eof_ ? 0 : input_size_, eof_ ? 0 : input_pos_};
      ZSTD_outBuffer out{output_.data(), output_.size(), 0};
      const size_t before = in.pos;
      const size_t status = ZSTD_decompressStream(zstd_, &out, &in);
      if (ZSTD_isError(status) != 0) {
        return fail(Error::parse("{}: corrupt zstd stream: {}", what_, ZSTD_getErrorName(status)));
      }
      if (!eof_) {
        input_pos_ = in.pos;
      }
      if (in.pos != before || out.pos > 0) {
        // 0 means a frame ended and was fully flushed; remember it for the end of input.
        zstd_frame_done_ = status == 0;
      }
      if (out.pos > 0) {
        return std::string_view(output_.data(), out.pos);
      }
      if (eof_) {
        if (!zstd_frame_done_) {
          return fail(Error::parse("{}: truncated zstd stream (ends after {} bytes)", what_, raw_));
        }
        return std::string_view{};
      }
    }
  }

  Fd fd_;
  std::string what_;
  ExtractLimits limits_;
  bool hash_expanded_;
  Compression compression_ = Compression::kNone;
  std::vector<char> input_;
  std::vector<char> output_;
  size_t input_pos_ = 0;
  size_t input_size_ = 0;
  bool eof_ = false;
  bool done_ = false;
  bool finished_ = false;
  bool stream_ended_ = false;
  z_stream zlib_{};
  bool zlib_ready_ = false;
  ZSTD_DStream* zstd_ = nullptr;
  bool zstd_frame_done_ = false;
  uint64_t raw_ = 0;
  uint64_t expanded_ = 0;
  Sha256 raw_hash_;
  Sha256 expanded_hash_;
  std::string raw_digest_;
  std::string expanded_digest_;
};

}  // namespace

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "none";
}

Result<std::unique_ptr<BlobReader>> BlobReader::open(const std::filesystem::path& path,
                                                     std::string what, const ExtractLimits& limits,
                                                     bool hash_expanded) {
  VIGIL_ASSIGN_OR_RETURN(const int fd, open_read(path, what));
  auto reader = std::make_unique<BlobReaderImpl>(fd, std::move(what), limits, hash_expanded);
  VIGIL_TRY(reader->start());
  return std::unique_ptr<BlobReader>(std::move(reader));
}

Result<std::string> hash_file(const std::filesystem::path& path) {
  VIGIL_ASSIGN_OR_RETURN(const int raw_fd, open_read(path, path.string()));
  Fd fd(raw_fd);
  Sha256 hasher;
  std::vector<char> buffer(kInputChunk);
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(Error::io("{}: read error: {}", path.string(), errno_text(errno)));
    }
    if (got == 0) {
      break;
    }
    hasher.update(buffer.data(), static_cast<size_t>(got));
  }
  return hasher.finish();
}

}  // namespace vigil::sources::internal
