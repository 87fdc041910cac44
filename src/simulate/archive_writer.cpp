#include "simulate/archive_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <fstream>
#include <memory>
#include <system_error>

#include "sources/digest.hpp"

namespace vigil::simulate {
namespace {

struct WriterDeleter {
  void operator()(archive* writer) const { archive_write_free(writer); }
};
struct EntryDeleter {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};
using WriterPtr = std::unique_ptr<archive, WriterDeleter>;
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

la_ssize_t append_to_string(archive*, void* client, const void* data, size_t size) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

Result<std::string> make_archive(const std::vector<ArchiveEntry>& entries, bool zip) {
  std::string out;
  WriterPtr writer(archive_write_new());
  if (!writer) {
    return fail(Error::internal("archive: cannot allocate a writer"));
  }
  const int format = zip ? archive_write_set_format_zip(writer.get())
                         : archive_write_set_format_pax_restricted(writer.get());
  if (format != ARCHIVE_OK) {
    return fail(Error::internal("archive: {}", archive_error_string(writer.get())));
  }
  archive_write_set_bytes_in_last_block(writer.get(), 1);
  if (archive_write_open(writer.get(), &out, nullptr, append_to_string, nullptr) != ARCHIVE_OK) {
    return fail(Error::internal("archive: {}", archive_error_string(writer.get())));
  }
  for (const auto& item : entries) {
    EntryPtr entry(archive_entry_new());
    const bool is_dir = !item.path.empty() && item.path.back() == '/';
    archive_entry_set_pathname(entry.get(), item.path.c_str());
    archive_entry_set_filetype(entry.get(), is_dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry.get(), is_dir ? 0755 : item.mode);
    archive_entry_set_mtime(entry.get(), kArchiveMtime, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (!is_dir) {
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(item.content.size()));
    }
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK) {
      return fail(Error::internal("archive: {}: {}", item.path, archive_error_string(writer.get())));
    }
    if (!is_dir && !item.content.empty() &&
        archive_write_data(writer.get(), item.content.data(), item.content.size()) !=
            static_cast<la_ssize_t>(item.content.size())) {
      return fail(Error::internal("archive: {}: {}", item.path, archive_error_string(writer.get())));
    }
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) {
    return fail(Error::internal("archive: {}", archive_error_string(writer.get())));
  }
  return out;
}

}  // namespace

Result<std::string> make_tar(const std::vector<ArchiveEntry>& entries) {
  return make_archive(entries, false);
}

Result<std::string> make_zip(const std::vector<ArchiveEntry>& entries) {
  return make_archive(entries, true);
}

Result<std::string> gzip_compress(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return fail(Error::internal("gzip: deflateInit2 failed"));
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  const uLong produced = stream.total_out;
  deflateEnd(&stream);
  if (status != Z_STREAM_END) {
    return fail(Error::internal("gzip: deflate failed ({})", status));
  }
  out.resize(produced);
  return out;
}

Result<void> write_file(const std::filesystem::path& path, std::string_view content) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return fail(Error::io("{}: cannot create directory: {}", path.parent_path().string(),
                          ec.message()));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return fail(Error::io("{}: cannot open for writing", path.string()));
  }
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    return fail(Error::io("{}: write failed", path.string()));
  }
  return {};
}

std::string base64(std::string_view data) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t chunk = (uint32_t{static_cast<unsigned char>(data[i])} << 16) |
                           (uint32_t{static_cast<unsigned char>(data[i + 1])} << 8) |
                           uint32_t{static_cast<unsigned char>(data[i + 2])};
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += kAlphabet[(chunk >> 6) & 63];
    out += kAlphabet[chunk & 63];
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t chunk = uint32_t{static_cast<unsigned char>(data[i])} << 16;
    if (rest == 2) {
      chunk |= uint32_t{static_cast<unsigned char>(data[i + 1])} << 8;
    }
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += rest == 2 ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string sha256_raw(std::string_view data) {
  const std::string digest = sources::sha256_digest(data);
  const std::string_view hex = sources::digest_hex(digest);
  std::string raw;
  raw.reserve(hex.size() / 2);
  const auto nibble = [](char c) {
    return static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw += static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1]));
  }
  return raw;
}

}  // namespace vigil::simulate
